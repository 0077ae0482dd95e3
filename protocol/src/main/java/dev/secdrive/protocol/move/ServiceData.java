package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.security.Sealing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A client's service data (SDSV, S12-S13), sealed to the drive that becomes the client: "SDSV" | u8
 * 1 | str8 distributor | str8 client ID | str8 device ID | u32 leaf ID | u8 tree depth | 32 bytes
 * client Ed25519 public key | 32 bytes ephemeral X25519 public key | bytes32 sealed secrets |
 * bytes16 issuer certificate (role 4) | 64-byte signature over every byte before it.
 *
 * <p>The sealed secrets are {@link Sealing} to the drive's certified X25519 key with label {@code
 * service-data}, the AAD every byte before their bytes32 length, and the plaintext the 32-byte
 * client Ed25519 private key ‖ the device node keys (SDNK).
 */
public record ServiceData(
    String distributor,
    String clientId,
    String deviceId,
    long leafId,
    int depth,
    byte[] clientPublicKey,
    byte[] ephemeralPublicKey,
    byte[] sealedSecrets,
    Certificate issuer,
    byte[] signature) {

  public static final int VERSION = 1;
  public static final int MAX_DEPTH = 32;

  /** The longest sealed secrets a drive reads: far above a depth-32 tree's 25 KiB. */
  public static final int SEALED_MAX = 1 << 20;

  static final String MAGIC = "SDSV";

  /** What the drive alone learns: the client's signing key and its device node keys. */
  public record Secrets(byte[] clientPrivateKey, byte[] deviceNodeKeys) {
    public Secrets {
      clientPrivateKey =
          Fields.checkLength("client private key", clientPrivateKey, Ed25519.KEY_LENGTH).clone();
      deviceNodeKeys = deviceNodeKeys.clone();
    }

    @Override
    public byte[] clientPrivateKey() {
      return clientPrivateKey.clone();
    }

    @Override
    public byte[] deviceNodeKeys() {
      return deviceNodeKeys.clone();
    }

    byte[] plaintext() {
      return Bytes.concat(clientPrivateKey, deviceNodeKeys);
    }
  }

  public ServiceData {
    checkName(distributor);
    Fields.checkId("client ID", clientId, License.ID_MAX);
    Fields.checkId("device ID", deviceId, 255);
    License.checkLeaf(leafId);
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("tree depth must be 1.." + MAX_DEPTH);
    }
    if (depth < 32 && leafId >= 1L << depth) {
      throw new IllegalArgumentException("leaf ID beyond a tree of depth " + depth);
    }
    clientPublicKey =
        Fields.checkLength("client public key", clientPublicKey, Certificate.KEY_LENGTH).clone();
    ephemeralPublicKey =
        Fields.checkLength("ephemeral public key", ephemeralPublicKey, Certificate.KEY_LENGTH)
            .clone();
    sealedSecrets = Fields.checkMax("sealed secrets", sealedSecrets, SEALED_MAX).clone();
    if (issuer == null) {
      throw new NullPointerException("issuer");
    }
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  static void checkName(String name) {
    if (name == null || name.isBlank() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("distributor name must be 1..255 bytes of UTF-8");
    }
  }

  /** Seals {@code secrets} to the drive {@code driveX25519PublicKey} and signs (server side). */
  public static ServiceData seal(
      String distributor,
      String clientId,
      String deviceId,
      long leafId,
      int depth,
      byte[] clientPublicKey,
      Secrets secrets,
      byte[] driveX25519PublicKey,
      Certificate issuer,
      RawKeyPair issuerKey)
      throws AuthenticationException {
    return seal(
        dev.secdrive.kit.crypto.X25519.generate(),
        distributor,
        clientId,
        deviceId,
        leafId,
        depth,
        clientPublicKey,
        secrets,
        driveX25519PublicKey,
        issuer,
        issuerKey);
  }

  /**
   * As {@link #seal(String, String, String, long, int, byte[], Secrets, byte[], Certificate,
   * RawKeyPair)} with a given ephemeral key, which must seal nothing else (golden vectors).
   *
   * @throws AuthenticationException if the drive's key is of small order
   */
  public static ServiceData seal(
      RawKeyPair ephemeral,
      String distributor,
      String clientId,
      String deviceId,
      long leafId,
      int depth,
      byte[] clientPublicKey,
      Secrets secrets,
      byte[] driveX25519PublicKey,
      Certificate issuer,
      RawKeyPair issuerKey)
      throws AuthenticationException {
    if (!Arrays.equals(Ed25519.publicKey(secrets.clientPrivateKey), clientPublicKey)) {
      throw new IllegalArgumentException("the client key pair does not match");
    }
    ServiceData unsealed =
        new ServiceData(
            distributor,
            clientId,
            deviceId,
            leafId,
            depth,
            clientPublicKey,
            ephemeral.publicKey(),
            new byte[0],
            issuer,
            new byte[Certificate.SIGNATURE_LENGTH]);
    Sealing.Sealed sealed =
        Sealing.seal(
            ephemeral,
            driveX25519PublicKey,
            KeyLabels.SERVICE_DATA,
            unsealed.aad(),
            secrets.plaintext());
    ServiceData unsigned =
        new ServiceData(
            distributor,
            clientId,
            deviceId,
            leafId,
            depth,
            clientPublicKey,
            ephemeral.publicKey(),
            sealed.ciphertext(),
            issuer,
            new byte[Certificate.SIGNATURE_LENGTH]);
    return unsigned.withSignature(Issuer.sign(issuer, issuerKey, unsigned.signedBytes()));
  }

  /**
   * Opens the sealed secrets with the drive's X25519 private key (drive side; refusal 05h if this
   * throws).
   *
   * @throws AuthenticationException if they were not sealed to this drive, were altered, or hold a
   *     client private key that is not the one of {@link #clientPublicKey()}
   */
  public Secrets open(byte[] driveX25519PrivateKey) throws AuthenticationException {
    byte[] plain =
        Sealing.open(
            driveX25519PrivateKey,
            ephemeralPublicKey,
            KeyLabels.SERVICE_DATA,
            aad(),
            sealedSecrets);
    try {
      if (plain.length < Ed25519.KEY_LENGTH) {
        throw new AuthenticationException("sealed secrets shorter than the client key");
      }
      byte[] privateKey = Arrays.copyOf(plain, Ed25519.KEY_LENGTH);
      if (!MessageDigest.isEqual(Ed25519.publicKey(privateKey), clientPublicKey)) {
        throw new AuthenticationException("sealed client key is not the certified one");
      }
      return new Secrets(privateKey, Arrays.copyOfRange(plain, Ed25519.KEY_LENGTH, plain.length));
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  public ServiceData withSignature(byte[] signature) {
    return new ServiceData(
        distributor,
        clientId,
        deviceId,
        leafId,
        depth,
        clientPublicKey,
        ephemeralPublicKey,
        sealedSecrets,
        issuer,
        signature);
  }

  @Override
  public byte[] clientPublicKey() {
    return clientPublicKey.clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] sealedSecrets() {
    return sealedSecrets.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public boolean verifies() {
    return Issuer.verifies(issuer, signedBytes(), signature);
  }

  /** The AAD of the sealed secrets: every byte before their bytes32 length. */
  public byte[] aad() {
    return head().toByteArray();
  }

  private Fields.Writer head() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(distributor)
        .str8(clientId)
        .str8(deviceId)
        .u32(leafId)
        .u8(depth)
        .raw(clientPublicKey)
        .raw(ephemeralPublicKey);
  }

  public byte[] signedBytes() {
    return head().bytes32(sealedSecrets).bytes16(issuer.encode()).toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static ServiceData decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "service data");
    r.magic(MAGIC);
    r.version(VERSION);
    String distributor = r.name("distributor name");
    String clientId = r.id("client ID", License.ID_MAX);
    String deviceId = r.id("device ID");
    long leaf = r.u32("leaf ID");
    int at = r.position();
    int depth = r.u8("tree depth");
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "service data: tree depth " + depth + " not 1.." + MAX_DEPTH, at);
    }
    if (depth < 32 && leaf >= 1L << depth) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "service data: leaf ID " + leaf + " beyond a tree of depth " + depth,
          at - 4);
    }
    byte[] clientKey = r.raw("client public key", Certificate.KEY_LENGTH);
    byte[] ephemeral = r.raw("ephemeral public key", Certificate.KEY_LENGTH);
    byte[] sealed = r.bytes32("sealed secrets", SEALED_MAX);
    Certificate issuer = Issuer.read(r, "issuer certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new ServiceData(
        distributor,
        clientId,
        deviceId,
        leaf,
        depth,
        clientKey,
        ephemeral,
        sealed,
        issuer,
        signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceData s && Arrays.equals(encode(), s.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ServiceData["
        + clientId
        + " of "
        + distributor
        + ", leaf "
        + leafId
        + "/"
        + depth
        + " for drive "
        + deviceId
        + "]";
  }
}
