package dev.secdrive.protocol.keytree;

import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The device node keys of one leaf (PROTOCOL.md "Key tree and EKB", {@code SDNK}): K_all, and the
 * label T(i, j) of every subset S(i, j) the leaf belongs to with j hanging off its path, so
 * D(D+1)/2 labels, from which the leaf derives the key of any subset it is in and of no other. A
 * drive keeps them in its sealed state; they are secret.
 *
 * @param allKey K_all, 32 bytes
 * @param labels the D(D+1)/2 labels, sorted by (i, j): for every proper ancestor i of the leaf and
 *     every sibling j of a node on the path below i
 */
public record DeviceNodeKeys(int depth, long leafId, byte[] allKey, List<Label> labels) {

  public static final int VERSION = 1;
  private static final String MAGIC = "SDNK";
  private static final int LABEL_ENTRY_LENGTH = 8 + 8 + Nodes.LABEL_LENGTH;

  /** One label T(i, j), 32 bytes. */
  public record Label(long i, long j, byte[] value) {

    public Label {
      value = Fields.checkLength("label", value, Nodes.LABEL_LENGTH).clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Label l && l.i == i && l.j == j && Arrays.equals(l.value, value);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(i) * 31 + Long.hashCode(j) * 17 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Label[i=" + i + ", j=" + j + "]";
    }
  }

  public DeviceNodeKeys {
    Nodes.checkDepth(depth);
    long x = Nodes.leafNode(depth, leafId);
    allKey = Fields.checkLength("K_all", allKey, Nodes.LABEL_LENGTH).clone();
    labels = List.copyOf(labels);
    if (labels.size() != labelCount(depth)) {
      throw new IllegalArgumentException(
          "a leaf of a tree of depth "
              + depth
              + " has "
              + labelCount(depth)
              + " labels, got "
              + labels.size());
    }
    for (int k = 0; k < labels.size(); k++) {
      Label l = labels.get(k);
      Nodes.Problem problem = problem(depth, x, k == 0 ? null : labels.get(k - 1), l.i(), l.j());
      if (problem != null) {
        throw new IllegalArgumentException("device node key " + k + ": " + problem.message());
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceNodeKeys k
        && k.depth == depth
        && k.leafId == leafId
        && Arrays.equals(k.allKey, allKey)
        && k.labels.equals(labels);
  }

  @Override
  public int hashCode() {
    return (depth * 31 + Long.hashCode(leafId)) * 31 + labels.hashCode();
  }

  /** Names the leaf, never a key. */
  @Override
  public String toString() {
    return "DeviceNodeKeys[depth=" + depth + ", leafId=" + leafId + "]";
  }

  /** D(D+1)/2: the labels of a leaf of a tree of depth D (K_all not counted). */
  public static int labelCount(int depth) {
    return depth * (depth + 1) / 2;
  }

  @Override
  public byte[] allKey() {
    return allKey.clone();
  }

  /** This leaf's node ID, 2^D + leaf ID. */
  public long leafNode() {
    return Nodes.leafCount(depth) + leafId;
  }

  private static Nodes.Problem problem(int depth, long x, Label previous, long i, long j) {
    Nodes.Problem pair = Nodes.pairProblem(depth, i, j);
    if (pair != null) {
      return pair;
    }
    if (!Nodes.isProperAncestor(i, x)) {
      return new Nodes.Problem("node i = " + i + " is not an ancestor of leaf node " + x, false);
    }
    if (Nodes.isUnder(x, j) || !Nodes.isUnder(x, j >>> 1)) {
      return new Nodes.Problem(
          "node j = " + j + " does not hang off the path of leaf node " + x, true);
    }
    if (previous != null) {
      return Nodes.orderProblem(previous.i(), previous.j(), i, j, "labels");
    }
    return null;
  }

  public byte[] encode() {
    Fields.Writer w =
        new Fields.Writer()
            .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
            .u8(VERSION)
            .u8(depth)
            .u32(leafId)
            .raw(allKey)
            .u16(labels.size());
    for (Label l : labels) {
      w.u64(l.i()).u64(l.j()).raw(l.value);
    }
    return w.toByteArray();
  }

  public static DeviceNodeKeys decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "device node keys");
    r.magic(MAGIC);
    r.version(VERSION);
    int depthAt = r.position();
    int depth = r.u8("tree depth");
    if (!Nodes.validDepth(depth)) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "device node keys: tree depth "
              + depth
              + " is not "
              + Nodes.MIN_DEPTH
              + ".."
              + Nodes.MAX_DEPTH,
          depthAt);
    }
    int leafAt = r.position();
    long leafId = r.u32("leaf ID");
    if (leafId >= Nodes.leafCount(depth)) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "device node keys: leaf ID " + leafId + " is not in a tree of depth " + depth,
          leafAt);
    }
    byte[] allKey = r.raw("K_all", Nodes.LABEL_LENGTH);
    int countAt = r.position();
    int count = r.u16("label count");
    if (count != labelCount(depth)) {
      throw new ParameterException(
          Kind.LENGTH,
          "device node keys: "
              + count
              + " labels; a leaf of a tree of depth "
              + depth
              + " has "
              + labelCount(depth),
          countAt);
    }
    if ((long) count * LABEL_ENTRY_LENGTH > r.remaining()) {
      throw new ParameterException(
          Kind.LENGTH,
          "device node keys: "
              + count
              + " labels need "
              + (long) count * LABEL_ENTRY_LENGTH
              + " bytes, "
              + r.remaining()
              + " follow",
          countAt);
    }
    long x = Nodes.leafCount(depth) + leafId;
    List<Label> labels = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int at = r.position();
      long i = r.u64("node i");
      long j = r.u64("node j");
      Nodes.Problem problem = problem(depth, x, k == 0 ? null : labels.get(k - 1), i, j);
      if (problem != null) {
        throw new ParameterException(
            Kind.INVALID_VALUE,
            "device node key " + k + ": " + problem.message(),
            problem.inJ() ? at + 8 : at);
      }
      labels.add(new Label(i, j, r.raw("label", Nodes.LABEL_LENGTH)));
    }
    r.end();
    return new DeviceNodeKeys(depth, leafId, allKey, labels);
  }

  /**
   * The root key KR of the EKB, or empty if this leaf is revoked (no entry covers it): find the
   * entry S(i, j) with the leaf under i and not under j, take the label T(i, j') of the node j'
   * hanging off the leaf's path above j, walk G_L / G_R down to j, key with G_M, unwrap.
   *
   * @throws AuthenticationException if the covering entry's wrapped key does not unwrap (a tampered
   *     EKB, or one of another tree), or the EKB is for a tree of another depth
   */
  public Optional<byte[]> rootKey(Ekb ekb) throws AuthenticationException {
    if (ekb.depth() != depth) {
      throw new AuthenticationException(
          "EKB of a tree of depth " + ekb.depth() + ", keys of a tree of depth " + depth);
    }
    List<Ekb.Entry> entries = ekb.entries();
    long x = leafNode();
    if (entries.size() == 1 && entries.get(0).i() == 0) {
      return Optional.of(AesKeyWrap.unwrap(allKey, entries.get(0).wrapped()));
    }
    for (int level = 0; level < depth; level++) {
      long i = x >>> (depth - level);
      for (int k = firstWithI(entries, i); k < entries.size() && entries.get(k).i() == i; k++) {
        Ekb.Entry e = entries.get(k);
        if (!Nodes.isUnder(x, e.j())) {
          return Optional.of(AesKeyWrap.unwrap(Nodes.middle(label(i, e.j())), e.wrapped()));
        }
      }
    }
    return Optional.empty();
  }

  /** T(i, j) for j under i, the leaf under i and not under j. */
  private byte[] label(long i, long j) {
    int li = Nodes.level(i);
    int split = Nodes.level(Nodes.commonAncestor(leafNode() >>> (depth - Nodes.level(j)), j));
    long hanging = Nodes.ancestor(j, split + 1);
    int index = li * depth - li * (li - 1) / 2 + (split - li);
    Label l = labels.get(index);
    return Nodes.walk(l.value, hanging, j);
  }

  private static int firstWithI(List<Ekb.Entry> entries, long i) {
    int a = 0;
    int b = entries.size();
    while (a < b) {
      int m = (a + b) >>> 1;
      if (entries.get(m).i() < i) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    return a;
  }
}
