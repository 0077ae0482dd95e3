package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * A track descriptor of READ TOC/PMA/ATIP formats 0000b and 0001b (MMC-6 tables 489, 491): 8 bytes,
 * reserved, ADR (bits 7-4) and CONTROL (bits 3-0), the track number, reserved, and the 4-byte start
 * address, an LBA or, with MSF set in the CDB, 00h M S F.
 *
 * @param adr the Q sub-channel mode, 1 for a TOC entry
 * @param control the track's control nibble (bit 2 data, bit 1 digital copy permitted)
 * @param trackNumber 1-99, or AAh for the lead-out
 * @param address the address field as sent (see {@link #address(long, boolean)})
 */
public record TrackDescriptor(int adr, int control, int trackNumber, int address) {

  public static final int LENGTH = 8;
  public static final int LEAD_OUT = 0xAA;

  public TrackDescriptor {
    checkUnsigned("adr", adr, 4);
    checkUnsigned("control", control, 4);
    checkUnsigned("trackNumber", trackNumber, 8);
  }

  /** A descriptor of a track starting at {@code lba}, addressed as the CDB asked. */
  public static TrackDescriptor of(int adr, int control, int trackNumber, long lba, boolean msf) {
    return new TrackDescriptor(adr, control, trackNumber, address(lba, msf));
  }

  /** The address field for {@code lba}: the LBA (two's complement), or 00h M S F. */
  public static int address(long lba, boolean msf) {
    return msf ? Msf.fromLba(lba).toAddressField() : (int) lba;
  }

  /** The start address as an LBA, reading the field as the CDB's MSF bit says. */
  public long lba(boolean msf) {
    return msf ? Msf.fromAddressField(address).toLba() : address;
  }

  void encode(byte[] out, int offset) {
    out[offset + 1] = (byte) (adr << 4 | control);
    out[offset + 2] = (byte) trackNumber;
    putU32(out, offset + 4, address & 0xFFFF_FFFFL);
  }

  static TrackDescriptor decode(byte[] in, int offset) {
    return new TrackDescriptor(
        (in[offset + 1] & 0xFF) >>> 4,
        in[offset + 1] & 0x0F,
        in[offset + 2] & 0xFF,
        (int) u32(in, offset + 4));
  }
}
