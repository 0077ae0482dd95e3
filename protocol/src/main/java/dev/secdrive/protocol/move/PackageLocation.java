package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;

/** F0h MOVE IN and OPEN CONTENT parameter list: u64 package LBA. */
public record PackageLocation(long packageLba) {

  public static final int LENGTH = 8;

  public PackageLocation {
    if (packageLba < 0) {
      throw new IllegalArgumentException("package LBA beyond 2^63-1");
    }
  }

  public byte[] encode() {
    return new Fields.Writer().u64(packageLba).toByteArray();
  }

  public static PackageLocation decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "package location");
    long lba = lba(r);
    r.end();
    return new PackageLocation(lba);
  }

  static long lba(Fields.Reader r) throws ParameterException {
    int at = r.position();
    long lba = r.u64("package LBA");
    if (lba < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "package LBA beyond 2^63-1", at);
    }
    return lba;
  }
}
