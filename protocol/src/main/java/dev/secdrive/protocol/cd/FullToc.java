package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

import java.util.ArrayList;
import java.util.List;

/**
 * READ TOC/PMA/ATIP format 0010b, the full (raw) TOC (MMC-6 6.33.3.4): a 4-byte header (TOC data
 * length, first and last complete session) and 11-byte descriptors, the Q sub-channel of the
 * lead-in as the drive read it, with its values converted from BCD to binary. The addresses are
 * always MSF; the CDB's MSF bit does not apply.
 */
public record FullToc(int firstSession, int lastSession, List<Descriptor> descriptors) {

  public static final int HEADER_LENGTH = 4;

  /** POINT A0h: PMIN is the first track number, PSEC the disc type. */
  public static final int POINT_FIRST_TRACK = 0xA0;

  /** POINT A1h: PMIN is the last track number. */
  public static final int POINT_LAST_TRACK = 0xA1;

  /** POINT A2h: PMIN, PSEC, PFRAME are the start of the lead-out. */
  public static final int POINT_LEAD_OUT = 0xA2;

  /** PSEC of POINT A0h for a CD-DA or CD-ROM disc (00h; 10h CD-I, 20h CD-ROM XA). */
  public static final int DISC_TYPE_CD_DA_OR_CD_ROM = 0x00;

  /**
   * One full TOC descriptor (MMC-6 table 493).
   *
   * @param session the session number
   * @param adr the Q mode, 1 for these points
   * @param control the control nibble
   * @param tno always 0 in the lead-in
   * @param point a track number 01h-63h, or A0h, A1h, A2h
   * @param min ATIME of the Q frame in the lead-in (MIN, SEC, FRAME)
   * @param zero the ZERO byte
   * @param pmin the point's value (for a track, its start MSF)
   */
  public record Descriptor(
      int session,
      int adr,
      int control,
      int tno,
      int point,
      int min,
      int sec,
      int frame,
      int zero,
      int pmin,
      int psec,
      int pframe) {

    public static final int LENGTH = 11;

    public Descriptor {
      checkUnsigned("session", session, 8);
      checkUnsigned("adr", adr, 4);
      checkUnsigned("control", control, 4);
      checkUnsigned("tno", tno, 8);
      checkUnsigned("point", point, 8);
      checkUnsigned("min", min, 8);
      checkUnsigned("sec", sec, 8);
      checkUnsigned("frame", frame, 8);
      checkUnsigned("zero", zero, 8);
      checkUnsigned("pmin", pmin, 8);
      checkUnsigned("psec", psec, 8);
      checkUnsigned("pframe", pframe, 8);
    }

    /** A descriptor whose PMIN/PSEC/PFRAME hold an address. */
    public static Descriptor at(int session, int control, int point, Msf address) {
      return new Descriptor(
          session,
          1,
          control,
          0,
          point,
          0,
          0,
          0,
          0,
          address.minute(),
          address.second(),
          address.frame());
    }

    /** PMIN/PSEC/PFRAME as an address (for a track point or A2h). */
    public Msf pointAddress() {
      return new Msf(pmin, psec, pframe);
    }
  }

  public FullToc {
    checkUnsigned("firstSession", firstSession, 8);
    checkUnsigned("lastSession", lastSession, 8);
    descriptors = List.copyOf(descriptors);
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER_LENGTH + descriptors.size() * Descriptor.LENGTH];
    putU16(out, 0, out.length - 2);
    out[2] = (byte) firstSession;
    out[3] = (byte) lastSession;
    int at = HEADER_LENGTH;
    for (Descriptor d : descriptors) {
      out[at] = (byte) d.session();
      out[at + 1] = (byte) (d.adr() << 4 | d.control());
      out[at + 2] = (byte) d.tno();
      out[at + 3] = (byte) d.point();
      out[at + 4] = (byte) d.min();
      out[at + 5] = (byte) d.sec();
      out[at + 6] = (byte) d.frame();
      out[at + 7] = (byte) d.zero();
      out[at + 8] = (byte) d.pmin();
      out[at + 9] = (byte) d.psec();
      out[at + 10] = (byte) d.pframe();
      at += Descriptor.LENGTH;
    }
    return out;
  }

  public static FullToc decode(byte[] in) {
    Toc.requireLength("full TOC header", in, HEADER_LENGTH);
    int end = Math.min(in.length, u16(in, 0) + 2);
    List<Descriptor> descriptors = new ArrayList<>();
    for (int at = HEADER_LENGTH; at + Descriptor.LENGTH <= end; at += Descriptor.LENGTH) {
      descriptors.add(
          new Descriptor(
              in[at] & 0xFF,
              (in[at + 1] & 0xFF) >>> 4,
              in[at + 1] & 0x0F,
              in[at + 2] & 0xFF,
              in[at + 3] & 0xFF,
              in[at + 4] & 0xFF,
              in[at + 5] & 0xFF,
              in[at + 6] & 0xFF,
              in[at + 7] & 0xFF,
              in[at + 8] & 0xFF,
              in[at + 9] & 0xFF,
              in[at + 10] & 0xFF));
    }
    return new FullToc(in[2] & 0xFF, in[3] & 0xFF, descriptors);
  }
}
