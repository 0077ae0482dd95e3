package dev.secdrive.host.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * What a licensor holds (FIG. 2, FIG. 5): its name, its Ed25519 signing key, the certificate the
 * licensing authority gave it, and the authority's public key, with which it checks that a drive is
 * certified before sending it a content key.
 *
 * <p>Stored as JSON with owner-only permissions (0600): the signing key lets anyone who reads the
 * file install licenses.
 */
public final class LicensorCredential {

  private static final int FORMAT = 1;
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final String name;
  private final byte[] signingKey;
  private final Certificate certificate;
  private final byte[] authorityPublicKey;

  /**
   * @throws IllegalArgumentException if the certificate is not a licensor certificate for {@code
   *     name}, signed by the authority, for {@code signingKey}'s public key
   */
  public LicensorCredential(
      String name, byte[] signingKey, Certificate certificate, byte[] authorityPublicKey) {
    this.name = name;
    this.signingKey = signingKey.clone();
    this.certificate = certificate;
    this.authorityPublicKey = authorityPublicKey.clone();
    if (signingKey.length != Crypto.KEY_LENGTH || authorityPublicKey.length != Crypto.KEY_LENGTH) {
      throw new IllegalArgumentException("signing key and authority public key have 32 bytes");
    }
    if (certificate.role() != Certificate.Role.LICENSOR) {
      throw new IllegalArgumentException(
          "the certificate is a " + certificate.role() + " certificate, not a licensor's");
    }
    if (!certificate.subject().equals(name)) {
      throw new IllegalArgumentException(
          "the certificate is for '" + certificate.subject() + "', not '" + name + "'");
    }
    if (!Certificates.signedBy(certificate, authorityPublicKey)) {
      throw new IllegalArgumentException(
          "the certificate is not signed by the authority public key in the credential");
    }
    // Sign and verify once: a key that does not match the certificate would make every
    // PROVISION fail at the drive with a less helpful SIGNATURE refusal.
    byte[] probe = "secdrive licensor key check".getBytes(StandardCharsets.US_ASCII);
    if (!Ed25519.verify(certificate.ed25519PublicKey(), probe, Ed25519.sign(signingKey, probe))) {
      throw new IllegalArgumentException("the signing key does not match the certificate");
    }
  }

  /**
   * A new licensor: a fresh Ed25519 key pair, certified by {@code authority} (which signs an
   * unsigned certificate and returns it signed).
   */
  public static LicensorCredential create(
      String name, UnaryOperator<Certificate> authority, byte[] authorityPublicKey) {
    RawKeyPair pair = Ed25519.generate();
    Certificate signed =
        authority.apply(
            Certificate.unsigned(
                Certificate.Role.LICENSOR, name, new byte[Crypto.KEY_LENGTH], pair.publicKey()));
    return new LicensorCredential(name, pair.privateKey(), signed, authorityPublicKey);
  }

  public String name() {
    return name;
  }

  public Certificate certificate() {
    return certificate;
  }

  public byte[] authorityPublicKey() {
    return authorityPublicKey.clone();
  }

  /** Ed25519 signature of {@code message} with the licensor's key. */
  public byte[] sign(byte[] message) {
    return Ed25519.sign(signingKey, message);
  }

  // ---------------------------------------------------------------- file

  /**
   * Reads a credential file.
   *
   * @throws FlowException naming the file and what is wrong with it
   */
  public static LicensorCredential load(Path file) {
    byte[] bytes;
    try {
      bytes = SecretFiles.read(file);
    } catch (NoSuchFileException e) {
      throw new FlowException("licensor credential " + file + " does not exist");
    } catch (LooseSecretFileException e) {
      // As OpenSSH refuses a loose private key: another local user may have read it, or planted it.
      throw new FlowException("licensor credential " + e.getMessage(), e);
    } catch (IOException e) {
      throw new FlowException("cannot read licensor credential " + file + ": " + e, e);
    }
    Stored stored;
    try {
      stored = JSON.readValue(bytes, Stored.class);
    } catch (IOException e) {
      throw new FlowException(
          file + " is not a licensor credential (JSON): " + firstLine(e.getMessage()), e);
    }
    try {
      if (stored.format != FORMAT) {
        throw new IllegalArgumentException(
            "format " + stored.format + " is not supported (this secdrive reads " + FORMAT + ")");
      }
      if (stored.name == null) {
        throw new IllegalArgumentException("'name' is missing");
      }
      Certificate certificate = Certificate.decode(unhex("certificate", stored.certificate));
      return new LicensorCredential(
          stored.name,
          unhex("signingKey", stored.signingKey),
          certificate,
          unhex("authorityPublicKey", stored.authorityPublicKey));
    } catch (ParameterException e) {
      throw new FlowException(
          "licensor credential " + file + ": unreadable certificate: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new FlowException("licensor credential " + file + ": " + e.getMessage());
    }
  }

  /**
   * Writes the credential to {@code file} with permissions 0600, atomically, refusing to overwrite
   * an existing file (a licensor key is not something to lose by a typo).
   */
  public void save(Path file) {
    if (Files.exists(file)) {
      throw new FlowException(file + " already exists; not overwriting a credential");
    }
    Stored stored =
        new Stored(
            FORMAT,
            name,
            HexFormat.of().formatHex(signingKey),
            HexFormat.of().formatHex(certificate.encode()),
            HexFormat.of().formatHex(authorityPublicKey));
    try {
      byte[] json = JSON.writeValueAsBytes(stored);
      AtomicFiles.createSecret(file, json);
    } catch (FileAlreadyExistsException e) {
      throw new FlowException(file + " already exists; not overwriting a credential");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the credential", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] unhex(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException("'" + field + "' is missing");
    }
    try {
      return HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + field + "' is not hexadecimal");
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public String toString() {
    return "LicensorCredential[" + name + "]"; // never the key
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LicensorCredential other
        && name.equals(other.name)
        && Arrays.equals(signingKey, other.signingKey)
        && certificate.equals(other.certificate)
        && Arrays.equals(authorityPublicKey, other.authorityPublicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String name;
    @JsonProperty public String signingKey;
    @JsonProperty public String certificate;
    @JsonProperty public String authorityPublicKey;

    Stored() {}

    Stored(
        int format, String name, String signingKey, String certificate, String authorityPublicKey) {
      this.format = format;
      this.name = name;
      this.signingKey = signingKey;
      this.certificate = certificate;
      this.authorityPublicKey = authorityPublicKey;
    }
  }
}
