package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Smoke tests of {@code secdrive bench}: small regions, one short round, the report's shape. */
class BenchIT {

  @Test
  void benchSecureVerifiesTheDecryptedReadsAndReportsEveryCase() throws Exception {
    Cli bench =
        Cli.run(
            "bench",
            "--secure",
            "--region-mib",
            "2",
            "--rounds",
            "1",
            "--round-seconds",
            "0.2",
            "--json");
    assertEquals(0, bench.exit(), bench::toString);
    List<String> lines = bench.out().lines().toList();
    assertTrue(lines.get(0).startsWith("secdrive bench: "), bench::toString);
    for (String prefix :
        List.of(
            "READ(10) 128 KiB, plain, 8 in flight ",
            "READ(10) 128 KiB, decrypted in the drive, 8 in flight ",
            "READ(10) 128 KiB, plain, 1 in flight ",
            "READ(10) 128 KiB, decrypted in the drive, 1 in flight ",
            "decrypted READs checked against the plaintext ",
            "license backup to host + restore, one at a time ",
            "license backup + restore, medium+device binding ",
            "decrypted / plain READ, 128 KiB at 8 in flight: ",
            "backup + restore: ")) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), prefix + "\n" + bench);
    }
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("decrypted READs checked against the plaintext ")
                        && l.endsWith(
                            "2 MiB, the whole title, before the timed rounds: identical")),
        bench::toString);

    // --json prints the results as one JSON object after the report.
    String last = bench.out().substring(bench.out().indexOf("\n{") + 1);
    JsonNode json = new ObjectMapper().readTree(last);
    assertEquals(2 << 20, json.path("decryptedBytesVerified").asLong(), last);
    double ratio = json.path("decryptedVsPlainRatio8").asDouble(-1);
    assertTrue(ratio > 0, last);
    for (String key :
        List.of(
            "READ(10) 128 KiB, plain, 8 in flight",
            "READ(10) 128 KiB, decrypted in the drive, 8 in flight")) {
      assertTrue(json.path(key).asDouble(-1) > 0, key + " in " + last);
    }
    assertTrue(json.has("license backup to host + restore, one at a time"), last);
  }

  @Test
  void benchEkbReportsEveryRevocationCase() throws Exception {
    Cli bench = Cli.run("bench", "--ekb", "--rounds", "1", "--json");
    assertEquals(0, bench.exit(), bench::toString);
    List<String> lines = bench.out().lines().toList();
    assertTrue(lines.get(0).startsWith("secdrive bench --ekb: "), bench::toString);
    for (String prefix : List.of("r = 1 revoked ", "r = 100 revoked ", "r = 10,000 revoked ")) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), prefix + "\n" + bench);
    }
    String last = bench.out().substring(bench.out().indexOf("\n{") + 1);
    JsonNode cases = new ObjectMapper().readTree(last).path("ekb");
    assertEquals(3, cases.size(), last);
    // One revoked leaf: the single subset S(root, leaf), 14 + 56 bytes.
    assertEquals(1, cases.get(0).path("entries").asInt(), last);
    assertEquals(70, cases.get(0).path("bytes").asInt(), last);
    for (JsonNode c : cases) {
      int r = c.path("revoked").asInt();
      int entries = c.path("entries").asInt();
      assertTrue(entries >= 1 && entries <= Math.max(1, 2 * r - 1), c.toString());
      assertEquals(14 + 56L * entries, c.path("bytes").asLong(), c.toString());
      assertTrue(c.path("deriveMicros").asDouble(-1) > 0, c.toString());
    }
  }

  /**
   * A throwaway PostgreSQL cluster, both distributors over HTTP, then pgbench on the same server;
   * rates, latencies and CPU per request.
   */
  @Test
  void benchDistributorIssuesLicensesAndCertificatesAndRunsPgbench() throws Exception {
    Cli bench =
        Cli.run("bench", "--distributor", "--rounds", "1", "--round-seconds", "0.5", "--json");
    assertEquals(0, bench.exit(), bench::toString);
    assertTrue(bench.out().startsWith("secdrive bench --distributor: "), bench::toString);
    String last = bench.out().substring(bench.out().indexOf("\n{") + 1);
    JsonNode d = new ObjectMapper().readTree(last).path("distributor");
    for (String key : List.of("licensesPerSecond", "certificatesPerSecond")) {
      JsonNode c = d.path(key);
      assertTrue(c.path("perSecond").asLong() > 0, key + " in " + last);
      assertTrue(
          c.path("p50Millis").asDouble() > 0
              && c.path("p99Millis").asDouble() >= c.path("p50Millis").asDouble(),
          key + " in " + last);
      // The throwaway cluster's processes are the bench's own: their CPU is measured too.
      assertTrue(
          c.path("jvmCpuMicros").asLong() > 0 && c.path("postgresCpuMicros").asLong() > 0,
          key + " in " + last);
    }
    assertTrue(d.path("pgbenchTps").asLong() > 0, last);
    assertTrue(d.path("certificatesPerPgbenchTransaction").asDouble() > 0, last);
  }

  @Test
  void theTcpBenchReportsSecdrivesSmallReadsAgainstThePingPongAcrossCoresAndOnOne()
      throws Exception {
    Cli bench =
        Cli.run("bench", "--region-mib", "2", "--rounds", "1", "--round-seconds", "0.2", "--json");
    assertEquals(0, bench.exit(), bench::toString);
    assertTrue(
        bench.out().contains("raw loopback TCP, 64 B / 4 KiB, on one core"), bench::toString);
    String last = bench.out().substring(bench.out().indexOf("\n{") + 1);
    JsonNode json = new ObjectMapper().readTree(last);
    JsonNode tcp = json.has("tcp") ? json.path("tcp") : json;
    assertTrue(tcp.toString().contains("rawRoundTripsPerSecond"), last);
    assertTrue(tcp.toString().contains("read4kQd1VsRawRoundTrips"), last);
    if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/taskset"))) {
      assertTrue(tcp.toString().contains("rawRoundTripsOneCorePerSecond"), last);
      assertTrue(tcp.toString().contains("read4kQd1VsOneCoreRoundTrips"), last);
    }
  }
}
