package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ MEDIA SERIAL NUMBER, SERVICE ACTION IN(12) ABh service action 01h (SPC-4 6.26): the medium
 * ID from the medium's read-only ID area.
 *
 * @param allocationLength bytes 6-9
 */
public record ReadMediaSerialNumber(long allocationLength, int control) implements Cdb {

  public ReadMediaSerialNumber {
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public ReadMediaSerialNumber(long allocationLength) {
    this(allocationLength, 0);
  }

  public static ReadMediaSerialNumber decode(byte[] cdb) {
    return new ReadMediaSerialNumber(u32(cdb, 6), cdb[11] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_MEDIA_SERIAL_NUMBER;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[1] = (byte) opcode().serviceAction();
    putU32(out, 6, allocationLength);
    out[11] = (byte) control;
    return out;
  }
}
