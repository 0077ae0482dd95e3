package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.security.KeyLabels;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CryptoTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    byte[] okm =
        Crypto.hkdf(
            HEX.parseHex("000102030405060708090a0b0c"),
            HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertEquals(
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        HEX.formatHex(okm));
  }

  @Test
  void kdfIsHkdfWithEmptySaltAndTheVersionedLabel() {
    byte[] ikm = HEX.parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    byte[] expected =
        Crypto.hkdf(new byte[0], ikm, KeyLabels.info("medium", "MO-1".getBytes()), 32);
    assertArrayEquals(expected, Crypto.kdf(ikm, "medium", "MO-1".getBytes()));
    assertFalse(
        java.util.Arrays.equals(expected, Crypto.kdf(ikm, "secure-area", "MO-1".getBytes())),
        "labels separate keys");
    assertEquals("016d656469756d004d4f2d31", HEX.formatHex(KeyLabels.info("medium", "MO-1")));
  }

  @Test
  void keyWrapX25519AndEd25519RoundTrip() throws Exception {
    byte[] kek = Crypto.random(32);
    byte[] key = Crypto.random(32);
    byte[] wrapped = Crypto.wrap(kek, key);
    assertEquals(40, wrapped.length);
    assertArrayEquals(key, Crypto.unwrap(kek, wrapped));
    wrapped[3] ^= 1;
    byte[] damaged = wrapped;
    assertThrows(Crypto.AuthenticationException.class, () -> Crypto.unwrap(kek, damaged));

    Crypto.RawKeyPair a = Crypto.x25519KeyPair();
    Crypto.RawKeyPair b = Crypto.x25519KeyPair();
    assertArrayEquals(a.publicKey(), Crypto.x25519Public(a.privateKey()));
    assertArrayEquals(
        Crypto.x25519(a.privateKey(), b.publicKey()), Crypto.x25519(b.privateKey(), a.publicKey()));
    assertThrows(
        Crypto.AuthenticationException.class, () -> Crypto.x25519(a.privateKey(), new byte[32]));

    Crypto.RawKeyPair s = Crypto.ed25519KeyPair();
    assertArrayEquals(s.publicKey(), Crypto.ed25519Public(s.privateKey()));
    byte[] signature = Crypto.sign(s.privateKey(), "data".getBytes());
    assertTrue(Crypto.verify(s.publicKey(), "data".getBytes(), signature));
    assertFalse(Crypto.verify(s.publicKey(), "Data".getBytes(), signature));
  }
}
