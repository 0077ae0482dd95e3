package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * PERSISTENT RESERVE OUT (SPC-4 6.16); its parameter list is {@link
 * dev.secdrive.protocol.data.PersistentReserveParameters}.
 *
 * @param serviceAction byte 1 bits 4-0
 * @param scope byte 2 bits 7-4; 0h is the logical unit
 * @param type byte 2 bits 3-0: the persistent reservation type
 * @param parameterListLength bytes 5-8; 24 without SPEC_I_PT
 */
public record PersistentReserveOut(
    int serviceAction, int scope, int type, long parameterListLength, int control) implements Cdb {

  public static final int REGISTER = 0x00;
  public static final int RESERVE = 0x01;
  public static final int RELEASE = 0x02;
  public static final int CLEAR = 0x03;
  public static final int PREEMPT = 0x04;
  public static final int PREEMPT_AND_ABORT = 0x05;
  public static final int REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
  public static final int REGISTER_AND_MOVE = 0x07;

  /** SCOPE 0h: the reservation covers the logical unit. */
  public static final int LU_SCOPE = 0;

  public static final int WRITE_EXCLUSIVE = 0x1;
  public static final int EXCLUSIVE_ACCESS = 0x3;
  public static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 0x5;
  public static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 0x6;
  public static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 0x7;
  public static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 0x8;

  /** Byte 2, where SCOPE and TYPE are. */
  public static final int SCOPE_TYPE_OFFSET = 2;

  public PersistentReserveOut {
    checkUnsigned("serviceAction", serviceAction, 5);
    checkUnsigned("scope", scope, 4);
    checkUnsigned("type", type, 4);
    checkUnsigned("parameterListLength", parameterListLength, 32);
    checkUnsigned("control", control, 8);
  }

  public PersistentReserveOut(int serviceAction, int type) {
    this(serviceAction, LU_SCOPE, type, 24, 0);
  }

  public static PersistentReserveOut decode(byte[] cdb) {
    return new PersistentReserveOut(
        cdb[1] & 0x1F,
        (cdb[SCOPE_TYPE_OFFSET] & 0xF0) >>> 4,
        cdb[SCOPE_TYPE_OFFSET] & 0x0F,
        u32(cdb, 5),
        cdb[9] & 0xFF);
  }

  /** Whether {@code type} is one of the six SPC-4 persistent reservation types. */
  public static boolean validType(int type) {
    return type == WRITE_EXCLUSIVE
        || type == EXCLUSIVE_ACCESS
        || (type >= WRITE_EXCLUSIVE_REGISTRANTS_ONLY && type <= EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
  }

  @Override
  public Opcode opcode() {
    return Opcode.PERSISTENT_RESERVE_OUT;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) serviceAction;
    out[SCOPE_TYPE_OFFSET] = (byte) (scope << 4 | type);
    putU32(out, 5, parameterListLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return opcode().text() + " service action " + serviceAction + " type " + type;
  }
}
