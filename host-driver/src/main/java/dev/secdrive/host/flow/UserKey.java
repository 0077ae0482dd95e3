package dev.secdrive.host.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The user key of the software copy: an Ed25519 signing pair that signs the user's copy requests
 * (license-center/API.md "Signed copy requests"), so only this user is billed for them, and the
 * X25519 pair KU the seed document seals title keys to. The site registers both public halves, but
 * seals no title key to KU any more: a title key goes to the target drive only (PROTOCOL.md "Scheme
 * 1"), so this key opens no title. Stored as JSON with owner-only permissions (0600): whoever reads
 * the file can ask for copies in the user's name.
 */
public final class UserKey {

  /** Format 2: the X25519 pair and the Ed25519 signing pair. Format 1 had the X25519 pair only. */
  private static final int FORMAT = 2;

  private static final int GCM_NONCE_LENGTH = 12;
  private static final byte[] BASE_POINT = basePoint();
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final byte[] privateKey;
  private final byte[] publicKey;
  private final byte[] signingPrivateKey;
  private final byte[] signingPublicKey;

  private UserKey(
      byte[] privateKey, byte[] publicKey, byte[] signingPrivateKey, byte[] signingPublicKey) {
    this.privateKey = privateKey.clone();
    this.publicKey = publicKey.clone();
    this.signingPrivateKey = signingPrivateKey.clone();
    this.signingPublicKey = signingPublicKey.clone();
  }

  /** A fresh key: a new X25519 pair and a new Ed25519 signing pair. */
  public static UserKey create() {
    RawKeyPair pair = X25519.generate();
    RawKeyPair signing = Ed25519.generate();
    return new UserKey(
        pair.privateKey(), pair.publicKey(), signing.privateKey(), signing.publicKey());
  }

  /**
   * The key with raw X25519 private key {@code privateKey} and Ed25519 seed {@code
   * signingPrivateKey}.
   *
   * @throws IllegalArgumentException if either is not 32 bytes or gives no usable public key
   */
  public static UserKey of(byte[] privateKey, byte[] signingPrivateKey) {
    if (privateKey.length != Crypto.KEY_LENGTH) {
      throw new IllegalArgumentException("an X25519 private key has 32 bytes");
    }
    if (signingPrivateKey.length != Crypto.KEY_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 private key (seed) has 32 bytes");
    }
    byte[] pub;
    try {
      pub = X25519.agree(privateKey, BASE_POINT);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("unusable X25519 private key: " + e.getMessage(), e);
    }
    return new UserKey(privateKey, pub, signingPrivateKey, Ed25519.publicKey(signingPrivateKey));
  }

  /** The raw X25519 public key the central site registers (RFC 7748, 32 bytes). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  public String publicKeyHex() {
    return HexFormat.of().formatHex(publicKey);
  }

  /** The raw Ed25519 public key the central site verifies this user's copy requests with. */
  public byte[] signingPublicKey() {
    return signingPublicKey.clone();
  }

  public String signingPublicKeyHex() {
    return HexFormat.of().formatHex(signingPublicKey);
  }

  /**
   * The Ed25519 signature (64 bytes) of {@code message}: what a copy request carries as {@code
   * signature} (see {@link dev.secdrive.protocol.security.CopyRequests}).
   */
  public byte[] sign(byte[] message) {
    return Ed25519.sign(signingPrivateKey, message);
  }

  // ---------------------------------------------------------------- file

  /**
   * Reads a user key file.
   *
   * @throws FlowException naming the file and what is wrong with it
   */
  public static UserKey load(Path file) {
    byte[] bytes;
    try {
      bytes = SecretFiles.read(file);
    } catch (NoSuchFileException e) {
      throw new FlowException("user key " + file + " does not exist");
    } catch (LooseSecretFileException e) {
      // As OpenSSH refuses a loose private key: another local user may have read it, or planted it.
      throw new FlowException("user key " + e.getMessage(), e);
    } catch (IOException e) {
      throw new FlowException("cannot read user key " + file + ": " + e, e);
    }
    Stored stored;
    try {
      stored = JSON.readValue(bytes, Stored.class);
    } catch (IOException e) {
      throw new FlowException(file + " is not a user key file (JSON): " + firstLine(e), e);
    }
    if (stored.format == 1) {
      throw new FlowException(
          "user key "
              + file
              + " is of format 1, an X25519 key without the Ed25519 key that signs copy requests;"
              + " create a new one with 'secdrive user-key create --out FILE' and have the central"
              + " site register it ('secdrive center user add --user-key FILE')");
    }
    if (stored.format != FORMAT) {
      throw new FlowException(
          "user key "
              + file
              + ": format "
              + stored.format
              + " is not supported (this secdrive reads "
              + FORMAT
              + ")");
    }
    byte[] priv = unhex(file, "privateKey", stored.privateKey);
    byte[] pub = unhex(file, "publicKey", stored.publicKey);
    byte[] signingPriv = unhex(file, "signingPrivateKey", stored.signingPrivateKey);
    byte[] signingPub = unhex(file, "signingPublicKey", stored.signingPublicKey);
    UserKey key;
    try {
      key = of(priv, signingPriv);
    } catch (IllegalArgumentException e) {
      throw new FlowException("user key " + file + ": " + e.getMessage());
    }
    if (!Arrays.equals(key.publicKey, pub)) {
      throw new FlowException(
          "user key " + file + ": the public key does not match the private key");
    }
    if (!Arrays.equals(key.signingPublicKey, signingPub)) {
      throw new FlowException(
          "user key " + file + ": the signing public key does not match the signing private key");
    }
    return key;
  }

  /** Writes the key to {@code file} (0600), atomically, never over an existing file. */
  public void save(Path file) {
    if (Files.exists(file)) {
      throw new FlowException(file + " already exists; not overwriting a user key");
    }
    HexFormat hex = HexFormat.of();
    Stored stored =
        new Stored(
            FORMAT,
            hex.formatHex(privateKey),
            hex.formatHex(publicKey),
            hex.formatHex(signingPrivateKey),
            hex.formatHex(signingPublicKey));
    try {
      byte[] json = JSON.writeValueAsBytes(stored);
      AtomicFiles.createSecret(file, json);
    } catch (FileAlreadyExistsException e) {
      throw new FlowException(file + " already exists; not overwriting a user key");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the user key", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] unhex(Path file, String field, String value) {
    if (value == null) {
      throw new FlowException("user key " + file + ": '" + field + "' is missing");
    }
    try {
      return HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      throw new FlowException("user key " + file + ": '" + field + "' is not hexadecimal");
    }
  }

  private static String firstLine(IOException e) {
    String message = e.getMessage();
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static byte[] basePoint() {
    byte[] u = new byte[Crypto.KEY_LENGTH];
    u[0] = 9; // RFC 7748 section 4.1: the base point u = 9, little-endian
    return u;
  }

  @Override
  public String toString() {
    return "UserKey[" + publicKeyHex() + ", signing " + signingPublicKeyHex() + "]"; // no private
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String privateKey;
    @JsonProperty public String publicKey;
    @JsonProperty public String signingPrivateKey;
    @JsonProperty public String signingPublicKey;

    Stored() {}

    Stored(
        int format,
        String privateKey,
        String publicKey,
        String signingPrivateKey,
        String signingPublicKey) {
      this.format = format;
      this.privateKey = privateKey;
      this.publicKey = publicKey;
      this.signingPrivateKey = signingPrivateKey;
      this.signingPublicKey = signingPublicKey;
    }
  }
}
