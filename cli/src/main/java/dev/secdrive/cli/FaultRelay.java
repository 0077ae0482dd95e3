package dev.secdrive.cli;

import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.kit.serial.LineNoiseStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A simulated serial line between two byte streams (normally pty ends, one from each of two {@link
 * PtyPair}s): it copies a to b and b to a, flipping bits, dropping and duplicating bytes at the
 * rates of its {@link LineNoise}, and can cut the line for a while. It is how the serial carrier is
 * tested against the noise of a real cable without one.
 *
 * <p>The faults are drawn from one random stream per direction, seeded from {@link
 * LineNoise#seed()}, and are placed by position in the byte stream, not by how the reads happen to
 * split it; so the same seed and the same input give the same output, and a failing run can be
 * replayed. Only {@link #cut(Duration)} depends on time, on a clock a test may inject.
 *
 * <p>Reads poll: a thread blocked in {@code read(2)} on a pty is not woken when another thread
 * closes the descriptor, so each direction asks how many bytes are waiting ({@code FIONREAD}) and
 * sleeps when there are none (see {@link Backoff}), which lets {@link #close()} stop it promptly.
 * Writes go through a {@link FileChannel}, which the JDK can get a thread out of, so a full pty
 * that nobody reads cannot hang {@link #close()} either.
 */
public final class FaultRelay implements AutoCloseable {

  private static final int BUFFER = 16 << 10;
  private static final int QUEUE_BYTES = 1 << 20;
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long POLL_MILLIS = 10;
  private static final long JOIN_MILLIS = 2_000;

  /**
   * What one direction has done so far.
   *
   * @param bytesIn bytes read from the source end
   * @param bytesOut bytes written to the other end (after drops, duplicates and cuts)
   * @param bytesPending bytes read and passed by the faults but not yet written: they wait for the
   *     other end to take them
   * @param bitsFlipped bits inverted in what was written
   * @param bytesDropped bytes lost to the drop rate
   * @param bytesDuplicated bytes written a second time
   * @param bytesCut bytes read while the line was cut, and so lost
   */
  public record Direction(
      long bytesIn,
      long bytesOut,
      long bytesPending,
      long bitsFlipped,
      long bytesDropped,
      long bytesDuplicated,
      long bytesCut) {}

  /** The counters of both directions; the totals add them up. */
  public record Stats(Direction aToB, Direction bToA) {

    public long bitsFlipped() {
      return aToB.bitsFlipped() + bToA.bitsFlipped();
    }

    public long bytesDropped() {
      return aToB.bytesDropped() + bToA.bytesDropped();
    }

    public long bytesDuplicated() {
      return aToB.bytesDuplicated() + bToA.bytesDuplicated();
    }

    public long bytesCut() {
      return aToB.bytesCut() + bToA.bytesCut();
    }

    /** One line for logs: bytes each way, then the faults. */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "a->b %,d bytes in, %,d out; b->a %,d in, %,d out; %,d bits flipped, %,d bytes dropped,"
              + " %,d duplicated, %,d lost to cuts",
          aToB.bytesIn(),
          aToB.bytesOut(),
          bToA.bytesIn(),
          bToA.bytesOut(),
          bitsFlipped(),
          bytesDropped(),
          bytesDuplicated(),
          bytesCut());
    }
  }

  private final RandomAccessFile fileA;
  private final RandomAccessFile fileB;
  private final Pump aToB;
  private final Pump bToA;
  private final AtomicReference<IOException> failure = new AtomicReference<>();
  private volatile boolean running = true;

  /** The clock cuts are timed on, in nanoseconds: {@link System#nanoTime()} outside tests. */
  private final LongSupplier clock;

  /** Until when (on {@link #clock}) the line is cut; in the past when it is not. */
  private volatile long cutUntil;

  private FaultRelay(
      Path a,
      RandomAccessFile fileA,
      Path b,
      RandomAccessFile fileB,
      LineNoise faults,
      LongSupplier clock)
      throws IOException {
    this.clock = clock;
    this.cutUntil = clock.getAsLong();
    this.fileA = fileA;
    this.fileB = fileB;
    this.aToB = new Pump("a->b", a, fileA, b, fileB, new LineNoiseStream(faults, faults.seed()));
    this.bToA =
        new Pump("b->a", b, fileB, a, fileA, new LineNoiseStream(faults, faults.seed() + 1));
  }

  /**
   * Opens {@code a} and {@code b} for reading and writing and starts relaying between them.
   *
   * @throws CliException if either cannot be opened
   */
  public static FaultRelay start(Path a, Path b, LineNoise faults) {
    return start(a, b, faults, System::nanoTime);
  }

  /**
   * As {@link #start(Path, Path, LineNoise)}, with cuts timed on {@code nanoClock} (a test's manual
   * clock, so that a cut ends when the test moves it on).
   */
  public static FaultRelay start(Path a, Path b, LineNoise faults, LongSupplier nanoClock) {
    RandomAccessFile fileA = open(a, null);
    RandomAccessFile fileB = open(b, fileA);
    FaultRelay relay;
    try {
      relay = new FaultRelay(a, fileA, b, fileB, faults, nanoClock);
    } catch (IOException e) {
      closeQuietly(fileA);
      closeQuietly(fileB);
      throw new CliException("cannot set up the relay between " + a + " and " + b, e);
    }
    relay.aToB.start();
    relay.bToA.start();
    return relay;
  }

  /**
   * Cuts the line for {@code duration} from now: every byte read in either direction until then is
   * discarded, including bytes that were already waiting in the pty (but not those the relay had
   * already read and is still writing). Returns at once; relaying resumes by itself. A cut during a
   * cut extends it if it ends later.
   */
  public void cut(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a cut cannot last " + duration);
    }
    long until = clock.getAsLong() + duration.toNanos();
    synchronized (this) {
      if (until - cutUntil > 0) {
        cutUntil = until;
      }
    }
  }

  /** Whether the line is cut now. */
  public boolean isCut() {
    return cutUntil - clock.getAsLong() > 0;
  }

  /** The counters so far; each direction's are consistent with each other up to its last read. */
  public Stats stats() {
    return new Stats(aToB.snapshot(), bToA.snapshot());
  }

  /**
   * Why relaying stopped, if it did before {@link #close()}: usually that an end went away (socat
   * was stopped, which makes reads on its pty fail with an I/O error).
   */
  public Optional<IOException> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Whether the relay is relaying: not closed, and neither direction has failed. */
  public boolean isRunning() {
    return running;
  }

  /** Whether both relay threads have ended (after {@link #close()}, or both failed). */
  boolean threadsEnded() {
    return !aToB.alive() && !bToA.alive();
  }

  /** Stops both directions and closes both ends; waits up to 2 s for the threads. */
  @Override
  public void close() {
    running = false;
    // Waits even if interrupted (the counters are final only once the threads are done), and
    // passes the interrupt on afterwards.
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
    // The readers never block for long, so they see the flag at once. Only then are the ends
    // closed: a descriptor closed under a thread still polling it could be reused by another file.
    interrupted |= join(aToB.reader, deadline) | join(bToA.reader, deadline);
    // A writer may be blocked on a full pty. Interrupting it closes its FileChannel, and the JDK
    // signals the thread out of write(2); closing the descriptor alone would not wake it.
    aToB.writer.interrupt();
    bToA.writer.interrupt();
    interrupted |= join(aToB.writer, deadline) | join(bToA.writer, deadline);
    closeQuietly(fileA);
    closeQuietly(fileB);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code thread} until the deadline; returns whether this thread was interrupted. */
  private static boolean join(Thread thread, long deadline) {
    boolean interrupted = false;
    while (thread.isAlive() && deadline - System.nanoTime() > 0) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  private static RandomAccessFile open(Path path, RandomAccessFile alreadyOpen) {
    try {
      return new RandomAccessFile(path.toFile(), "rw");
    } catch (IOException e) {
      if (alreadyOpen != null) {
        closeQuietly(alreadyOpen);
      }
      throw new CliException("cannot open " + path + " for the relay: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(RandomAccessFile file) {
    try {
      file.close();
    } catch (IOException e) {
      // Closing to stop; nothing to do about it.
    }
  }

  /**
   * One direction: a reader that polls the source and applies the faults, and a writer that writes
   * what the reader passes it to the sink, with up to {@link #QUEUE_BYTES} between them.
   *
   * <p>Reading and writing must not wait for each other. socat moves both directions of a pair on
   * one thread with blocking writes, so with one thread per direction here, a full-duplex flood
   * deadlocks: each relay thread blocks writing into a pty whose socat is blocked writing into the
   * pty the other relay thread is not reading, because it is blocked writing too. With the queue,
   * the reader keeps reading while the writer waits, which breaks the cycle; the queue fills only
   * if the far end stops reading, and then the reader waits (back pressure, like flow control).
   */
  private final class Pump {

    private final String name;
    private final Path fromPath;
    private final Path toPath;
    private final FileInputStream source;
    private final FileChannel sink;
    private final LineNoiseStream faults;
    private final Thread reader;
    private final Thread writer;
    private final BlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(QUEUE_BYTES);
    private final Backoff backoff = new Backoff();
    private final byte[] in = new byte[BUFFER];
    private final byte[] out = new byte[2 * BUFFER]; // every byte may be duplicated

    // Volatile so stats() sees them. The reader writes bytesIn and bytesCut, the writer bytesOut,
    // both bytesPending (under pendingLock).
    private volatile long bytesIn;
    private volatile long bytesPending;
    private volatile long bytesOut;
    private volatile long bytesCut;
    private final Object pendingLock = new Object();

    Pump(
        String name,
        Path fromPath,
        RandomAccessFile from,
        Path toPath,
        RandomAccessFile to,
        LineNoiseStream faults)
        throws IOException {
      this.name = name;
      this.fromPath = fromPath;
      this.toPath = toPath;
      // Shares the descriptor: available() is FIONREAD on a character device.
      this.source = new FileInputStream(from.getFD());
      this.sink = to.getChannel();
      this.faults = faults;
      this.reader = new Thread(this::read, "secdrive-relay " + name + " reader");
      this.writer = new Thread(this::write, "secdrive-relay " + name + " writer");
      reader.setDaemon(true);
      writer.setDaemon(true);
    }

    void start() {
      reader.start();
      writer.start();
    }

    boolean alive() {
      return reader.isAlive() || writer.isAlive();
    }

    Direction snapshot() {
      // bytesIn first: the reader counts a chunk as pending before it counts it as in, and the
      // writer counts it as out before it stops counting it as pending, so a snapshot that sees
      // all the input and nothing pending sees all the output.
      long read = bytesIn;
      long pending = bytesPending;
      return new Direction(
          read,
          bytesOut,
          pending,
          faults.bitsFlipped(),
          faults.bytesDropped(),
          faults.bytesDuplicated(),
          bytesCut);
    }

    private void read() {
      try {
        while (running) {
          int available = source.available();
          if (available <= 0) {
            backoff.idle();
            continue;
          }
          int n = source.read(in, 0, Math.min(available, in.length));
          if (n <= 0) {
            continue; // read(2) returned 0: nothing after all
          }
          backoff.data();
          if (cutUntil - clock.getAsLong() > 0) {
            bytesCut += n;
          } else {
            int length = faults.apply(in, n, out);
            if (length > 0) {
              while (!room.tryAcquire(length, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (!running) {
                  return;
                }
              }
              addPending(length);
              queue.add(ByteBuffer.wrap(Arrays.copyOf(out, length)));
            }
          }
          bytesIn += n;
        }
      } catch (IOException e) {
        fail("cannot read " + fromPath, e);
      } catch (InterruptedException e) {
        // Not expected: close() interrupts only writers; stop all the same.
      }
    }

    private void write() {
      try {
        while (running) {
          ByteBuffer chunk = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
          if (chunk == null) {
            continue;
          }
          int length = chunk.remaining();
          while (chunk.hasRemaining()) {
            sink.write(chunk);
          }
          bytesOut += length;
          addPending(-length);
          room.release(length);
        }
      } catch (IOException e) {
        fail("cannot write " + toPath, e);
      } catch (InterruptedException e) {
        // Interrupted while waiting for a chunk: close() (out of a blocked write, the interrupt
        // makes an IOException, which fail() ignores once closing)
      }
    }

    private void addPending(long delta) {
      synchronized (pendingLock) {
        bytesPending += delta;
      }
    }

    private void fail(String what, IOException e) {
      if (running) {
        // A pty whose socat has ended fails reads with EIO, and FIONREAD with "Illegal seek".
        failure.compareAndSet(
            null,
            new IOException(
                "relay "
                    + name
                    + " stopped: "
                    + what
                    + ": "
                    + e.getMessage()
                    + " (has the other end, e.g. socat, gone away?)",
                e));
        running = false; // the other threads see it within POLL_MILLIS
      }
    }
  }

  /**
   * How long to sleep between polls of a pty. A pty hands its reader at most 4 KiB at a time (the
   * line discipline's buffer; the rest waits in the kernel and is moved in a moment later), so
   * sleeping a millisecond whenever a poll comes up empty caps a direction near 4 MB/s. While bytes
   * are flowing it therefore sleeps only a few tens of microseconds, and goes back to a millisecond
   * once the line has been quiet for a while.
   */
  static final class Backoff {

    private static final long BUSY_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private long lastData = System.nanoTime() - QUIET_NANOS;

    /** Bytes came. */
    void data() {
      lastData = System.nanoTime();
    }

    /** Nothing came: sleeps before the next poll. */
    void idle() {
      boolean busy = System.nanoTime() - lastData < QUIET_NANOS;
      LockSupport.parkNanos(busy ? BUSY_NANOS : IDLE_NANOS);
    }
  }
}
