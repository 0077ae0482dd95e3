package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * The four-byte AVAILABLE LENGTH every protocol F0h data-in starts with, so that a host that
 * allocated too little learns how much to ask for.
 */
public final class AvailableLength {

  public static final int LENGTH = 4;

  private AvailableLength() {}

  public static byte[] wrap(byte[] body) {
    return new Fields.Writer().bytes32(body).toByteArray();
  }

  /** The body, or an exception naming the allocation length that would have been enough. */
  public static byte[] unwrap(byte[] in, String what) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, what);
    long available = r.u32("available length");
    if (available > in.length - LENGTH) {
      throw new ParameterException(
          Kind.TRUNCATED,
          what
              + " truncated: "
              + (in.length - LENGTH)
              + " of "
              + available
              + " bytes arrived; allocate "
              + (available + LENGTH),
          0);
    }
    return r.raw("body", (int) available);
  }

  /** The allocation length {@code prefix}'s first four bytes ask for, or -1 if too short. */
  public static long required(byte[] prefix) {
    if (prefix.length < LENGTH) {
      return -1;
    }
    return dev.secdrive.protocol.BigEndian.u32(prefix, 0) + LENGTH;
  }
}
