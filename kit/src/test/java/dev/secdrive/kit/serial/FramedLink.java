package dev.secdrive.kit.serial;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The least a link needs to be for the runner's tests: length-prefixed messages cut into chunks of
 * a serial link's size, no checksums and no retransmission, since the in-memory line loses nothing.
 * Counts bytes it could not make sense of, which on that line must stay zero.
 */
final class FramedLink {

  private static final int CHUNK = 2048;

  private final Consumer<byte[]> deliver;
  private final ArrayDeque<byte[]> output = new ArrayDeque<>();
  private byte[] incoming;
  private int header;
  private int headerBytes;
  private int filled;
  private long corrupt;

  FramedLink(Consumer<byte[]> deliver) {
    this.deliver = deliver;
  }

  synchronized void send(byte[] message) {
    byte[] framed = new byte[4 + message.length];
    framed[0] = (byte) (message.length >>> 24);
    framed[1] = (byte) (message.length >>> 16);
    framed[2] = (byte) (message.length >>> 8);
    framed[3] = (byte) message.length;
    System.arraycopy(message, 0, framed, 4, message.length);
    for (int from = 0; from < framed.length; from += CHUNK) {
      output.add(Arrays.copyOfRange(framed, from, Math.min(framed.length, from + CHUNK)));
    }
    notifyAll();
  }

  synchronized byte[] takeOutput(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (output.isEmpty()) {
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        return null;
      }
      wait(Math.max(1, wait / 1_000_000));
    }
    return output.poll();
  }

  synchronized boolean idle() {
    return output.isEmpty();
  }

  synchronized long corrupt() {
    return corrupt;
  }

  void receive(byte[] bytes, int offset, int length) {
    ArrayDeque<byte[]> complete = new ArrayDeque<>();
    synchronized (this) {
      for (int i = offset; i < offset + length; i++) {
        if (incoming == null) {
          header = header << 8 | bytes[i] & 0xFF;
          if (++headerBytes == 4) {
            if (header <= 0) {
              corrupt++;
              header = 0;
              headerBytes = 0;
              continue;
            }
            incoming = new byte[header];
            filled = 0;
          }
          continue;
        }
        int n = Math.min(incoming.length - filled, offset + length - i);
        System.arraycopy(bytes, i, incoming, filled, n);
        filled += n;
        i += n - 1;
        if (filled == incoming.length) {
          complete.add(incoming);
          incoming = null;
          header = 0;
          headerBytes = 0;
        }
      }
    }
    complete.forEach(deliver);
  }
}
