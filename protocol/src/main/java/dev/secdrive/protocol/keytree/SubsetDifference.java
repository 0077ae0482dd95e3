package dev.secdrive.protocol.keytree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;

/**
 * The Subset Difference cover of NNL 2001 (section 3.2): the subsets S(i, j) that together hold
 * every leaf that is not revoked and none that is. It walks the Steiner tree of the revoked leaves,
 * the union of their paths to the root: every chain of that tree, a path from a node i whose parent
 * branches (or the root) down to the first node j below it that branches or is a revoked leaf, is
 * one subset S(i, j) unless i = j. At most 2r - 1 subsets for r revoked leaves, found in O(r log N)
 * steps without visiting the leaves that are not revoked.
 */
public final class SubsetDifference {

  private SubsetDifference() {}

  /**
   * A subset: the leaves under node i but not under node j, i a proper ancestor of j; or, as (0,
   * 0), {@link #ALL} leaves of the tree.
   */
  public record Subset(long i, long j) {

    /** Every leaf: the cover when no leaf is revoked. */
    public static final Subset ALL = new Subset(0, 0);

    static final Comparator<Subset> ORDER =
        Comparator.comparingLong(Subset::i).thenComparingLong(Subset::j);

    public Subset {
      if (!(i == 0 && j == 0) && !(i >= 1 && Nodes.isProperAncestor(i, j))) {
        throw new IllegalArgumentException(
            "subset (" + i + ", " + j + "): node " + i + " is not a proper ancestor of node " + j);
      }
    }

    /** Whether the leaf with the given node ID (2^D + leaf ID) is in this subset. */
    public boolean contains(long leafNode) {
      return i == 0 || Nodes.isUnder(leafNode, i) && !Nodes.isUnder(leafNode, j);
    }
  }

  /**
   * The cover of the leaves that are not revoked, sorted by (i, j): {@code [ALL]} when none is
   * revoked, an empty list when all are.
   *
   * @param revokedLeafIds leaf IDs (0-based, below 2^depth)
   */
  public static List<Subset> cover(int depth, SortedSet<Long> revokedLeafIds) {
    Nodes.checkDepth(depth);
    long[] leaves = new long[revokedLeafIds.size()];
    int n = 0;
    for (Long id : revokedLeafIds) {
      leaves[n++] = Nodes.leafNode(depth, id);
    }
    // The set's own comparator may be any order; the walk needs ascending node IDs.
    java.util.Arrays.sort(leaves);
    if (leaves.length == 0) {
      return List.of(Subset.ALL);
    }
    List<Subset> out = new ArrayList<>();
    long top = reduce(leaves, 0, leaves.length, depth, out);
    if (top != 1) {
      out.add(new Subset(1, top));
    }
    out.sort(Subset.ORDER);
    return out;
  }

  /**
   * Collapses the Steiner tree of leaves[lo, hi) (distinct, ascending, at least one) into the node
   * where its top chain ends (the deepest node above all of them): emits the subsets of the chains
   * below that node and returns it.
   */
  private static long reduce(long[] leaves, int lo, int hi, int depth, List<Subset> out) {
    if (hi - lo == 1) {
      return leaves[lo];
    }
    long branch = Nodes.commonAncestor(leaves[lo], leaves[hi - 1]);
    long bit = 1L << (depth - Nodes.level(branch) - 1);
    int split = firstWithBit(leaves, lo, hi, bit);
    long left = 2 * branch;
    long right = left + 1;
    long leftEnd = reduce(leaves, lo, split, depth, out);
    long rightEnd = reduce(leaves, split, hi, depth, out);
    if (leftEnd != left) {
      out.add(new Subset(left, leftEnd));
    }
    if (rightEnd != right) {
      out.add(new Subset(right, rightEnd));
    }
    return branch;
  }

  /** The first index in [lo, hi) whose leaf has the bit set (they share all higher bits). */
  private static int firstWithBit(long[] leaves, int lo, int hi, long bit) {
    int a = lo;
    int b = hi;
    while (a < b) {
      int m = (a + b) >>> 1;
      if ((leaves[m] & bit) == 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    return a;
  }
}
