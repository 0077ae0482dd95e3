package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {

  private static final HexFormat HEX = HexFormat.of();

  /** RFC 8032 7.1, TEST 1: the empty message. */
  @Test
  void matchesRfc8032Test1() {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] publicKey = Ed25519.publicKey(seed);
    assertEquals(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        HEX.formatHex(publicKey));
    byte[] signature = Ed25519.sign(seed, new byte[0]);
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(signature));
    assertTrue(Ed25519.verify(publicKey, new byte[0], signature));
  }

  /** A signer derives its public key once and signs as the one-shot call does, from any thread. */
  @Test
  void aSignerMatchesRfc8032Test1AndIsSafeForConcurrentUse() throws Exception {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    Ed25519.Signer signer = Ed25519.signer(seed);
    assertEquals(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        HEX.formatHex(signer.publicKey()));
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(signer.sign(new byte[0])));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
      for (int i = 0; i < 64; i++) {
        byte[] message = ("message " + i).getBytes();
        results.add(
            pool.submit(
                () -> java.util.Arrays.equals(signer.sign(message), Ed25519.sign(seed, message))));
      }
      for (var r : results) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThrows(IllegalArgumentException.class, () -> Ed25519.signer(new byte[31]));
  }

  @Test
  void aSignatureVerifiesOnlyItsMessageUnderItsKey() {
    RawKeyPair s = Ed25519.generate();
    assertArrayEquals(s.publicKey(), Ed25519.publicKey(s.privateKey()));
    byte[] signature = Ed25519.sign(s.privateKey(), "data".getBytes());
    assertTrue(Ed25519.verify(s.publicKey(), "data".getBytes(), signature));
    assertFalse(Ed25519.verify(s.publicKey(), "Data".getBytes(), signature));
    assertFalse(Ed25519.verify(Ed25519.generate().publicKey(), "data".getBytes(), signature));
  }

  @Test
  void malformedKeysAndSignaturesVerifyNothing() {
    RawKeyPair s = Ed25519.generate();
    byte[] signature = Ed25519.sign(s.privateKey(), "data".getBytes());
    assertFalse(Ed25519.verify(new byte[31], "data".getBytes(), signature));
    assertFalse(Ed25519.verify(s.publicKey(), "data".getBytes(), new byte[63]));
    assertFalse(Ed25519.verify(s.publicKey(), "data".getBytes(), new byte[64]));
    assertThrows(IllegalArgumentException.class, () -> Ed25519.sign(new byte[31], new byte[0]));
  }

  /** The signer is Bouncy Castle's: its signatures are the JDK provider's, and verify there. */
  @Test
  void signaturesAreTheJdkProvidersAndVerifyBothWays() throws Exception {
    RawKeyPair s = Ed25519.generate();
    byte[] message = "a license of 200 bytes or so".getBytes();
    java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
    jdk.initSign(RawKeys.ED25519.privateKey(s.privateKey()));
    jdk.update(message);
    byte[] jdkSignature = jdk.sign();
    assertArrayEquals(jdkSignature, Ed25519.sign(s.privateKey(), message));
    assertTrue(Ed25519.verify(s.publicKey(), message, jdkSignature));
    byte[] flipped = jdkSignature.clone();
    flipped[63] ^= 0x10; // S no longer below the group order, or another S
    assertFalse(Ed25519.verify(s.publicKey(), message, flipped));
  }
}
