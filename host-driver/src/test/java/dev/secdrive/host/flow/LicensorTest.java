package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ProvisionRequest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class LicensorTest {

  private final TestKeys keys = new TestKeys();
  private final LicensorCredential licensor = keys.licensor("Studio One");

  /** A drive's X25519 key pair made here with plain JCA, and its raw public key. */
  private static KeyPair driveKeyPair() throws Exception {
    return KeyPairGenerator.getInstance("X25519").generateKeyPair();
  }

  private static byte[] rawX25519(PublicKey key) {
    // RFC 7748: u little-endian; BigInteger is big-endian
    byte[] be = ((XECPublicKey) key).getU().toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < Math.min(32, be.length); i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static PublicKey x25519Public(byte[] raw) throws Exception {
    byte[] be = new byte[33];
    for (int i = 0; i < 32; i++) {
      be[32 - i] = raw[i];
    }
    return KeyFactory.getInstance("X25519")
        .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(be)));
  }

  private static byte[] hkdf(byte[] ikm, String label, byte[] context) {
    byte[] prefix = ("\u0001" + label + "\u0000").getBytes(StandardCharsets.US_ASCII);
    byte[] info = Arrays.copyOf(prefix, prefix.length + context.length);
    System.arraycopy(context, 0, info, prefix.length, context.length);
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, new byte[0], info));
    byte[] out = new byte[32];
    generator.generateBytes(out, 0, 32);
    return out;
  }

  @Test
  void requestIsSignedAndItsKeyOpensOnlyInTheDrive() throws Exception {
    KeyPair drive = driveKeyPair();
    byte[] drivePublic = rawX25519(drive.getPublic());
    Certificate driveCertificate =
        keys.certify(
            Certificate.unsigned(Certificate.Role.DRIVE, "DEV-7", drivePublic, new byte[32]));
    byte[] challenge = HexFormat.of().parseHex("11".repeat(32));
    byte[] contentKey = HexFormat.of().parseHex("c0".repeat(32));

    ProvisionRequest request =
        Licensor.request(
            licensor,
            driveCertificate,
            challenge,
            "MO-1",
            "MOVIE-1",
            3,
            contentKey,
            X25519.generate());
    ProvisionRequest decoded = ProvisionRequest.decode(request.encode());
    assertEquals("MO-1", decoded.mediumId());
    assertEquals("MOVIE-1", decoded.contentId());
    assertEquals(3, decoded.plays());
    assertArrayEquals(challenge, decoded.challenge());
    assertArrayEquals(licensor.certificate().encode(), decoded.licensorCertificate());

    // The signature verifies with the key in the licensor's certificate.
    Certificate licensorCertificate = Certificate.decode(decoded.licensorCertificate());
    PublicKey ed =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new X509EncodedKeySpec(
                    HexFormat.of()
                        .parseHex(
                            "302a300506032b6570032100"
                                + HexFormat.of()
                                    .formatHex(licensorCertificate.ed25519PublicKey()))));
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(ed);
    verifier.update(decoded.signedBytes());
    assertTrue(verifier.verify(decoded.signature()));
    verifier.initVerify(ed);
    byte[] tampered = decoded.signedBytes();
    tampered[tampered.length - 1] ^= 1;
    verifier.update(tampered);
    assertFalse(verifier.verify(decoded.signature()));

    // The sealed key opens with the drive's private key, as the drive would.
    KeyAgreement agreement = KeyAgreement.getInstance("X25519");
    agreement.init(drive.getPrivate());
    agreement.doPhase(x25519Public(decoded.ephemeralPublicKey()), true);
    byte[] shared = agreement.generateSecret();
    byte[] context = Arrays.copyOf(decoded.ephemeralPublicKey(), 64);
    System.arraycopy(drivePublic, 0, context, 32, 32);
    byte[] key = hkdf(shared, "provision", context);
    assertArrayEquals(contentKey, open(key, decoded.sealedKeyAad(), decoded.sealedContentKey()));
    // ... and only for this challenge, medium and content.
    assertThrows(
        AEADBadTagException.class,
        () ->
            open(
                key,
                ProvisionRequest.sealedKeyAad(challenge, "MO-2", "MOVIE-1"),
                decoded.sealedContentKey()));
  }

  private static byte[] open(byte[] key, byte[] aad, byte[] sealed) throws Exception {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, new byte[12]));
    gcm.updateAAD(aad);
    return gcm.doFinal(sealed);
  }

  @Test
  void aTitleMustFitTheMedium() {
    Capacity capacity = new Capacity(99, 2048); // LBAs 0..99
    Licensor.checkFits(capacity, 0, 99, 99 * 2048); // header at 0, data 1..99
    Licensor.checkFits(capacity, 99, 0, 0); // an empty title: the header alone
    FlowException e =
        assertThrows(FlowException.class, () -> Licensor.checkFits(capacity, 1, 99, 99 * 2048));
    assertEquals(
        "a title of 202752 bytes needs 100 blocks (header and 99 data blocks of 2048 bytes)"
            + " from LBA 1 to LBA 100, but the medium's last LBA is 99",
        e.getMessage());
    assertThrows(FlowException.class, () -> Licensor.checkFits(capacity, 100, 0, 0));
    assertThrows(FlowException.class, () -> Licensor.checkFits(capacity, -1, 0, 0));
  }

  @Test
  void driveCertificatesAreChecked() {
    byte[] authority = keys.authority.publicKey();
    Certificate good =
        keys.certify(
            Certificate.unsigned(Certificate.Role.DRIVE, "DEV-1", new byte[32], new byte[32]));
    Certificates.checkDrive(good, "DEV-1", authority);
    assertEquals(
        "the drive's certificate is for device DEV-1 but the drive reports device ID DEV-2;"
            + " refusing to send it a content key",
        assertThrows(FlowException.class, () -> Certificates.checkDrive(good, "DEV-2", authority))
            .getMessage());
    TestKeys other = new TestKeys();
    Certificate foreign =
        other.certify(
            Certificate.unsigned(Certificate.Role.DRIVE, "DEV-1", new byte[32], new byte[32]));
    assertTrue(
        assertThrows(
                FlowException.class, () -> Certificates.checkDrive(foreign, "DEV-1", authority))
            .getMessage()
            .contains("is not signed by the licensing authority"));
    assertTrue(
        assertThrows(
                FlowException.class,
                () -> Certificates.checkDrive(licensor.certificate(), "Studio One", authority))
            .getMessage()
            .contains("not a drive certificate"));
  }
}
