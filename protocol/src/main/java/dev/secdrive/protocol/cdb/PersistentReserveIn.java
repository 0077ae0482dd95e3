package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * PERSISTENT RESERVE IN (SPC-4 6.15).
 *
 * @param serviceAction byte 1 bits 4-0: READ KEYS, READ RESERVATION, REPORT CAPABILITIES or READ
 *     FULL STATUS
 * @param allocationLength bytes 7-8
 */
public record PersistentReserveIn(int serviceAction, int allocationLength, int control)
    implements Cdb {

  public static final int READ_KEYS = 0x00;
  public static final int READ_RESERVATION = 0x01;
  public static final int REPORT_CAPABILITIES = 0x02;
  public static final int READ_FULL_STATUS = 0x03;

  public PersistentReserveIn {
    checkUnsigned("serviceAction", serviceAction, 5);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public PersistentReserveIn(int serviceAction, int allocationLength) {
    this(serviceAction, allocationLength, 0);
  }

  public static PersistentReserveIn decode(byte[] cdb) {
    return new PersistentReserveIn(cdb[1] & 0x1F, u16(cdb, 7), cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.PERSISTENT_RESERVE_IN;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) serviceAction;
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return opcode().text() + " service action " + serviceAction;
  }
}
