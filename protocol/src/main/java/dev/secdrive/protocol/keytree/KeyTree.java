package dev.secdrive.protocol.keytree;

import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.KeyLabels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The authority's side of the key tree (seed 002, FIG. 21-22): from the tree secret S, the device
 * node keys of any leaf and the EKB of any version and revocation set. Every distributor of the
 * federation holds S (THREATS.md): whoever holds it can make device keys for any leaf.
 *
 * <p>seed(i) = KDF(S, "sd-seed", u64 i); T(i, i) = seed(i), T(i, 2v) = G_L(T(i, v)), T(i, 2v+1) =
 * G_R(T(i, v)); the key of S(i, j) is G_M(T(i, j)); K_all = KDF(S, "sd-all", ""); KR_v = KDF(S,
 * "sd-root", u32 v). G_L, G_R, G_M = HMAC-SHA256 with the label as key over 01h, 02h, 03h.
 */
public final class KeyTree {

  public static final int SECRET_LENGTH = 32;
  private static final byte[] NO_SALT = new byte[0];

  private final byte[] secret;
  private final int depth;

  public KeyTree(byte[] treeSecret, int depth) {
    this.secret = Fields.checkLength("tree secret", treeSecret, SECRET_LENGTH).clone();
    this.depth = Nodes.checkDepth(depth);
  }

  public int depth() {
    return depth;
  }

  /** KR of EKB version v (an unsigned 32-bit number). */
  public byte[] rootKey(int version) {
    return kdf(
        KeyLabels.SD_ROOT, new Fields.Writer().u32(Integer.toUnsignedLong(version)).toByteArray());
  }

  /** The device node keys of a leaf, 0 <= leafId < 2^depth. */
  public DeviceNodeKeys deviceKeys(long leafId) {
    long x = Nodes.leafNode(depth, leafId);
    List<DeviceNodeKeys.Label> labels = new ArrayList<>(DeviceNodeKeys.labelCount(depth));
    for (int level = 0; level < depth; level++) {
      long i = x >>> (depth - level);
      byte[] t = seed(i);
      for (int below = level + 1; below <= depth; below++) {
        long onPath = x >>> (depth - below);
        long hanging = onPath ^ 1;
        labels.add(
            new DeviceNodeKeys.Label(
                i, hanging, (hanging & 1) == 0 ? Nodes.left(t) : Nodes.right(t)));
        t = (onPath & 1) == 0 ? Nodes.left(t) : Nodes.right(t);
      }
    }
    return new DeviceNodeKeys(depth, leafId, allKey(), labels);
  }

  /**
   * The EKB of a version: KR_v wrapped under the key of every subset of the Subset Difference cover
   * of the leaves not revoked. When no leaf is revoked, the single entry (0, 0) under K_all; when
   * every leaf is, no entry at all (an EKB that gives nobody KR).
   */
  public Ekb ekb(int version, Collection<Long> revokedLeafIds) {
    byte[] root = rootKey(version);
    List<Ekb.Entry> entries = new ArrayList<>();
    for (SubsetDifference.Subset s : SubsetDifference.cover(depth, new TreeSet<>(revokedLeafIds))) {
      byte[] key = s.i() == 0 ? allKey() : Nodes.middle(Nodes.walk(seed(s.i()), s.i(), s.j()));
      entries.add(new Ekb.Entry(s.i(), s.j(), AesKeyWrap.wrap(key, root)));
    }
    return new Ekb(depth, version, entries);
  }

  private byte[] allKey() {
    return kdf(KeyLabels.SD_ALL, new byte[0]);
  }

  private byte[] seed(long node) {
    return kdf(KeyLabels.SD_SEED, new Fields.Writer().u64(node).toByteArray());
  }

  private byte[] kdf(String label, byte[] context) {
    return Hkdf.sha256(NO_SALT, secret, KeyLabels.info(label, context), SECRET_LENGTH);
  }
}
