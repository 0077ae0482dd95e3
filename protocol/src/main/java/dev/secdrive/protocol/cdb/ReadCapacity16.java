package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/** READ CAPACITY(16), SERVICE ACTION IN(16) 9Eh service action 10h (SBC-3 5.16). */
public record ReadCapacity16(long lba, long allocationLength, boolean pmi, int control)
    implements Cdb {

  private static final int PMI = 0x01;

  public ReadCapacity16 {
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public ReadCapacity16(long allocationLength) {
    this(0, allocationLength, false, 0);
  }

  public static ReadCapacity16 decode(byte[] cdb) {
    return new ReadCapacity16(u64(cdb, 2), u32(cdb, 10), (cdb[14] & PMI) != 0, cdb[15] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_CAPACITY_16;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[16];
    out[0] = (byte) opcode().code();
    out[1] = (byte) opcode().serviceAction();
    putU64(out, 2, lba);
    putU32(out, 10, allocationLength);
    out[14] = (byte) (pmi ? PMI : 0);
    out[15] = (byte) control;
    return out;
  }
}
