package dev.secdrive.protocol.link;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs a {@link ReliableLink} over a byte line with two threads: a reader that polls the line and
 * feeds the link, and a writer that takes link frames and writes them, paced to the baud rate when
 * asked (a pseudo-terminal ignores the baud rate, a UART does not; 8N1 costs 10 bits a byte).
 *
 * <p>The reader polls {@link Line#available()} rather than blocking in a read, because closing a
 * serial port does not wake a thread blocked reading it; polling lets {@link #close()} stop both
 * threads promptly.
 */
public final class LinkRunner implements AutoCloseable {

  /** The byte line: a serial port, a pseudo-terminal, or anything else that carries bytes. */
  public interface Line {
    /** Bytes that can be read without blocking. */
    int available() throws IOException;

    /** Reads up to {@code length} bytes that {@link #available()} said are there. */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Writes all of {@code length} bytes. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    void close() throws IOException;
  }

  private static final long IDLE_POLL_NANOS = 100_000;
  private static final int READ_BUFFER = 64 << 10;

  private final Line line;
  private final ReliableLink link;
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
   * @param baud the line rate in bits per second
   * @param paced whether to hold output to {@code baud} (8N1)
   * @param onFailure called once if the line fails (unplugged adapter, closed pty)
   */
  public LinkRunner(
      String name,
      Line line,
      ReliableLink link,
      long baud,
      boolean paced,
      Consumer<IOException> onFailure) {
    this.line = line;
    this.link = link;
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

  public ReliableLink link() {
    return link;
  }

  /** Whether the caller is this runner's reader, the thread that delivers messages. */
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
          link.receive(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("link reader failed: " + e, e));
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
        byte[] frame = link.takeOutput(TimeUnit.MILLISECONDS.toNanos(50));
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
      fail(new IOException("link writer failed: " + e, e));
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
