package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AesGcmTest {

  private static final HexFormat HEX = HexFormat.of();

  /** The GCM specification's test case 14: AES-256, zero key, zero nonce, one zero block. */
  @Test
  void matchesGcmSpecificationTestCase14() throws Exception {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] sealed = AesGcm.seal(key, nonce, new byte[0], new byte[16]);
    assertEquals(
        "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919",
        HEX.formatHex(sealed));
    assertArrayEquals(new byte[16], AesGcm.open(key, nonce, new byte[0], sealed));
  }

  @Test
  void theTagCoversKeyNonceAadAndCiphertext() throws Exception {
    byte[] key = Bytes.random(32);
    byte[] nonce = Bytes.random(AesGcm.NONCE_LENGTH);
    byte[] aad = "aad".getBytes();
    byte[] sealed = AesGcm.seal(key, nonce, aad, "plaintext".getBytes());
    assertEquals(9 + AesGcm.TAG_LENGTH, sealed.length);

    assertThrows(
        AuthenticationException.class, () -> AesGcm.open(Bytes.random(32), nonce, aad, sealed));
    assertThrows(
        AuthenticationException.class,
        () -> AesGcm.open(key, Bytes.random(AesGcm.NONCE_LENGTH), aad, sealed));
    assertThrows(
        AuthenticationException.class, () -> AesGcm.open(key, nonce, "AAD".getBytes(), sealed));
    assertThrows(AuthenticationException.class, () -> AesGcm.open(key, nonce, aad, new byte[15]));
    sealed[0] ^= 1;
    assertThrows(AuthenticationException.class, () -> AesGcm.open(key, nonce, aad, sealed));
  }

  @Test
  void sealWithNonceCarriesAFreshNonceInFront() throws Exception {
    byte[] key = Bytes.random(32);
    byte[] aad = "aad".getBytes();
    byte[] a = AesGcm.sealWithNonce(key, aad, "same".getBytes());
    byte[] b = AesGcm.sealWithNonce(key, aad, "same".getBytes());
    assertEquals(4 + AesGcm.NONCE_AND_TAG_LENGTH, a.length);
    assertArrayEquals("same".getBytes(), AesGcm.openWithNonce(key, aad, a));
    assertArrayEquals("same".getBytes(), AesGcm.openWithNonce(key, aad, b));
    assertThrows(
        AuthenticationException.class,
        () -> AesGcm.openWithNonce(key, aad, new byte[AesGcm.NONCE_AND_TAG_LENGTH - 1]));
    assertEquals(false, java.util.Arrays.equals(a, b), "two sealings never share a nonce");
  }
}
