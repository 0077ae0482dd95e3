package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.Sealing;
import java.nio.charset.StandardCharsets;

/**
 * Backup blobs (PROTOCOL.md "Backup blobs"): building the layers of each binding and removing them
 * inside the drive. Every layer is a random nonce ‖ AES-256-GCM ciphertext ‖ tag with the blob
 * header as AAD, except that the medium layer of a {@link Binding#SEALED} blob has as AAD the
 * header a {@link Binding#MEDIUM} blob with the same medium, version, counters and layer would
 * have: RESEAL replaces the recipient and the ephemeral key in the header, and the drive that
 * reseals cannot open the medium layer to re-encrypt it (it need not hold the medium).
 *
 * <p>The sealed layer's key is {@link Sealing#sealKey} (label "backup-seal"), as every seal to an
 * X25519 key; its AES-256-GCM is a layer like the others, with its random nonce in the blob, not
 * {@link Sealing#seal}'s all-zero nonce that the blob format has no room to leave out.
 */
public final class Blobs {

  private Blobs() {}

  /** Km = KDF(system secret, "medium", medium ID). */
  public static byte[] mediumKey(byte[] systemSecret, String mediumId) {
    return Crypto.kdf(systemSecret, KeyLabels.MEDIUM, mediumId.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] mediumLayerKey(byte[] mediumKey) {
    return Crypto.kdf(mediumKey, KeyLabels.BACKUP_MEDIUM, new byte[0]);
  }

  static byte[] deviceLayerKey(byte[] deviceSecret, String mediumId) {
    return Crypto.kdf(
        deviceSecret, KeyLabels.BACKUP_DEVICE, mediumId.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Exports {@code state}.
   *
   * @param mediumWrites the medium's secure-area write counter at which {@code state} is current
   * @param counter this drive's counter value for the export
   * @param self this drive (device layer of bindings 1 and 2)
   * @param recipient the certified recipient drive of binding 3, else null
   */
  public static BackupBlob create(
      Binding binding,
      String mediumId,
      byte[] mediumKey,
      LicenseState state,
      long mediumWrites,
      long counter,
      DriveKeys self,
      Certificate recipient) {
    byte[] plaintext = state.encode();
    int layers = binding == Binding.MEDIUM ? 1 : 2;
    byte[] placeholder = new byte[plaintext.length + layers * Crypto.LAYER_OVERHEAD];
    byte[] medium = mediumLayerKey(mediumKey);
    switch (binding) {
      case MEDIUM -> {
        BackupBlob blob =
            new BackupBlob(
                binding,
                mediumId,
                state.version(),
                mediumWrites,
                counter,
                "",
                new byte[0],
                placeholder);
        return blob.withLayers(Crypto.layerSeal(medium, blob.aad(), plaintext));
      }
      case MEDIUM_THEN_DEVICE, DEVICE_THEN_MEDIUM -> {
        BackupBlob blob =
            new BackupBlob(
                binding,
                mediumId,
                state.version(),
                mediumWrites,
                counter,
                self.deviceId(),
                new byte[0],
                placeholder);
        byte[] device = deviceLayerKey(self.deviceSecret(), mediumId);
        byte[] inner = binding == Binding.MEDIUM_THEN_DEVICE ? medium : device;
        byte[] outer = binding == Binding.MEDIUM_THEN_DEVICE ? device : medium;
        byte[] aad = blob.aad();
        return blob.withLayers(
            Crypto.layerSeal(outer, aad, Crypto.layerSeal(inner, aad, plaintext)));
      }
      case SEALED -> {
        byte[] inner =
            Crypto.layerSeal(
                medium,
                neutralAad(mediumId, state.version(), mediumWrites, counter, plaintext.length),
                plaintext);
        return seal(mediumId, state.version(), mediumWrites, counter, inner, recipient);
      }
    }
    throw new IllegalArgumentException("binding " + binding);
  }

  /** Seals a medium layer to {@code recipient} with a fresh ephemeral X25519 key. */
  private static BackupBlob seal(
      String mediumId,
      long version,
      long mediumWrites,
      long counter,
      byte[] mediumLayer,
      Certificate recipient) {
    RawKeyPair ephemeral = X25519.generate();
    byte[] key;
    try {
      key = Sealing.sealKey(ephemeral, recipient.x25519PublicKey(), KeyLabels.BACKUP_SEAL);
    } catch (AuthenticationException e) {
      throw new IllegalArgumentException("recipient X25519 key unusable: " + e.getMessage());
    }
    BackupBlob blob =
        new BackupBlob(
            Binding.SEALED,
            mediumId,
            version,
            mediumWrites,
            counter,
            recipient.subject(),
            ephemeral.publicKey(),
            new byte[mediumLayer.length + Crypto.LAYER_OVERHEAD]);
    return blob.withLayers(Crypto.layerSeal(key, blob.aad(), mediumLayer));
  }

  /**
   * Decodes a blob; a blob that does not parse failed authentication (reason 05h), one of another
   * format version is reason 0Bh.
   */
  public static BackupBlob decode(byte[] bytes) throws CheckCondition {
    try {
      return BackupBlob.decode(bytes);
    } catch (ParameterException e) {
      if (e.kind() == ParameterException.Kind.FORMAT_VERSION) {
        throw CheckCondition.refused(Reason.FORMAT_VERSION, e.getMessage());
      }
      throw CheckCondition.refused(
          Reason.INTEGRITY, "backup blob does not parse: " + e.getMessage());
    }
  }

  /**
   * Removes every layer inside the drive and returns the license state. The caller has checked that
   * the blob names the loaded medium; this checks the device binding and every tag.
   */
  public static LicenseState open(BackupBlob blob, byte[] mediumKey, DriveKeys self)
      throws CheckCondition {
    if (blob.binding() != Binding.MEDIUM && !blob.deviceId().equals(self.deviceId())) {
      throw CheckCondition.refused(
          Reason.OTHER_DRIVE, "the blob is bound to drive " + blob.deviceId() + ", not this one");
    }
    byte[] aad = blob.aad();
    byte[] medium = mediumLayerKey(mediumKey);
    byte[] plaintext;
    try {
      plaintext =
          switch (blob.binding()) {
            case MEDIUM -> Crypto.layerOpen(medium, aad, blob.layers());
            case MEDIUM_THEN_DEVICE -> {
              byte[] device = deviceLayerKey(self.deviceSecret(), blob.mediumId());
              yield Crypto.layerOpen(medium, aad, Crypto.layerOpen(device, aad, blob.layers()));
            }
            case DEVICE_THEN_MEDIUM -> {
              byte[] device = deviceLayerKey(self.deviceSecret(), blob.mediumId());
              yield Crypto.layerOpen(device, aad, Crypto.layerOpen(medium, aad, blob.layers()));
            }
            case SEALED -> {
              byte[] inner = unseal(blob, self);
              yield Crypto.layerOpen(
                  medium,
                  neutralAad(
                      blob.mediumId(),
                      blob.licenseVersion(),
                      blob.mediumWrites(),
                      blob.counter(),
                      inner.length - Crypto.LAYER_OVERHEAD),
                  inner);
            }
          };
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "a layer of the backup blob fails authentication");
    }
    LicenseState state;
    try {
      state = LicenseState.decode(plaintext);
    } catch (IllegalArgumentException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the backup blob holds no license state");
    }
    if (state.version() != blob.licenseVersion()) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "the blob header and its license state disagree");
    }
    return state;
  }

  /**
   * RESEAL: removes this drive's sealed layer and seals the medium layer to {@code recipient},
   * keeping medium ID, license version, the medium's write counter and the drive counter.
   */
  public static BackupBlob reseal(BackupBlob blob, DriveKeys self, Certificate recipient)
      throws CheckCondition {
    byte[] inner;
    try {
      inner = unseal(blob, self);
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the sealed layer fails authentication");
    }
    if (inner.length < Crypto.LAYER_OVERHEAD) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "the medium layer is shorter than nonce and tag");
    }
    return seal(
        blob.mediumId(),
        blob.licenseVersion(),
        blob.mediumWrites(),
        blob.counter(),
        inner,
        recipient);
  }

  private static byte[] unseal(BackupBlob blob, DriveKeys self)
      throws CheckCondition, AuthenticationException {
    if (blob.binding() != Binding.SEALED || !blob.deviceId().equals(self.deviceId())) {
      throw CheckCondition.refused(
          Reason.OTHER_DRIVE,
          blob.binding() != Binding.SEALED
              ? "the blob is not sealed to a drive"
              : "the blob is sealed to drive " + blob.deviceId() + ", not this one");
    }
    byte[] key =
        Sealing.openKey(self.x25519PrivateKey(), blob.ephemeralPublicKey(), KeyLabels.BACKUP_SEAL);
    return Crypto.layerOpen(key, blob.aad(), blob.layers());
  }

  private static byte[] neutralAad(
      String mediumId, long version, long mediumWrites, long counter, int plaintext) {
    return new BackupBlob(
            Binding.MEDIUM,
            mediumId,
            version,
            mediumWrites,
            counter,
            "",
            new byte[0],
            new byte[plaintext + Crypto.LAYER_OVERHEAD])
        .aad();
  }
}
