package dev.secdrive.protocol.keytree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * For any depth 1..12 and any revocation set (none, a few, most, all but one, all), exactly the
 * leaves not revoked derive KR from the EKB, every revoked leaf gets empty, and the cover has at
 * most max(1, 2r - 1) entries. Every leaf of the tree is tried, so a cover that left out a leaf or
 * let a revoked one in fails.
 */
class KeyTreePropertyTest {

  private static final KeyTree[] TREES = new KeyTree[13];
  private static final Map<Integer, DeviceNodeKeys[]> KEYS = new ConcurrentHashMap<>();

  static {
    for (int depth = 1; depth <= 12; depth++) {
      TREES[depth] = new KeyTree(KeyTreeTest.SECRET, depth);
    }
  }

  /** Device keys are the slow part; each leaf's are made once for all tries. */
  private static DeviceNodeKeys[] keys(int depth) {
    return KEYS.computeIfAbsent(
        depth,
        d ->
            LongStream.range(0, 1L << d)
                .mapToObj(TREES[d]::deviceKeys)
                .toArray(DeviceNodeKeys[]::new));
  }

  record Revocation(int depth, int version, Set<Long> revoked) {}

  @Provide
  Arbitrary<Revocation> revocations() {
    return Arbitraries.integers()
        .between(1, 12)
        .flatMap(
            depth -> {
              long n = 1L << depth;
              Arbitrary<Long> leaf = Arbitraries.longs().between(0, n - 1);
              Arbitrary<Set<Long>> few = leaf.set().ofMaxSize((int) Math.min(n, 100));
              Arbitrary<Set<Long>> most = few.map(keep -> complement(n, keep));
              Arbitrary<Set<Long>> allButOne = leaf.map(keep -> complement(n, Set.of(keep)));
              Arbitrary<Set<Long>> set =
                  Arbitraries.frequencyOf(
                      Tuple.of(5, few),
                      Tuple.of(2, most),
                      Tuple.of(1, allButOne),
                      Tuple.of(1, Arbitraries.just(Set.<Long>of())),
                      Tuple.of(1, Arbitraries.just(complement(n, Set.of()))));
              return set.flatMap(
                  revoked ->
                      Arbitraries.integers()
                          .between(0, Integer.MAX_VALUE)
                          .map(version -> new Revocation(depth, version, revoked)));
            });
  }

  private static Set<Long> complement(long n, Set<Long> keep) {
    return LongStream.range(0, n)
        .filter(l -> !keep.contains(l))
        .boxed()
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
  void exactlyTheLeavesNotRevokedDeriveTheRootKey(@ForAll("revocations") Revocation revocation)
      throws Exception {
    KeyTree tree = TREES[revocation.depth()];
    Ekb ekb = tree.ekb(revocation.version(), revocation.revoked());
    int r = revocation.revoked().size();
    assertTrue(
        ekb.entries().size() <= Math.max(1, 2 * r - 1),
        ekb.entries().size() + " entries for " + r + " revoked");
    assertEquals(ekb, Ekb.decode(ekb.encode()));
    byte[] root = tree.rootKey(revocation.version());
    DeviceNodeKeys[] keys = keys(revocation.depth());
    for (long leaf = 0; leaf < keys.length; leaf++) {
      Optional<byte[]> derived = keys[(int) leaf].rootKey(ekb);
      if (revocation.revoked().contains(leaf)) {
        assertEquals(Optional.empty(), derived, "revoked leaf " + leaf + " derived a key");
      } else {
        assertArrayEquals(root, derived.orElse(null), "leaf " + leaf + " is not covered");
      }
    }
  }

  @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
  void theCoverIsDisjointAndHoldsExactlyTheLeavesNotRevoked(
      @ForAll("revocations") Revocation revocation) {
    int depth = revocation.depth();
    var cover = SubsetDifference.cover(depth, new TreeSet<>(revocation.revoked()));
    for (long leaf = 0; leaf < 1L << depth; leaf++) {
      long node = (1L << depth) + leaf;
      long holding = cover.stream().filter(s -> s.contains(node)).count();
      assertEquals(revocation.revoked().contains(leaf) ? 0 : 1, holding, "leaf " + leaf);
    }
  }
}
