package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * GET LBA STATUS, SERVICE ACTION IN(16) 9Eh service action 12h (SBC-3 5.5).
 *
 * @param lba STARTING LOGICAL BLOCK ADDRESS, bytes 2-9; unsigned (negative in Java when the top bit
 *     is set)
 * @param allocationLength bytes 10-13
 */
public record GetLbaStatus(long lba, long allocationLength, int control) implements Cdb {

  public GetLbaStatus {
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public GetLbaStatus(long lba, long allocationLength) {
    this(lba, allocationLength, 0);
  }

  public static GetLbaStatus decode(byte[] cdb) {
    return new GetLbaStatus(u64(cdb, 2), u32(cdb, 10), cdb[15] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.GET_LBA_STATUS;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[16];
    out[0] = (byte) opcode().code();
    out[1] = (byte) opcode().serviceAction();
    putU64(out, 2, lba);
    putU32(out, 10, allocationLength);
    out[15] = (byte) control;
    return out;
  }
}
