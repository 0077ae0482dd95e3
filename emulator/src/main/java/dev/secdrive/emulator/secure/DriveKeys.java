package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Sealing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The key material of one drive (DESIGN.md "Security model"): its device-unique secret, its X25519
 * and Ed25519 key pairs, its certificate from the licensing authority, and what it holds of the
 * authority (the shared system secret, the authority's public key). None of it ever appears in a
 * response; only the certificate does.
 */
public final class DriveKeys {

  static final int FORMAT = 2;

  private final String deviceId;
  private final byte[] deviceSecret;
  private final byte[] x25519Private;
  private final byte[] x25519Public;
  private final byte[] ed25519Private;
  private final byte[] ed25519Public;
  private final Certificate certificate;
  private final byte[] systemSecret;
  private final byte[] authorityPublicKey;

  private DriveKeys(
      String deviceId,
      byte[] deviceSecret,
      byte[] x25519Private,
      byte[] ed25519Private,
      Certificate certificate,
      byte[] systemSecret,
      byte[] authorityPublicKey) {
    this.deviceId = deviceId;
    this.deviceSecret = deviceSecret.clone();
    this.x25519Private = x25519Private.clone();
    this.x25519Public = X25519.publicKey(x25519Private);
    this.ed25519Private = ed25519Private.clone();
    this.ed25519Public = Ed25519.publicKey(ed25519Private);
    this.certificate = certificate;
    this.systemSecret = systemSecret.clone();
    this.authorityPublicKey = authorityPublicKey.clone();
    if (certificate.role() != Certificate.Role.DRIVE
        || !certificate.subject().equals(deviceId)
        || !Arrays.equals(certificate.x25519PublicKey(), x25519Public)
        || !Arrays.equals(certificate.ed25519PublicKey(), ed25519Public)) {
      throw new IllegalArgumentException("the certificate does not name this drive and its keys");
    }
    if (!Authority.verify(authorityPublicKey, certificate, Certificate.Role.DRIVE)) {
      throw new IllegalArgumentException(
          "the drive certificate is not signed by this licensing authority");
    }
  }

  /** Enrolls a new drive: fresh secrets and key pairs, certified by {@code authority}. */
  public static DriveKeys enroll(String deviceId, Authority authority) {
    byte[] x = X25519.generate().privateKey();
    RawKeyPair ed = Ed25519.generate();
    Certificate certificate =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.DRIVE, deviceId, X25519.publicKey(x), ed.publicKey()));
    return new DriveKeys(
        deviceId,
        Bytes.random(Crypto.KEY_LENGTH),
        x,
        ed.privateKey(),
        certificate,
        authority.systemSecret(),
        authority.publicKey());
  }

  /**
   * Loads the drive's keys from {@code file}: its own secrets and what it holds of the authority.
   *
   * @throws KeyFileException if the file is missing, corrupt, others may read it, names another
   *     drive, or its certificate is not signed by the authority it names
   */
  public static DriveKeys load(Path file, String deviceId) {
    Stored stored = KeyFiles.read(file, Stored.class, "drive keys file");
    try {
      if (stored.format != FORMAT) {
        throw new IllegalArgumentException(
            "format "
                + stored.format
                + " is not "
                + FORMAT
                + (stored.format == 1
                    ? " (format 1 did not hold the drive's part of the authority; a drive now"
                        + " runs without the authority file)"
                    : ""));
      }
      if (!deviceId.equals(stored.deviceId)) {
        throw new IllegalArgumentException(
            "it holds the keys of drive " + stored.deviceId + ", not " + deviceId);
      }
      Certificate certificate;
      try {
        certificate = Certificate.decode(KeyFiles.unhex("certificate", stored.certificate, -1));
      } catch (ParameterException e) {
        throw new IllegalArgumentException("certificate: " + e.getMessage());
      }
      return new DriveKeys(
          deviceId,
          KeyFiles.unhex("deviceSecret", stored.deviceSecret, Crypto.KEY_LENGTH),
          KeyFiles.unhex("x25519PrivateKey", stored.x25519PrivateKey, Crypto.KEY_LENGTH),
          KeyFiles.unhex("ed25519PrivateKey", stored.ed25519PrivateKey, Crypto.KEY_LENGTH),
          certificate,
          KeyFiles.unhex("systemSecret", stored.systemSecret, Crypto.KEY_LENGTH),
          KeyFiles.unhex("authorityPublicKey", stored.authorityPublicKey, Crypto.KEY_LENGTH));
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(
          "drive keys file " + file + " cannot be used: " + e.getMessage(), e);
    }
  }

  public void save(Path file) {
    Stored stored = new Stored();
    stored.format = FORMAT;
    stored.deviceId = deviceId;
    stored.deviceSecret = KeyFiles.hex(deviceSecret);
    stored.x25519PrivateKey = KeyFiles.hex(x25519Private);
    stored.ed25519PrivateKey = KeyFiles.hex(ed25519Private);
    stored.certificate = KeyFiles.hex(certificate.encode());
    stored.systemSecret = KeyFiles.hex(systemSecret);
    stored.authorityPublicKey = KeyFiles.hex(authorityPublicKey);
    try {
      KeyFiles.write(file, stored, WriteSteps.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write drive keys file " + file + ": " + e, e);
    }
  }

  public String deviceId() {
    return deviceId;
  }

  public Certificate certificate() {
    return certificate;
  }

  public byte[] x25519PublicKey() {
    return x25519Public.clone();
  }

  /**
   * The first 8 bytes of SHA-256 of the drive's Ed25519 public key, in hex: what tells this drive
   * from another of the same device ID (the anchor's file name).
   */
  public String fingerprint() {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(ed25519Public);
      return KeyFiles.hex(Arrays.copyOf(digest, 8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] authorityPublicKey() {
    return authorityPublicKey.clone();
  }

  byte[] deviceSecret() {
    return deviceSecret;
  }

  byte[] x25519PrivateKey() {
    return x25519Private;
  }

  /**
   * Opens what a sender sealed to this drive's certified X25519 key (PROTOCOL.md "Keys"): X25519
   * with the sender's ephemeral key, KDF(shared, {@code label}, ephemeral ‖ this drive's key), then
   * AES-256-GCM with the all-zero nonce, which is safe since each ephemeral key seals one message.
   *
   * @throws AuthenticationException if it was not sealed to this drive, or was altered
   */
  byte[] openSealed(String label, byte[] ephemeralPublicKey, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    return Sealing.open(x25519Private, ephemeralPublicKey, label, aad, sealed);
  }

  byte[] ed25519PrivateKey() {
    return ed25519Private;
  }

  byte[] systemSecret() {
    return systemSecret;
  }

  /** The secrets, for tests that prove none of them ever leaves the drive. */
  public java.util.List<byte[]> secretsForLeakTests() {
    return java.util.List.of(
        deviceSecret.clone(), x25519Private.clone(), ed25519Private.clone(), systemSecret.clone());
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String deviceId;
    @JsonProperty public String deviceSecret;
    @JsonProperty public String x25519PrivateKey;
    @JsonProperty public String ed25519PrivateKey;
    @JsonProperty public String certificate;
    @JsonProperty public String systemSecret;
    @JsonProperty public String authorityPublicKey;
  }
}
