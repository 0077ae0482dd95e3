package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secdrive.cli.CuReport.Outcome;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.kit.testing.ExternalTool;
import dev.secdrive.kit.tgt.Tgt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiscsi's conformance suite, iscsi-test-cu, against a real emulator's iSCSI portal: every family
 * ({@code --dataloss}) on three profiles, each with a medium: a removable direct-access block
 * device (mo-230, peripheral type 00h, which libiscsi's SBC tests need), an optical memory device
 * (mo-640, 07h) and an MMC device (cdrom with a pressed disc, 05h). A test must pass unless {@code
 * conformance-expected.tsv} lists it, with the clause that makes it inapplicable (skipped) or the
 * reason its failure is expected; a test that ends otherwise than listed — a new failure, a new
 * skip, or a listed test that now passes — fails this test, naming it. The same tool runs against
 * tgt serving a file LUN, and one table compares them all (emulator/CONFORMANCE.md).
 */
class ConformanceIT {

  private static final List<String> FAMILIES = List.of("SCSI", "iSCSI", "LINUX");
  private static final String EXPECTED = "conformance-expected.tsv";

  /** A bound on a hung run, not a timing assertion: a family takes seconds here. */
  private static final long RUN_BOUND_SECONDS = 300;

  @TempDir Path dir;

  /** What the list expects of one test on one profile. */
  private record Expectation(Outcome outcome, String reason) {}

  @Test
  void iscsiTestCuFindsOnlyTheListedSkipsAndFailures() throws Exception {
    ExternalTool cu =
        ExternalTool.onPath("iscsi-test-cu")
            .describedAs("iscsi-test-cu (libiscsi-bin)", "apt-get install -y libiscsi-bin");
    assumeTrue(cu.find().isPresent(), cu::missingMessage);
    Path tool = cu.require();
    Map<String, String> reasons = new LinkedHashMap<>();
    Map<String, Map<String, Expectation>> expected = expectations(reasons);

    Path media = Files.createDirectories(dir.resolve("media"));
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "MO-2", "mo-230", null);
    Path disc = dir.resolve("disc.bin");
    byte[] content = new byte[1 << 20];
    new Random(14).nextBytes(content);
    Files.write(disc, content);
    Rig.createMedium(store, "CD-1", "cd-rom-650", disc);
    IscsiEndpoint portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));

    Map<String, Map<String, CuReport>> reports = new LinkedHashMap<>();
    try (Emulator emulator =
        Rig.builder(media)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1"))
            .drive(new DriveConfig(1, "cdrom", "DEV-CD-1", "CD-1"))
            .drive(new DriveConfig(2, "mo-230", "DEV-MO-2", "MO-2"))
            .endpoint(portal)
            .start()) {
      String target =
          "iscsi://127.0.0.1:" + portal.address().getPort() + "/" + portal.targetName() + "/";
      reports.put("secdrive block", runFamilies(tool, target + "2"));
      reports.put("secdrive optical", runFamilies(tool, target + "0"));
      reports.put("secdrive MMC", runFamilies(tool, target + "1"));
    }
    Path lun = dir.resolve("tgt-lun.img");
    try (RandomAccessFile file = new RandomAccessFile(lun.toFile(), "rw")) {
      file.setLength(64L << 20);
    }
    try (Tgt tgt = Tgt.start(dir.resolve("tgt"))) {
      reports.put(
          "tgt", runFamilies(tool, tgt.fileTarget("iqn.2026-12.dev.secdrive:tgt-baseline", lun)));
    }
    System.out.println(table(reports));

    List<String> unexpected = new ArrayList<>();
    compare("block", reports.get("secdrive block"), expected.get("block"), reasons, unexpected);
    compare(
        "optical", reports.get("secdrive optical"), expected.get("optical"), reasons, unexpected);
    compare("mmc", reports.get("secdrive MMC"), expected.get("mmc"), reasons, unexpected);
    assertTrue(
        unexpected.isEmpty(),
        unexpected.size()
            + " iscsi-test-cu outcome(s) differ from "
            + EXPECTED
            + ":\n"
            + String.join("\n", unexpected));
  }

  /** Each family once against {@code url}. */
  private static Map<String, CuReport> runFamilies(Path tool, String url)
      throws IOException, InterruptedException {
    Map<String, CuReport> byFamily = new LinkedHashMap<>();
    for (String family : FAMILIES) {
      Process process =
          new ProcessBuilder(tool.toString(), "--dataloss", "--verbose", "--test=" + family, url)
              .redirectErrorStream(true)
              .start();
      byte[] out;
      try (InputStream in = process.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!process.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("iscsi-test-cu --test=" + family + " " + url + " did not end");
      }
      String output = new String(out, StandardCharsets.UTF_8);
      CuReport report = CuReport.parse(output);
      assertTrue(report.outcomes().size() > 10, family + " ran only a few tests:\n" + output);
      byFamily.put(family, report);
    }
    return byFamily;
  }

  /** Every test of every family against the list; what differs goes to {@code unexpected}. */
  private static void compare(
      String profile,
      Map<String, CuReport> byFamily,
      Map<String, Expectation> expected,
      Map<String, String> reasons,
      List<String> unexpected) {
    Map<String, Expectation> listed = expected == null ? Map.of() : expected;
    java.util.Set<String> seen = new java.util.HashSet<>();
    byFamily.forEach(
        (family, report) ->
            report
                .outcomes()
                .forEach(
                    (test, outcome) -> {
                      seen.add(test);
                      Expectation want =
                          listed.getOrDefault(test, new Expectation(Outcome.PASSED, null));
                      if (outcome != want.outcome()) {
                        unexpected.add(
                            String.format(
                                "%s %s.%s: %s, expected %s%s",
                                profile,
                                family,
                                test,
                                outcome,
                                want.outcome(),
                                want.reason() == null
                                    ? " (not listed)"
                                    : " (listed: " + reasons.get(want.reason()) + ")"));
                      }
                    }));
    for (String test : listed.keySet()) {
      if (!seen.contains(test)) {
        unexpected.add(profile + " " + test + ": listed but run by no family");
      }
    }
  }

  /** Reads the list: reasons by key into {@code reasons}, expectations by profile and test. */
  private static Map<String, Map<String, Expectation>> expectations(Map<String, String> reasons)
      throws IOException {
    Map<String, Map<String, Expectation>> byProfile = new TreeMap<>();
    InputStream in = ConformanceIT.class.getResourceAsStream(EXPECTED);
    if (in == null) {
      throw new IllegalStateException(EXPECTED + " is missing from the test resources");
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      int number = 0;
      for (String line; (line = reader.readLine()) != null; ) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f[0].equals("@reason") && f.length == 3) {
          reasons.put(f[1], f[2]);
          continue;
        }
        if (f.length != 4 || !reasons.containsKey(f[3])) {
          throw new IllegalStateException(
              EXPECTED + " line " + number + ": expected PROFILE TEST OUTCOME REASON: " + line);
        }
        Outcome outcome = Outcome.valueOf(f[2].toUpperCase(java.util.Locale.ROOT));
        byProfile
            .computeIfAbsent(f[0], p -> new TreeMap<>())
            .put(f[1], new Expectation(outcome, f[3]));
      }
    }
    assertEquals(
        java.util.Set.of("block", "optical", "mmc"), byProfile.keySet(), EXPECTED + " profiles");
    return byProfile;
  }

  /**
   * One table: per target and family, passed/skipped/failed; ALL is SCSI and iSCSI together (the
   * same 230 tests libiscsi's ALL family runs).
   */
  static String table(Map<String, Map<String, CuReport>> reports) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-16s %-6s %6s %8s %8s %7s%n",
            "target", "family", "tests", "passed", "skipped", "failed"));
    reports.forEach(
        (name, byFamily) -> {
          Map<Outcome, Integer> all = new java.util.EnumMap<>(Outcome.class);
          for (String family : List.of("SCSI", "iSCSI")) {
            byFamily.get(family).counts().forEach((o, n) -> all.merge(o, n, Integer::sum));
          }
          row(out, name, "ALL", all);
          byFamily.forEach((family, report) -> row(out, name, family, report.counts()));
        });
    return out.toString();
  }

  private static void row(StringBuilder out, String name, String family, Map<Outcome, Integer> c) {
    int tests = c.values().stream().mapToInt(Integer::intValue).sum();
    out.append(
        String.format(
            "%-16s %-6s %6d %8d %8d %7d%n",
            name,
            family,
            tests,
            c.get(Outcome.PASSED),
            c.get(Outcome.SKIPPED),
            c.get(Outcome.FAILED)));
  }
}
