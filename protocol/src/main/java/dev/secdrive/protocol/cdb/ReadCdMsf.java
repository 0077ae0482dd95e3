package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.sense.FieldPointer;
import java.util.Objects;

/**
 * READ CD MSF (MMC-6 6.27): READ CD with the range given as the MSF of the first sector (bytes 3-5)
 * and the MSF after the last (bytes 6-8), binary; start = end reads nothing.
 *
 * @param expectedSectorType byte 1 bits 4-2, as {@link ReadCd}
 * @param dap DAP, byte 1 bit 1
 * @param start bytes 3-5
 * @param end bytes 6-8
 * @param mainChannel byte 9, as {@link ReadCd}
 * @param subChannel byte 10 bits 2-0, as {@link ReadCd}
 */
public record ReadCdMsf(
    int expectedSectorType,
    boolean dap,
    Msf start,
    Msf end,
    int mainChannel,
    int subChannel,
    int control)
    implements Cdb {

  public ReadCdMsf {
    checkUnsigned("expectedSectorType", expectedSectorType, 3);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    checkUnsigned("mainChannel", mainChannel, 8);
    checkUnsigned("subChannel", subChannel, 3);
    checkUnsigned("control", control, 8);
  }

  /** CD-DA sectors from {@code start} up to {@code end}, user data, with {@code subChannel}. */
  public static ReadCdMsf audio(Msf start, Msf end, int subChannel) {
    return new ReadCdMsf(
        ReadCd.SECTOR_TYPE_CD_DA, false, start, end, ReadCd.USER_DATA, subChannel, 0);
  }

  /**
   * @throws InvalidCdbException if a reserved bit is set or a second or frame is out of range
   */
  public static ReadCdMsf decode(byte[] cdb) throws InvalidCdbException {
    ReadCd.checkReserved(cdb);
    return new ReadCdMsf(
        (cdb[1] & 0x1C) >>> 2,
        (cdb[1] & ReadCd.DAP) != 0,
        msf(cdb, 3),
        msf(cdb, 6),
        cdb[9] & 0xFF,
        cdb[10] & 0x07,
        cdb[11] & 0xFF);
  }

  private static Msf msf(byte[] cdb, int offset) throws InvalidCdbException {
    int m = cdb[offset] & 0xFF;
    int s = cdb[offset + 1] & 0xFF;
    int f = cdb[offset + 2] & 0xFF;
    if (!Msf.valid(m, s, f)) {
      int bad = m > 99 ? offset : s > 59 ? offset + 1 : offset + 2;
      throw new InvalidCdbException(
          InvalidCdbException.Kind.INVALID_FIELD,
          FieldPointer.cdb(bad),
          String.format("MSF %d:%d:%d at CDB byte %d is not an address", m, s, f, offset));
    }
    return new Msf(m, s, f);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_CD_MSF;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (expectedSectorType << 2 | (dap ? ReadCd.DAP : 0));
    out[3] = (byte) start.minute();
    out[4] = (byte) start.second();
    out[5] = (byte) start.frame();
    out[6] = (byte) end.minute();
    out[7] = (byte) end.second();
    out[8] = (byte) end.frame();
    out[9] = (byte) mainChannel;
    out[10] = (byte) subChannel;
    out[11] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return "READ CD MSF " + start + "-" + end;
  }
}
