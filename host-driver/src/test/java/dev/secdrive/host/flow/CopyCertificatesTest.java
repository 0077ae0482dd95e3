package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRecord;
import org.junit.jupiter.api.Test;

class CopyCertificatesTest {

  private final TestKeys authority = new TestKeys();

  /** A central site certified by {@code keys}, as license-center makes one. */
  private static final class Site {
    final RawKeyPair key = Ed25519.generate();
    final Certificate certificate;

    Site(TestKeys keys) {
      this(keys, Certificate.Role.CENTRAL_SITE);
    }

    Site(TestKeys keys, Certificate.Role role) {
      certificate =
          keys.certify(Certificate.unsigned(role, "Central", new byte[32], key.publicKey()));
    }

    byte[] issue(String title, String medium) {
      CopyCertificate unsigned =
          new CopyCertificate(
              title,
              medium,
              "alice",
              "USER-DRIVE",
              7,
              1_700_000_000L,
              new byte[32],
              new byte[CopyCertificate.SEALED_KEY_LENGTH],
              certificate.encode(),
              new byte[64]);
      return unsigned
          .withSignature(Ed25519.sign(key.privateKey(), unsigned.signedBytes()))
          .encode();
    }
  }

  private String refusal(byte[] cs, byte[] authorityKey, String title, String medium) {
    return assertThrows(
            FlowException.class, () -> CopyCertificates.verify(cs, authorityKey, title, medium))
        .getMessage();
  }

  @Test
  void aCertificateOfTheSiteForThisTitleAndMediumVerifies() {
    Site site = new Site(authority);
    CopyCertificate cs =
        CopyCertificates.verify(
            site.issue("game-1", "MO-1"), authority.authority.publicKey(), "game-1", "MO-1");
    assertEquals("alice", cs.userId());
    assertEquals(7, cs.serial());
  }

  @Test
  void theCopyRecordLengthIsKnownBeforeTheSiteIsAsked() throws Exception {
    Site site = new Site(authority);
    byte[] cs = site.issue("game-1", "MO-1");
    CopyRecord record = new CopyRecord(cs, new byte[8], 1000, new byte[32], 10);
    assertEquals(
        record.encode().length,
        CopyRecord.encodedLength(
            CopyCertificate.encodedLength(
                "game-1", "MO-1", "alice", "USER-DRIVE", site.certificate.encode().length)));
  }

  @Test
  void aTamperedCertificateIsRefused() {
    Site site = new Site(authority);
    byte[] cs = site.issue("game-1", "MO-1");
    // the serial's last byte: still well-formed, no longer what the site signed
    int serialEnd = 5 + 1 + 6 + 1 + 4 + 1 + 5 + 8 - 1;
    cs[serialEnd] ^= 1;
    assertEquals(
        "the copy certificate's signature does not verify with the central site's key (tampered"
            + " copy certificate)",
        refusal(cs, authority.authority.publicKey(), "game-1", "MO-1"));
    byte[] cut = java.util.Arrays.copyOf(site.issue("game-1", "MO-1"), 40);
    assertEquals(
        true,
        refusal(cut, authority.authority.publicKey(), "game-1", "MO-1")
            .startsWith("the copy certificate is unreadable (tampered?)"));
  }

  @Test
  void aCertificateForAnotherMediumIsRefused() {
    Site site = new Site(authority);
    assertEquals(
        "the copy certificate is for medium MO-1 but this medium is MO-CLONE (a copy moved onto"
            + " another medium is not licensed)",
        refusal(
            site.issue("game-1", "MO-1"), authority.authority.publicKey(), "game-1", "MO-CLONE"));
  }

  @Test
  void aCertificateForAnotherTitleIsRefused() {
    Site site = new Site(authority);
    assertEquals(
        "the copy certificate is for title game-2, not game-1",
        refusal(site.issue("game-2", "MO-1"), authority.authority.publicKey(), "game-1", "MO-1"));
  }

  @Test
  void aLicensorTheAuthorityCertifiedIsNoCentralSite() {
    Site licensor = new Site(authority, Certificate.Role.LICENSOR);
    assertEquals(
        "the copy certificate is signed with a LICENSOR certificate ('Central'), not a central"
            + " site's: only a central site issues copy certificates",
        refusal(
            licensor.issue("game-1", "MO-1"), authority.authority.publicKey(), "game-1", "MO-1"));
  }

  @Test
  void aSiteTheAuthorityDidNotCertifyIsRefused() {
    Site rogue = new Site(new TestKeys()); // certified by another authority
    assertEquals(
        "the copy certificate's central site 'Central' is not certified by the licensing"
            + " authority",
        refusal(rogue.issue("game-1", "MO-1"), authority.authority.publicKey(), "game-1", "MO-1"));
  }
}
