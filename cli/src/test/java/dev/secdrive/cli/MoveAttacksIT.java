package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.MoveRecord;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Reason;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the content move of seed 002 across the real boundary: an emulator on 127.0.0.1:0 with
 * client A's drive (LUN 0) and client B's (LUN 1), both enrolled with one licensing authority, and
 * the host driver over TCP. Distributor A and B are key pairs the authority certified as
 * DISTRIBUTORs. A host that holds every record in clear tries to install a copy's license without
 * MOVE OUT, and to play or renew one distributor's content with another's license of the same IDs;
 * each is refused, leaving the client state as it was.
 */
class MoveAttacksIT extends MoveRig {

  // ---------------------------------------------------------------- attacks

  /**
   * The license for B inside a contents copy certificate reaches the host in clear (HTTP answer,
   * move record), but it is bound to its certificate: INSTALL LICENSE (0202h) refuses it (17h), so
   * it cannot skip MOVE OUT and A's removable-copy count (here 0, so MOVE OUT refuses 14h). MOVE IN
   * takes it only inside the certificate it names.
   */
  @Test
  void aCopysLicenseInstallsOnlyByMoveInOfItsOwnCertificate() {
    clientAWithLicense(conditions(3, 0));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    refused(Reason.NO_COPIES_LEFT, 0, d -> d.secure().moveOut(certificate.serial(), P));
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    refused(
        Reason.NO_CERTIFICATE, 1, d -> d.secure().installLicense(certificate.license().encode()));
    // Nor inside a certificate of another serial that the host wrote after the package itself.
    ContentsCopyCertificate rewrapped =
        ContentsCopyCertificate.sign(
            Bytes.random(16), SONG, LEAF_A, LEAF_B, certificate.license(), distributorA, keyA);
    writePackage(
        1, header.moveRecordLba(P, blockSize(1)), new MoveRecord(rewrapped).blocks(blockSize(1)));
    refused(Reason.NO_CERTIFICATE, 1, d -> d.secure().moveIn(P));
    assertEquals(0, status(1).licenses().size());
  }

  /**
   * Licenses are held by (issuer, license ID): a license of Distributor B with the same IDs does
   * not open a package whose header names Distributor A (08h).
   */
  @Test
  void aLicenseOfAnotherDistributorDoesNotOpenAPackageOfTheSameIds() {
    register(0, "client-a", LEAF_A, distributorA, keyA);
    writePackage(0, P, packageBlocks);
    long s = now.get().getEpochSecond();
    License ofB =
        License.sign(
            Bytes.random(16),
            LICENSE_ID,
            SONG,
            LEAF_A,
            new UseConditions(s - 60, s + 3600, UseConditions.UNLIMITED, 0, 0),
            distributorB,
            keyB);
    with(0, d -> d.secure().installLicense(ofB.encode()));
    assertEquals("Distributor A", header.distributor());
    refused(Reason.NO_LICENSE, 0, d -> d.secure().openContent(P));
    // A's own license of the same IDs opens it, and both are held side by side.
    with(0, d -> d.secure().installLicense(license(LEAF_A, conditions(1, 0)).encode()));
    assertEquals(2, status(0).licenses().size());
    assertArrayEquals(song, play(0, P));
  }

  /**
   * A license of another issuer with the same license ID is no update: Distributor B's free,
   * unlimited one is held beside A's exhausted one, which stays exhausted (09h). An update of A's
   * own license ID for another content is refused (13h).
   */
  @Test
  void aLicenseOfAnotherIssuerDoesNotReplaceAnExhaustedOneOfTheSameId() {
    clientAWithLicense(conditions(1, 0));
    assertArrayEquals(song, play(0, P));
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
    long s = now.get().getEpochSecond();
    UseConditions free = new UseConditions(s - 60, s + 3600, UseConditions.UNLIMITED, 0, 0);
    License ofB =
        License.sign(Bytes.random(16), LICENSE_ID, SONG, LEAF_A, free, distributorB, keyB);
    with(0, d -> d.secure().installLicense(ofB.encode()));
    assertEquals(2, status(0).licenses().size());
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
    License otherContent =
        License.sign(
            Bytes.random(16), LICENSE_ID, "another-content", LEAF_A, free, distributorA, keyA);
    refused(Reason.CONTENT_MISMATCH, 0, d -> d.secure().installLicense(otherContent.encode()));
    // A's own update of the same content does replace it, and plays again.
    with(0, d -> d.secure().installLicense(license(LEAF_A, conditions(1, 0)).encode()));
    assertEquals(2, status(0).licenses().size());
    assertArrayEquals(song, play(0, P));
  }
}
