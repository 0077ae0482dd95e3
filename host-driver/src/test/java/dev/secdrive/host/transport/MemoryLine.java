package dev.secdrive.host.transport;

import dev.secdrive.kit.serial.Line;
import java.io.IOException;

/** One end of an in-memory serial line: what the other end writes, this end reads. */
final class MemoryLine implements Line {

  /** One direction: an unbounded byte queue. */
  private static final class Bytes {
    private byte[] buffer = new byte[1 << 16];
    private int size;

    synchronized void write(byte[] bytes, int offset, int length) {
      if (size + length > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + length));
      }
      System.arraycopy(bytes, offset, buffer, size, length);
      size += length;
    }

    synchronized int available() {
      return size;
    }

    synchronized int read(byte[] out, int offset, int length) {
      int n = Math.min(length, size);
      System.arraycopy(buffer, 0, out, offset, n);
      System.arraycopy(buffer, n, buffer, 0, size - n);
      size -= n;
      return n;
    }
  }

  private final Bytes in;
  private final Bytes out;
  private volatile boolean closed;

  private MemoryLine(Bytes in, Bytes out) {
    this.in = in;
    this.out = out;
  }

  /** Two ends joined to each other. */
  static MemoryLine[] pair() {
    Bytes aToB = new Bytes();
    Bytes bToA = new Bytes();
    return new MemoryLine[] {new MemoryLine(bToA, aToB), new MemoryLine(aToB, bToA)};
  }

  boolean closed() {
    return closed;
  }

  @Override
  public int available() throws IOException {
    check();
    return in.available();
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    check();
    return in.read(buffer, offset, length);
  }

  @Override
  public void write(byte[] buffer, int offset, int length) throws IOException {
    check();
    out.write(buffer, offset, length);
  }

  @Override
  public void close() {
    closed = true;
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException("line closed");
    }
  }
}
