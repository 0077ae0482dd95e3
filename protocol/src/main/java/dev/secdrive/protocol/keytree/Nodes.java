package dev.secdrive.protocol.keytree;

import dev.secdrive.kit.crypto.Hmac;

/**
 * Node arithmetic of the heap-numbered tree (root 1, children of v are 2v and 2v+1, leaf n of a
 * tree of depth D is node 2^D + n) and the NNL pseudo-random generator G = (G_L, G_R, G_M).
 */
final class Nodes {

  static final int MIN_DEPTH = 1;
  static final int MAX_DEPTH = 32;
  static final int LABEL_LENGTH = 32;

  private static final byte[] LEFT = {1};
  private static final byte[] RIGHT = {2};
  private static final byte[] MIDDLE = {3};

  private Nodes() {}

  /** What is wrong with an entry (i, j), and whether it is its field j (else its field i). */
  record Problem(String message, boolean inJ) {}

  /** What is wrong with the pair (i, j) of a tree of {@code depth}: both in it, i above j. */
  static Problem pairProblem(int depth, long i, long j) {
    if (!inTree(i, depth)) {
      return new Problem("node i = " + i + " is not in a tree of depth " + depth, false);
    }
    if (!inTree(j, depth)) {
      return new Problem("node j = " + j + " is not in a tree of depth " + depth, true);
    }
    if (!isProperAncestor(i, j)) {
      return new Problem("node i = " + i + " is not a proper ancestor of node j = " + j, true);
    }
    return null;
  }

  /** Null if (i, j) follows (previousI, previousJ) in (i, j) order, else what is wrong. */
  static Problem orderProblem(long previousI, long previousJ, long i, long j, String items) {
    if (previousI < i || previousI == i && previousJ < j) {
      return null;
    }
    return new Problem(
        "("
            + i
            + ", "
            + j
            + ") does not follow ("
            + previousI
            + ", "
            + previousJ
            + "): "
            + items
            + " are not sorted by (i, j)",
        false);
  }

  static boolean validDepth(int depth) {
    return depth >= MIN_DEPTH && depth <= MAX_DEPTH;
  }

  static int checkDepth(int depth) {
    if (!validDepth(depth)) {
      throw new IllegalArgumentException(
          "tree depth must be " + MIN_DEPTH + ".." + MAX_DEPTH + ", got " + depth);
    }
    return depth;
  }

  /** The level of node v: 0 for the root, D for a leaf. */
  static int level(long v) {
    return 63 - Long.numberOfLeadingZeros(v);
  }

  static boolean inTree(long v, int depth) {
    return v >= 1 && v < 1L << (depth + 1);
  }

  static long leafCount(int depth) {
    return 1L << depth;
  }

  static long leafNode(int depth, long leafId) {
    if (leafId < 0 || leafId >= leafCount(depth)) {
      throw new IllegalArgumentException(
          "leaf ID "
              + leafId
              + " is not in a tree of depth "
              + depth
              + " (0.."
              + (leafCount(depth) - 1)
              + ")");
    }
    return leafCount(depth) + leafId;
  }

  /** Whether x is a or lies under a (a is an ancestor-or-self of x). */
  static boolean isUnder(long x, long a) {
    int d = level(x) - level(a);
    return d >= 0 && x >>> d == a;
  }

  /** Whether a is a proper ancestor of x. */
  static boolean isProperAncestor(long a, long x) {
    return a != x && isUnder(x, a);
  }

  /** The ancestor of x at the given level (x itself at its own level). */
  static long ancestor(long x, int level) {
    return x >>> (level(x) - level);
  }

  /** The deepest common ancestor of two nodes of the same level. */
  static long commonAncestor(long a, long b) {
    return a >>> (64 - Long.numberOfLeadingZeros(a ^ b));
  }

  static byte[] left(byte[] t) {
    return Hmac.sha256(t, LEFT);
  }

  static byte[] right(byte[] t) {
    return Hmac.sha256(t, RIGHT);
  }

  /** G_M: the key of a subset from its label. */
  static byte[] middle(byte[] t) {
    return Hmac.sha256(t, MIDDLE);
  }

  /** T(i, to) from T(i, from), from an ancestor-or-self of to: G_L / G_R down the path. */
  static byte[] walk(byte[] label, long from, long to) {
    byte[] t = label;
    for (int k = level(to) - level(from) - 1; k >= 0; k--) {
      t = (to >>> k & 1) == 0 ? left(t) : right(t);
    }
    return t;
  }
}
