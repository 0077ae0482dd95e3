package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X25519Test {

  private static final HexFormat HEX = HexFormat.of();

  /** RFC 7748 6.1: Alice and Bob. */
  @Test
  void matchesRfc7748Section6_1() throws Exception {
    byte[] alice = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bob = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    byte[] alicePublic = X25519.publicKey(alice);
    byte[] bobPublic = X25519.publicKey(bob);
    assertEquals(
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        HEX.formatHex(alicePublic));
    assertEquals(
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        HEX.formatHex(bobPublic));
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(shared, HEX.formatHex(X25519.agree(alice, bobPublic)));
    assertEquals(shared, HEX.formatHex(X25519.agree(bob, alicePublic)));
  }

  @Test
  void generatedPairsAgree() throws Exception {
    RawKeyPair a = X25519.generate();
    RawKeyPair b = X25519.generate();
    assertArrayEquals(a.publicKey(), X25519.publicKey(a.privateKey()));
    assertArrayEquals(
        X25519.agree(a.privateKey(), b.publicKey()), X25519.agree(b.privateKey(), a.publicKey()));
  }

  @Test
  void refusesSmallOrderAndMisSizedPublicKeys() {
    RawKeyPair a = X25519.generate();
    assertThrows(AuthenticationException.class, () -> X25519.agree(a.privateKey(), new byte[32]));
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(AuthenticationException.class, () -> X25519.agree(a.privateKey(), one));
    assertThrows(AuthenticationException.class, () -> X25519.agree(a.privateKey(), new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> X25519.agree(new byte[31], a.publicKey()));
    assertThrows(IllegalArgumentException.class, () -> new RawKeyPair(new byte[32], new byte[33]));
  }
}
