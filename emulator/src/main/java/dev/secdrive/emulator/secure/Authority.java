package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The licensing authority (DESIGN.md "Security model"): the system secret compliant drives share
 * and the Ed25519 key that certifies drives and licensors. A development authority lives in a JSON
 * file readable by its owner only; a production one would live in an HSM. Only the authority's
 * tools read it (enrolment, licensor and center certification); a running emulator never does.
 */
public final class Authority {

  private static final int FORMAT = 1;

  private final byte[] systemSecret;
  private final byte[] signingKey;
  private final byte[] publicKey;

  private Authority(byte[] systemSecret, byte[] signingKey, byte[] publicKey) {
    this.systemSecret = systemSecret.clone();
    this.signingKey = signingKey.clone();
    this.publicKey = publicKey.clone();
    if (!Arrays.equals(Ed25519.publicKey(signingKey), publicKey)) {
      throw new IllegalArgumentException("public key does not belong to the signing key");
    }
  }

  /** A fresh authority with random secrets. */
  public static Authority create() {
    RawKeyPair pair = Ed25519.generate();
    return new Authority(Bytes.random(Crypto.KEY_LENGTH), pair.privateKey(), pair.publicKey());
  }

  /**
   * @throws KeyFileException naming the file if it is missing or corrupt
   */
  public static Authority load(Path file) {
    Stored stored = KeyFiles.read(file, Stored.class, "authority file");
    try {
      if (stored.format != FORMAT) {
        throw new IllegalArgumentException("unsupported format " + stored.format);
      }
      return new Authority(
          KeyFiles.unhex("systemSecret", stored.systemSecret, Crypto.KEY_LENGTH),
          KeyFiles.unhex("signingKey", stored.signingKey, Crypto.KEY_LENGTH),
          KeyFiles.unhex("publicKey", stored.publicKey, Crypto.KEY_LENGTH));
    } catch (IllegalArgumentException e) {
      throw new KeyFileException("authority file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Writes the authority to {@code file} (rw-------), atomically. */
  public void save(Path file) {
    try {
      KeyFiles.write(
          file,
          new Stored(
              FORMAT,
              KeyFiles.hex(systemSecret),
              KeyFiles.hex(signingKey),
              KeyFiles.hex(publicKey)),
          WriteSteps.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write authority file " + file + ": " + e, e);
    }
  }

  /** The Ed25519 public key drives verify certificates with. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The secret compliant drives share; only drives may hold it. */
  public byte[] systemSecret() {
    return systemSecret.clone();
  }

  /** Signs {@code unsigned}: the authority's Ed25519 signature over its signed bytes. */
  public Certificate certify(Certificate unsigned) {
    return unsigned.withSignature(Ed25519.sign(signingKey, unsigned.signedBytes()));
  }

  /** Whether {@code certificate} carries this authority's signature and has {@code role}. */
  public boolean verify(Certificate certificate, Certificate.Role role) {
    return verify(publicKey, certificate, role);
  }

  /** As {@link #verify(Certificate, Certificate.Role)} with only the authority's public key. */
  public static boolean verify(
      byte[] authorityPublicKey, Certificate certificate, Certificate.Role role) {
    return certificate.role() == role
        && Ed25519.verify(authorityPublicKey, certificate.signedBytes(), certificate.signature());
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String systemSecret;
    @JsonProperty public String signingKey;
    @JsonProperty public String publicKey;

    Stored() {}

    Stored(int format, String systemSecret, String signingKey, String publicKey) {
      this.format = format;
      this.systemSecret = systemSecret;
      this.signingKey = signingKey;
      this.publicKey = publicKey;
    }
  }
}
