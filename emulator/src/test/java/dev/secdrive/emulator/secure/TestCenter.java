package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The central site of the second software-copy scheme, built in test code from the specification
 * (PROTOCOL.md "Scheme 2"), not from the drive's code: a master key KM, a licensor certificate from
 * the test authority, conversion grants sealed to a drive, and master media encrypted under Ka.
 */
public final class TestCenter {

  private final byte[] masterKey = Bytes.random(32);
  private final RawKeyPair signing = Ed25519.generate();
  private final Certificate certificate;
  private long serial;

  public TestCenter(Authority authority, String name) {
    this(authority, name, Certificate.Role.CENTRAL_SITE);
  }

  private TestCenter(Authority authority, String name, Certificate.Role role) {
    this.certificate =
        authority.certify(Certificate.unsigned(role, name, new byte[32], signing.publicKey()));
  }

  /** A centre whose certificate some other authority signed. */
  public static TestCenter uncertified(String name) {
    return new TestCenter(Authority.create(), name, Certificate.Role.CENTRAL_SITE);
  }

  /** A "centre" that is a licensor: certified by {@code authority}, but not as a central site. */
  public static TestCenter withLicensorRole(Authority authority, String name) {
    return new TestCenter(authority, name, Certificate.Role.LICENSOR);
  }

  /** A centre whose certificate from {@code authority} has the drive role. */
  public static TestCenter withDriveRole(Authority authority, String name) {
    return new TestCenter(authority, name, Certificate.Role.DRIVE);
  }

  public Certificate certificate() {
    return certificate;
  }

  /** Ka = KDF(KM, "master-conversion", title ID). */
  public byte[] ka(String titleId) {
    return Crypto.kdf(
        masterKey, KeyLabels.MASTER_CONVERSION, titleId.getBytes(StandardCharsets.US_ASCII));
  }

  /** Ku = KDF(KM, "medium-conversion", medium ID). */
  public byte[] ku(String mediumId) {
    return Crypto.kdf(
        masterKey, KeyLabels.MEDIUM_CONVERSION, mediumId.getBytes(StandardCharsets.US_ASCII));
  }

  /** A signed grant for {@code titleId} on {@code mediumId}, sealed to {@code drive}. */
  public ConversionGrant grant(String titleId, String mediumId, Certificate drive) {
    return grant(titleId, mediumId, drive.subject(), drive);
  }

  /** A signed grant naming {@code deviceId} but sealed to {@code sealTo}'s key. */
  public ConversionGrant grant(
      String titleId, String mediumId, String deviceId, Certificate sealTo) {
    byte[] keys = Bytes.concat(ku(mediumId), ka(titleId));
    return grantOf(titleId, mediumId, deviceId, sealTo, keys);
  }

  /** A signed grant sealing {@code keys} (normally Ku ‖ Ka, 64 bytes). */
  public ConversionGrant grantOf(
      String titleId, String mediumId, String deviceId, Certificate sealTo, byte[] keys) {
    RawKeyPair ephemeral = X25519.generate();
    byte[] shared;
    try {
      shared = X25519.agree(ephemeral.privateKey(), sealTo.x25519PublicKey());
    } catch (AuthenticationException e) {
      throw new IllegalStateException(e);
    }
    byte[] key =
        Crypto.kdf(
            shared,
            KeyLabels.CONVERSION,
            Bytes.concat(ephemeral.publicKey(), sealTo.x25519PublicKey()));
    byte[] sealed =
        AesGcm.seal(key, new byte[12], ConversionGrant.aad(titleId, mediumId, deviceId), keys);
    ConversionGrant unsigned =
        new ConversionGrant(
            titleId,
            mediumId,
            deviceId,
            ++serial,
            ephemeral.publicKey(),
            sealed,
            certificate.encode(),
            new byte[64]);
    return sign(unsigned);
  }

  /**
   * A signed copy certificate CS (PROTOCOL.md "Scheme 1") for {@code titleId} on {@code mediumId}
   * naming {@code deviceId}, with {@code kd} sealed to {@code sealTo}'s key.
   */
  public CopyCertificate copyCertificate(
      String titleId, String mediumId, String deviceId, Certificate sealTo, byte[] kd) {
    RawKeyPair ephemeral = X25519.generate();
    byte[] shared;
    try {
      shared = X25519.agree(ephemeral.privateKey(), sealTo.x25519PublicKey());
    } catch (AuthenticationException e) {
      throw new IllegalStateException(e);
    }
    byte[] key =
        Crypto.kdf(
            shared, KeyLabels.COPY, Bytes.concat(ephemeral.publicKey(), sealTo.x25519PublicKey()));
    byte[] sealed =
        AesGcm.seal(key, new byte[12], CopyCertificate.aad(titleId, mediumId, deviceId), kd);
    CopyCertificate unsigned =
        new CopyCertificate(
            titleId,
            mediumId,
            "alice",
            deviceId,
            ++serial,
            1_700_000_000L,
            ephemeral.publicKey(),
            sealed,
            certificate.encode(),
            new byte[64]);
    return unsigned.withSignature(Ed25519.sign(signing.privateKey(), unsigned.signedBytes()));
  }

  /** {@code grant} signed again by this centre (after a test altered it). */
  public ConversionGrant sign(ConversionGrant grant) {
    return grant.withSignature(Ed25519.sign(signing.privateKey(), grant.signedBytes()));
  }

  /** A master title's data: plaintext zero padded to whole blocks, AES-256-CTR under Ka. */
  public byte[] master(String titleId, byte[] nonce, byte[] plaintext, int blockSize)
      throws Exception {
    return ctr(ka(titleId), nonce, plaintext, blockSize);
  }

  /** AES-256-CTR of the zero-padded plaintext with PROTOCOL.md's counter blocks. */
  public static byte[] ctr(byte[] key, byte[] nonce, byte[] plaintext, int blockSize)
      throws Exception {
    int blocks = (plaintext.length + blockSize - 1) / blockSize;
    Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new IvParameterSpec(TitleHeader.counterBlock(nonce, 0)));
    return cipher.doFinal(Arrays.copyOf(plaintext, blocks * blockSize));
  }
}
