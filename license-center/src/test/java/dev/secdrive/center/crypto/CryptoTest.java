package dev.secdrive.center.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.CopyRequests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CryptoTest {

  /** RFC 5869 with HMAC-SHA256 from the JDK, independent of Bouncy Castle. */
  static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    ByteArrayOutputStream okm = new ByteArrayOutputStream();
    byte[] t = new byte[0];
    for (int i = 1; okm.size() < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      okm.writeBytes(t);
    }
    return java.util.Arrays.copyOf(okm.toByteArray(), length);
  }

  /** info = 01h ‖ label ‖ 00h ‖ context (PROTOCOL.md "Keys"), spelled out by hand. */
  static byte[] info(String label, String context) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    out.writeBytes(context.getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  @Test
  void independentHkdfMatchesRfc5869TestCase1() throws Exception {
    HexFormat hex = HexFormat.of();
    byte[] okm =
        hkdf(
            hex.parseHex("000102030405060708090a0b0c"),
            hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            hex.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertArrayEquals(
        hex.parseHex(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        okm);
  }

  @Test
  void kdfIsHkdfSha256WithEmptySaltAndVersionedInfo() throws Exception {
    byte[] ikm = Bytes.random(32);
    assertArrayEquals(
        hkdf(new byte[0], ikm, info("master-conversion", "TITLE-1"), 32),
        Crypto.kdf(ikm, "master-conversion", "TITLE-1".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void sealedKeyOpensWithTheRecipientsKeyOnly() throws Exception {
    RawKeyPair recipient = X25519.generate();
    RawKeyPair other = X25519.generate();
    byte[] key = Bytes.random(32);
    byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
    Crypto.Sealed sealed = Crypto.seal(recipient.publicKey(), "copy", aad, key);

    assertArrayEquals(
        key,
        Crypto.open(
            recipient.privateKey(), sealed.ephemeralPublicKey(), "copy", aad, sealed.ciphertext()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                other.privateKey(), sealed.ephemeralPublicKey(), "copy", aad, sealed.ciphertext()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                recipient.privateKey(),
                sealed.ephemeralPublicKey(),
                "conversion",
                aad,
                sealed.ciphertext()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                recipient.privateKey(),
                sealed.ephemeralPublicKey(),
                "copy",
                "other".getBytes(StandardCharsets.US_ASCII),
                sealed.ciphertext()));
  }

  @Test
  void sealingToAKeyOfSmallOrderIsRefused() {
    assertThrows(
        AuthenticationException.class,
        () -> Crypto.seal(new byte[32], "copy", new byte[0], new byte[32]));
  }

  /** The example of license-center/API.md "Signed copy requests", byte for byte. */
  @Test
  void theApiExampleOfASignedCopyRequest() {
    HexFormat hex = HexFormat.of();
    byte[] seed = new byte[32];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) i;
    }
    byte[] publicKey = Ed25519.publicKey(seed);
    assertEquals(
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
        hex.formatHex(publicKey));
    // the site's certificate: "Central Site", the Ed25519 key of the seed 20..3f, signature 80..bf
    byte[] site =
        hex.parseHex(
            "5344435401030c43656e7472616c205369746500000000000000000000000000"
                + "0000000000000000000000000000000000000029acbae141bccaf0b22e1a94d3"
                + "4d0bc7361e526d0bfe12c89794bc9322966dd7808182838485868788898a8b8c"
                + "8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabac"
                + "adaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    // the target drive's certificate: "DRIVE-1", X25519 key 40..5f, Ed25519 key 60..7f,
    // signature c0..ff
    byte[] drive =
        hex.parseHex(
            "5344435401010744524956452d31"
                + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                + "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    byte[] signed = CopyRequests.certificate(site, "alice", "SW-0001", "MO-4711", drive);
    assertEquals(
        "73656364726976652d636f70792d726571756573742d7633"
            + "00"
            + "01"
            + "0093"
            + hex.formatHex(site)
            + "05616c696365"
            + "0753572d30303031"
            + "074d4f2d34373131"
            + "008e"
            + hex.formatHex(drive),
        hex.formatHex(signed));
    byte[] signature = Ed25519.sign(seed, signed);
    assertEquals(
        "24f7802a3b5af8388fa6bbf9b7ac50264ea418cb74fb5015ae6ba2db72e90226"
            + "648765c10ae999709330707db6ca6164e8d03217adb985a50c987296baade406",
        hex.formatHex(signature));
    assertTrue(Ed25519.verify(publicKey, signed, signature));
  }
}
