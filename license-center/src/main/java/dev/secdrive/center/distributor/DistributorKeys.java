package dev.secdrive.center.distributor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.Certification;
import dev.secdrive.center.KeyFiles;
import dev.secdrive.center.crypto.Crypto;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * A distributor's keys and settings, kept in {@value #FILE} (readable by its owner only): its name,
 * its Ed25519 signing key with the licensing authority's certificate of role DISTRIBUTOR, the
 * authority's public key (drives' certificates are checked against it), the content master secret,
 * its category index in the federation's key tree, and where its two databases are.
 *
 * <p>Content keys are derived, never stored: Kc = KDF(content master, "content-key-002", content
 * ID), so a stolen database holds no content key, and the content master never leaves this file.
 */
public final class DistributorKeys {

  /** The file name in the data directory. */
  public static final String FILE = "distributor.json";

  /** The KDF label of content keys. */
  public static final String CONTENT_KEY_LABEL = "content-key-002";

  /** The KDF label of the key that authenticates registration challenges. */
  public static final String CHALLENGE_KEY_LABEL = "registration-challenge-002";

  private static final int FORMAT = 1;
  private static final HexFormat HEX = HexFormat.of();

  private final String name;
  private final byte[] signingKey;
  private final Certificate certificate;
  private final byte[] authorityPublicKey;
  private final byte[] contentMaster;
  private final long category;
  private final JdbcConfig privateDatabase;
  private final JdbcConfig sharedDatabase;

  private DistributorKeys(
      String name,
      byte[] signingKey,
      Certificate certificate,
      byte[] authorityPublicKey,
      byte[] contentMaster,
      long category,
      JdbcConfig privateDatabase,
      JdbcConfig sharedDatabase) {
    Certification.check(
        certificate, Certificate.Role.DISTRIBUTOR, name, signingKey, authorityPublicKey);
    if (category < 0) {
      throw new IllegalArgumentException("the category must not be negative, got " + category);
    }
    this.name = name;
    this.signingKey = signingKey.clone();
    this.certificate = certificate;
    this.authorityPublicKey = authorityPublicKey.clone();
    this.contentMaster = contentMaster.clone();
    this.category = category;
    this.privateDatabase = privateDatabase;
    this.sharedDatabase = sharedDatabase;
  }

  /**
   * Fresh keys for a distributor called {@code name}: an Ed25519 key pair whose certificate of role
   * DISTRIBUTOR {@code authority} signs, and a random content master.
   *
   * @throws IllegalArgumentException if the authority certified something else, or not with {@code
   *     authorityPublicKey}
   */
  public static DistributorKeys create(
      String name,
      byte[] authorityPublicKey,
      UnaryOperator<Certificate> authority,
      long category,
      JdbcConfig privateDatabase,
      JdbcConfig sharedDatabase) {
    RawKeyPair pair = Ed25519.generate();
    Certificate signed =
        Certification.certify(
            Certificate.unsigned(
                Certificate.Role.DISTRIBUTOR, name, new byte[Crypto.KEY_LENGTH], pair.publicKey()),
            authority);
    return new DistributorKeys(
        name,
        pair.privateKey(),
        signed,
        authorityPublicKey,
        Bytes.random(Crypto.KEY_LENGTH),
        category,
        privateDatabase,
        sharedDatabase);
  }

  /**
   * @throws CenterSetupException naming the file if it is missing or corrupt
   */
  public static DistributorKeys load(Path file) {
    Stored s = KeyFiles.read(file, Stored.class, "distributor key file", "the distributor");
    try {
      if (s.format != FORMAT) {
        throw new IllegalArgumentException("unsupported format " + s.format);
      }
      return new DistributorKeys(
          s.name,
          HexKeys.parse("signingKey", s.signingKey, Crypto.KEY_LENGTH),
          Certificate.decode(HexKeys.parse("certificate", s.certificate, HexKeys.ANY_LENGTH)),
          HexKeys.parse("authorityPublicKey", s.authorityPublicKey, Crypto.KEY_LENGTH),
          HexKeys.parse("contentMaster", s.contentMaster, Crypto.KEY_LENGTH),
          s.category,
          s.privateDatabase.config(),
          s.sharedDatabase.config());
    } catch (IllegalArgumentException | NullPointerException | ParameterException e) {
      throw new CenterSetupException(
          "distributor key file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Writes the keys to {@code file} (rw-------), atomically. */
  public void save(Path file) {
    Stored s = new Stored();
    s.format = FORMAT;
    s.name = name;
    s.signingKey = HEX.formatHex(signingKey);
    s.certificate = HEX.formatHex(certificate.encode());
    s.authorityPublicKey = HEX.formatHex(authorityPublicKey);
    s.contentMaster = HEX.formatHex(contentMaster);
    s.category = category;
    s.privateDatabase = StoredDatabase.of(privateDatabase);
    s.sharedDatabase = StoredDatabase.of(sharedDatabase);
    KeyFiles.write(file, s, "distributor key file");
  }

  public String name() {
    return name;
  }

  /** The distributor's certificate (role 4, DISTRIBUTOR), which every record it signs carries. */
  public Certificate certificate() {
    return certificate;
  }

  public byte[] authorityPublicKey() {
    return authorityPublicKey.clone();
  }

  /** The signing key pair, for the protocol's signing helpers. */
  RawKeyPair keyPair() {
    return new RawKeyPair(signingKey, certificate.ed25519PublicKey());
  }

  /** The distributor's Ed25519 signature over {@code data}. */
  public byte[] sign(byte[] data) {
    return Ed25519.sign(signingKey, data);
  }

  /** Kc of {@code contentId}: KDF(content master, "content-key-002", content ID). */
  public byte[] contentKey(String contentId) {
    return Crypto.kdf(
        contentMaster, CONTENT_KEY_LABEL, contentId.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The key of the registration challenges' MAC: KDF(content master, "registration-challenge-002",
   * ""). Derived, like the content keys, so that every process of this distributor checks the
   * challenges of every other, and nothing more is kept.
   */
  public byte[] challengeKey() {
    return Crypto.kdf(contentMaster, CHALLENGE_KEY_LABEL, new byte[0]);
  }

  /** The distributor's category index k in the key tree. */
  public long category() {
    return category;
  }

  public JdbcConfig privateDatabase() {
    return privateDatabase;
  }

  public JdbcConfig sharedDatabase() {
    return sharedDatabase;
  }

  /** Whether {@code certificate} has {@code role} and the licensing authority's signature. */
  public boolean certifiedByAuthority(Certificate certificate, Certificate.Role role) {
    return certificate.role() == role && Certification.signedBy(certificate, authorityPublicKey);
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public String name;
    @JsonProperty public String signingKey;
    @JsonProperty public String certificate;
    @JsonProperty public String authorityPublicKey;
    @JsonProperty public String contentMaster;
    @JsonProperty public long category;
    @JsonProperty public StoredDatabase privateDatabase;
    @JsonProperty public StoredDatabase sharedDatabase;
  }

  /** A database's JDBC URL and credentials. */
  static final class StoredDatabase {
    @JsonProperty public String url;
    @JsonProperty public String user;
    @JsonProperty public String password;

    static StoredDatabase of(JdbcConfig config) {
      StoredDatabase d = new StoredDatabase();
      d.url = config.url();
      d.user = config.user();
      d.password = config.password();
      return d;
    }

    JdbcConfig config() {
      return new JdbcConfig(url, user, password);
    }
  }
}
