package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.AesCtr;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.TitleHeader;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterAuthoringTest {

  private static final int BLOCK = 2048;

  @TempDir Path dir;

  private static byte[] content(int length, int seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static MasterAuthoring.Title title(String id, int scheme, byte[] key, byte[] content) {
    return new MasterAuthoring.Title(
        id, "Name of " + id, scheme, key, content.length, new ByteArrayInputStream(content));
  }

  @Test
  void theCatalogCarriesTheKeyedDigestOfEachPlaintext() throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0x40 + i);
    }
    byte[] plain = new byte[5000];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) (i % 251);
    }
    MasterCatalog catalog =
        MasterAuthoring.author(
            List.of(title("kat-1", 1, key, plain)), BLOCK, dir.resolve("kat.img"), Progress.NONE);
    // HMAC-SHA256(HKDF-SHA256(key, info 01 "title-digest" 00), plaintext), computed independently
    // (Python hmac/hashlib); the plaintext's bare SHA-256, 69dbee89..., is not what the catalog
    // shows
    assertEquals(
        "fab85c9fe59fc45cbcb45306aa5b241519b28ba848a0d5927de2f5d454033ef1",
        java.util.HexFormat.of().formatHex(catalog.find("kat-1").orElseThrow().digest()));
  }

  @Test
  void catalogAtLbaZeroThenEachTitleEncryptedBlockAlignedUnderItsKey() throws Exception {
    byte[] kd = Bytes.random(32);
    byte[] ka = Bytes.random(32);
    byte[] first = content(5 * BLOCK + 17, 1); // not a whole number of blocks
    byte[] second = content(3 * BLOCK, 2);
    Path image = dir.resolve("master.img");

    MasterCatalog catalog =
        MasterAuthoring.author(
            List.of(title("game-1", 1, kd, first), title("film-2", 2, ka, second)),
            BLOCK,
            image,
            Progress.NONE);

    byte[] bytes = Files.readAllBytes(image);
    assertEquals(catalog, MasterCatalog.decode(bytes), "the catalog is at LBA 0");
    MasterCatalog.Entry a = catalog.find("game-1").orElseThrow();
    MasterCatalog.Entry b = catalog.find("film-2").orElseThrow();
    assertEquals(1, a.firstLba(), "the catalog takes one block, the first title starts after it");
    assertEquals(1 + 6, b.firstLba(), "the second title starts on the block after the first's");
    assertEquals((1 + 6 + 3) * BLOCK, bytes.length, "the image is whole blocks");
    assertEquals(1, a.scheme());
    assertEquals(2, b.scheme());
    assertFalse(Arrays.equals(a.nonce(), b.nonce()), "each title has its own nonce");

    assertArrayEquals(first, decrypt(bytes, a, kd));
    assertArrayEquals(second, decrypt(bytes, b, ka));
    byte[] ciphertext =
        Arrays.copyOfRange(bytes, (int) a.firstLba() * BLOCK, (int) a.firstLba() * BLOCK + 64);
    assertFalse(Arrays.equals(Arrays.copyOf(first, 64), ciphertext), "the data is encrypted");

    // The padding of the last block was zero before encryption (PROTOCOL.md "Titles").
    byte[] padded = decryptBlocks(bytes, a, kd);
    for (int i = first.length; i < padded.length; i++) {
      assertEquals(0, padded[i], "padding byte " + i);
    }
  }

  private static byte[] decrypt(byte[] image, MasterCatalog.Entry e, byte[] key) {
    return Arrays.copyOf(decryptBlocks(image, e, key), (int) e.plaintextLength());
  }

  private static byte[] decryptBlocks(byte[] image, MasterCatalog.Entry e, byte[] key) {
    int from = (int) e.firstLba() * BLOCK;
    int to = from + (int) e.dataBlocks(BLOCK) * BLOCK;
    Cipher cipher = AesCtr.cipher(key, TitleHeader.counterBlock(e.nonce(), 0));
    return cipher.update(Arrays.copyOfRange(image, from, to));
  }

  @Test
  void badTitlesAreRefusedWithTheirProblem() {
    byte[] key = Bytes.random(32);
    Path image = dir.resolve("bad.img");
    assertEquals(
        "master catalog: title a listed twice",
        assertThrows(
                FlowException.class,
                () ->
                    MasterAuthoring.author(
                        List.of(title("a", 1, key, new byte[10]), title("a", 2, key, new byte[10])),
                        BLOCK,
                        image,
                        Progress.NONE))
            .getMessage());
    assertTrue(
        assertThrows(
                FlowException.class,
                () ->
                    MasterAuthoring.author(
                        List.of(title("x", 3, key, new byte[10])), BLOCK, image, Progress.NONE))
            .getMessage()
            .contains("scheme must be 1 or 2"));
    assertEquals(
        "the content of title short ended after 10 of 20 bytes",
        assertThrows(
                FlowException.class,
                () ->
                    MasterAuthoring.author(
                        List.of(
                            new MasterAuthoring.Title(
                                "short",
                                "Short",
                                1,
                                key,
                                20,
                                new ByteArrayInputStream(new byte[10]))),
                        BLOCK,
                        image,
                        Progress.NONE))
            .getMessage());
    assertEquals(
        "the key of title k has 16 bytes, not 32",
        assertThrows(FlowException.class, () -> title("k", 1, new byte[16], new byte[1]))
            .getMessage());
    assertFalse(Files.exists(image), "a refused master leaves no image");
  }
}
