package dev.secdrive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.security.Certificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code secdrive bench --distributor}: the distributor service of the content move on PostgreSQL,
 * {@value #CLIENTS} clients over real HTTP on loopback. Two distributors A and B (private databases
 * A and B) share database C, three databases of one server ({@link BenchPostgres}). Each client is
 * a user of both with a session (Argon2id paid once, at POST /sessions), its own client A
 * registered with A and client B with B; A's catalog has one content. Measured: licenses issued per
 * second (POST /licenses) and contents copy certificates per second (POST /copies from the client's
 * license to its client B), each the median of the rounds with p50/p99 latency over all rounds;
 * then pgbench's TPC-B on the same server for the ratio.
 */
final class DistributorBench {

  static final int CLIENTS = 16;
  private static final HexFormat HEX = HexFormat.of();

  private final BenchRounds bench;
  private final BenchReport report;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  DistributorBench(BenchRounds bench) {
    this.bench = bench;
    this.report = bench.report();
  }

  /** One client: its user's session, its two clients and its connection to A. */
  private record Client(
      String token, String clientA, String clientB, String[] license, BenchConnection connection) {}

  void run(Path dir, BenchPostgres postgres, double pgbenchSeconds) throws Exception {
    report
        .out()
        .printf(
            "secdrive bench --distributor: %d cores, Java %s, PostgreSQL %s, %d clients over"
                + " keep-alive HTTP/1.1, %d rounds of %.1f s, median round%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            postgres.version(),
            CLIENTS,
            bench.rounds(),
            bench.roundSeconds());
    RawKeyPair authority = Ed25519.generate();
    Path tree = dir.resolve("key-tree.json");
    KeyTreeFile.create(KeyTreeFile.DEFAULT_DEPTH, KeyTreeFile.DEFAULT_CATEGORY_DEPTH)
        .write(tree, false);
    JdbcConfig c = postgres.database("secdrive_bench_c");
    DistributorServer.setup(
        dir.resolve("a"),
        "Distributor A",
        authority.publicKey(),
        u -> certify(authority, u),
        tree,
        0,
        postgres.database("secdrive_bench_a"),
        c);
    DistributorServer.setup(
        dir.resolve("b"),
        "Distributor B",
        authority.publicKey(),
        u -> certify(authority, u),
        tree,
        1,
        postgres.database("secdrive_bench_b"),
        c);
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    try (DistributorServer a = DistributorServer.start(dir.resolve("a"), any);
        DistributorServer b = DistributorServer.start(dir.resolve("b"), any)) {
      post(
          a,
          "/contents",
          a.adminToken(),
          Map.of(
              "contentId",
              "bench",
              "name",
              "Bench",
              "codec",
              "application/octet-stream",
              "licenseId",
              "bench-license",
              "priceCents",
              0,
              "plays",
              10,
              "days",
              30,
              "copies",
              0xFFFF,
              "removableCopies",
              1,
              "data",
              HEX.formatHex(new byte[4096])));
      List<String[]> accounts = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        String user = "user" + i;
        String tokenA = session(a, user);
        String tokenB = session(b, user);
        String clientA = register(a, tokenA, authority, "drive-a-" + i);
        String clientB = register(b, tokenB, authority, "drive-b-" + i);
        accounts.add(new String[] {tokenA, clientA, clientB});
      }
      // Connected only now: the server drops a connection that sends nothing for 30 s, and the
      // Argon2id hashes of the setup take about that on a busy machine.
      List<Client> clients = new ArrayList<>();
      for (String[] account : accounts) {
        clients.add(
            new Client(
                account[0],
                account[1],
                account[2],
                new String[1],
                new BenchConnection(a.address())));
      }
      try {
        measureAll(clients, postgres, pgbenchSeconds);
      } finally {
        for (Client client : clients) {
          client.connection().close();
        }
      }
    }
  }

  private void measureAll(List<Client> clients, BenchPostgres postgres, double pgbenchSeconds)
      throws Exception {
    Map<String, Object> results = new LinkedHashMap<>();
    double licenses =
        measure(
            "POST /licenses (license issued)",
            "licensesPerSecond",
            clients,
            postgres,
            results,
            client -> {
              JsonNode issue =
                  send(
                      client,
                      "/licenses",
                      Map.of("contentId", "bench", "clientId", client.clientA()));
              client.license()[0] = issue.get("serial").asText();
            });
    double copies =
        measure(
            "POST /copies (contents copy certificate issued)",
            "certificatesPerSecond",
            clients,
            postgres,
            results,
            client ->
                send(
                    client,
                    "/copies",
                    Map.of(
                        "licenseSerial",
                        client.license()[0],
                        "destinationClientId",
                        client.clientB())));
    double tps = postgres.pgbench(CLIENTS, pgbenchSeconds);
    report.line(
        String.format("pgbench TPC-B, -c %d -j 2 -T %.0f, same server", CLIENTS, pgbenchSeconds),
        String.format("%,.0f TPS", tps));
    report.line("certificates/s ÷ pgbench TPS", String.format("%.2f", copies / tps));
    report.line("licenses/s ÷ pgbench TPS", String.format("%.2f", licenses / tps));
    results.put("pgbenchTps", Math.round(tps));
    results.put("certificatesPerPgbenchTransaction", BenchReport.round(copies / tps));
    report.put("distributor", results);
    report.finish();
  }

  @FunctionalInterface
  private interface Request {
    void send(Client client) throws Exception;
  }

  /**
   * A warm-up, then the rounds: every client sends its request, waits for the answer and sends the
   * next, until the round's end. Reports the median round's rate and p50/p99 over all rounds.
   */
  private double measure(
      String name,
      String key,
      List<Client> clients,
      BenchPostgres postgres,
      Map<String, Object> results,
      Request request)
      throws Exception {
    round(clients, request, Math.max(0.5, bench.roundSeconds() / 2), new ArrayList<>());
    double[] rates = new double[bench.rounds()];
    List<long[]> samples = new ArrayList<>();
    long jvmCpu = jvmCpuNanos();
    long pgCpu = postgres.cpuNanos();
    for (int r = 0; r < rates.length; r++) {
      long start = System.nanoTime();
      List<long[]> round = new ArrayList<>();
      int n = round(clients, request, bench.roundSeconds(), round);
      rates[r] = n / ((System.nanoTime() - start) / 1e9);
      samples.addAll(round);
    }
    long[] sorted = samples.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    // CPU per request, which the machine's other load does not change as it changes the rates.
    double jvmPer = (jvmCpuNanos() - jvmCpu) / 1e3 / sorted.length;
    double pgPer = pgCpu < 0 ? -1 : (postgres.cpuNanos() - pgCpu) / 1e3 / sorted.length;
    double p50 = sorted[sorted.length / 2] / 1e6;
    double p99 = sorted[(int) (sorted.length * 0.99)] / 1e6;
    double[] byRate = rates.clone();
    Arrays.sort(byRate);
    double median = byRate[byRate.length / 2];
    report.line(
        name,
        String.format(
            "%,.0f /s (rounds %s), p50 %.1f ms, p99 %.1f ms", median, rounds(rates), p50, p99));
    report.line(
        "  CPU per request: this JVM (service and clients), PostgreSQL",
        pgPer < 0
            ? String.format("%,.0f µs, (not measured: --jdbc)", jvmPer)
            : String.format("%,.0f µs, %,.0f µs", jvmPer, pgPer));
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("perSecond", Math.round(median));
    value.put("p50Millis", BenchReport.round(p50));
    value.put("p99Millis", BenchReport.round(p99));
    value.put("jvmCpuMicros", Math.round(jvmPer));
    value.put("postgresCpuMicros", pgPer < 0 ? null : Math.round(pgPer));
    results.put(key, value);
    return median;
  }

  /** CPU time of this JVM, every thread: the service, its pools and the bench's clients. */
  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String rounds(double[] rates) {
    StringBuilder s = new StringBuilder();
    for (double r : rates) {
      s.append(s.isEmpty() ? "" : " / ").append(String.format("%,.0f", r));
    }
    return s.toString();
  }

  /** One round: a thread per client; returns the requests answered, their latencies in samples. */
  private static int round(List<Client> clients, Request request, double seconds, List<long[]> out)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    AtomicReference<Exception> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients.size());
    long[][] latencies = new long[clients.size()][];
    for (int i = 0; i < clients.size(); i++) {
      int index = i;
      Thread thread =
          new Thread(
              () -> {
                long[] mine = new long[1024];
                int n = 0;
                try {
                  for (long now = System.nanoTime();
                      now < deadline && failure.get() == null;
                      now = System.nanoTime()) {
                    request.send(clients.get(index));
                    if (n == mine.length) {
                      mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - now;
                  }
                } catch (Exception e) {
                  failure.compareAndSet(null, e);
                } finally {
                  latencies[index] = Arrays.copyOf(mine, n);
                  done.countDown();
                }
              },
              "bench-client-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    done.await();
    if (failure.get() != null) {
      throw new CliException(
          "benchmark request failed: " + failure.get().getMessage(), failure.get());
    }
    int total = 0;
    for (long[] l : latencies) {
      out.add(l);
      total += l.length;
    }
    return total;
  }

  private String session(DistributorServer d, String user) throws Exception {
    String password = "bench password of " + user;
    post(d, "/users", d.adminToken(), Map.of("userId", user, "name", user, "password", password));
    return post(d, "/sessions", null, Map.of("userId", user, "password", password))
        .get("token")
        .asText();
  }

  /**
   * Registers a made-up drive as the drives do: its certificate, a challenge of {@code d} and the
   * registration proof the drive would sign with its device key, here a key made for it.
   */
  private String register(DistributorServer d, String token, RawKeyPair authority, String device)
      throws Exception {
    RawKeyPair deviceKey = Ed25519.generate();
    Certificate drive =
        certify(
            authority,
            Certificate.unsigned(
                Certificate.Role.DRIVE,
                device,
                X25519.generate().publicKey(),
                deviceKey.publicKey()));
    JsonNode challenge = post(d, "/clients/challenges", token, null);
    byte[] nonce = HEX.parseHex(challenge.get("challenge").asText());
    RegistrationProof proof =
        RegistrationProof.sign(
            device,
            new ProofRequest(
                d.distributor().keys().certificate(), challenge.get("userId").asText(), nonce),
            deviceKey.privateKey());
    return post(
            d,
            "/clients",
            token,
            Map.of(
                "driveCertificate",
                HEX.formatHex(drive.encode()),
                "challenge",
                HEX.formatHex(nonce),
                "proof",
                HEX.formatHex(proof.encode())))
        .get("clientId")
        .asText();
  }

  private static Certificate certify(RawKeyPair authority, Certificate unsigned) {
    return unsigned.withSignature(Ed25519.sign(authority.privateKey(), unsigned.signedBytes()));
  }

  /** A measured request: on the client's own connection, with its session. */
  private static JsonNode send(Client client, String path, Map<String, ?> body) throws IOException {
    BenchConnection.Answer answer =
        client.connection().post(path, client.token(), Json.MAPPER.writeValueAsBytes(body));
    if (answer.status() / 100 != 2) {
      throw new CliException(
          "POST "
              + path
              + " answered "
              + answer.status()
              + ": "
              + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return Json.MAPPER.readTree(answer.body());
  }

  private JsonNode post(DistributorServer d, String path, String bearer, Map<String, ?> body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(d.url() + path))
            .header("Content-Type", "application/json")
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<byte[]> answer =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (answer.statusCode() / 100 != 2) {
      throw new CliException(
          "POST "
              + path
              + " answered "
              + answer.statusCode()
              + ": "
              + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return Json.MAPPER.readTree(answer.body());
  }
}
