package dev.secdrive.protocol.sense;

/**
 * The sense-key specific field pointer of an ILLEGAL REQUEST (SPC-4 4.5.2.4.2): which byte, and
 * optionally which bit, of the CDB or parameter list was wrong.
 *
 * @param inCdb true if the error is in the CDB (C/D = 1), false if in the parameter list
 * @param byteOffset the byte in error, 0..65535
 * @param bit the bit in error, 0..7, or -1 when the whole field is meant (BPV = 0)
 */
public record FieldPointer(boolean inCdb, int byteOffset, int bit) {

  public FieldPointer {
    if (byteOffset < 0 || byteOffset > 0xFFFF) {
      throw new IllegalArgumentException("field pointer byte out of range: " + byteOffset);
    }
    if (bit < -1 || bit > 7) {
      throw new IllegalArgumentException("field pointer bit out of range: " + bit);
    }
  }

  public static FieldPointer cdb(int byteOffset) {
    return new FieldPointer(true, byteOffset, -1);
  }

  public static FieldPointer cdb(int byteOffset, int bit) {
    return new FieldPointer(true, byteOffset, bit);
  }

  public static FieldPointer parameter(int byteOffset) {
    return new FieldPointer(false, byteOffset, -1);
  }

  public static FieldPointer parameter(int byteOffset, int bit) {
    return new FieldPointer(false, byteOffset, bit);
  }

  @Override
  public String toString() {
    return (inCdb ? "CDB" : "parameter list")
        + " byte "
        + byteOffset
        + (bit >= 0 ? " bit " + bit : "");
  }
}
