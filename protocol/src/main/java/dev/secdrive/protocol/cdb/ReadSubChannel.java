package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * READ SUB-CHANNEL (MMC-6 6.32).
 *
 * @param msf MSF, byte 1 bit 1: addresses as 00h M S F instead of LBA
 * @param subQ SUBQ, byte 2 bit 6: return sub-channel data (clear: the header only)
 * @param format sub-channel parameter list code, byte 3: 01h position, 02h MCN, 03h ISRC
 * @param trackNumber byte 6, the track of format 03h
 * @param allocationLength bytes 7-8
 */
public record ReadSubChannel(
    boolean msf, boolean subQ, int format, int trackNumber, int allocationLength, int control)
    implements Cdb {

  private static final int MSF = 0x02;
  private static final int SUBQ = 0x40;

  public ReadSubChannel {
    checkUnsigned("format", format, 8);
    checkUnsigned("trackNumber", trackNumber, 8);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static ReadSubChannel decode(byte[] cdb) {
    return new ReadSubChannel(
        (cdb[1] & MSF) != 0,
        (cdb[2] & SUBQ) != 0,
        cdb[3] & 0xFF,
        cdb[6] & 0xFF,
        u16(cdb, 7),
        cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_SUB_CHANNEL;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (msf ? MSF : 0);
    out[2] = (byte) (subQ ? SUBQ : 0);
    out[3] = (byte) format;
    out[6] = (byte) trackNumber;
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format("READ SUB-CHANNEL format=%02Xh track=%d", format, trackNumber);
  }
}
