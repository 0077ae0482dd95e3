package dev.secdrive.protocol.keytree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.keytree.SubsetDifference.Subset;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SubsetDifferenceTest {

  private static SortedSet<Long> leaves(long... ids) {
    SortedSet<Long> out = new TreeSet<>();
    for (long id : ids) {
      out.add(id);
    }
    return out;
  }

  @Test
  void theCoverFollowsTheChainsOfTheSteinerTree() {
    // Leaves 1, 2, 6 of depth 4 are nodes 17, 18, 22: the chains 1-2, 5-22, 8-17, 9-18 (4 = 8's
    // and 9's parent branches, and is itself the end of the chain from 4, so no subset there).
    assertEquals(
        List.of(new Subset(1, 2), new Subset(5, 22), new Subset(8, 17), new Subset(9, 18)),
        SubsetDifference.cover(4, leaves(1, 2, 6)));
  }

  @Test
  void oneRevokedLeafIsOneSubsetFromTheRoot() {
    assertEquals(List.of(new Subset(1, 13)), SubsetDifference.cover(3, leaves(5)));
  }

  @Test
  void noneRevokedIsAllAndAllRevokedIsNothing() {
    assertEquals(List.of(Subset.ALL), SubsetDifference.cover(3, leaves()));
    assertEquals(List.of(), SubsetDifference.cover(3, leaves(0, 1, 2, 3, 4, 5, 6, 7)));
    assertEquals(List.of(), SubsetDifference.cover(1, leaves(0, 1)));
    assertEquals(List.of(new Subset(1, 3)), SubsetDifference.cover(1, leaves(1)));
  }

  @Test
  void theOrderOfTheGivenSetDoesNotMatter() {
    SortedSet<Long> reversed = new TreeSet<>(Comparator.reverseOrder());
    reversed.addAll(List.of(1L, 2L, 6L));
    assertEquals(SubsetDifference.cover(4, leaves(1, 2, 6)), SubsetDifference.cover(4, reversed));
  }

  @Test
  void aSubsetHoldsTheLeavesUnderINotUnderJ() {
    Subset s = new Subset(5, 22);
    assertTrue(s.contains(20));
    assertTrue(s.contains(21));
    assertTrue(s.contains(23));
    assertFalse(s.contains(22));
    assertFalse(s.contains(19));
    assertTrue(Subset.ALL.contains(17));
    assertEquals(
        "subset (5, 5): node 5 is not a proper ancestor of node 5",
        assertThrows(IllegalArgumentException.class, () -> new Subset(5, 5)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Subset(2, 6));
    assertThrows(IllegalArgumentException.class, () -> new Subset(0, 3));
  }

  @Test
  void tenThousandRevokedOfAMillionLeavesNeedAtMostTwoRMinusOneSubsets() {
    Random random = new Random(2);
    SortedSet<Long> revoked = new TreeSet<>();
    while (revoked.size() < 10_000) {
      revoked.add((long) random.nextInt(1 << 20));
    }
    List<Subset> cover = SubsetDifference.cover(20, revoked);
    assertTrue(cover.size() <= 2 * 10_000 - 1, cover.size() + " subsets");
    for (long leaf : List.of(revoked.first(), revoked.last())) {
      assertTrue(cover.stream().noneMatch(s -> s.contains((1L << 20) + leaf)));
    }
  }

  @Test
  void aTreeOfDepth32Works() {
    assertEquals(
        List.of(new Subset(1, (1L << 33) - 1)), SubsetDifference.cover(32, leaves(0xFFFF_FFFFL)));
  }
}
