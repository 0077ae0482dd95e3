package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ CAPACITY(10) (SBC-3 5.15). The LBA and PMI fields are obsolete; SBC-3 requires the LBA to be
 * zero when PMI is zero.
 */
public record ReadCapacity10(long lba, boolean pmi, int control) implements Cdb {

  private static final int PMI = 0x01;

  public ReadCapacity10 {
    checkUnsigned("lba", lba, 32);
    checkUnsigned("control", control, 8);
  }

  public ReadCapacity10() {
    this(0, false, 0);
  }

  public static ReadCapacity10 decode(byte[] cdb) {
    return new ReadCapacity10(u32(cdb, 2), (cdb[8] & PMI) != 0, cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_CAPACITY_10;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    putU32(out, 2, lba);
    out[8] = (byte) (pmi ? PMI : 0);
    out[9] = (byte) control;
    return out;
  }
}
