package dev.secdrive.cli;

import dev.secdrive.center.store.JdbcConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL server of {@code secdrive bench --distributor}: a throwaway cluster of the server
 * under {@code /usr/lib/postgresql/<version>/bin} (its own directory, a free port on 127.0.0.1, its
 * socket in that directory, run as {@code postgres} when the bench runs as root; stopped and
 * deleted on close), or the server of a {@code --jdbc} URL. The bench's databases are made on it
 * and dropped again; pgbench runs against it.
 */
final class BenchPostgres implements AutoCloseable {

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial");

  private final Path bin;
  private final Path dir;
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final List<String> asPostgres;
  private final List<String> made = new ArrayList<>();

  private BenchPostgres(
      Path bin,
      Path dir,
      String host,
      int port,
      String user,
      String password,
      List<String> asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.asPostgres = asPostgres;
  }

  static Path binaries() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pgbench")))
          .max(Path::compareTo)
          .orElseThrow(BenchPostgres::noServer);
    } catch (IOException e) {
      throw noServer();
    }
  }

  private static CliException noServer() {
    return new CliException(
        "no PostgreSQL binaries under /usr/lib/postgresql/*/bin: install Debian's postgresql"
            + " package (the bench needs its server or a --jdbc URL, and its pgbench)");
  }

  /** A new cluster in a temporary directory of its own, started. */
  static BenchPostgres cluster() throws IOException {
    Path bin = binaries();
    Path dir = Files.createTempDirectory("secdrive-bench-pg-");
    List<String> as = List.of();
    if ("root".equals(System.getProperty("user.name"))) {
      UserPrincipal postgres =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
      as = List.of("runuser", "-u", "postgres", "--");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    BenchPostgres server =
        new BenchPostgres(bin, dir, dir.toString(), port, "postgres", "secdrive_bench", as);
    Path data = dir.resolve("data");
    server.run("initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8");
    server.run(
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "-o",
        "-p " + port + " -k '" + dir + "' -c listen_addresses=127.0.0.1 -c max_connections=200",
        "start");
    return server;
  }

  /** The server of {@code url} ({@code jdbc:postgresql://host:port/database}). */
  static BenchPostgres remote(String url, String user, String password) {
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new CliException("--jdbc must be a jdbc:postgresql://host:port/database URL: " + url);
    }
    URI uri = URI.create(url.substring("jdbc:".length()));
    return new BenchPostgres(
        binaries(),
        null,
        uri.getHost(),
        uri.getPort() < 0 ? 5432 : uri.getPort(),
        user,
        password,
        List.of());
  }

  String version() throws IOException {
    Matcher m = Pattern.compile("[0-9]+(\\.[0-9]+)+").matcher(exec("postgres", "--version"));
    return m.find() ? m.group() : "(version unknown)";
  }

  /** A new database on this server, dropped on close. */
  JdbcConfig database(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbc("postgres"), user, password);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name);
    }
    made.add(name);
    return new JdbcConfig(jdbc(name), user, password);
  }

  private String jdbc(String database) {
    String h = dir != null ? "127.0.0.1" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + database;
  }

  /**
   * CPU time used so far by the throwaway cluster's processes (the postmaster and every process it
   * started that is still running: the backends of the bench's pools, the WAL writer, ...), from
   * {@code /proc}; -1 for a {@code --jdbc} server, whose processes are not ours to see.
   */
  long cpuNanos() throws IOException {
    if (dir == null) {
      return -1;
    }
    String postmaster =
        Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim();
    long ticks = 0;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path p : processes.toList()) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException | RuntimeException e) {
          continue; // not a process, or gone
        }
        // After the command's closing parenthesis: state, ppid, ..., utime (14th), stime (15th).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (p.getFileName().toString().equals(postmaster) || f[1].equals(postmaster)) {
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    }
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  /** pgbench's TPC-B (scale 2) with {@code clients} clients, 2 threads, for {@code seconds}. */
  double pgbench(int clients, double seconds) throws IOException, SQLException {
    String db = "secdrive_bench_pgbench";
    database(db);
    run("pgbench", connection(db, "-i", "-q", "-s", "2"));
    String output =
        run(
            "pgbench",
            connection(
                db,
                "-c",
                String.valueOf(clients),
                "-j",
                "2",
                "-T",
                String.valueOf(Math.max(1, Math.round(seconds)))));
    Matcher m = TPS.matcher(output);
    if (!m.find()) {
      throw new CliException("pgbench printed no TPS:\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  private String[] connection(String db, String... args) {
    List<String> all = new ArrayList<>(List.of("-h", host, "-p", String.valueOf(port)));
    all.addAll(List.of("-U", user));
    all.addAll(List.of(args));
    all.add(db);
    return all.toArray(String[]::new);
  }

  private String run(String tool, String... args) throws IOException {
    return exec(tool, args);
  }

  private String exec(String tool, String... args) throws IOException {
    List<String> command = new ArrayList<>(asPostgres);
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    if (password != null) {
      builder.environment().put("PGPASSWORD", password);
    }
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new CliException(tool + " failed (exit " + process.exitValue() + "):\n" + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + tool, e);
    }
    return output;
  }

  @Override
  public void close() throws IOException {
    if (dir != null) {
      try {
        exec("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
      } finally {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
      return;
    }
    try (Connection c = DriverManager.getConnection(jdbc("postgres"), user, password);
        Statement s = c.createStatement()) {
      for (String name : made) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      throw new IOException("cannot drop the bench's databases: " + e.getMessage(), e);
    }
  }
}
