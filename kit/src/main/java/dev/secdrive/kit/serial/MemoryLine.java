package dev.secdrive.kit.serial;

import java.io.IOException;

/**
 * One end of an in-memory line: what the other end writes, this end reads. Lossless and unbounded;
 * for tests and in-process rigs on either side of the wire, as Netty's {@code EmbeddedChannel} is
 * for pipelines.
 */
public final class MemoryLine implements Line {

  /** One direction: an unbounded byte queue. */
  private static final class Bytes {
    private byte[] buffer = new byte[1 << 16];
    private int head;
    private int size;

    synchronized void write(byte[] bytes, int offset, int length) {
      if (head + size + length > buffer.length) {
        byte[] target =
            size + length > buffer.length
                ? new byte[Math.max(buffer.length * 2, size + length)]
                : buffer;
        System.arraycopy(buffer, head, target, 0, size);
        buffer = target;
        head = 0;
      }
      System.arraycopy(bytes, offset, buffer, head + size, length);
      size += length;
    }

    synchronized int available() {
      return size;
    }

    synchronized int read(byte[] out, int offset, int length) {
      int n = Math.min(length, size);
      System.arraycopy(buffer, head, out, offset, n);
      head += n;
      size -= n;
      if (size == 0) {
        head = 0;
      }
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

  /** Two ends joined to each other: what {@code [0]} writes, {@code [1]} reads, and back. */
  public static MemoryLine[] pair() {
    Bytes aToB = new Bytes();
    Bytes bToA = new Bytes();
    return new MemoryLine[] {new MemoryLine(bToA, aToB), new MemoryLine(aToB, bToA)};
  }

  /** Whether this end was closed, as a port is released. */
  public boolean closed() {
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
