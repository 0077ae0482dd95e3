package dev.secdrive.protocol.keytree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.AuthenticationException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The golden vectors of PROTOCOL.md "Key tree and EKB" (checked against an independent HKDF / HMAC
 * / RFC 5649 implementation), and what a device derives from an EKB.
 */
class KeyTreeTest {

  static final byte[] SECRET = counting(32);

  /** D = 4, version 7, leaves 1, 2 and 6 revoked. */
  static final String GOLDEN_EKB =
      "5344454b010400000007000000040000000000000001000000000000000"
          + "2e7045d73fd88899f81dc6c022471d092ccf8084831a849096ac1fbb2bf554c318eb96524d89575b7"
          + "0000000000000005000000000000001604d2ec0e0b5df50d015b210ef36428aaa37f7d31b5bd88fc"
          + "578d2d4852569e24ce6c3e42f10638ba000000000000000800000000000000119b9966c2ad9cc04d"
          + "d9fa7811922a06ee305a08b59c920ad881aef3960d33f8e22d89e043e7e90e4c000000000000000"
          + "9000000000000001295c66e38523b4c0fb506bec0c2b2035069323861533d966aca08cd403e2b72"
          + "280e5914a1b22293c8";

  static final String GOLDEN_ROOT_KEY_7 =
      "ce5368bf96796c5a5130379911536c54b53d22664b644b369b14bff56d1e850b";

  /** D = 4, version 0, no leaf revoked: the single "all" entry. */
  static final String GOLDEN_EKB_ALL =
      "5344454b0104000000000000000100000000000000000000000000000000"
          + "e6222fbc426f4dca3d9fd2ef627e1710d9eed51b8cb3ca272992928047d7aa2eed69ecb20b3fb35a";

  static byte[] counting(int n) {
    byte[] out = new byte[n];
    for (int k = 0; k < n; k++) {
      out[k] = (byte) k;
    }
    return out;
  }

  private final KeyTree tree = new KeyTree(SECRET, 4);

  @Test
  void theEkbOfAGivenRevocationIsTheGoldenVector() {
    Ekb ekb = tree.ekb(7, List.of(6L, 1L, 2L));
    assertEquals(GOLDEN_EKB, HexFormat.of().formatHex(ekb.encode()));
    assertEquals(GOLDEN_ROOT_KEY_7, HexFormat.of().formatHex(tree.rootKey(7)));
    assertEquals(
        List.of(new long[] {1, 2}, new long[] {5, 22}, new long[] {8, 17}, new long[] {9, 18})
            .stream()
            .map(p -> p[0] + "," + p[1])
            .toList(),
        ekb.entries().stream().map(e -> e.i() + "," + e.j()).toList());
  }

  @Test
  void withNoLeafRevokedTheEkbIsTheAllEntry() throws Exception {
    Ekb ekb = tree.ekb(0, Set.of());
    assertEquals(GOLDEN_EKB_ALL, HexFormat.of().formatHex(ekb.encode()));
    for (long leaf = 0; leaf < 16; leaf++) {
      assertArrayEquals(tree.rootKey(0), tree.deviceKeys(leaf).rootKey(ekb).orElseThrow());
    }
  }

  @Test
  void aLeafHoldsDTimesDPlusOneHalvesLabelsAndKAll() {
    DeviceNodeKeys keys = tree.deviceKeys(5);
    assertEquals(10, keys.labels().size());
    assertEquals(11, keys.labels().size() + 1);
    assertEquals(4 + 1 + 1 + 4 + 32 + 2 + 10 * 48, keys.encode().length);
    assertEquals(32 * 33 / 2, new KeyTree(SECRET, 32).deviceKeys(0xFFFF_FFFFL).labels().size());
  }

  @Test
  void exactlyTheLeavesNotRevokedDeriveTheRootKey() throws Exception {
    Ekb ekb = tree.ekb(7, List.of(1L, 2L, 6L));
    List<Long> derived = new ArrayList<>();
    for (long leaf = 0; leaf < 16; leaf++) {
      Optional<byte[]> key = tree.deviceKeys(leaf).rootKey(ekb);
      if (key.isPresent()) {
        assertArrayEquals(tree.rootKey(7), key.get());
        derived.add(leaf);
      }
    }
    assertEquals(List.of(0L, 3L, 4L, 5L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L), derived);
  }

  @Test
  void aRevokedLeafGetsEmptyEvenFromADecodedEkb() throws Exception {
    Ekb ekb = Ekb.decode(HexFormat.of().parseHex(GOLDEN_EKB));
    assertEquals(Optional.empty(), tree.deviceKeys(6).rootKey(ekb));
    assertEquals(Optional.empty(), DeviceNodeKeys.decode(tree.deviceKeys(1).encode()).rootKey(ekb));
  }

  @Test
  void whenEveryLeafIsRevokedTheEkbHasNoEntryAndCoversNobody() throws Exception {
    List<Long> all = new ArrayList<>();
    for (long leaf = 0; leaf < 16; leaf++) {
      all.add(leaf);
    }
    Ekb ekb = tree.ekb(9, all);
    assertEquals(List.of(), ekb.entries());
    assertEquals(14, ekb.encode().length);
    for (long leaf = 0; leaf < 16; leaf++) {
      assertEquals(Optional.empty(), tree.deviceKeys(leaf).rootKey(ekb));
    }
  }

  @Test
  void aTamperedWrappedKeyOnTheCoveringEntryIsRefused() throws Exception {
    byte[] bytes = HexFormat.of().parseHex(GOLDEN_EKB);
    // Entry 1 (5, 22) starts at 14 + 56; leaf 4 (node 20) is in it.
    bytes[14 + 56 + 16 + 3] ^= 1;
    Ekb ekb = Ekb.decode(bytes);
    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> tree.deviceKeys(4).rootKey(ekb));
    assertEquals("wrapped key does not unwrap", e.getMessage());
    // A leaf covered by another entry does not look at it.
    assertArrayEquals(tree.rootKey(7), tree.deviceKeys(0).rootKey(ekb).orElseThrow());
  }

  @Test
  void anEkbOfAnotherTreeDoesNotUnwrap() {
    Ekb ekb = new KeyTree(counting(32), 4).ekb(7, List.of(1L));
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThrows(
        AuthenticationException.class, () -> new KeyTree(other, 4).deviceKeys(5).rootKey(ekb));
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class, () -> new KeyTree(SECRET, 5).deviceKeys(5).rootKey(ekb));
    assertEquals("EKB of a tree of depth 4, keys of a tree of depth 5", e.getMessage());
  }

  @Test
  void rootKeysOfVersionsDiffer() {
    assertTrue(!java.util.Arrays.equals(tree.rootKey(7), tree.rootKey(8)));
    // The version is unsigned: -1 is FFFFFFFFh.
    assertEquals(0xFFFF_FFFFL, tree.ekb(-1, List.of()).unsignedVersion());
  }

  @Test
  void badArgumentsAreRefused() {
    assertEquals(
        "tree secret must be 32 bytes, got 31",
        assertThrows(IllegalArgumentException.class, () -> new KeyTree(new byte[31], 4))
            .getMessage());
    assertEquals(
        "tree depth must be 1..32, got 33",
        assertThrows(IllegalArgumentException.class, () -> new KeyTree(SECRET, 33)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KeyTree(SECRET, 0));
    assertEquals(
        "leaf ID 16 is not in a tree of depth 4 (0..15)",
        assertThrows(IllegalArgumentException.class, () -> tree.deviceKeys(16)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> tree.deviceKeys(-1));
    assertThrows(IllegalArgumentException.class, () -> tree.ekb(1, List.of(16L)));
  }
}
