package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveStateException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.MoveRecord;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The content move of seed 002 across the real boundary: an emulator on 127.0.0.1:0 with client A's
 * drive (LUN 0) and client B's (LUN 1), both enrolled with one licensing authority, and the host
 * driver over TCP. Distributor A and B are key pairs the authority certified as DISTRIBUTORs; the
 * key tree is protocol's. A registers with A, B with B; a license of A plays on A; a contents copy
 * certificate moves the content on removable media to B, where it plays; and every refusal of the
 * issue is provoked, each leaving the client state as it was.
 */
class ContentMoveIT extends MoveRig {

  // ---------------------------------------------------------------- the flow

  @Test
  void aContentMovesFromClientAToClientBOnRemovableMediaAndPlaysOnBoth() {
    assertFalse(status(0).registered());
    clientAWithLicense(conditions(3, 1));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    ClientStatus a = status(0);
    assertEquals("client-a", a.client().orElseThrow().clientId());
    assertEquals(LEAF_A, a.client().orElseThrow().leafId());
    assertEquals(1, a.licenses().size());
    assertEquals(1, a.usedSerials());

    assertArrayEquals(song, play(0, P), "A plays the plaintext");
    assertEquals(2, status(0).licenses().get(0).conditions().plays(), "one play spent");

    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    assertEquals(1, status(0).certificates().size());
    with(0, d -> d.secure().moveOut(certificate.serial(), P));
    ClientStatus moved = status(0);
    assertTrue(moved.certificates().isEmpty(), "the certificate is given up");
    assertEquals(2, moved.usedSerials(), "and its serial used");
    refused(Reason.ALREADY_USED, 0, d -> d.secure().storeCertificate(certificate.encode()));
    assertEquals(0, moved.licenses().get(0).conditions().removableCopies());
    with(
        0,
        d -> {
          long at = header.moveRecordLba(P, d.capacity().blockSize());
          byte[] record = d.read(at, 1);
          assertEquals(
              "SDMV", new String(record, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        });

    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    with(1, d -> d.secure().moveIn(P));
    ClientStatus b = status(1);
    assertEquals(1, b.licenses().size());
    assertEquals(LICENSE_ID, b.licenses().get(0).licenseId());
    assertEquals("Distributor A", b.licenses().get(0).issuer());
    assertEquals(2, b.usedSerials(), "the certificate's and the license's serials");
    assertArrayEquals(song, play(1, P), "B plays the plaintext");
    assertArrayEquals(song, play(1, P), "an unlimited license plays again");

    // S165-S167: the same record moves nothing twice, also after a restart.
    refused(Reason.ALREADY_USED, 1, d -> d.secure().moveIn(P));
    emulator.close();
    emulator = emulator();
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    refused(Reason.ALREADY_USED, 1, d -> d.secure().moveIn(P));
  }

  @Test
  void clientStateFilesPutBackFromAnEarlierCopyStopTheDriveFromStarting() throws Exception {
    clientAWithLicense(conditions(3, 1));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    Path state = Emulator.driveFiles(media, Rig.anchors(media), config(1)).stateFile();
    Path saved = Files.copy(state, media.resolve("saved-state"));
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    with(0, d -> d.secure().moveOut(certificate.serial(), P));
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    with(1, d -> d.secure().moveIn(P));
    emulator.close();
    emulator = null;
    // B's state from before the MOVE IN, which has not used the serials yet, put back.
    Files.copy(saved, state, StandardCopyOption.REPLACE_EXISTING);
    DriveStateException e = assertThrows(DriveStateException.class, this::emulator);
    assertTrue(e.getMessage().contains("older than its anchor"), e.getMessage());
  }

  private static DriveConfig config(int lun) {
    return lun == 0
        ? new DriveConfig(0, "mo-640", "CLIENT-A", "MO-A")
        : new DriveConfig(1, "mo-640", "CLIENT-B", null);
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void aForgedOrAlteredCertificateIsRefused() {
    clientAWithLicense(conditions(3, 1));
    byte[] good = certificate(LEAF_A, LEAF_B).encode();
    int refusals = 0;
    for (int bit = 0; bit < good.length * 8; bit += 11) {
      byte[] flipped = good.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      ClientStatus before = status(0);
      ScsiException e =
          assertThrows(
              ScsiException.class,
              () -> with(0, d -> d.secure().storeCertificate(flipped)),
              "bit " + bit);
      assertTrue(
          e.reason().isPresent()
              || e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
          "bit " + bit + ": " + e.getMessage());
      assertEquals(before, status(0));
      refusals++;
    }
    assertEquals((good.length * 8 + 10) / 11, refusals);
    // Signed by a distributor key the authority never certified.
    RawKeyPair forger = Ed25519.generate();
    Certificate selfMade =
        Certificate.unsigned(
                Certificate.Role.DISTRIBUTOR, "Distributor A", new byte[32], forger.publicKey())
            .withSignature(Ed25519.sign(forger.privateKey(), new byte[1]));
    ContentsCopyCertificate forged =
        ContentsCopyCertificate.sign(
            Bytes.random(16),
            SONG,
            LEAF_A,
            LEAF_B,
            certificate(LEAF_A, LEAF_B).license(),
            selfMade,
            forger);
    refused(Reason.CERTIFICATE, 0, d -> d.secure().storeCertificate(forged.encode()));
    // The same fields under distributor A's certificate, signed by another key.
    ContentsCopyCertificate good2 = certificate(LEAF_A, LEAF_B);
    byte[] badSignature =
        good2.withSignature(Ed25519.sign(forger.privateKey(), good2.signedBytes())).encode();
    refused(Reason.SIGNATURE, 0, d -> d.secure().storeCertificate(badSignature));
  }

  @Test
  void anAlteredMoveRecordOnTheMediumIsRefusedByMoveIn() {
    clientAWithLicense(conditions(3, 1));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    with(0, d -> d.secure().moveOut(certificate.serial(), P));
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    int blockSize = blockSize(1);
    long at = header.moveRecordLba(P, blockSize);
    byte[] record = new MoveRecord(certificate).blocks(blockSize);
    byte[] altered = record.clone();
    altered[9 + 22] ^= 1; // the first character of the certificate's content ID
    writePackage(1, at, altered);
    ScsiException e = refused(Reason.SIGNATURE, 1, d -> d.secure().moveIn(P));
    assertEquals(Reason.SIGNATURE, e.reason().orElseThrow());
    writePackage(1, at, record);
    with(1, d -> d.secure().moveIn(P));
  }

  @Test
  void certificatesAndPackagesOfAnotherContentOrClientAreRefused() {
    clientAWithLicense(conditions(3, 1));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    // a certificate whose source is B, stored on A
    ContentsCopyCertificate fromB = certificate(LEAF_B, LEAF_A);
    refused(Reason.OTHER_CLIENT, 0, d -> d.secure().storeCertificate(fromB.encode()));
    // a package of another content at Q: MOVE OUT of the song's certificate onto it
    byte[] otherKey = Bytes.random(32);
    ContentPackage.Header other =
        header("song-2", "lic-song-2", 100, tree.ekb(0, List.of()).encode(), 0, otherKey);
    writePackage(
        0,
        Q,
        ContentPackage.blocks(
            other, ContentPackage.crypt(otherKey, other.nonce(), new byte[100]), blockSize(0)));
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    refused(Reason.CONTENT_MISMATCH, 0, d -> d.secure().moveOut(certificate.serial(), Q));
    refused(Reason.NO_CERTIFICATE, 0, d -> d.secure().moveOut(Bytes.random(16), P));
    // a license for another client
    refused(
        Reason.OTHER_CLIENT,
        0,
        d -> d.secure().installLicense(license(LEAF_B, conditions(1, 0)).encode()));
    // a certificate destined for A moved in by A's own drive is for another client: B's
    with(0, d -> d.secure().moveOut(certificate.serial(), P));
    refused(Reason.OTHER_CLIENT, 0, d -> d.secure().moveIn(P));
    // no move record follows the package at Q
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    refused(Reason.NO_CERTIFICATE, 1, d -> d.secure().moveIn(Q));
  }

  @Test
  void copiesToRemovableMediaAreCountedAndExhausted() {
    clientAWithLicense(conditions(3, 1));
    ContentsCopyCertificate first = certificate(LEAF_A, LEAF_B);
    ContentsCopyCertificate second = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(first.encode()));
    with(0, d -> d.secure().storeCertificate(second.encode()));
    refused(Reason.ALREADY_USED, 0, d -> d.secure().storeCertificate(first.encode()));
    with(0, d -> d.secure().moveOut(first.serial(), P));
    refused(Reason.NO_COPIES_LEFT, 0, d -> d.secure().moveOut(second.serial(), P));
    // write protection refuses before anything is written
    emulator.setWriteProtected(0, true);
    License more = clientALicenseUpdate(conditions(3, 2));
    assertEquals(2, status(0).licenses().get(0).conditions().removableCopies());
    ScsiException e =
        assertThrows(
            ScsiException.class, () -> with(0, d -> d.secure().moveOut(second.serial(), P)));
    assertTrue(e.is(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED), e.getMessage());
    assertEquals(1, status(0).certificates().size());
    emulator.setWriteProtected(0, false);
    with(0, d -> d.secure().moveOut(second.serial(), P));
    assertEquals(1, status(0).licenses().get(0).conditions().removableCopies());
    assertEquals(LICENSE_ID, more.licenseId());
  }

  private License clientALicenseUpdate(UseConditions conditions) {
    License update = license(LEAF_A, conditions);
    with(0, d -> d.secure().installLicense(update.encode()));
    return update;
  }

  @Test
  void anExpiredLicensePlaysAgainOnlyAfterAnUpdate() {
    UseConditions c = conditions(UseConditions.UNLIMITED, 0);
    clientAWithLicense(c);
    assertArrayEquals(song, play(0, P));
    now.set(Instant.ofEpochSecond(c.notAfter() + 1));
    ScsiException e = refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
    assertEquals(c.notAfter(), e.sense().information(), "INFORMATION = not-after");
    clientALicenseUpdate(conditions(UseConditions.UNLIMITED, 0));
    assertArrayEquals(song, play(0, P));
  }

  @Test
  void aWallClockSetBackRevivesNoExpiredLicense() {
    UseConditions c = conditions(UseConditions.UNLIMITED, 0);
    clientAWithLicense(c);
    assertArrayEquals(song, play(0, P));
    now.set(Instant.ofEpochSecond(c.notAfter() + 1));
    refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
    // The clock set back inside the period: the drive judges by the latest time it has seen.
    now.set(Instant.ofEpochSecond(c.notAfter() - 600));
    ScsiException e = refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
    assertEquals(c.notAfter(), e.sense().information(), "INFORMATION = not-after");
    now.set(START);
    refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
    // The floor is in the sealed state: a restart does not forget it.
    emulator.close();
    emulator = emulator();
    refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
  }

  @Test
  void aLicenseWhoseNotBeforeIsAheadRaisesTheTimeFloor() {
    UseConditions c = conditions(UseConditions.UNLIMITED, 0);
    clientAWithLicense(c);
    assertArrayEquals(song, play(0, P));
    // A distributor's license says the time is at least its not-before: later than c's end.
    License later =
        License.sign(
            Bytes.random(16),
            "lic-song-2",
            "song-2",
            LEAF_A,
            new UseConditions(c.notAfter() + 3600, c.notAfter() + 7200, 1, 0, 0),
            distributorA,
            keyA);
    with(0, d -> d.secure().installLicense(later.encode()));
    assertEquals(START, now.get(), "the wall clock is still inside c's period");
    ScsiException e = refused(Reason.EXPIRED, 0, d -> d.secure().openContent(P));
    assertEquals(c.notAfter(), e.sense().information());
  }

  @Test
  void aRevokedClientGetsNoRootKeyFromTheEkb() {
    clientAWithLicense(conditions(3, 0));
    byte[] key = Bytes.random(32);
    ContentPackage.Header revoking =
        header(SONG, LICENSE_ID, song.length, tree.ekb(1, List.of(LEAF_A)).encode(), 1, key);
    writePackage(
        0,
        Q,
        ContentPackage.blocks(
            revoking, ContentPackage.crypt(key, revoking.nonce(), song), blockSize(0)));
    refused(Reason.REVOKED, 0, d -> d.secure().openContent(Q));
    // an EKB that still covers A opens the same way
    ContentPackage.Header covering =
        header(SONG, LICENSE_ID, song.length, tree.ekb(1, List.of(LEAF_B)).encode(), 1, key);
    writePackage(
        0,
        Q,
        ContentPackage.blocks(
            covering, ContentPackage.crypt(key, covering.nonce(), song), blockSize(0)));
    assertArrayEquals(song, play(0, Q));
  }

  @Test
  void aLicenseReplayedAfterItsPlaysWereSpentIsRefused() {
    License once = clientAWithLicense(conditions(1, 0));
    assertArrayEquals(song, play(0, P));
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
    refused(Reason.ALREADY_USED, 0, d -> d.secure().installLicense(once.encode()));
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
  }

  @Test
  void registrationIsCheckedAndHappensOnce() {
    refused(
        Reason.NOT_REGISTERED,
        0,
        d -> d.secure().installLicense(license(LEAF_A, conditions(1, 0)).encode()));
    // service data for the other drive
    ServiceData forB = on(1, d -> serviceData(d, "client-b", LEAF_B, distributorB, keyB));
    refused(Reason.OTHER_DRIVE, 0, d -> d.secure().registerClient(forB.encode()));
    ServiceData forA = on(0, d -> serviceData(d, "client-a", LEAF_A, distributorA, keyA));
    register(0, "client-a", LEAF_A, distributorA, keyA);
    refused(Reason.ALREADY_REGISTERED, 0, d -> d.secure().registerClient(forA.encode()));
  }

  /**
   * PROVE REGISTRATION (0207h) and REGISTRATION PROOF (0005h) across the real boundary: the drive
   * signs, with the device key its certificate carries, only the proof it builds itself (its own
   * device ID, the label), only for a distributor its authority certified, only while it is no
   * client, and keeps it for the nexus that asked; lengths it does not take are 05/26/00 with the
   * field pointer on the field.
   */
  @Test
  void theDriveSignsOnlyItsOwnRegistrationProofForACertifiedDistributorWhileUnregistered() {
    byte[] challenge = Bytes.random(56);
    ProofRequest request = new ProofRequest(distributorA, "alice", challenge);
    Certificate driveA = on(0, d -> d.secure().certificate());
    refused(Reason.NOTHING_PENDING, 0, d -> d.secure().registrationProof());
    RegistrationProof proof =
        on(
            0,
            d -> {
              d.secure().proveRegistration(request);
              // Per nexus: another connection has none pending.
              refused(Reason.NOTHING_PENDING, 0, other -> other.secure().registrationProof());
              return d.secure().registrationProof();
            });
    assertEquals("CLIENT-A", proof.deviceId());
    assertTrue(proof.answers(request));
    assertTrue(proof.signedBy(driveA), "signed by the key of the drive's certificate");
    assertFalse(proof.signedBy(on(1, d -> d.secure().certificate())));
    // A distributor of another authority: 01h.
    Certificate stranger =
        Authority.create()
            .certify(
                Certificate.unsigned(
                    Certificate.Role.DISTRIBUTOR, "Distributor A", new byte[32], keyA.publicKey()));
    refused(
        Reason.CERTIFICATE,
        0,
        d -> d.secure().proveRegistration(new ProofRequest(stranger, "alice", challenge)));
    // Lengths: a challenge of 15 or 65 bytes, a user ID of 65, a byte more; never signed.
    byte[] list = request.encode();
    int user = request.userIdOffset();
    int length = user + 1 + "alice".length();
    for (byte[] bad :
        new byte[][] {
          with(list, length, 15), with(list, length, 65), with(list, user, 0), append(list, 0)
        }) {
      ScsiException e = assertThrows(ScsiException.class, () -> with(0, d -> proveRaw(d, bad)));
      assertTrue(
          e.sense().is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST));
      assertTrue(e.sense().fieldPointer() != null && !e.sense().fieldPointer().inCdb());
    }
    ScsiException challengeLength =
        assertThrows(ScsiException.class, () -> with(0, d -> proveRaw(d, with(list, length, 65))));
    assertEquals(length, challengeLength.sense().fieldPointer().byteOffset());
    // Once registered, the drive proves nothing more (10h).
    register(0, "client-a", LEAF_A, distributorA, keyA);
    refused(Reason.ALREADY_REGISTERED, 0, d -> d.secure().proveRegistration(request));
  }

  /** PROVE REGISTRATION with any parameter list, as a host may send it. */
  private static void proveRaw(Drive d, byte[] list) {
    try {
      d.send(
              new SecurityProtocolOut(
                  SecurityProtocols.SECDRIVE, Operation.PROVE_REGISTRATION.code(), list.length),
              list)
          .join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ScsiException s) {
        throw s;
      }
      throw e;
    }
  }

  private static byte[] with(byte[] in, int at, int value) {
    byte[] out = in.clone();
    out[at] = (byte) value;
    return out;
  }

  private static byte[] append(byte[] in, int extra) {
    byte[] out = java.util.Arrays.copyOf(in, in.length + 1);
    out[in.length] = (byte) extra;
    return out;
  }

  @Test
  void everyOtherCheckOfTheOperationsRefusesWithItsReason() {
    // REGISTER CLIENT: issuer, signature, sealed secrets
    Authority other = Authority.create();
    Certificate stranger =
        other.certify(
            Certificate.unsigned(
                Certificate.Role.DISTRIBUTOR, "Distributor A", new byte[32], keyA.publicKey()));
    ServiceData byStranger = on(0, d -> serviceData(d, "client-a", LEAF_A, stranger, keyA));
    refused(Reason.CERTIFICATE, 0, d -> d.secure().registerClient(byStranger.encode()));
    ServiceData good = on(0, d -> serviceData(d, "client-a", LEAF_A, distributorA, keyA));
    byte[] badSignature = good.withSignature(new byte[64]).encode();
    refused(Reason.SIGNATURE, 0, d -> d.secure().registerClient(badSignature));
    Certificate driveB = on(1, d -> d.secure().certificate());
    Certificate driveA = on(0, d -> d.secure().certificate());
    RawKeyPair client = Ed25519.generate();
    ServiceData sealedToB;
    try {
      sealedToB =
          ServiceData.seal(
              "Distributor A",
              "client-a",
              driveA.subject(),
              LEAF_A,
              DEPTH,
              client.publicKey(),
              new ServiceData.Secrets(client.privateKey(), tree.deviceKeys(LEAF_A).encode()),
              driveB.x25519PublicKey(),
              distributorA,
              keyA);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
    refused(Reason.INTEGRITY, 0, d -> d.secure().registerClient(sealedToB.encode()));
    ScsiException framing =
        assertThrows(
            ScsiException.class,
            () -> with(0, d -> d.secure().registerClient(new byte[] {'S', 'D', 'S', 'V', 1})));
    assertTrue(
        framing.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST));

    clientAWithLicense(conditions(3, 1));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    // INSTALL LICENSE of an issuer the authority did not certify
    License strangers =
        License.sign(Bytes.random(16), "x", SONG, LEAF_A, conditions(1, 0), stranger, keyA);
    refused(Reason.CERTIFICATE, 0, d -> d.secure().installLicense(strangers.encode()));
    // STORE CERTIFICATE of a content without a license
    ContentsCopyCertificate unlicensed =
        ContentsCopyCertificate.sign(
            Bytes.random(16),
            "song-9",
            LEAF_A,
            LEAF_B,
            certificate(LEAF_A, LEAF_B).license(),
            distributorA,
            keyA);
    refused(Reason.NO_LICENSE, 0, d -> d.secure().storeCertificate(unlicensed.encode()));
    // MOVE OUT outside the usage period
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    now.set(now.get().plusSeconds(7200));
    refused(Reason.EXPIRED, 0, d -> d.secure().moveOut(certificate.serial(), P));
    // the drive has seen that time now: an update for it goes on
    clientALicenseUpdate(conditions(3, 1));

    // OPEN CONTENT: no license of the header's license ID; a check altered; Kc under another KR
    int blockSize = blockSize(0);
    byte[] key = Bytes.random(32);
    ContentPackage.Header unknown =
        header(SONG, "lic-other", 16, tree.ekb(0, List.of()).encode(), 0, key);
    writePackage(0, Q, ContentPackage.blocks(unknown, new byte[16], blockSize));
    refused(Reason.NO_LICENSE, 0, d -> d.secure().openContent(Q));
    ContentPackage.Header altered =
        header(SONG, LICENSE_ID, 16, tree.ekb(0, List.of()).encode(), 0, key)
            .withCheck(new byte[16]);
    writePackage(0, Q, ContentPackage.blocks(altered, new byte[16], blockSize));
    refused(Reason.WRONG_KEY, 0, d -> d.secure().openContent(Q));
    ContentPackage.Header otherRoot =
        header(SONG, LICENSE_ID, 16, tree.ekb(0, List.of()).encode(), 1, key);
    writePackage(0, Q, ContentPackage.blocks(otherRoot, new byte[16], blockSize));
    refused(Reason.INTEGRITY, 0, d -> d.secure().openContent(Q));
    ContentPackage.Header otherContent =
        header("song-2", LICENSE_ID, 16, tree.ekb(0, List.of()).encode(), 0, key);
    writePackage(0, Q, ContentPackage.blocks(otherContent, new byte[16], blockSize));
    refused(Reason.CONTENT_MISMATCH, 0, d -> d.secure().openContent(Q));
    refused(Reason.INTEGRITY, 0, d -> d.secure().openContent(Q + 50));

    // MOVE IN of records a host wrote itself after a package
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    ContentPackage.Header song2 =
        header("song-2", "lic-song-2", 16, tree.ekb(0, List.of()).encode(), 0, key);
    writePackage(1, Q, ContentPackage.blocks(song2, new byte[16], blockSize));
    long at = song2.moveRecordLba(Q, blockSize);
    writePackage(1, at, new MoveRecord(certificate(LEAF_A, LEAF_B)).blocks(blockSize));
    refused(Reason.CONTENT_MISMATCH, 1, d -> d.secure().moveIn(Q));
    License byB =
        License.sign(
            Bytes.random(16), LICENSE_ID, "song-2", LEAF_B, conditions(1, 0), distributorB, keyB);
    ContentsCopyCertificate mixed =
        ContentsCopyCertificate.sign(
            Bytes.random(16), "song-2", LEAF_A, LEAF_B, byB, distributorA, keyA);
    writePackage(1, at, new MoveRecord(mixed).blocks(blockSize));
    refused(Reason.CERTIFICATE, 1, d -> d.secure().moveIn(Q));
    License forA =
        License.sign(
            Bytes.random(16), LICENSE_ID, "song-2", LEAF_A, conditions(1, 0), distributorA, keyA);
    ContentsCopyCertificate misdirected =
        ContentsCopyCertificate.sign(
            Bytes.random(16), "song-2", LEAF_A, LEAF_B, forA, distributorA, keyA);
    writePackage(1, at, new MoveRecord(misdirected).blocks(blockSize));
    refused(Reason.OTHER_CLIENT, 1, d -> d.secure().moveIn(Q));
    License ofSong1 =
        License.sign(
            Bytes.random(16), LICENSE_ID, SONG, LEAF_B, conditions(1, 0), distributorA, keyA);
    ContentsCopyCertificate wrongContent =
        ContentsCopyCertificate.sign(
            Bytes.random(16), "song-2", LEAF_A, LEAF_B, ofSong1, distributorA, keyA);
    writePackage(1, at, new MoveRecord(wrongContent).blocks(blockSize));
    refused(Reason.CONTENT_MISMATCH, 1, d -> d.secure().moveIn(Q));
    License unbound =
        License.sign(
            Bytes.random(16), LICENSE_ID, "song-2", LEAF_B, conditions(1, 0), distributorA, keyA);
    ContentsCopyCertificate notItsOwn =
        ContentsCopyCertificate.sign(
            Bytes.random(16), "song-2", LEAF_A, LEAF_B, unbound, distributorA, keyA);
    writePackage(1, at, new MoveRecord(notItsOwn).blocks(blockSize));
    refused(Reason.NO_CERTIFICATE, 1, d -> d.secure().moveIn(Q));
    assertEquals(0, status(1).licenses().size());
  }
}
