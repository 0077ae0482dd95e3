package dev.secdrive.protocol.keytree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SDEK and SDNK: byte-exact round trips, and every malformed input refused with kind and offset.
 */
class KeyTreeCodecTest {

  private static final KeyTree TREE = new KeyTree(KeyTreeTest.SECRET, 4);

  private interface Decode {
    Object decode() throws ParameterException;
  }

  private static void assertRefused(Kind kind, int offset, String message, Decode decode) {
    ParameterException e = assertThrows(ParameterException.class, decode::decode);
    assertEquals(message, e.getMessage());
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  private static byte[] ekb() {
    return HexFormat.of().parseHex(KeyTreeTest.GOLDEN_EKB);
  }

  /** Leaf 5 (node 21): (1,3) (1,4) (1,11) (1,20) (2,4) (2,11) (2,20) (5,11) (5,20) (10,20). */
  private static byte[] nodeKeys() {
    return TREE.deviceKeys(5).encode();
  }

  private static byte[] withU64(byte[] in, int at, long v) {
    byte[] out = in.clone();
    ByteBuffer.wrap(out).putLong(at, v);
    return out;
  }

  private static byte[] withU32(byte[] in, int at, int v) {
    byte[] out = in.clone();
    ByteBuffer.wrap(out).putInt(at, v);
    return out;
  }

  private static byte[] withByte(byte[] in, int at, int v) {
    byte[] out = in.clone();
    out[at] = (byte) v;
    return out;
  }

  private static byte[] swapped(byte[] in, int first, int length) {
    byte[] out = in.clone();
    System.arraycopy(in, first, out, first + length, length);
    System.arraycopy(in, first + length, out, first, length);
    return out;
  }

  @Test
  void ekbsRoundTrip() throws Exception {
    for (List<Long> revoked : List.of(List.<Long>of(), List.of(3L), List.of(1L, 2L, 6L))) {
      Ekb ekb = TREE.ekb(7, revoked);
      assertEquals(ekb, Ekb.decode(ekb.encode()));
      assertArrayEquals(ekb.encode(), Ekb.decode(ekb.encode()).encode());
      assertEquals(Ekb.encodedLength(ekb.entries().size()), ekb.encode().length);
    }
  }

  @Test
  void deviceNodeKeysRoundTrip() throws Exception {
    for (int depth : new int[] {1, 4, 32}) {
      KeyTree tree = new KeyTree(KeyTreeTest.SECRET, depth);
      DeviceNodeKeys keys = tree.deviceKeys((1L << depth) - 1);
      assertEquals(keys, DeviceNodeKeys.decode(keys.encode()));
      assertArrayEquals(keys.encode(), DeviceNodeKeys.decode(keys.encode()).encode());
    }
  }

  @Test
  void ekbHeadersAreChecked() {
    assertRefused(
        Kind.MAGIC, 0, "EKB does not start with 'SDEK'", () -> Ekb.decode(withByte(ekb(), 3, 'L')));
    assertRefused(
        Kind.FORMAT_VERSION,
        4,
        "EKB has format version 2; this secdrive reads 1",
        () -> Ekb.decode(withByte(ekb(), 4, 2)));
    assertRefused(
        Kind.INVALID_VALUE,
        5,
        "EKB: tree depth 0 is not 1..32",
        () -> Ekb.decode(withByte(ekb(), 5, 0)));
    assertRefused(
        Kind.INVALID_VALUE,
        5,
        "EKB: tree depth 33 is not 1..32",
        () -> Ekb.decode(withByte(ekb(), 5, 33)));
  }

  @Test
  void ekbLengthsAreChecked() {
    assertRefused(
        Kind.TRUNCATED,
        10,
        "EKB ends inside entry count at byte 10 (12 bytes)",
        () -> Ekb.decode(Arrays.copyOf(ekb(), 12)));
    assertRefused(
        Kind.LENGTH,
        10,
        "EKB: 5 entries need 280 bytes, 224 follow",
        () -> Ekb.decode(withU32(ekb(), 10, 5)));
    assertRefused(
        Kind.LENGTH,
        10,
        "EKB: 4294967295 entries need 240518168520 bytes, 224 follow",
        () -> Ekb.decode(withU32(ekb(), 10, -1)));
    assertRefused(
        Kind.TRAILING_BYTES,
        182,
        "EKB has 56 bytes after its last field",
        () -> Ekb.decode(withU32(ekb(), 10, 3)));
    assertRefused(
        Kind.TRAILING_BYTES,
        238,
        "EKB has 1 bytes after its last field",
        () -> Ekb.decode(Arrays.copyOf(ekb(), 239)));
    byte[] golden = ekb();
    for (int n = 0; n < golden.length; n++) {
      byte[] prefix = Arrays.copyOf(golden, n);
      ParameterException e = assertThrows(ParameterException.class, () -> Ekb.decode(prefix));
      assertEquals(n < 14 ? Kind.TRUNCATED : Kind.LENGTH, e.kind(), "prefix of " + n);
    }
  }

  @Test
  void ekbNodesAreChecked() {
    assertRefused(
        Kind.INVALID_VALUE,
        14,
        "EKB entry 0: node i = 32 is not in a tree of depth 4",
        () -> Ekb.decode(withU64(ekb(), 14, 32)));
    assertRefused(
        Kind.INVALID_VALUE,
        22,
        "EKB entry 0: node j = 32 is not in a tree of depth 4",
        () -> Ekb.decode(withU64(ekb(), 22, 32)));
    assertRefused(
        Kind.INVALID_VALUE,
        78,
        "EKB entry 1: node i = 5 is not a proper ancestor of node j = 16",
        () -> Ekb.decode(withU64(ekb(), 78, 16)));
    assertRefused(
        Kind.INVALID_VALUE,
        78,
        "EKB entry 1: node i = 5 is not a proper ancestor of node j = 5",
        () -> Ekb.decode(withU64(ekb(), 78, 5)));
    assertRefused(
        Kind.INVALID_VALUE,
        14,
        "EKB entry 0: the all entry (0, 0) must be the only entry",
        () -> Ekb.decode(withU64(withU64(ekb(), 14, 0), 22, 0)));
    assertRefused(
        Kind.INVALID_VALUE,
        14,
        "EKB entry 0: node i = 0 is not in a tree of depth 4",
        () -> Ekb.decode(withU64(ekb(), 14, 0)));
  }

  @Test
  void ekbEntriesMustBeSortedAndDistinct() {
    assertRefused(
        Kind.INVALID_VALUE,
        70,
        "EKB entry 1: (1, 2) does not follow (5, 22): entries are not sorted by (i, j)",
        () -> Ekb.decode(swapped(ekb(), 14, 56)));
    byte[] duplicate = ekb();
    System.arraycopy(duplicate, 14, duplicate, 70, 56);
    assertRefused(
        Kind.INVALID_VALUE,
        70,
        "EKB entry 1: (1, 2) does not follow (1, 2): entries are not sorted by (i, j)",
        () -> Ekb.decode(duplicate));
    assertThrows(
        IllegalArgumentException.class,
        () -> {
          Ekb golden = Ekb.decode(ekb());
          new Ekb(4, 7, List.of(golden.entries().get(1), golden.entries().get(0)));
        });
  }

  @Test
  void deviceNodeKeyHeadersAndLengthsAreChecked() {
    assertRefused(
        Kind.MAGIC,
        0,
        "device node keys does not start with 'SDNK'",
        () -> DeviceNodeKeys.decode(withByte(nodeKeys(), 0, 'X')));
    assertRefused(
        Kind.FORMAT_VERSION,
        4,
        "device node keys has format version 0; this secdrive reads 1",
        () -> DeviceNodeKeys.decode(withByte(nodeKeys(), 4, 0)));
    assertRefused(
        Kind.INVALID_VALUE,
        5,
        "device node keys: tree depth 33 is not 1..32",
        () -> DeviceNodeKeys.decode(withByte(nodeKeys(), 5, 33)));
    assertRefused(
        Kind.INVALID_VALUE,
        6,
        "device node keys: leaf ID 16 is not in a tree of depth 4",
        () -> DeviceNodeKeys.decode(withU32(nodeKeys(), 6, 16)));
    assertRefused(
        Kind.TRUNCATED,
        10,
        "device node keys ends inside K_all at byte 10 (30 bytes)",
        () -> DeviceNodeKeys.decode(Arrays.copyOf(nodeKeys(), 30)));
    byte[] nine = nodeKeys();
    nine[43] = 9;
    assertRefused(
        Kind.LENGTH,
        42,
        "device node keys: 9 labels; a leaf of a tree of depth 4 has 10",
        () -> DeviceNodeKeys.decode(nine));
    assertRefused(
        Kind.LENGTH,
        42,
        "device node keys: 10 labels need 480 bytes, 56 follow",
        () -> DeviceNodeKeys.decode(Arrays.copyOf(nodeKeys(), 100)));
    assertRefused(
        Kind.TRAILING_BYTES,
        524,
        "device node keys has 2 bytes after its last field",
        () -> DeviceNodeKeys.decode(Arrays.copyOf(nodeKeys(), 526)));
  }

  @Test
  void deviceNodeKeyLabelsAreChecked() {
    assertRefused(
        Kind.INVALID_VALUE,
        44,
        "device node key 0: node i = 32 is not in a tree of depth 4",
        () -> DeviceNodeKeys.decode(withU64(nodeKeys(), 44, 32)));
    assertRefused(
        Kind.INVALID_VALUE,
        52,
        "device node key 0: node i = 1 is not a proper ancestor of node j = 1",
        () -> DeviceNodeKeys.decode(withU64(nodeKeys(), 52, 1)));
    assertRefused(
        Kind.INVALID_VALUE,
        44,
        "device node key 0: node i = 3 is not an ancestor of leaf node 21",
        () -> DeviceNodeKeys.decode(withU64(withU64(nodeKeys(), 44, 3), 52, 6)));
    assertRefused(
        Kind.INVALID_VALUE,
        52,
        "device node key 0: node j = 2 does not hang off the path of leaf node 21",
        () -> DeviceNodeKeys.decode(withU64(nodeKeys(), 52, 2)));
    assertRefused(
        Kind.INVALID_VALUE,
        92,
        "device node key 1: (1, 3) does not follow (1, 4): labels are not sorted by (i, j)",
        () -> DeviceNodeKeys.decode(swapped(nodeKeys(), 44, 48)));
    byte[] duplicate = nodeKeys();
    System.arraycopy(duplicate, 44, duplicate, 92, 48);
    assertRefused(
        Kind.INVALID_VALUE,
        92,
        "device node key 1: (1, 3) does not follow (1, 3): labels are not sorted by (i, j)",
        () -> DeviceNodeKeys.decode(duplicate));
    assertTrue(nodeKeys().length == 524);
  }
}
