package dev.secdrive.cli;

import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.keytree.DeviceNodeKeys;
import dev.secdrive.protocol.keytree.Ekb;
import dev.secdrive.protocol.keytree.KeyTree;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code secdrive bench --ekb}: the key tree of the content move at 2^20 leaves. For r = 1, 100 and
 * 10,000 revoked leaves (random, seeded), the EKB's entry count and size, the time to build it (the
 * median of the rounds) and the time a device takes to find its entry and derive KR (the median of
 * {@value #DERIVATIONS} derivations by leaves not revoked). Every derived key is checked against
 * KR, and every revoked leaf sampled must get none, before anything is timed.
 */
final class EkbBench {

  static final int DEPTH = 20;
  static final int[] REVOKED = {1, 100, 10_000};
  private static final int DEVICES = 64;
  private static final int DERIVATIONS = 2_000;

  private final BenchRounds bench;
  private final BenchReport report;

  EkbBench(BenchRounds bench) {
    this.bench = bench;
    this.report = bench.report();
  }

  void run() throws AuthenticationException {
    byte[] secret = new byte[KeyTree.SECRET_LENGTH];
    new SecureRandom().nextBytes(secret);
    KeyTree tree = new KeyTree(secret, DEPTH);
    report
        .out()
        .printf(
            "secdrive bench --ekb: %d cores, Java %s, Subset Difference tree of depth %d (%,d leaves),"
                + " %d rounds, median%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            DEPTH,
            1L << DEPTH,
            bench.rounds());
    warmUp(tree);
    List<Map<String, Object>> cases = new ArrayList<>();
    for (int r : REVOKED) {
      Random random = new Random(r);
      Set<Long> revoked = new TreeSet<>();
      while (revoked.size() < r) {
        revoked.add((long) random.nextInt(1 << DEPTH));
      }
      tree.ekb(0, revoked); // warm-up
      long[] builds = new long[bench.rounds()];
      Ekb ekb = null;
      for (int round = 0; round < builds.length; round++) {
        long start = System.nanoTime();
        ekb = tree.ekb(round + 1, revoked);
        builds[round] = System.nanoTime() - start;
      }
      byte[] root = tree.rootKey(ekb.version());
      int size = ekb.encode().length;

      List<DeviceNodeKeys> devices = new ArrayList<>();
      while (devices.size() < DEVICES) {
        long leaf = random.nextInt(1 << DEPTH);
        if (!revoked.contains(leaf)) {
          devices.add(tree.deviceKeys(leaf));
        }
      }
      for (DeviceNodeKeys device : devices) {
        if (!Arrays.equals(root, device.rootKey(ekb).orElse(null))) {
          throw new IllegalStateException("leaf " + device.leafId() + " does not derive KR");
        }
      }
      for (long leaf : revoked.stream().limit(DEVICES).toList()) {
        if (tree.deviceKeys(leaf).rootKey(ekb).isPresent()) {
          throw new IllegalStateException("revoked leaf " + leaf + " derives a key");
        }
      }
      for (int k = 0; k < DERIVATIONS; k++) {
        devices.get(k % DEVICES).rootKey(ekb); // warm-up
      }
      long[] derivations = new long[DERIVATIONS];
      for (int k = 0; k < DERIVATIONS; k++) {
        DeviceNodeKeys device = devices.get(k % DEVICES);
        long start = System.nanoTime();
        device.rootKey(ekb);
        derivations[k] = System.nanoTime() - start;
      }
      double buildMillis = median(builds) / 1e6;
      double deriveMicros = median(derivations) / 1e3;
      report.line(
          String.format("r = %,d revoked", r),
          String.format(
              "%,d entries (2r-1 = %,d), %,d bytes, build %.2f ms, derive KR %.1f µs",
              ekb.entries().size(), Math.max(1, 2 * r - 1), size, buildMillis, deriveMicros));
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("revoked", r);
      value.put("entries", ekb.entries().size());
      value.put("bytes", size);
      value.put("buildMillis", BenchReport.round(buildMillis));
      value.put("deriveMicros", BenchReport.round(deriveMicros));
      cases.add(value);
    }
    report.put("depth", DEPTH);
    report.put("ekb", cases);
    report.finish();
  }

  /** Brings the JIT to the key tree's code before the first case is timed. */
  private static void warmUp(KeyTree tree) throws AuthenticationException {
    Random random = new Random(0);
    Set<Long> revoked = new TreeSet<>();
    while (revoked.size() < 1_000) {
      revoked.add((long) random.nextInt(1 << DEPTH));
    }
    DeviceNodeKeys device = tree.deviceKeys(random.nextInt(1 << DEPTH));
    for (int k = 0; k < 5; k++) {
      Ekb ekb = tree.ekb(0, revoked);
      for (int d = 0; d < DERIVATIONS; d++) {
        device.rootKey(ekb);
      }
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }
}
