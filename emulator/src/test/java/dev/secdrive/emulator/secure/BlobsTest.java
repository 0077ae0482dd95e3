package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Reason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BlobsTest {

  private static final String MEDIUM = "MO-B";
  private final Authority authority = Authority.create();
  private final DriveKeys self = DriveKeys.enroll("SDDSELF", authority);
  private final DriveKeys recipient = DriveKeys.enroll("SDDPEER", authority);
  private final byte[] km = Blobs.mediumKey(authority.systemSecret(), MEDIUM);
  private final LicenseState state =
      new LicenseState(
          7,
          List.of(new LicenseState.License("t", AesKeyWrap.wrap(new byte[32], new byte[32]), 2)));

  private BackupBlob create(Binding binding) {
    return Blobs.create(
        binding,
        MEDIUM,
        km,
        state,
        5,
        42,
        self,
        binding == Binding.SEALED ? recipient.certificate() : null);
  }

  private DriveKeys opener(Binding binding) {
    return binding == Binding.SEALED ? recipient : self;
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void roundTripInEveryBinding(Binding binding) throws Exception {
    BackupBlob blob = create(binding);
    BackupBlob decoded = Blobs.decode(blob.encode());
    assertEquals(42, decoded.counter());
    assertEquals(5, decoded.mediumWrites());
    assertEquals(7, decoded.licenseVersion());
    LicenseState opened = Blobs.open(decoded, km, opener(binding));
    assertEquals(state.version(), opened.version());
    assertArrayEquals(state.encode(), opened.encode());
    if (binding != Binding.MEDIUM) {
      DriveKeys stranger = DriveKeys.enroll("SDDSTRANGER", authority);
      assertEquals(Reason.OTHER_DRIVE, refusal(() -> Blobs.open(decoded, km, stranger)));
    }
    byte[] otherKm = Blobs.mediumKey(authority.systemSecret(), "MO-OTHER");
    assertEquals(Reason.INTEGRITY, refusal(() -> Blobs.open(decoded, otherKm, opener(binding))));
  }

  /**
   * Every single flipped bit is refused. Bits of the layers and of the counter, version and lengths
   * fail authentication (05h); a flip in the format version is 0Bh; a flip that turns the medium or
   * device ID into another one is caught earlier as another medium (04h, by the firmware) or
   * another drive (06h).
   */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void everyFlippedBitIsRefused(Binding binding) {
    byte[] bytes = create(binding).encode();
    int deviceIdAt = 8 + 1 + MEDIUM.length() + 4 + 8 + 8;
    for (int bit = 0; bit < bytes.length * 8; bit++) {
      byte[] flipped = bytes.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit / 8;
      Reason reason;
      try {
        BackupBlob blob = Blobs.decode(flipped);
        if (!blob.mediumId().equals(MEDIUM)) {
          assertTrue(at >= 8 && at < 9 + MEDIUM.length(), "medium ID changed by byte " + at);
          continue;
        }
        Blobs.open(blob, km, opener(binding));
        fail("bit " + bit + " flipped and the blob still opened");
        return;
      } catch (CheckCondition r) {
        reason = r.reason().orElseThrow();
      }
      if (at == 4) {
        assertEquals(Reason.FORMAT_VERSION, reason, "bit " + bit);
      } else if (binding != Binding.MEDIUM && at > deviceIdAt && at <= deviceIdAt + 7) {
        assertTrue(Set.of(Reason.OTHER_DRIVE, Reason.INTEGRITY).contains(reason), "bit " + bit);
      } else {
        assertEquals(Reason.INTEGRITY, reason, "bit " + bit + " (byte " + at + ")");
      }
    }
  }

  @Test
  void resealMovesTheBlobToAnotherDriveKeepingVersionAndCounter() throws Exception {
    BackupBlob sealedToPeer = create(Binding.SEALED);
    assertEquals(
        Reason.OTHER_DRIVE, refusal(() -> Blobs.reseal(sealedToPeer, self, self.certificate())));
    BackupBlob back = Blobs.reseal(sealedToPeer, recipient, self.certificate());
    assertEquals("SDDSELF", back.deviceId());
    assertEquals(42, back.counter());
    assertEquals(5, back.mediumWrites(), "RESEAL keeps the medium write counter");
    assertEquals(7, back.licenseVersion());
    assertArrayEquals(state.encode(), Blobs.open(back, km, self).encode());
    assertEquals(Reason.OTHER_DRIVE, refusal(() -> Blobs.open(back, km, recipient)));
  }

  @Test
  void secureAreaSealsOpensAndRefusesDamage() {
    SecureArea.Commit commit = new SecureArea.Commit(9, "SDDSELF", 3);
    byte[] area = SecureArea.seal(km, MEDIUM, state, commit, 4096);
    assertNotNull(area);
    assertEquals(4096, area.length);
    SecureArea.Contents contents = SecureArea.open(km, MEDIUM, area);
    assertEquals(SecureArea.Condition.SEALED, contents.condition());
    assertArrayEquals(state.encode(), contents.state().encode());
    assertEquals(commit, contents.commit());
    int header = 4 + 1 + 8 + 1 + "SDDSELF".length() + 8 + 4;
    byte[] layer = SecureArea.sealedLayer(area);
    assertEquals(28 + state.encode().length, layer.length, "nonce, ciphertext and tag");
    assertArrayEquals(java.util.Arrays.copyOfRange(area, header, header + layer.length), layer);
    assertArrayEquals(
        new byte[4096 - header - layer.length],
        java.util.Arrays.copyOfRange(area, header + layer.length, 4096));
    for (int at : new int[] {5, 12, 14, 26}) { // medium write, device ID, drive counter, length
      byte[] altered = area.clone();
      altered[at] ^= 1;
      assertEquals(
          SecureArea.Condition.UNREADABLE,
          SecureArea.open(km, MEDIUM, altered).condition(),
          "the header is authenticated: byte " + at);
    }
    assertEquals(
        SecureArea.Condition.BLANK, SecureArea.open(km, MEDIUM, new byte[4096]).condition());
    byte[] damaged = area.clone();
    damaged[40] ^= 1;
    assertEquals(SecureArea.Condition.UNREADABLE, SecureArea.open(km, MEDIUM, damaged).condition());
    assertEquals(SecureArea.Condition.UNREADABLE, SecureArea.open(km, "MO-COPY", area).condition());
    assertNull(SecureArea.seal(km, MEDIUM, state, commit, 64), "does not fit");
  }

  @FunctionalInterface
  interface Action {
    Object run() throws CheckCondition;
  }

  private static Reason refusal(Action action) {
    try {
      action.run();
    } catch (CheckCondition r) {
      return r.reason().orElseThrow();
    }
    throw new AssertionError("not refused");
  }

  // ------------------------------------------------------------------ known answers (KnownAnswers)

  @TempDir java.nio.file.Path keyDirectory;

  /** Blobs sealed by an independent implementation open inside the drive, in every binding. */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void independentlySealedBlobsOpen(Binding binding) throws Exception {
    Authority katAuthority = KnownAnswers.authority(keyDirectory);
    DriveKeys drive = KnownAnswers.drive(keyDirectory, katAuthority);
    assertArrayEquals(KnownAnswers.DRIVE_X25519_PUBLIC, drive.x25519PublicKey());
    byte[] katKm = Blobs.mediumKey(katAuthority.systemSecret(), KnownAnswers.MEDIUM_ID);
    BackupBlob blob = Blobs.decode(KnownAnswers.BLOBS[binding.code()]);
    assertEquals(binding, blob.binding());
    assertEquals(42, blob.counter());
    assertEquals(5, blob.mediumWrites());
    LicenseState opened = Blobs.open(blob, katKm, drive);
    assertEquals(
        HEX.formatHex(KnownAnswers.LICENSE_STATE), HEX.formatHex(opened.encode()), "plaintext");
    assertArrayEquals(
        KnownAnswers.CONTENT_KEY,
        AesKeyWrap.unwrap(
            KnownAnswers.CONTENT_KEY_WRAP_KEY,
            opened.find(KnownAnswers.CONTENT_ID).orElseThrow().wrappedKey()));
  }

  /**
   * The blobs the drive makes peel with the independently derived layer keys, in the order and with
   * the AADs PROTOCOL.md gives, using nothing but JCA AES-GCM.
   */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void driveMadeBlobsPeelWithTheIndependentLayerKeys(Binding binding) throws Exception {
    Authority katAuthority = KnownAnswers.authority(keyDirectory);
    DriveKeys drive = KnownAnswers.drive(keyDirectory, katAuthority);
    LicenseState katState = LicenseState.decode(KnownAnswers.LICENSE_STATE);
    BackupBlob blob =
        Blobs.create(
            binding,
            KnownAnswers.MEDIUM_ID,
            KnownAnswers.KM,
            katState,
            5,
            42,
            drive,
            binding == Binding.SEALED ? drive.certificate() : null);
    byte[] aad = blob.aad();
    byte[] layers = blob.layers();
    byte[] plaintext =
        switch (binding) {
          case MEDIUM -> peel(KnownAnswers.BACKUP_MEDIUM_KEY, aad, layers);
          case MEDIUM_THEN_DEVICE ->
              peel(
                  KnownAnswers.BACKUP_MEDIUM_KEY,
                  aad,
                  peel(KnownAnswers.BACKUP_DEVICE_KEY, aad, layers));
          case DEVICE_THEN_MEDIUM ->
              peel(
                  KnownAnswers.BACKUP_DEVICE_KEY,
                  aad,
                  peel(KnownAnswers.BACKUP_MEDIUM_KEY, aad, layers));
          case SEALED -> {
            // A fresh ephemeral key each time: derive the seal key from the blob's own, with the
            // independently checked KDF inputs (X25519 with the drive key, both public keys).
            byte[] shared = X25519.agree(KnownAnswers.DRIVE_X25519, blob.ephemeralPublicKey());
            byte[] seal =
                Hkdf.sha256(
                    new byte[0],
                    shared,
                    Bytes.concat(
                        "\u0001backup-seal\u0000"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        blob.ephemeralPublicKey(),
                        KnownAnswers.DRIVE_X25519_PUBLIC),
                    32);
            byte[] medium = peel(seal, aad, layers);
            byte[] neutral =
                new BackupBlob(
                        Binding.MEDIUM,
                        KnownAnswers.MEDIUM_ID,
                        7,
                        5,
                        42,
                        "",
                        new byte[0],
                        new byte[medium.length])
                    .aad();
            yield peel(KnownAnswers.BACKUP_MEDIUM_KEY, neutral, medium);
          }
        };
    assertEquals(HEX.formatHex(KnownAnswers.LICENSE_STATE), HEX.formatHex(plaintext));
    // The header as PROTOCOL.md lays it out is the AAD: offset 0 up to the layer length.
    byte[] encoded = blob.encode();
    assertArrayEquals(java.util.Arrays.copyOf(encoded, encoded.length - layers.length), aad);
  }

  @Test
  void independentlySealedSecureAreaOpensAndTheDrivesSealPeels() throws Exception {
    byte[] area = java.util.Arrays.copyOf(KnownAnswers.SECURE_AREA, 4096);
    SecureArea.Contents contents = SecureArea.open(KnownAnswers.KM, KnownAnswers.MEDIUM_ID, area);
    assertEquals(SecureArea.Condition.SEALED, contents.condition());
    assertEquals(new SecureArea.Commit(5, KnownAnswers.DEVICE_ID, 42), contents.commit());
    assertEquals(
        HEX.formatHex(KnownAnswers.LICENSE_STATE), HEX.formatHex(contents.state().encode()));
    SecureArea.Contents format1 =
        SecureArea.open(
            KnownAnswers.KM,
            KnownAnswers.MEDIUM_ID,
            java.util.Arrays.copyOf(KnownAnswers.SECURE_AREA_FORMAT_1, 4096));
    assertEquals(SecureArea.Condition.SEALED, format1.condition(), "format 1 is still read");
    assertNull(format1.commit(), "format 1 binds no medium write");
    assertEquals(
        HEX.formatHex(KnownAnswers.LICENSE_STATE), HEX.formatHex(format1.state().encode()));

    byte[] sealed =
        SecureArea.seal(
            KnownAnswers.KM,
            KnownAnswers.MEDIUM_ID,
            LicenseState.decode(KnownAnswers.LICENSE_STATE),
            new SecureArea.Commit(5, KnownAnswers.DEVICE_ID, 42),
            4096);
    // "SDSA" 02 | u64 medium write | str8 device ID | u64 drive counter | u32 n
    int header = 4 + 1 + 8 + 1 + KnownAnswers.DEVICE_ID.length() + 8 + 4;
    assertArrayEquals(
        java.util.Arrays.copyOf(KnownAnswers.SECURE_AREA, header),
        java.util.Arrays.copyOf(sealed, header));
    int length = java.nio.ByteBuffer.wrap(sealed).getInt(header - 4);
    byte[] aad =
        Bytes.concat(
            java.util.Arrays.copyOf(sealed, header),
            new byte[] {(byte) KnownAnswers.MEDIUM_ID.length()},
            KnownAnswers.MEDIUM_ID.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(
        HEX.formatHex(KnownAnswers.LICENSE_STATE),
        HEX.formatHex(
            peel(
                KnownAnswers.SECURE_AREA_KEY,
                aad,
                java.util.Arrays.copyOfRange(sealed, header, header + length))));
  }

  /** A format 1 blob carries no medium write counter: refused with 0Bh and advice, never opened. */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void formatOneBlobsAreRefusedAsAnotherFormatVersion(Binding binding) {
    CheckCondition e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CheckCondition.class, () -> Blobs.decode(KnownAnswers.BLOBS_FORMAT_1[binding.code()]));
    assertEquals(Reason.FORMAT_VERSION, e.reason().orElseThrow());
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().endsWith("take a new backup"), e.getMessage());
  }

  /** nonce ‖ ciphertext ‖ tag opened with plain JCA AES-256-GCM. */
  private static byte[] peel(byte[] key, byte[] aad, byte[] layer) throws Exception {
    javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, layer, 0, 12));
    gcm.updateAAD(aad);
    return gcm.doFinal(layer, 12, layer.length - 12);
  }

  private static final java.util.HexFormat HEX = java.util.HexFormat.of();
}
