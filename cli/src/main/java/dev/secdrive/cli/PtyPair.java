package dev.secdrive.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two pseudo-terminals joined back to back by socat: bytes written to {@link #a()} come out of
 * {@link #b()} and the other way round. It stands in for a serial cable (a null-modem pair) so the
 * serial carrier can be tested on a machine without serial ports, and {@link FaultRelay} can be put
 * between two pairs to make the cable noisy.
 *
 * <p>Both ends are raw with echo off, so every byte value passes unchanged. What a serial transport
 * opening the ends needs to know (all seen on Linux with socat 1.7.4 and Java 17):
 *
 * <ul>
 *   <li>An end need not be open for the other to be written: bytes wait in the kernel (about 30 KiB
 *       end to end), then the writer blocks. Bytes left there by a previous user are read by the
 *       next one, so a transport that reopens an end must discard stale input.
 *   <li>Opening and closing an end does not stop socat; the pair lives until {@link #close()}.
 *   <li>A read returns at most 4095 bytes, and {@code available()} (FIONREAD) never says more: the
 *       line discipline's buffer is 4 KiB, the rest waits behind it.
 *   <li>Closing a {@code RandomAccessFile} or stream does not wake a thread blocked reading it;
 *       closing its {@code FileChannel}, or interrupting the thread, does (the JDK signals it).
 *   <li>When socat ends, a blocked read fails with EIO, later reads return end of stream, writes
 *       fail with EIO and {@code available()} fails with "Illegal seek".
 *   <li>Java cannot open with {@code O_NOCTTY}: a JVM that is a session leader without a
 *       controlling terminal (started with setsid, or as a service) makes the pty its controlling
 *       terminal, and is killed by SIGHUP (exit 129) when socat ends.
 *   <li>socat moves both directions on one thread with blocking writes, so whatever sits between
 *       two pairs must not let its reading wait for its writing (see {@link FaultRelay}).
 * </ul>
 */
public final class PtyPair implements AutoCloseable {

  private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final String READY = "starting data transfer loop";
  private static final int TAIL_LINES = 20;

  private final Process socat;
  private final Path a;
  private final Path b;
  private final Deque<String> log;
  private final Thread shutdownHook;
  private boolean closed;

  private PtyPair(Process socat, Path a, Path b, Deque<String> log) {
    this.socat = socat;
    this.a = a;
    this.b = b;
    this.log = log;
    // A test run that is killed must not leave socat processes and links behind.
    this.shutdownHook = new Thread(this::stop, "secdrive-pty-" + a.getFileName());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts socat with the ends linked at {@code directory/name-a} and {@code directory/name-b}, and
   * returns once both links exist and socat is relaying.
   *
   * @throws CliException if socat is not installed, exits, or is not ready within 5 s
   */
  public static PtyPair create(Path directory, String name) {
    return create(directory, name, "socat");
  }

  /** As {@link #create(Path, String)}, with the socat binary to run (for tests). */
  static PtyPair create(Path directory, String name, String socatBinary) {
    Path a = directory.resolve(name + "-a").toAbsolutePath();
    Path b = directory.resolve(name + "-b").toAbsolutePath();
    removeStaleLink(a);
    removeStaleLink(b);
    ProcessBuilder builder =
        new ProcessBuilder(
                socatBinary, "-d", "-d", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("error=2,")) {
        throw new CliException(
            "socat is not installed; serial loopback needs it (apt-get install socat)", e);
      }
      throw new CliException("cannot run " + socatBinary + ": " + e.getMessage(), e);
    }
    Deque<String> log = new ArrayDeque<>();
    CountDownLatch ready = new CountDownLatch(1);
    Thread drain = new Thread(() -> drain(process, log, ready), "secdrive-socat-log-" + name);
    drain.setDaemon(true);
    drain.start();

    PtyPair pair = new PtyPair(process, a, b, log);
    try {
      pair.awaitReady(ready, drain);
      return pair;
    } catch (RuntimeException e) {
      pair.close();
      throw e;
    }
  }

  /** The end linked at {@code name-a}: a path to a pty slave, e.g. {@code /dev/pts/3}. */
  public Path a() {
    return a;
  }

  /** The end linked at {@code name-b}. */
  public Path b() {
    return b;
  }

  /** Whether socat is still running. */
  public boolean isAlive() {
    return socat.isAlive();
  }

  /** The process id of socat, so tests can check that {@link #close()} ended it. */
  long pid() {
    return socat.pid();
  }

  /** Stops socat (waiting up to 2 s) and removes the links if socat left them. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook does the same work.
    }
    stop();
  }

  private void stop() {
    // SIGTERM lets socat remove its links; SIGKILL only if it does not go in time.
    socat.destroy();
    try {
      if (!socat.waitFor(2, TimeUnit.SECONDS)) {
        socat.destroyForcibly();
        socat.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      socat.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (Path link : List.of(a, b)) {
      try {
        Files.deleteIfExists(link);
      } catch (IOException e) {
        // Best effort: a stale link is replaced by the next create() anyway.
      }
    }
  }

  private void awaitReady(CountDownLatch ready, Thread drain) {
    long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
    try {
      while (true) {
        // The links alone are not enough: socat makes them before it starts relaying.
        if (ready.getCount() == 0 && Files.exists(a) && Files.exists(b)) {
          return;
        }
        if (!socat.isAlive()) {
          socat.waitFor();
          drain.join(1000); // the drain thread ends at socat's last word: read it before quoting
          throw new CliException(
              "socat exited with status "
                  + socat.exitValue()
                  + " before the ptys were ready: "
                  + tail());
        }
        if (System.nanoTime() - deadline > 0) {
          throw new CliException("socat did not set up the ptys within 5 s: " + tail());
        }
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for socat to set up the ptys", e);
    }
  }

  /** The last lines socat wrote on stderr, for error messages. */
  String tail() {
    synchronized (log) {
      return log.isEmpty() ? "(socat wrote nothing)" : String.join(" | ", log);
    }
  }

  /** Reads socat's stderr to the end, so the pipe never fills and blocks socat. */
  private static void drain(Process process, Deque<String> log, CountDownLatch ready) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (log) {
          if (log.size() == TAIL_LINES) {
            log.removeFirst();
          }
          log.addLast(line);
        }
        if (line.contains(READY)) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // socat is gone; nothing more to read.
    }
  }

  private static void removeStaleLink(Path link) {
    try {
      if (Files.isSymbolicLink(link)) {
        Files.delete(link);
      } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        throw new CliException(link + " exists and is not a link; will not replace it with a pty");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale link " + link, e);
    }
  }
}
