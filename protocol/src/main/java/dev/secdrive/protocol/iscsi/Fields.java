package dev.secdrive.protocol.iscsi;

/** Range checks for the compact constructors of this package's records. */
final class Fields {

  private Fields() {}

  static void requireByte(int value, String name) {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException(name + " out of range 0..255: " + value);
    }
  }

  static void requireUnsigned16(int value, String name) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException(name + " out of range 0..65535: " + value);
    }
  }

  static void requireUnsigned32(long value, String name) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(name + " out of range 0..2^32-1: " + value);
    }
  }
}
