package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The licensor side against values an independent implementation computed from PROTOCOL.md (Python
 * 3: HKDF-SHA256 written out with {@code hashlib} / {@code hmac}, X25519, AES-256-GCM and
 * AES-256-CTR from {@code cryptography} 48). The drive's tests ({@code
 * emulator/.../secure/KnownAnswers.java}) pin the same inputs to the same outputs, so what this
 * host seals the drive opens, and the title check the host writes is the one the drive computes.
 *
 * <p>Inputs are byte ramps: the drive's X25519 key 60..7F, the licensor's ephemeral key 11..30,
 * challenge C0..DF, content key A0..BF, system secret 00..1F.
 */
class KnownAnswerTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final String MEDIUM_ID = "MO-KAT-1";
  private static final String CONTENT_ID = "kat-title";
  private static final byte[] DRIVE_X25519 = ramp(0x60);
  private static final byte[] EPHEMERAL = ramp(0x11);
  private static final byte[] CHALLENGE = ramp(0xC0);
  private static final byte[] CONTENT_KEY = ramp(0xA0);

  /** X25519(60..7F, base point). */
  private static final String DRIVE_PUBLIC =
      "675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f";

  /** X25519(11..30, base point). */
  private static final String EPHEMERAL_PUBLIC =
      "4d27bcee3135c4944b28d27dd809b07be10c35160d20131caa7e85575498d07c";

  /** KDF(X25519(11..30, drive public), "provision", ephemeral public ‖ drive public). */
  private static final String PROVISION_KEY =
      "e44e9ac98c920f92c18561a5da074b83a83d9e8831e8325a913bd7e7f0588762";

  /** AES-256-GCM(provision key, zero nonce, challenge ‖ str8 medium ‖ str8 content, Kc). */
  private static final String SEALED_CONTENT_KEY =
      "7312cbf95ff2df577cbe3f1b5eb754c265e2094b0c1498e240eea879cb3bacda"
          + "07c6607a8cfb08b06fd17e4092aa1efc";

  /** KDF(Kc, "title-check", ""). */
  private static final String TITLE_CHECK_KEY =
      "7a6d2692f001c168232a37ef345f9d42126000265503df54abe03b683e235428";

  /** Title header of "kat-title", nonce 01..08, 5000 bytes, check included, before padding. */
  private static final String TITLE_HEADER =
      "5344544901096b61742d7469746c650102030405060708000000000000138"
          + "85f147292c2ba91f5ad70526d1feb3945";

  /** AES-256-CTR(Kc, nonce ‖ u64 0) over bytes i % 251, the first 32 bytes. */
  private static final String TITLE_CIPHERTEXT_START =
      "03eb5277f2bf769622389ae4c549d8a5d9ee7ff43daf6c1aed0debbe968faf8d";

  /** KDF(00..1F, "medium", "MO-KAT-1"): the same derivation the drive's KnownAnswers pins. */
  private static final String KM =
      "badd8c5f9c40fae1411d4272b7ba5410b4b846ab5cb79f646756fbd61868f8c8";

  @Test
  void kdfMatchesTheIndependentVectors() throws Exception {
    byte[] drivePublic = HEX.parseHex(DRIVE_PUBLIC);
    byte[] shared = X25519.agree(EPHEMERAL, drivePublic);
    assertEquals(
        PROVISION_KEY,
        HEX.formatHex(
            Crypto.kdf(
                shared,
                KeyLabels.PROVISION,
                Bytes.concat(HEX.parseHex(EPHEMERAL_PUBLIC), drivePublic))));
    assertEquals(
        TITLE_CHECK_KEY,
        HEX.formatHex(Crypto.kdf(CONTENT_KEY, KeyLabels.TITLE_CHECK, new byte[0])));
    assertEquals(
        KM,
        HEX.formatHex(
            Crypto.kdf(
                ramp(0x00), KeyLabels.MEDIUM, MEDIUM_ID.getBytes(StandardCharsets.US_ASCII))));
  }

  /** With the ephemeral key fixed, the PROVISION list's sealed content key is fully determined. */
  @Test
  void provisionSealsTheContentKeyExactlyAsSpecified() throws Exception {
    TestKeys keys = new TestKeys();
    LicensorCredential credential = keys.licensor("kat licensor");
    Certificate drive =
        keys.certify(
            Certificate.unsigned(
                Certificate.Role.DRIVE,
                "SDDKAT",
                HEX.parseHex(DRIVE_PUBLIC),
                Ed25519.generate().publicKey()));
    ProvisionRequest request =
        Licensor.request(
            credential,
            drive,
            CHALLENGE,
            MEDIUM_ID,
            CONTENT_ID,
            3,
            CONTENT_KEY,
            new RawKeyPair(EPHEMERAL, HEX.parseHex(EPHEMERAL_PUBLIC)));
    assertEquals(EPHEMERAL_PUBLIC, HEX.formatHex(request.ephemeralPublicKey()));
    assertEquals(SEALED_CONTENT_KEY, HEX.formatHex(request.sealedContentKey()));
    assertArrayEquals(CHALLENGE, request.challenge());
  }

  @Test
  void titleHeaderAndDataMatchTheIndependentVectors() throws Exception {
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    TitleHeader header = Titles.header(CONTENT_KEY, CONTENT_ID, nonce, 5000);
    byte[] block = header.encode(2048);
    byte[] expected = HEX.parseHex(TITLE_HEADER);
    assertEquals(TITLE_HEADER, HEX.formatHex(Arrays.copyOf(block, expected.length)));
    assertArrayEquals(
        new byte[2048 - expected.length], Arrays.copyOfRange(block, expected.length, 2048));

    byte[] plain = new byte[4096];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) (i % 251);
    }
    byte[] cipher = Titles.cipher(CONTENT_KEY, nonce, 0).doFinal(plain);
    assertEquals(TITLE_CIPHERTEXT_START, HEX.formatHex(Arrays.copyOf(cipher, 32)));
    // From the middle on, the counter block is nonce ‖ u64 (offset / 16).
    byte[] tail =
        Titles.cipher(CONTENT_KEY, nonce, 2048).doFinal(Arrays.copyOfRange(plain, 2048, 4096));
    assertArrayEquals(Arrays.copyOfRange(cipher, 2048, 4096), tail);
  }

  private static byte[] ramp(int first) {
    byte[] out = new byte[32];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }
}
