package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ MEDIA SERIAL NUMBER parameter data (SPC-4 6.26.2): a four-byte length, then the serial
 * number. secdrive's medium IDs are printable ASCII without spaces; the field is padded with spaces
 * to a multiple of four bytes, and the padding is dropped on decoding.
 */
public record MediaSerialNumber(String serialNumber) {

  public static final int HEADER_LENGTH = 4;

  public MediaSerialNumber {
    Ascii.check("serialNumber", serialNumber, 1024);
  }

  public byte[] encode() {
    int padded = (serialNumber.length() + 3) & ~3;
    byte[] out = new byte[HEADER_LENGTH + padded];
    putU32(out, 0, padded);
    Ascii.put(out, HEADER_LENGTH, padded, serialNumber);
    return out;
  }

  public static MediaSerialNumber decode(byte[] in) {
    Ascii.requireLength("media serial number", in, HEADER_LENGTH);
    long length = u32(in, 0);
    int available = (int) Math.min(length, in.length - HEADER_LENGTH);
    return new MediaSerialNumber(Ascii.get(in, HEADER_LENGTH, available));
  }
}
