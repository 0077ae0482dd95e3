package dev.secdrive.kit.tgt;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private tgt daemon: {@code tgtd -f -C N --iscsi portal=127.0.0.1:PORT}, with its own control
 * socket number {@code N} and a free port, so it never meets the machine's tgt or another test's.
 * Targets are added with {@link #fileTarget}; {@link #close} deletes them and ends the daemon
 * (SIGTERM alone leaves a tgtd with targets running).
 *
 * <p>tgtd needs root and Debian's {@code tgt} package; {@link #find} says whether this machine has
 * it, and {@link #start} fails with a message naming the package otherwise.
 */
public final class Tgt implements AutoCloseable {

  /** What to install when tgtd is missing. */
  public static final String INSTALL = "install Debian's tgt package (apt-get install tgt)";

  private static final int START_ATTEMPTS = 5;
  private static final long READY_MILLIS = 30_000;

  private final Process daemon;
  private final int control;
  private final int port;
  private final Path log;
  private final List<Integer> targets = new ArrayList<>();

  private Tgt(Process daemon, int control, int port, Path log) {
    this.daemon = daemon;
    this.control = control;
    this.port = port;
    this.log = log;
  }

  /** {@code tgtd}, when this machine has it on the PATH or in /usr/sbin. */
  public static Optional<Path> find() {
    List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/sbin"));
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(0, List.of(path.split(File.pathSeparator)));
    }
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "tgtd"))
        .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
        .findFirst();
  }

  /**
   * Starts a daemon whose log goes to {@code directory/tgtd.log}. A port taken between choosing and
   * binding it is retried on another.
   *
   * @throws IllegalStateException naming the package when tgtd is missing, or with the daemon's log
   *     when it would not start
   */
  public static Tgt start(Path directory) {
    Path tgtd =
        find().orElseThrow(() -> new IllegalStateException("tgtd not found on PATH: " + INSTALL));
    IllegalStateException last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      int control =
          ThreadLocalRandom.current().nextInt(1000, 32768); // tgtd refuses -C beyond 32767
      int port = freePort();
      Path log = directory.resolve("tgtd.log");
      try {
        Files.createDirectories(directory);
        Process process =
            new ProcessBuilder(
                    tgtd.toString(),
                    "-f",
                    "-C",
                    Integer.toString(control),
                    "--iscsi",
                    "portal=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Tgt tgt = new Tgt(process, control, port, log);
        if (tgt.awaitReady()) {
          return tgt;
        }
        tgt.kill();
        last = new IllegalStateException("tgtd did not start: " + tgt.logText());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + tgtd, e);
      }
    }
    throw last;
  }

  /** The portal's port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code iscsi://127.0.0.1:PORT}, the portal as libiscsi's tools name it. */
  public String portal() {
    return "iscsi://127.0.0.1:" + port;
  }

  /**
   * A target named {@code iqn} with one LUN, 1, backed by {@code file} (which must exist, at its
   * final size), open to every initiator. LUN 0 is tgt's own controller (peripheral type 0Ch).
   *
   * @return the LUN's URL, {@code iscsi://127.0.0.1:PORT/IQN/1}
   */
  public String fileTarget(String iqn, Path file) {
    int tid = targets.size() + 1;
    admin("--mode", "target", "--op", "new", "--tid", "" + tid, "--targetname", iqn);
    targets.add(tid);
    admin(
        "--mode",
        "logicalunit",
        "--op",
        "new",
        "--tid",
        "" + tid,
        "--lun",
        "1",
        "--backing-store",
        file.toAbsolutePath().toString());
    admin("--mode", "target", "--op", "bind", "--tid", "" + tid, "--initiator-address", "ALL");
    return portal() + "/" + iqn + "/1";
  }

  /**
   * Requires CHAP on the target {@link #fileTarget} made {@code index}-th (1 for the first): the
   * initiator logs in as {@code user}, and with a {@code targetUser} the target answers as it
   * (mutual CHAP). tgt wants secrets of 12 characters or more.
   */
  public void chap(int index, String user, String secret, String targetUser, String targetSecret) {
    String tid = "" + targets.get(index - 1);
    admin("--mode", "account", "--op", "new", "--user", user, "--password", secret);
    admin("--mode", "account", "--op", "bind", "--tid", tid, "--user", user);
    if (targetUser != null) {
      admin("--mode", "account", "--op", "new", "--user", targetUser, "--password", targetSecret);
      admin("--mode", "account", "--op", "bind", "--tid", tid, "--user", targetUser, "--outgoing");
    }
  }

  /** Sets an iSCSI parameter of a target, e.g. {@code HeaderDigest CRC32C}. */
  public void parameter(int index, String key, String value) {
    admin(
        "--mode",
        "target",
        "--op",
        "update",
        "--tid",
        "" + targets.get(index - 1),
        "--name",
        key,
        "--value",
        value);
  }

  /** What the daemon has logged. */
  public String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Runs {@code tgtadm -C N --lld iscsi ARGS}.
   *
   * @return what it printed
   * @throws IllegalStateException with what it printed, when it fails
   */
  public String admin(String... arguments) {
    List<String> command = new ArrayList<>(List.of("tgtadm", "-C", "" + control, "--lld", "iscsi"));
    command.addAll(List.of(arguments));
    return run(command);
  }

  @Override
  public void close() {
    try {
      for (int tid : targets) {
        admin("--mode", "target", "--op", "delete", "--force", "--tid", "" + tid);
      }
      run(List.of("tgtadm", "-C", "" + control, "--mode", "system", "--op", "delete"));
      if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (IllegalStateException e) {
      kill();
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }

  private void kill() {
    daemon.destroyForcibly();
    try {
      daemon.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls the control socket until the daemon answers, or it died, or 30 s passed. */
  private boolean awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_MILLIS);
    long pause = 10;
    while (System.nanoTime() < deadline && daemon.isAlive()) {
      try {
        run(List.of("tgtadm", "-C", "" + control, "--mode", "system", "--op", "show"));
        return listening();
      } catch (IllegalStateException notYet) {
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        pause = Math.min(pause * 2, 200);
      }
    }
    return false;
  }

  /** Whether the portal took the port (a daemon that lost the race for it logs and lives on). */
  private boolean listening() {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return false;
    } catch (IOException taken) {
      return true;
    }
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.get(0), e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
