package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Sealing;
import dev.secdrive.protocol.security.TitleHeader;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class CryptoTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void kdfIsHkdfWithEmptySaltAndTheVersionedLabel() {
    byte[] ikm = HEX.parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    byte[] expected =
        Hkdf.sha256(new byte[0], ikm, KeyLabels.info("medium", "MO-1".getBytes()), 32);
    assertArrayEquals(expected, Crypto.kdf(ikm, "medium", "MO-1".getBytes()));
    assertFalse(
        java.util.Arrays.equals(expected, Crypto.kdf(ikm, "secure-area", "MO-1".getBytes())),
        "labels separate keys");
    assertEquals("016d656469756d004d4f2d31", HEX.formatHex(KeyLabels.info("medium", "MO-1")));
  }

  // ------------------------------------------------------------------ known answers (KnownAnswers)

  @Test
  void keyDerivationsMatchTheIndependentVectors() throws Exception {
    byte[] km = Blobs.mediumKey(KnownAnswers.SYSTEM_SECRET, KnownAnswers.MEDIUM_ID);
    assertEquals(HEX.formatHex(KnownAnswers.KM), HEX.formatHex(km), "Km");
    assertEquals(
        HEX.formatHex(KnownAnswers.SECURE_AREA_KEY),
        HEX.formatHex(Crypto.kdf(km, KeyLabels.SECURE_AREA, new byte[0])),
        "secure-area key");
    assertEquals(
        HEX.formatHex(KnownAnswers.CONTENT_KEY_WRAP_KEY),
        HEX.formatHex(Crypto.kdf(km, KeyLabels.CONTENT_KEY, new byte[0])),
        "content-key wrap key");
    assertEquals(
        HEX.formatHex(KnownAnswers.BACKUP_MEDIUM_KEY),
        HEX.formatHex(Blobs.mediumLayerKey(km)),
        "backup medium layer key");
    assertEquals(
        HEX.formatHex(KnownAnswers.BACKUP_DEVICE_KEY),
        HEX.formatHex(Blobs.deviceLayerKey(KnownAnswers.DEVICE_SECRET, KnownAnswers.MEDIUM_ID)),
        "backup device layer key");

    assertArrayEquals(
        KnownAnswers.DRIVE_X25519_PUBLIC, X25519.publicKey(KnownAnswers.DRIVE_X25519));
    assertArrayEquals(
        KnownAnswers.BACKUP_EPHEMERAL_PUBLIC, X25519.publicKey(KnownAnswers.BACKUP_EPHEMERAL));
    byte[] shared = X25519.agree(KnownAnswers.BACKUP_EPHEMERAL, KnownAnswers.DRIVE_X25519_PUBLIC);
    assertArrayEquals(KnownAnswers.BACKUP_SHARED, shared, "X25519 shared secret");
    assertArrayEquals(
        shared,
        X25519.agree(KnownAnswers.DRIVE_X25519, KnownAnswers.BACKUP_EPHEMERAL_PUBLIC),
        "both sides agree");
    // The sealed layer's key is protocol's one seal key, as the sender and as the drive derive it.
    assertEquals(
        HEX.formatHex(KnownAnswers.BACKUP_SEAL_KEY),
        HEX.formatHex(
            Sealing.sealKey(
                new RawKeyPair(KnownAnswers.BACKUP_EPHEMERAL, KnownAnswers.BACKUP_EPHEMERAL_PUBLIC),
                KnownAnswers.DRIVE_X25519_PUBLIC,
                KeyLabels.BACKUP_SEAL)),
        "backup sealed layer key");
    assertEquals(
        HEX.formatHex(KnownAnswers.BACKUP_SEAL_KEY),
        HEX.formatHex(
            Sealing.openKey(
                KnownAnswers.DRIVE_X25519,
                KnownAnswers.BACKUP_EPHEMERAL_PUBLIC,
                KeyLabels.BACKUP_SEAL)),
        "backup sealed layer key, opened");
  }

  @Test
  void contentKeyWrapMatchesRfc5649AsComputedIndependently() throws Exception {
    byte[] wrapped = AesKeyWrap.wrap(KnownAnswers.CONTENT_KEY_WRAP_KEY, KnownAnswers.CONTENT_KEY);
    assertEquals(HEX.formatHex(KnownAnswers.WRAPPED_CONTENT_KEY), HEX.formatHex(wrapped));
    assertArrayEquals(
        KnownAnswers.CONTENT_KEY,
        AesKeyWrap.unwrap(KnownAnswers.CONTENT_KEY_WRAP_KEY, KnownAnswers.WRAPPED_CONTENT_KEY));
    // The license state that carries it, field by field as PROTOCOL.md lays it out.
    LicenseState state =
        new LicenseState(7, List.of(new LicenseState.License(KnownAnswers.CONTENT_ID, wrapped, 3)));
    assertEquals(HEX.formatHex(KnownAnswers.LICENSE_STATE), HEX.formatHex(state.encode()));
    // the same state as a drive wrote it in format 1 reads the same and is written in format 2
    assertEquals(
        HEX.formatHex(KnownAnswers.LICENSE_STATE),
        HEX.formatHex(LicenseState.decode(KnownAnswers.LICENSE_STATE_FORMAT_1).encode()));
  }

  /**
   * The drive opens PROVISION's sealed content key with the same derivation the licensor used:
   * X25519 with the drive's key, KDF "provision" over both public keys, AES-GCM with the AAD of
   * PROTOCOL.md. The host driver's LicensorTest seals to exactly {@link
   * KnownAnswers#SEALED_CONTENT_KEY}.
   */
  @Test
  void provisionSealAndTitleCheckMatchTheIndependentVectors() throws Exception {
    assertArrayEquals(
        KnownAnswers.PROVISION_EPHEMERAL_PUBLIC,
        X25519.publicKey(KnownAnswers.PROVISION_EPHEMERAL));
    byte[] shared =
        X25519.agree(KnownAnswers.DRIVE_X25519, KnownAnswers.PROVISION_EPHEMERAL_PUBLIC);
    byte[] key =
        Crypto.kdf(
            shared,
            KeyLabels.PROVISION,
            Bytes.concat(
                KnownAnswers.PROVISION_EPHEMERAL_PUBLIC, KnownAnswers.DRIVE_X25519_PUBLIC));
    assertEquals(HEX.formatHex(KnownAnswers.PROVISION_KEY), HEX.formatHex(key));
    byte[] aad =
        ProvisionRequest.sealedKeyAad(
            KnownAnswers.CHALLENGE, KnownAnswers.MEDIUM_ID, KnownAnswers.CONTENT_ID);
    assertArrayEquals(
        KnownAnswers.CONTENT_KEY,
        AesGcm.open(key, new byte[12], aad, KnownAnswers.SEALED_CONTENT_KEY));
    assertArrayEquals(
        KnownAnswers.SEALED_CONTENT_KEY,
        AesGcm.seal(key, new byte[12], aad, KnownAnswers.CONTENT_KEY));

    assertEquals(
        HEX.formatHex(KnownAnswers.TITLE_CHECK_KEY),
        HEX.formatHex(Crypto.kdf(KnownAnswers.CONTENT_KEY, KeyLabels.TITLE_CHECK, new byte[0])));
    TitleHeader unchecked =
        TitleHeader.unchecked(
            KnownAnswers.CONTENT_ID, KnownAnswers.TITLE_NONCE, KnownAnswers.TITLE_LENGTH);
    byte[] check =
        java.util.Arrays.copyOf(
            Hmac.sha256(KnownAnswers.TITLE_CHECK_KEY, unchecked.checkedBytes()), 16);
    byte[] block = unchecked.withCheck(check).encode(2048);
    assertEquals(
        HEX.formatHex(KnownAnswers.TITLE_HEADER),
        HEX.formatHex(java.util.Arrays.copyOf(block, KnownAnswers.TITLE_HEADER.length)));
  }
}
