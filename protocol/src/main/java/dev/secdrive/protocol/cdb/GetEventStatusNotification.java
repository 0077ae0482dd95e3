package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * GET EVENT STATUS NOTIFICATION (MMC-6 6.6).
 *
 * @param polled POLLED, byte 1 bit 0; secdrive supports polled operation only
 * @param notificationClassRequest byte 4: one bit per event class; bit 4 is the media class
 * @param allocationLength bytes 7-8
 */
public record GetEventStatusNotification(
    boolean polled, int notificationClassRequest, int allocationLength, int control)
    implements Cdb {

  public static final int CLASS_MEDIA = 4;
  private static final int POLLED = 0x01;

  public GetEventStatusNotification {
    checkUnsigned("notificationClassRequest", notificationClassRequest, 8);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  /** A polled request for the media event class. */
  public static GetEventStatusNotification media(int allocationLength) {
    return new GetEventStatusNotification(true, 1 << CLASS_MEDIA, allocationLength, 0);
  }

  public static GetEventStatusNotification decode(byte[] cdb) {
    return new GetEventStatusNotification(
        (cdb[1] & POLLED) != 0, cdb[4] & 0xFF, u16(cdb, 7), cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.GET_EVENT_STATUS_NOTIFICATION;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (polled ? POLLED : 0);
    out[4] = (byte) notificationClassRequest;
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }
}
