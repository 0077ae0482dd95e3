package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * GET CONFIGURATION (MMC-6 6.7).
 *
 * @param requestType RT, byte 1 bits 1-0: 00b all features, 01b current features, 10b the one
 *     feature named; 11b is reserved
 * @param startingFeature bytes 2-3
 * @param allocationLength bytes 7-8
 */
public record GetConfiguration(
    int requestType, int startingFeature, int allocationLength, int control) implements Cdb {

  public static final int RT_ALL = 0b00;
  public static final int RT_CURRENT = 0b01;
  public static final int RT_ONE = 0b10;

  public GetConfiguration {
    checkUnsigned("requestType", requestType, 2);
    checkUnsigned("startingFeature", startingFeature, 16);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static GetConfiguration decode(byte[] cdb) {
    return new GetConfiguration(cdb[1] & 0x03, u16(cdb, 2), u16(cdb, 7), cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.GET_CONFIGURATION;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) requestType;
    putU16(out, 2, startingFeature);
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format("GET CONFIGURATION rt=%d from=%04Xh", requestType, startingFeature);
  }
}
