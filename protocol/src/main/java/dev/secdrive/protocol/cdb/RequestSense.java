package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * REQUEST SENSE (SPC-4 6.39).
 *
 * @param descriptorFormat the DESC bit: descriptor-format sense requested
 * @param allocationLength byte 4
 */
public record RequestSense(boolean descriptorFormat, int allocationLength, int control)
    implements Cdb {

  private static final int DESC = 0x01;

  public RequestSense {
    checkUnsigned("allocationLength", allocationLength, 8);
    checkUnsigned("control", control, 8);
  }

  public static RequestSense decode(byte[] cdb) {
    return new RequestSense((cdb[1] & DESC) != 0, cdb[4] & 0xFF, cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.REQUEST_SENSE;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (descriptorFormat ? DESC : 0);
    out[4] = (byte) allocationLength;
    out[5] = (byte) control;
    return out;
  }
}
