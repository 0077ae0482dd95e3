package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/** TEST UNIT READY (SPC-4 6.47). */
public record TestUnitReady(int control) implements Cdb {

  public TestUnitReady {
    checkUnsigned("control", control, 8);
  }

  public TestUnitReady() {
    this(0);
  }

  public static TestUnitReady decode(byte[] cdb) {
    return new TestUnitReady(cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.TEST_UNIT_READY;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[5] = (byte) control;
    return out;
  }
}
