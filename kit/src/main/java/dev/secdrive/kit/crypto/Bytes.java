package dev.secdrive.kit.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;

/** Byte-array helpers every derivation needs: fresh randomness, concatenation, a fair compare. */
public final class Bytes {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Bytes() {}

  /** {@code length} bytes from one shared {@link SecureRandom}, for keys, nonces and challenges. */
  public static byte[] random(int length) {
    byte[] out = new byte[length];
    RANDOM.nextBytes(out);
    return out;
  }

  /** The parts one after another, as the KDF contexts and AADs of PROTOCOL.md are built. */
  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /**
   * Whether {@code a} and {@code b} are equal, in a time that does not depend on where they first
   * differ, so that comparing a presented MAC, nonce or token leaks nothing about the expected one.
   */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
