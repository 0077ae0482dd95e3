package dev.secdrive.protocol.cdb;

import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.FieldPointer;

/** The shared layout of SECURITY PROTOCOL IN and OUT (SPC-4 6.30, 6.31). */
final class SecurityCdbs {

  static final int LENGTH = 12;
  static final int OFFSET_PROTOCOL = 1;
  static final int OFFSET_SPECIFIC = 2;
  static final int OFFSET_INC_512 = 4;
  static final int OFFSET_LENGTH = 6;
  static final int OFFSET_CONTROL = 11;
  static final int INC_512 = 0x80;

  private SecurityCdbs() {}

  /** Reserved bits must be zero: byte 4 bits 6-0, bytes 5 and 10. */
  static void checkReserved(byte[] cdb) throws InvalidCdbException {
    if ((cdb[OFFSET_INC_512] & ~INC_512 & 0xFF) != 0) {
      throw reserved(OFFSET_INC_512);
    }
    if (cdb[5] != 0) {
      throw reserved(5);
    }
    if (cdb[10] != 0) {
      throw reserved(10);
    }
  }

  private static InvalidCdbException reserved(int offset) {
    return new InvalidCdbException(
        InvalidCdbException.Kind.INVALID_FIELD,
        FieldPointer.cdb(offset),
        "reserved byte " + offset + " of a SECURITY PROTOCOL CDB is not zero");
  }

  static byte[] encode(
      Opcode opcode, int protocol, int specific, boolean inc512, long length, int control) {
    byte[] out = new byte[LENGTH];
    out[0] = (byte) opcode.code();
    out[OFFSET_PROTOCOL] = (byte) protocol;
    dev.secdrive.protocol.BigEndian.putU16(out, OFFSET_SPECIFIC, specific);
    out[OFFSET_INC_512] = (byte) (inc512 ? INC_512 : 0);
    dev.secdrive.protocol.BigEndian.putU32(out, OFFSET_LENGTH, length);
    out[OFFSET_CONTROL] = (byte) control;
    return out;
  }

  /** E.g. {@code SECURITY PROTOCOL OUT RESTORE} or {@code SECURITY PROTOCOL IN 00h/0001h}. */
  static String describe(Opcode opcode, int protocol, int specific) {
    if (protocol == SecurityProtocols.SECDRIVE) {
      var operation = Operation.find(specific, opcode == Opcode.SECURITY_PROTOCOL_IN);
      if (operation.isPresent()) {
        return opcode.text() + " " + operation.get().text();
      }
    }
    return String.format("%s %02Xh/%04Xh", opcode.text(), protocol, specific);
  }
}
