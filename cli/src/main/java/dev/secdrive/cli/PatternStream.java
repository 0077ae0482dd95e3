package dev.secdrive.cli;

import java.util.SplittableRandom;

/** A bench title's plaintext: byte {@code p} is {@code pattern[p % 4096]}, however it is read. */
final class PatternStream extends java.io.InputStream {
  private static final byte[] PATTERN = new byte[4096];

  static {
    new SplittableRandom(3).nextBytes(PATTERN);
  }

  private final long length;
  private long position;

  PatternStream(long length) {
    this.length = length;
  }

  /** The plaintext bytes at {@code offset}. */
  static byte[] bytes(long offset, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = PATTERN[(int) ((offset + i) % PATTERN.length)];
    }
    return out;
  }

  @Override
  public int read() {
    if (position == length) {
      return -1;
    }
    return PATTERN[(int) (position++ % PATTERN.length)] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position == length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    for (int i = 0; i < n; ) {
      int at = (int) ((position + i) % PATTERN.length);
      int k = Math.min(n - i, PATTERN.length - at);
      System.arraycopy(PATTERN, at, b, off + i, k);
      i += k;
    }
    position += n;
    return n;
  }
}
