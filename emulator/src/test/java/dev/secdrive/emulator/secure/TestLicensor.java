package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.TitleHeader;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The licensor side of PROVISION and the writer of titles, built in test code from the
 * specification (PROTOCOL.md "PROVISION parameter list", "Titles"), not from the drive's code.
 */
public final class TestLicensor {

  private final RawKeyPair signing;
  private final Certificate certificate;

  public TestLicensor(Authority authority, String name) {
    this(authority, name, Ed25519.generate());
  }

  private TestLicensor(Authority authority, String name, RawKeyPair signing) {
    this.signing = signing;
    this.certificate =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.LICENSOR, name, new byte[32], signing.publicKey()));
  }

  /** This licensor, with the same signing key, certified by {@code authority} as {@code name}. */
  public TestLicensor renamed(Authority authority, String name) {
    return new TestLicensor(authority, name, signing);
  }

  /** A licensor whose certificate some other authority signed. */
  public static TestLicensor uncertified(String name) {
    return new TestLicensor(Authority.create(), name);
  }

  public Certificate certificate() {
    return certificate;
  }

  /** A signed PROVISION parameter list sealing {@code contentKey} to {@code drive}. */
  public ProvisionRequest provision(
      byte[] challenge,
      String mediumId,
      String contentId,
      long plays,
      byte[] contentKey,
      Certificate drive) {
    RawKeyPair ephemeral = X25519.generate();
    byte[] shared;
    try {
      shared = X25519.agree(ephemeral.privateKey(), drive.x25519PublicKey());
    } catch (AuthenticationException e) {
      throw new IllegalStateException(e);
    }
    byte[] key =
        Crypto.kdf(
            shared,
            KeyLabels.PROVISION,
            Bytes.concat(ephemeral.publicKey(), drive.x25519PublicKey()));
    byte[] sealed =
        AesGcm.seal(
            key,
            new byte[12],
            ProvisionRequest.sealedKeyAad(challenge, mediumId, contentId),
            contentKey);
    ProvisionRequest unsigned =
        new ProvisionRequest(
            challenge,
            mediumId,
            contentId,
            plays,
            ephemeral.publicKey(),
            sealed,
            certificate.encode(),
            new byte[64]);
    return unsigned.withSignature(Ed25519.sign(signing.privateKey(), unsigned.signedBytes()));
  }

  /** Signs a PROVISION list whose sealed content key the caller built itself. */
  public ProvisionRequest sign(ProvisionRequest unsigned) {
    return unsigned.withSignature(Ed25519.sign(signing.privateKey(), unsigned.signedBytes()));
  }

  /** A title: header block then the AES-256-CTR encrypted, zero-padded data blocks. */
  public static byte[] title(String contentId, byte[] contentKey, byte[] plaintext, int blockSize)
      throws Exception {
    byte[] nonce = Bytes.random(TitleHeader.NONCE_LENGTH);
    TitleHeader unchecked = TitleHeader.unchecked(contentId, nonce, plaintext.length);
    byte[] checkKey = Crypto.kdf(contentKey, KeyLabels.TITLE_CHECK, new byte[0]);
    TitleHeader header =
        unchecked.withCheck(Arrays.copyOf(Hmac.sha256(checkKey, unchecked.checkedBytes()), 16));
    int blocks = (int) header.dataBlocks(blockSize);
    byte[] padded = Arrays.copyOf(plaintext, blocks * blockSize);
    Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
    ctr.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(contentKey, "AES"),
        new IvParameterSpec(TitleHeader.counterBlock(nonce, 0)));
    return Bytes.concat(header.encode(blockSize), ctr.doFinal(padded));
  }
}
