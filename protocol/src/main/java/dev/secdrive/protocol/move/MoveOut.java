package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import java.util.HexFormat;

/** F0h MOVE OUT parameter list (S151-S153): 16-byte certificate serial | u64 package LBA. */
public record MoveOut(byte[] serial, long packageLba) {

  public static final int LENGTH = 24;

  public MoveOut {
    serial = Fields.checkLength("serial", serial, ContentsCopyCertificate.SERIAL_LENGTH).clone();
    if (packageLba < 0) {
      throw new IllegalArgumentException("package LBA beyond 2^63-1");
    }
  }

  @Override
  public byte[] serial() {
    return serial.clone();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(serial).u64(packageLba).toByteArray();
  }

  public static MoveOut decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "MOVE OUT parameter list");
    byte[] serial = r.raw("serial", ContentsCopyCertificate.SERIAL_LENGTH);
    long lba = PackageLocation.lba(r);
    r.end();
    return new MoveOut(serial, lba);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MoveOut m
        && java.util.Arrays.equals(serial, m.serial)
        && packageLba == m.packageLba;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(serial) * 31 + Long.hashCode(packageLba);
  }

  @Override
  public String toString() {
    return "MoveOut[" + HexFormat.of().formatHex(serial) + " at " + packageLba + "]";
  }
}
