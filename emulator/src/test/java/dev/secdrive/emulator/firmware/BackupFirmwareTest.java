package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertInformation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.sense.SenseData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** BACKUP, BACKUP DATA, RESTORE and RESEAL and every refusal of theirs, through the firmware. */
class BackupFirmwareTest extends SecureLayerFixture {

  // ------------------------------------------------------------------ backup / restore

  @ParameterizedTest
  @EnumSource(
      value = Binding.class,
      names = {"MEDIUM", "MEDIUM_THEN_DEVICE", "DEVICE_THEN_MEDIUM"})
  void backupToTheHostAndRestoreAfterTheSecureAreaIsDestroyed(Binding binding) throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    byte[] blob = backupToHost(h, host, BackupRequest.toHost(binding));
    BackupBlob decoded = BackupBlob.decode(blob);
    assertEquals(binding, decoded.binding());
    assertEquals(medium.id(), decoded.mediumId());
    assertEquals(before.version(), decoded.licenseVersion());
    erase(h);
    assertEquals(0, status(h, host).entries().size());
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()));
    assertEquals(before, status(h, host));
    // a restore is a write of the medium's secure area: the same blob is stale after it
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()), Reason.STALE);
    // a flipped bit anywhere in the layers
    byte[] flipped = blob.clone();
    flipped[blob.length - 20] ^= 0x10;
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(flipped).encode()), Reason.INTEGRITY);
  }

  @Test
  void backupToTheUserAreaAndRestoreFromIt() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    assertGood(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()));
    byte[] onMedium = assertGood(h.run(host, new Read10(100, 1))).data();
    assertEquals("SDLB", new String(onMedium, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    erase(h);
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()));
    assertEquals(before, status(h, host));
    SenseData range =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                BackupRequest.toUserArea(Binding.MEDIUM, medium.blockCount() - 1 + 1).encode()),
            0x05,
            0x21,
            0x00);
    assertEquals(0, range.commandSpecific());
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(200).encode()),
        Reason.INTEGRITY);
    h.firmware.setWriteProtected(true);
    assertCheck(
        out(h, host, Operation.BACKUP, BackupRequest.toUserArea(Binding.MEDIUM, 300).encode()),
        0x07,
        0x27,
        0x00);
    assertCheck(
        out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()),
        0x07,
        0x27,
        0x00);
  }

  @Test
  void aRefusedBackupToTheUserAreaBurnsNoCounterAndWritesNothing() throws Exception {
    // 30 licenses make a blob of two blocks
    for (int i = 0; i < 30; i++) {
      assertGood(provision(h, host, medium.id(), "title-" + i, 1));
    }
    long counter = nv.counter();
    byte[] before = assertGood(h.run(host, new Read10(100, 2))).data();
    // a blob that does not fit before the end of the medium
    assertCheck(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM, medium.blockCount() - 1).encode()),
        0x05,
        0x21,
        0x00);
    assertEquals(counter, nv.counter(), "a BACKUP refused for its size burns no counter value");
    // a write fault on the blob's second block: refused as a WRITE would be, nothing written
    h.firmware.faults().addWriteError(101);
    SenseData fault =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()),
            0x03,
            0x0C,
            0x00);
    assertInformation(fault, 101);
    assertEquals(counter, nv.counter(), "a BACKUP refused for a write fault burns no counter");
    assertArrayEquals(before, assertGood(h.run(host, new Read10(100, 2))).data());
    // a fault on blocks the blob does not reach stops nothing
    assertGood(
        out(h, host, Operation.BACKUP, BackupRequest.toUserArea(Binding.MEDIUM, 102).encode()));
    assertEquals(counter + 1, nv.counter());
  }

  /**
   * A backup restores only while the medium is at the write it was taken at (INFORMATION = the
   * medium's write counter); a whole secure.bin copied back, area and counter, matches an old
   * backup's write again, and the version this drive recorded refuses it (INFORMATION = that
   * version).
   */
  @Test
  void aStaleBackupIsRefusedWithTheMediumsWriteCounterOrTheRecordedVersion() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    java.nio.file.Path file = h.store.directory().resolve(medium.id()).resolve("secure.bin");
    byte[] whole = java.nio.file.Files.readAllBytes(file);
    byte[] old = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    assertEquals(1, BackupBlob.decode(old).mediumWrites());
    byte[] title = TestLicensor.title(CONTENT, contentKey, new byte[10], BLOCK);
    assertGood(h.run(host, new Write10(50, 2), title));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 50).encode()));
    byte[] newer = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    assertEquals(2, BackupBlob.decode(newer).licenseVersion());
    assertEquals(2, BackupBlob.decode(newer).mediumWrites());
    erase(h); // damage is no write: the medium stays at write 2
    Result stale = out(h, host, Operation.RESTORE, RestoreRequest.inline(old).encode());
    assertRefused(stale, Reason.STALE);
    assertInformation(stale.sense(), 2);
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(newer).encode()));
    Result again = out(h, host, Operation.RESTORE, RestoreRequest.inline(newer).encode());
    assertRefused(again, Reason.STALE);
    assertInformation(again.sense(), 3); // the restore was write 3
    assertEquals(2, status(h, host).entries().get(0).playsLeft());

    java.nio.file.Files.write(file, whole); // area and counter of write 1
    Result copiedBack = out(h, host, Operation.RESTORE, RestoreRequest.inline(old).encode());
    assertRefused(copiedBack, Reason.STALE);
    assertInformation(copiedBack.sense(), 2); // the version this drive recorded
    Result play = out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 50).encode());
    assertRefused(play, Reason.STALE);
    assertInformation(play.sense(), 2);
  }

  @Test
  void aBlobOfAnotherMediumIsRefused() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] blob = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    Medium first = h.firmware.remove(true);
    assertEquals(medium, first);
    Medium second = h.create("MO-SEC-2", "mo-640");
    h.firmware.insert(second);
    h.clearUnitAttentions(host);
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()), Reason.OTHER_MEDIUM);
  }

  @Test
  void aWholeMediumCopiedToAnotherMediumAndDriveHoldsNoLicense() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    assertGood(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()));
    byte[] secure = medium.readSecureArea();
    byte[] user = new byte[101 * BLOCK];
    medium.read(0, java.nio.ByteBuffer.wrap(user));
    // the copy: same bytes, on a blank medium (its own medium ID), in another drive
    try (Harness other =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      Medium copy = other.insert("MO-COPY-1", "mo-640");
      copy.writeSecureArea(secure);
      copy.write(0, java.nio.ByteBuffer.wrap(user));
      Nexus n = other.nexus();
      assertEquals(0, status(other, n).entries().size(), "the copied secure area does not open");
      assertRefused(
          out(other, n, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 1).encode()),
          Reason.NO_LICENSE);
      assertRefused(
          out(other, n, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()),
          Reason.OTHER_MEDIUM);
    }
  }

  @Test
  void aDeviceBoundBackupRestoresOnlyInItsDrive() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] bound = backupToHost(h, host, BackupRequest.toHost(Binding.DEVICE_THEN_MEDIUM));
    byte[] plain = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    Medium moved = h.firmware.remove(true);
    try (Harness other =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      other.firmware.insert(moved);
      Nexus n = other.nexus();
      assertRefused(
          out(other, n, Operation.RESTORE, RestoreRequest.inline(bound).encode()),
          Reason.OTHER_DRIVE);
      // a medium-bound backup travels with the medium
      assertGood(out(other, n, Operation.RESTORE, RestoreRequest.inline(plain).encode()));
      other.firmware.remove(true);
    }
  }

  @Test
  void sealedBackupGoesThroughTheSecondDrive() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    try (Harness second =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      second.insert("MO-SECOND", "mo-640");
      Nexus n2 = second.nexus();
      Certificate secondCertificate = certificate(second, n2);
      Certificate firstCertificate = certificate(h, host);
      // FIG. 14: backup sealed to the second drive
      byte[] sealed = backupToHost(h, host, BackupRequest.sealedToHost(secondCertificate));
      assertEquals("SDDSEC0002", BackupBlob.decode(sealed).deviceId());
      // the first drive cannot restore a blob sealed to the second
      erase(h);
      assertRefused(
          out(h, host, Operation.RESTORE, RestoreRequest.inline(sealed).encode()),
          Reason.OTHER_DRIVE);
      // the second drive stores it on the second medium's user area (the host writes it)
      byte[] padded = Arrays.copyOf(sealed, ((sealed.length + BLOCK - 1) / BLOCK) * BLOCK);
      assertGood(second.run(n2, new Write10(7, padded.length / BLOCK), padded));
      // FIG. 15: the second drive removes its layer and seals to the first drive
      assertGood(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.USER_AREA, 7, new byte[0], firstCertificate.encode())
                  .encode()));
      byte[] resealed =
          BackupData.decode(assertGood(in(second, n2, Operation.BACKUP_DATA)).data()).blob();
      assertEquals("SDDSEC0001", BackupBlob.decode(resealed).deviceId());
      // the second drive cannot reseal what is no longer sealed to it
      assertRefused(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.INLINE, 0, resealed, firstCertificate.encode())
                  .encode()),
          Reason.OTHER_DRIVE);
      // a recipient certificate of another authority
      Certificate foreign =
          Authority.create()
              .certify(
                  Certificate.unsigned(Certificate.Role.DRIVE, "X1", new byte[32], new byte[32]));
      assertRefused(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.INLINE, 0, sealed, foreign.encode()).encode()),
          Reason.CERTIFICATE);
      // the first drive restores
      assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(resealed).encode()));
      assertEquals(before, status(h, host));
    }
  }

  @Test
  void backupSealedToAnUncertifiedDriveIsRefused() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    Certificate forged =
        Authority.create().certify(DriveKeys.enroll("SDDX", Authority.create()).certificate());
    assertRefused(
        out(h, host, Operation.BACKUP, BackupRequest.sealedToHost(forged).encode()),
        Reason.CERTIFICATE);
    Certificate licensorCertificate = licensor.certificate();
    SenseData wrongRole =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                new BackupRequest(
                        Binding.SEALED, BackupRequest.Target.HOST, 0, licensorCertificate.encode())
                    .encode()),
            0x05,
            0x6F,
            0x00);
    assertEquals(Reason.CERTIFICATE.code(), wrongRole.commandSpecific());
  }
}
