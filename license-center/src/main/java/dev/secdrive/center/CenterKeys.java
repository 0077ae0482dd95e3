package dev.secdrive.center;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.center.crypto.Crypto;
import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * The central site's keys (PROTOCOL.md "Software copy"): the master key KM from which every title's
 * Ka and every medium's Ku are derived, and the Ed25519 key that signs copy certificates and
 * conversion grants, with its certificate (role 3, central site) from the licensing authority. The
 * center never holds the authority's private key: whoever holds the authority certifies the
 * center's key at setup, and again with {@link #recertify} for a center certified before central
 * sites had a role of their own. Kept in {@code center.json}, readable by its owner only.
 */
public final class CenterKeys {

  /** The file name in the data directory. */
  public static final String FILE = "center.json";

  private static final int FORMAT = 1;
  private static final HexFormat HEX = HexFormat.of();
  private final String name;
  private final byte[] masterKey;
  private final byte[] signingKey;
  private final Certificate certificate;
  private final byte[] authorityPublicKey;

  private CenterKeys(
      String name,
      byte[] masterKey,
      byte[] signingKey,
      Certificate certificate,
      byte[] authorityPublicKey) {
    this.name = name;
    this.masterKey = masterKey.clone();
    this.signingKey = signingKey.clone();
    this.certificate = certificate;
    this.authorityPublicKey = authorityPublicKey.clone();
    Certification.check(
        certificate, Certificate.Role.CENTRAL_SITE, name, signingKey, authorityPublicKey);
  }

  /**
   * Fresh keys for a center called {@code name}: a random KM and an Ed25519 key pair whose
   * certificate {@code authority} signs (for instance the emulator's {@code Authority::certify}).
   *
   * @param authorityPublicKey the authority's Ed25519 public key: drives' certificates are checked
   *     against it, and so is the certificate {@code authority} returns
   * @throws IllegalArgumentException if the returned certificate is not the one asked for, signed
   *     with {@code authorityPublicKey}
   */
  public static CenterKeys create(
      String name, byte[] authorityPublicKey, UnaryOperator<Certificate> authority) {
    RawKeyPair pair = Ed25519.generate();
    Certificate unsigned =
        Certificate.unsigned(
            Certificate.Role.CENTRAL_SITE, name, new byte[Crypto.KEY_LENGTH], pair.publicKey());
    Certificate signed = Certification.certify(unsigned, authority);
    return new CenterKeys(
        name, Bytes.random(Crypto.KEY_LENGTH), pair.privateKey(), signed, authorityPublicKey);
  }

  /**
   * @throws CenterSetupException naming the file if it is missing or corrupt, or if its certificate
   *     has role LICENSOR (a center certified before central sites had a role of their own: {@link
   *     #recertify} upgrades it)
   */
  public static CenterKeys load(Path file) {
    Stored stored = read(file);
    try {
      Fields fields = Fields.of(stored);
      if (fields.certificate.role() == Certificate.Role.LICENSOR) {
        throw new CenterSetupException(
            "center key file "
                + file
                + " holds a certificate of role LICENSOR, from before central sites had a role of"
                + " their own: run secdrive center recertify --data-dir "
                + dataDirOf(file)
                + " --file AUTHORITY (the licensing authority's file; KM and the signing key are"
                + " kept)");
      }
      return fields.keys(stored.name, fields.certificate);
    } catch (IllegalArgumentException | NullPointerException | ParameterException e) {
      throw new CenterSetupException(
          "center key file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * Re-issues the certificate of the keys in {@code file} with role CENTRAL_SITE, for the same name
   * and Ed25519 key, signed by {@code authority}, and replaces the file atomically (rw-------). KM
   * and the signing key stay as they are, so every derived Ka and every stored row stays valid. For
   * a center whose certificate has role LICENSOR; harmless for one already CENTRAL_SITE.
   *
   * @param authorityPublicKey the authority's public key: must be the one {@code file} holds
   * @throws CenterSetupException if the file is missing or corrupt, or {@code authorityPublicKey}
   *     is not the key in the file (naming both)
   * @throws IllegalArgumentException if {@code authority} certifies something else than asked, or
   *     not with {@code authorityPublicKey}
   */
  public static CenterKeys recertify(
      Path file, byte[] authorityPublicKey, UnaryOperator<Certificate> authority) {
    Stored stored = read(file);
    Fields fields;
    try {
      fields = Fields.of(stored);
      if (stored.name == null) {
        throw new IllegalArgumentException("field 'name' is missing");
      }
    } catch (IllegalArgumentException | NullPointerException | ParameterException e) {
      throw new CenterSetupException(
          "center key file " + file + " is corrupt: " + e.getMessage(), e);
    }
    if (!Arrays.equals(fields.authorityPublicKey, authorityPublicKey)) {
      throw new CenterSetupException(
          "the licensing authority given has public key "
              + HEX.formatHex(authorityPublicKey)
              + ", but center key file "
              + file
              + " was certified by "
              + HEX.formatHex(fields.authorityPublicKey)
              + ": recertify with that authority");
    }
    Certificate unsigned =
        Certificate.unsigned(
            Certificate.Role.CENTRAL_SITE,
            stored.name,
            fields.certificate.x25519PublicKey(),
            Ed25519.publicKey(fields.signingKey));
    Certificate signed = Certification.certify(unsigned, authority);
    CenterKeys keys = fields.keys(stored.name, signed);
    keys.save(file);
    return keys;
  }

  private static Path dataDirOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? file : parent;
  }

  /** The decoded fields of {@code center.json}, checked in the order they are listed. */
  private record Fields(
      byte[] masterKey, byte[] signingKey, Certificate certificate, byte[] authorityPublicKey) {

    static Fields of(Stored stored) throws ParameterException {
      if (stored.format != FORMAT) {
        throw new IllegalArgumentException("unsupported format " + stored.format);
      }
      return new Fields(
          unhex("masterKey", stored.masterKey, Crypto.KEY_LENGTH),
          unhex("signingKey", stored.signingKey, Crypto.KEY_LENGTH),
          Certificate.decode(unhex("certificate", stored.certificate, -1)),
          unhex("authorityPublicKey", stored.authorityPublicKey, Crypto.KEY_LENGTH));
    }

    CenterKeys keys(String name, Certificate certificate) {
      return new CenterKeys(name, masterKey, signingKey, certificate, authorityPublicKey);
    }
  }

  private static Stored read(Path file) {
    return KeyFiles.read(file, Stored.class, "center key file", "the center");
  }

  /** Writes the keys to {@code file} (rw-------), atomically. */
  public void save(Path file) {
    Stored stored = new Stored();
    stored.format = FORMAT;
    stored.name = name;
    stored.masterKey = HEX.formatHex(masterKey);
    stored.signingKey = HEX.formatHex(signingKey);
    stored.certificate = HEX.formatHex(certificate.encode());
    stored.authorityPublicKey = HEX.formatHex(authorityPublicKey);
    KeyFiles.write(file, stored, "center key file");
  }

  public String name() {
    return name;
  }

  /**
   * The center's certificate (role 3, central site), which every copy certificate and grant
   * carries.
   */
  public Certificate certificate() {
    return certificate;
  }

  public byte[] authorityPublicKey() {
    return authorityPublicKey.clone();
  }

  /** The center's Ed25519 signature over {@code data}. */
  public byte[] sign(byte[] data) {
    return Ed25519.sign(signingKey, data);
  }

  /** Kd of a scheme-1 title sealed for the database: KDF(KM, this, "") with the title ID as AAD. */
  private static final String TITLE_KEY_AT_REST = "title-key-at-rest";

  private static final int NONCE_LENGTH = 12;

  /**
   * Kd sealed for the database: nonce ‖ AES-256-GCM(KDF(KM, "title-key-at-rest", ""), AAD = title
   * ID). Bound to its title, so a row's key moved to another title does not open.
   */
  public byte[] sealTitleKey(String titleId, byte[] kd) {
    byte[] nonce = Bytes.random(NONCE_LENGTH);
    return Bytes.concat(nonce, AesGcm.seal(atRestKey(), nonce, ascii(titleId), kd));
  }

  /**
   * @throws IllegalStateException if {@code sealed} does not open for {@code titleId} under this
   *     center's KM (a database of another center, or a damaged row)
   */
  public byte[] openTitleKey(String titleId, byte[] sealed) {
    try {
      return AesGcm.open(
          atRestKey(),
          Arrays.copyOf(sealed, NONCE_LENGTH),
          ascii(titleId),
          Arrays.copyOfRange(sealed, NONCE_LENGTH, sealed.length));
    } catch (AuthenticationException | RuntimeException e) {
      throw new IllegalStateException(
          "the stored key of title "
              + titleId
              + " does not open under this center's master key (a database of another center,"
              + " or a damaged row)",
          e);
    }
  }

  private byte[] atRestKey() {
    return Crypto.kdf(masterKey, TITLE_KEY_AT_REST, new byte[0]);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** KDF(KM, label, context): Ka and Ku of PROTOCOL.md "Scheme 2". */
  public byte[] derive(String label, String context) {
    return Crypto.kdf(
        masterKey, label, context.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** Whether {@code certificate} has {@code role} and the licensing authority's signature. */
  public boolean certifiedByAuthority(Certificate certificate, Certificate.Role role) {
    return certificate.role() == role && Certification.signedBy(certificate, authorityPublicKey);
  }

  private static byte[] unhex(String field, String value, int length) {
    return HexKeys.parse(field, value, length);
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String name;
    @JsonProperty public String masterKey;
    @JsonProperty public String signingKey;
    @JsonProperty public String certificate;
    @JsonProperty public String authorityPublicKey;
  }
}
