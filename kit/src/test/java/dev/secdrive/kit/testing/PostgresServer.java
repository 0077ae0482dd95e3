package dev.secdrive.kit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A PostgreSQL server for the tests, as a JUnit 5 extension:
 * {@code @ExtendWith(PostgresServer.class)} on a class, then a {@link Database} parameter on its
 * {@code @BeforeAll} method or its tests.
 *
 * <p>The server is the one {@code SECDRIVE_TEST_POSTGRES_URL} (with {@code _USER} and {@code
 * _PASSWORD}) names, if it is set. Otherwise it is a throwaway cluster of the server installed
 * under {@code /usr/lib/postgresql/<version>/bin}, made once per test JVM: its own temporary
 * directory, a free port on 127.0.0.1 (another one if the start fails there, the server's log
 * printed), its own socket directory, and a role and database {@code secdrive_test}; it is stopped
 * and deleted when the JVM ends. The machine's own clusters are neither needed nor touched. initdb
 * and the server refuse to run as root, so as root they run as the {@code postgres} user.
 *
 * <p>Without the binaries every test of the class fails with one message naming the package to
 * install; nothing is skipped.
 */
public final class PostgresServer implements BeforeAllCallback, ParameterResolver {

  /** Where Debian's postgresql package puts the server binaries. */
  static final ExternalTool INITDB =
      ExternalTool.under("/usr/lib/postgresql/*/bin", "initdb")
          .describedAs("PostgreSQL server binaries", "install Debian's postgresql package");

  private static final String NAME = "secdrive_test";
  private static final int START_ATTEMPTS = 5;

  /** A database the tests may use as they like. */
  public record Database(String url, String user, String password) {}

  private static Database database;
  private static RuntimeException failure;

  @Override
  public void beforeAll(ExtensionContext context) {
    database();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Database.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return database();
  }

  /**
   * The tests' database, the server started on first use.
   *
   * @throws IllegalStateException when there is no server binary, or the server does not start (the
   *     same failure for every later call)
   */
  public static synchronized Database database() {
    if (failure != null) {
      throw failure;
    }
    if (database == null) {
      try {
        database = connect();
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }
    return database;
  }

  private static Database connect() {
    String url = System.getenv("SECDRIVE_TEST_POSTGRES_URL");
    if (url != null && !url.isBlank()) {
      return new Database(
          url,
          System.getenv("SECDRIVE_TEST_POSTGRES_USER"),
          System.getenv("SECDRIVE_TEST_POSTGRES_PASSWORD"));
    }
    Path bin = INITDB.require().getParent();
    try {
      return new Cluster(bin).start();
    } catch (IOException e) {
      throw new UncheckedIOException("the tests' PostgreSQL server did not start: " + e, e);
    }
  }

  /** A cluster in a temporary directory, removed again when the JVM ends. */
  private static final class Cluster {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final List<String> asPostgres;

    Cluster(Path bin) throws IOException {
      this.bin = bin;
      this.dir = Files.createTempDirectory("secdrive-pg");
      this.data = dir.resolve("data");
      this.log = dir.resolve("server.log");
      if ("root".equals(System.getProperty("user.name"))) {
        UserPrincipal postgres =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
        asPostgres = List.of("runuser", "-u", "postgres", "--");
      } else {
        asPostgres = List.of();
      }
      Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndDelete, "secdrive-pg-stop"));
    }

    Database start() throws IOException {
      run(
          "initdb",
          "-D",
          data.toString(),
          "-U",
          "postgres",
          "--auth-local=trust",
          "--auth-host=scram-sha-256",
          "-E",
          "UTF8",
          "--no-instructions");
      // A free port can be taken between the look and the start: a failed start tries another.
      List<String> failures = new ArrayList<>();
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int port = freePort();
        Files.deleteIfExists(log);
        Result started =
            exec(
                "pg_ctl",
                "-D",
                data.toString(),
                "-l",
                log.toString(),
                "-w",
                "-t",
                "120",
                "-o",
                "-p " + port + " -k '" + dir + "' -c listen_addresses=127.0.0.1",
                "start");
        if (started.ok()) {
          run(
              "psql",
              "-h",
              dir.toString(),
              "-p",
              String.valueOf(port),
              "-U",
              "postgres",
              "-d",
              "postgres",
              "-v",
              "ON_ERROR_STOP=1",
              "-q",
              "-c",
              "CREATE ROLE " + NAME + " LOGIN PASSWORD '" + NAME + "'",
              "-c",
              "CREATE DATABASE " + NAME + " OWNER " + NAME);
          return new Database("jdbc:postgresql://127.0.0.1:" + port + "/" + NAME, NAME, NAME);
        }
        String serverLog = Files.exists(log) ? Files.readString(log) : "(no server log)";
        System.err.println(
            "the tests' PostgreSQL server did not start on port "
                + port
                + ": "
                + started.output()
                + "\nits log:\n"
                + serverLog);
        failures.add(String.valueOf(port));
      }
      throw new IOException(
          "PostgreSQL started on none of the ports "
              + String.join(", ", failures)
              + " (logs above; cluster in "
              + dir
              + ")");
    }

    private void stopAndDelete() {
      try {
        if (Files.exists(data.resolve("postmaster.pid"))) {
          exec("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }
      } catch (IOException e) {
        System.err.println("stopping the tests' PostgreSQL server failed: " + e);
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        System.err.println("deleting " + dir + " failed: " + e);
      }
    }

    private void run(String tool, String... args) throws IOException {
      Result result = exec(tool, args);
      if (!result.ok()) {
        throw new IOException(tool + " failed (exit " + result.exit() + "):\n" + result.output());
      }
    }

    private record Result(int exit, String output) {
      boolean ok() {
        return exit == 0;
      }
    }

    private Result exec(String tool, String... args) throws IOException {
      List<String> command = new ArrayList<>(asPostgres);
      command.add(bin.resolve(tool).toString());
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      try {
        // pg_ctl start leaves the server running with the log file, not this pipe, as its output.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          return new Result(-1, output + "\n(" + tool + " did not finish in 5 minutes)");
        }
        return new Result(process.exitValue(), output.strip());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + tool, e);
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        return socket.getLocalPort();
      }
    }
  }
}
