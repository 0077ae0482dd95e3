package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.protocol.security.TitleHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class TitlesTest {

  private final byte[] key = new byte[32];
  private final byte[] nonce = HexFormat.of().parseHex("0102030405060708");
  private final byte[] content = new byte[70_000];

  TitlesTest() {
    Random random = new Random(42);
    random.nextBytes(key);
    random.nextBytes(content);
  }

  /** One AES-256-CTR pass over everything, counter block nonce ‖ u64 0, built here by hand. */
  private byte[] oneShot() throws Exception {
    Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
    byte[] iv = Arrays.copyOf(nonce, 16);
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    return cipher.doFinal(content);
  }

  @Test
  void piecesAtOddSizesEqualOneEncryption() throws Exception {
    byte[] expected = oneShot();
    for (int piece : new int[] {1, 7, 16, 17, 1000, 4095, 65_537}) {
      Cipher cipher = Titles.cipher(key, nonce, 0);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int at = 0; at < content.length; at += piece) {
        int n = Math.min(piece, content.length - at);
        out.write(cipher.update(content, at, n));
      }
      assertArrayEquals(expected, out.toByteArray(), "pieces of " + piece);
    }
  }

  @Test
  void startingAtAnOffsetContinuesTheStream() throws Exception {
    byte[] expected = oneShot();
    for (int offset : new int[] {16, 2048, 65_536 - 16}) {
      byte[] tail =
          Titles.cipher(key, nonce, offset)
              .doFinal(Arrays.copyOfRange(content, offset, content.length));
      assertArrayEquals(
          Arrays.copyOfRange(expected, offset, expected.length), tail, "offset " + offset);
    }
  }

  @Test
  void headerCheckIsTheTruncatedHmacUnderTheTitleCheckKey() throws Exception {
    TitleHeader header = Titles.header(key, "MOVIE-1", nonce, content.length);
    // KDF(Kc, "title-check", "") by hand: HKDF-SHA256, empty salt, info 01h ‖ label ‖ 00h
    byte[] info = ("\u0001title-check\u0000").getBytes(StandardCharsets.US_ASCII);
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(key, new byte[0], info));
    byte[] checkKey = new byte[32];
    hkdf.generateBytes(checkKey, 0, 32);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(checkKey, "HmacSHA256"));
    byte[] expected = Arrays.copyOf(mac.doFinal(header.checkedBytes()), 16);
    assertArrayEquals(expected, header.check());
    assertEquals("MOVIE-1", header.contentId());
    assertEquals(content.length, header.plaintextLength());
    // a different content key gives a different check: the drive can tell the wrong key
    byte[] other = key.clone();
    other[0] ^= 1;
    assertEquals(
        false,
        Arrays.equals(expected, Titles.header(other, "MOVIE-1", nonce, content.length).check()));
  }
}
