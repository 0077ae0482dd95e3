package dev.secdrive.protocol.keytree;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * An enabling key block (PROTOCOL.md "Key tree and EKB"): the root key KR of one version, wrapped
 * under the key of every subset of the Subset Difference cover of the leaves that are not revoked.
 * No entry at all when every leaf is revoked; the single entry (0, 0) under K_all when none is.
 *
 * @param version the EKB version, an unsigned 32-bit number (the federation's revocation count)
 * @param entries sorted by (i, j), no two alike
 */
public record Ekb(int depth, int version, List<Entry> entries) {

  public static final int VERSION = 1;
  public static final int WRAPPED_KEY_LENGTH = 40;
  static final int HEADER_LENGTH = 4 + 1 + 1 + 4 + 4;
  static final int ENTRY_LENGTH = 8 + 8 + WRAPPED_KEY_LENGTH;
  private static final String MAGIC = "SDEK";

  /**
   * One wrapped root key: AES-KWP(G_M(T(i, j)), KR), or AES-KWP(K_all, KR) for (0, 0).
   *
   * @param wrappedRootKey 40 bytes
   */
  public record Entry(long i, long j, byte[] wrappedRootKey) {

    public Entry {
      wrappedRootKey =
          Fields.checkLength("wrapped root key", wrappedRootKey, WRAPPED_KEY_LENGTH).clone();
    }

    /** The subset whose leaves this entry is for. */
    public SubsetDifference.Subset subset() {
      return new SubsetDifference.Subset(i, j);
    }

    @Override
    public byte[] wrappedRootKey() {
      return wrappedRootKey.clone();
    }

    byte[] wrapped() {
      return wrappedRootKey;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && e.i == i
          && e.j == j
          && Arrays.equals(e.wrappedRootKey, wrappedRootKey);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(i) * 31 + Long.hashCode(j) * 17 + Arrays.hashCode(wrappedRootKey);
    }

    @Override
    public String toString() {
      return "Entry[i="
          + i
          + ", j="
          + j
          + ", wrappedRootKey="
          + HexFormat.of().formatHex(wrappedRootKey)
          + "]";
    }
  }

  public Ekb {
    Nodes.checkDepth(depth);
    entries = List.copyOf(entries);
    for (int k = 0; k < entries.size(); k++) {
      Entry e = entries.get(k);
      Nodes.Problem problem =
          problem(depth, entries.size(), k == 0 ? null : entries.get(k - 1), e.i(), e.j());
      if (problem != null) {
        throw new IllegalArgumentException("EKB entry " + k + ": " + problem.message());
      }
    }
  }

  /** The version as the unsigned number it is. */
  public long unsignedVersion() {
    return Integer.toUnsignedLong(version);
  }

  /** What is wrong with entry (i, j) after {@code previous}, or null. */
  private static Nodes.Problem problem(int depth, int count, Entry previous, long i, long j) {
    if (i == 0 && j == 0) {
      return count == 1
          ? null
          : new Nodes.Problem("the all entry (0, 0) must be the only entry", false);
    }
    Nodes.Problem pair = Nodes.pairProblem(depth, i, j);
    if (pair != null) {
      return pair;
    }
    if (previous != null) {
      return Nodes.orderProblem(previous.i(), previous.j(), i, j, "entries");
    }
    return null;
  }

  public byte[] encode() {
    Fields.Writer w =
        new Fields.Writer()
            .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
            .u8(VERSION)
            .u8(depth)
            .u32(unsignedVersion())
            .u32(entries.size());
    for (Entry e : entries) {
      w.u64(e.i()).u64(e.j()).raw(e.wrapped());
    }
    return w.toByteArray();
  }

  /** The encoded size of an EKB with n entries. */
  public static long encodedLength(long n) {
    return HEADER_LENGTH + n * ENTRY_LENGTH;
  }

  public static Ekb decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "EKB");
    r.magic(MAGIC);
    r.version(VERSION);
    int depthAt = r.position();
    int depth = r.u8("tree depth");
    if (!Nodes.validDepth(depth)) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "EKB: tree depth " + depth + " is not " + Nodes.MIN_DEPTH + ".." + Nodes.MAX_DEPTH,
          depthAt);
    }
    int version = (int) r.u32("EKB version");
    int countAt = r.position();
    long count = r.u32("entry count");
    if (count * ENTRY_LENGTH > r.remaining()) {
      throw new ParameterException(
          Kind.LENGTH,
          "EKB: "
              + count
              + " entries need "
              + count * ENTRY_LENGTH
              + " bytes, "
              + r.remaining()
              + " follow",
          countAt);
    }
    List<Entry> entries = new ArrayList<>((int) count);
    for (int k = 0; k < count; k++) {
      int at = r.position();
      long i = r.u64("node i");
      long j = r.u64("node j");
      Nodes.Problem problem = problem(depth, (int) count, k == 0 ? null : entries.get(k - 1), i, j);
      if (problem != null) {
        throw new ParameterException(
            Kind.INVALID_VALUE,
            "EKB entry " + k + ": " + problem.message(),
            problem.inJ() ? at + 8 : at);
      }
      entries.add(new Entry(i, j, r.raw("wrapped root key", WRAPPED_KEY_LENGTH)));
    }
    r.end();
    return new Ekb(depth, version, entries);
  }
}
