package dev.secdrive.kit.serial;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Pumps a {@link Line} with two threads: a reader that polls the line and hands what it reads to an
 * {@link Inbound}, and a writer that takes frames from an {@link Outbound} and writes them, paced
 * to the baud rate when asked (a pseudo-terminal ignores the baud rate, a UART does not; 8N1 costs
 * 10 bits a byte). The link layer that gives the bytes their meaning lives in {@code protocol} and
 * does no I/O of its own; this class is the I/O, so the emulator and the host driver run a line the
 * same way.
 *
 * <p>The reader polls {@link Line#available()} rather than blocking in a read, because closing a
 * serial port does not wake a thread blocked reading it; polling lets {@link #close()} stop both
 * threads promptly.
 */
public final class LineRunner implements AutoCloseable {

  /** Takes the bytes read from the line, on the reader thread. */
  @FunctionalInterface
  public interface Inbound {
    void receive(byte[] bytes, int offset, int length);
  }

  /** Gives the next bytes to write, waiting up to a timeout; {@code null} if none became due. */
  @FunctionalInterface
  public interface Outbound {
    byte[] takeOutput(long timeoutNanos) throws InterruptedException;
  }

  private static final long IDLE_POLL_NANOS = 100_000;
  private static final int READ_BUFFER = 64 << 10;

  private final Line line;
  private final Inbound inbound;
  private final Outbound outbound;
  private final long baud;
  private final boolean paced;
  private final Consumer<IOException> onFailure;
  private final Thread reader;
  private final Thread writer;
  private volatile boolean running = true;
  private volatile long bytesWritten;
  private volatile long bytesRead;

  /**
   * Starts the threads.
   *
   * @param name names the threads, e.g. the port
   * @param inbound takes what is read, e.g. a reliable link's {@code receive}
   * @param outbound gives what to write, e.g. a reliable link's {@code takeOutput}
   * @param baud the line rate in bits per second
   * @param paced whether to hold output to {@code baud} (8N1)
   * @param onFailure called once if the line fails (unplugged adapter, closed pty)
   */
  public LineRunner(
      String name,
      Line line,
      Inbound inbound,
      Outbound outbound,
      long baud,
      boolean paced,
      Consumer<IOException> onFailure) {
    this.line = line;
    this.inbound = inbound;
    this.outbound = outbound;
    this.baud = baud;
    this.paced = paced && baud > 0;
    this.onFailure = onFailure;
    this.reader = new Thread(this::readLoop, name + "-reader");
    this.writer = new Thread(this::writeLoop, name + "-writer");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  /** Whether the caller is this runner's reader, the thread that calls the {@link Inbound}. */
  public boolean isReaderThread() {
    return Thread.currentThread() == reader;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public long bytesRead() {
    return bytesRead;
  }

  private void readLoop() {
    byte[] buffer = new byte[READ_BUFFER];
    try {
      while (running) {
        int available = line.available();
        if (available <= 0) {
          LockSupport.parkNanos(IDLE_POLL_NANOS);
          continue;
        }
        int n = line.read(buffer, 0, Math.min(available, buffer.length));
        if (n > 0) {
          bytesRead += n;
          inbound.receive(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("line reader failed: " + e, e));
    }
  }

  private void writeLoop() {
    long nextWrite = System.nanoTime();
    try {
      while (running) {
        if (paced) {
          long wait = nextWrite - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
            continue;
          }
        }
        byte[] frame = outbound.takeOutput(TimeUnit.MILLISECONDS.toNanos(50));
        if (frame == null) {
          continue;
        }
        line.write(frame, 0, frame.length);
        bytesWritten += frame.length;
        if (paced) {
          // 8N1: a start bit, eight data bits, a stop bit.
          nextWrite =
              Math.max(nextWrite, System.nanoTime()) + frame.length * 10L * 1_000_000_000L / baud;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("line writer failed: " + e, e));
    }
  }

  private void fail(IOException e) {
    synchronized (this) {
      // Reader and writer often fail together (an unplugged adapter): report once.
      if (!running) {
        return;
      }
      running = false;
    }
    onFailure.accept(e);
  }

  /** Stops both threads and closes the line. */
  @Override
  public void close() {
    running = false;
    writer.interrupt();
    try {
      reader.join(2000);
      writer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      line.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
