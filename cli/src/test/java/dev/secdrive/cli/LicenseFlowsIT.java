package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Backups;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.Player;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The license flows of US 2001/0008016 end to end: two emulators on 127.0.0.1:0 (two drives, as the
 * patent's FIG. 13 has two), enrolled with one licensing authority, driven by the real host driver
 * over TCP. Step numbers are the patent's.
 */
class LicenseFlowsIT {

  private static final String TITLE = "novel-2001";
  private static final long HEADER_LBA = 200;
  private static final long BACKUP_LBA = 10_000;

  @TempDir Path mediaA;
  @TempDir Path mediaB;
  @TempDir Path scratch;

  private Authority authority;
  private Emulator first;
  private Emulator second;
  private LicensorCredential licensor;
  private byte[] content;

  @BeforeEach
  void start() {
    authority = Authority.create();
    Rig.createMedium(MediumStore.openOrCreate(mediaA), "MEDIUM-1", "mo-640", null);
    MediumStore storeB = MediumStore.openOrCreate(mediaB);
    Rig.createMedium(storeB, "MEDIUM-2", "mo-640", null);
    Rig.createMedium(storeB, "MEDIUM-3", "mo-640", null);
    first = emulator(mediaA, authority, "DRIVE-A", "MEDIUM-1");
    second = emulator(mediaB, authority, "DRIVE-B", "MEDIUM-2");
    licensor = LicensorCredential.create("Publisher", authority::certify, authority.publicKey());
    content = new byte[300 * 1024 + 17]; // not a whole number of blocks
    new Random(2001).nextBytes(content);
  }

  private static Emulator emulator(
      Path media, Authority authority, String deviceId, String medium) {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(Rig.anchors(media))
        .enrol(authority)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .drive(new DriveConfig(0, "mo-640", deviceId, medium))
        .start();
  }

  @AfterEach
  void stop() {
    first.close();
    second.close();
  }

  private static String uri(Emulator emulator) {
    return "tcp://" + Addresses.format(emulator.address()) + "/0";
  }

  private void provision(Drive drive, long plays) {
    new Licensor(licensor)
        .provision(
            drive,
            TITLE,
            new ByteArrayInputStream(content),
            content.length,
            HEADER_LBA,
            plays,
            Progress.NONE);
  }

  private byte[] play(Drive drive) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Player.play(drive, TITLE, HEADER_LBA, out, Progress.NONE);
    return out.toByteArray();
  }

  private static ScsiException refused(Runnable command, AdditionalSense sense, Reason reason) {
    ScsiException e = assertThrows(ScsiException.class, command::run);
    assertTrue(e.is(SenseKey.ILLEGAL_REQUEST, sense), e.getMessage());
    assertEquals(reason, e.reason().orElseThrow(), e.getMessage());
    assertTrue(e.getMessage().contains(reason.text()), e.getMessage());
    return e;
  }

  // ---------------------------------------------------------------- FIG. 5 and 6

  @Test
  void provisionedTitleIsPlayedDecryptedInsideTheDriveUntilItsPlaysAreUsed() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 2); // FIG. 5 S1-S10
      byte[] firstBlock = drive.read(HEADER_LBA + 1, 1);
      assertFalse(
          java.util.Arrays.equals(java.util.Arrays.copyOf(content, 2048), firstBlock),
          "a plain READ returns ciphertext");

      assertArrayEquals(content, play(drive)); // FIG. 6 S21-S26
      assertEquals(1, drive.secure().status().entries().get(0).playsLeft());
      assertArrayEquals(content, play(drive));
      refused(() -> play(drive), AdditionalSense.KEY_NOT_PRESENT, Reason.EXHAUSTED);

      // Outside playback the same blocks are ciphertext again.
      assertArrayEquals(firstBlock, drive.read(HEADER_LBA + 1, 1));
    }
  }

  @Test
  void aMediumWithoutItsLicenseAnswersKeyNotPresent() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, LicenseStatus.UNLIMITED);
    }
    try (Drive drive = Drive.open(uri(second))) {
      // The same title written to another medium, with no license on it.
      copyUserArea(uri(first), drive, HEADER_LBA, 200);
      refused(() -> play(drive), AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE);
    }
  }

  @Test
  void provisioningWithoutTheLicensorCredentialOrReplayedIsRefused() throws Exception {
    try (Drive drive = Drive.open(uri(first))) {
      // The title is on the medium; only the license is missing.
      provision(drive, 1);
      first.eraseSecureArea(0);
      Certificate driveCertificate = drive.secure().certificate();
      String mediumId = drive.mediumId();
      byte[] contentKey = new byte[32];

      // A licensor certified by someone else than the licensing authority.
      Authority rogue = Authority.create();
      LicensorCredential forged =
          LicensorCredential.create("Forger", rogue::certify, rogue.publicKey());
      ProvisionRequest uncertified =
          Licensor.request(
              forged, driveCertificate, drive.secure().challenge(), mediumId, TITLE, 9, contentKey);
      refused(
          () -> drive.secure().provision(uncertified),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.CERTIFICATE);

      // A certified licensor's request with its signature broken.
      ProvisionRequest genuine =
          Licensor.request(
              licensor,
              driveCertificate,
              drive.secure().challenge(),
              mediumId,
              TITLE,
              9,
              contentKey);
      byte[] signature = genuine.signature();
      signature[0] ^= 1;
      refused(
          () -> drive.secure().provision(genuine.withSignature(signature)),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.SIGNATURE);

      // A request for another medium.
      ProvisionRequest otherMedium =
          Licensor.request(
              licensor,
              driveCertificate,
              drive.secure().challenge(),
              "MEDIUM-2",
              TITLE,
              9,
              contentKey);
      refused(
          () -> drive.secure().provision(otherMedium),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.OTHER_MEDIUM);
      assertEquals(List.of(), drive.secure().status().entries(), "nothing installed");

      // The genuine request is accepted once, and refused when replayed.
      drive.secure().provision(genuine);
      assertEquals(9, drive.secure().status().entries().get(0).playsLeft());
      first.eraseSecureArea(0);
      refused(
          () -> drive.secure().provision(genuine),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.REPLAY);
      assertEquals(List.of(), drive.secure().status().entries(), "the replay installed nothing");
    }
  }

  // ---------------------------------------------------------------- FIG. 7 and 9

  @Test
  void backupIntoTheUserAreaRestoresADestroyedSecureArea() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 5);
      Backups.backupToUserArea(drive, Binding.MEDIUM, BACKUP_LBA); // FIG. 7 S31-S33
      LicenseStatus before = drive.secure().status();

      first.eraseSecureArea(0);
      refused(() -> play(drive), AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE);

      drive.secure().restoreFromUserArea(BACKUP_LBA); // FIG. 9 S41-S43
      assertEquals(before, drive.secure().status());
      assertArrayEquals(content, play(drive));
    }
  }

  @Test
  void aBackupCopiedToAnotherMediumIsRefused() {
    byte[] blob;
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 5);
      blob = drive.secure().backupToHost(Binding.MEDIUM);
    }
    try (Drive drive = Drive.open(uri(second))) {
      refused(
          () -> drive.secure().restore(blob),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.OTHER_MEDIUM);
      assertEquals(List.of(), drive.secure().status().entries());
    }
  }

  @Test
  void aWholeMediumImageCopiedIntoAnotherDriveIsUseless() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, LicenseStatus.UNLIMITED);
      Backups.backupToUserArea(drive, Binding.MEDIUM, BACKUP_LBA);
    }
    // Everything a host can read — title and backup — copied block for block onto MEDIUM-3.
    second.remove(0, false);
    second.insert(0, "MEDIUM-3");
    try (Drive copy = Drive.open(uri(second))) {
      copy.testUnitReady(); // the power-on attention
      copyUserArea(uri(first), copy, HEADER_LBA, 200);
      copyUserArea(uri(first), copy, BACKUP_LBA, 4);
      refused(() -> play(copy), AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE);
      refused(
          () -> copy.secure().restoreFromUserArea(BACKUP_LBA),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.OTHER_MEDIUM);
      refused(() -> play(copy), AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE);
    }
  }

  /**
   * Every flipped bit of a device-bound blob is refused, each with the refusal PROTOCOL.md "Which
   * refusal wins" gives it: a header that does not parse 05h, its format version 0Bh (05/26/00), a
   * medium ID turned into another one 04h, a device ID turned into another one 06h, everything else
   * — the counter, the version, the layers — 05h.
   */
  @Test
  void everyFlippedBitOfABackupIsRefusedAndChangesNothing() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 5);
      byte[] blob = drive.secure().backupToHost(Binding.MEDIUM_THEN_DEVICE);
      LicenseStatus before = drive.secure().status();
      for (int bit = 0; bit < blob.length * 8; bit++) {
        byte[] flipped = blob.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        ScsiException e =
            assertThrows(ScsiException.class, () -> drive.secure().restore(flipped), "bit " + bit);
        assertTrue(
            e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.AUTHENTICATION_FAILURE)
                || e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
            "bit " + bit + ": " + e.getMessage());
        Reason expected = expectedRefusal(flipped, "MEDIUM-1", "DRIVE-A");
        assertEquals(expected, e.reason().orElse(null), "bit " + bit + ": " + e.getMessage());
        assertTrue(e.is(SenseKey.ILLEGAL_REQUEST, expected.sense()), e.getMessage());
      }
      assertEquals(before, drive.secure().status());
      drive.secure().restore(blob);
      assertArrayEquals(content, play(drive));
    }
  }

  /** The refusal a drive holding {@code mediumId} and being {@code deviceId} owes {@code blob}. */
  private static Reason expectedRefusal(byte[] blob, String mediumId, String deviceId) {
    BackupBlob header;
    try {
      header = BackupBlob.decode(blob);
    } catch (dev.secdrive.protocol.security.ParameterException e) {
      return e.kind() == dev.secdrive.protocol.security.ParameterException.Kind.FORMAT_VERSION
          ? Reason.FORMAT_VERSION
          : Reason.INTEGRITY;
    }
    if (!header.mediumId().equals(mediumId)) {
      return Reason.OTHER_MEDIUM;
    }
    if (header.binding() != Binding.MEDIUM && !header.deviceId().equals(deviceId)) {
      return Reason.OTHER_DRIVE;
    }
    return Reason.INTEGRITY;
  }

  /** Offsets in a blob's header (PROTOCOL.md "Backup blobs"). */
  private record Offsets(
      int mediumId, int version, int mediumWrites, int counter, int deviceId, int layers) {
    static Offsets of(BackupBlob blob) {
      int mediumId = 9;
      int version = mediumId + blob.mediumId().length();
      int mediumWrites = version + 4;
      int counter = mediumWrites + 8;
      int deviceId = counter + 8 + 1;
      int layers =
          deviceId
              + blob.deviceId().length()
              + (blob.binding() == Binding.SEALED ? Certificate.KEY_LENGTH : 0)
              + 4;
      return new Offsets(mediumId, version, mediumWrites, counter, deviceId, layers);
    }
  }

  private static byte[] flip(byte[] blob, int offset, int bit) {
    byte[] flipped = blob.clone();
    flipped[offset] ^= (byte) (1 << bit);
    return flipped;
  }

  private static void refusedAs(Runnable command, Reason reason, String what) {
    ScsiException e = assertThrows(ScsiException.class, command::run, what);
    assertTrue(e.is(SenseKey.ILLEGAL_REQUEST, reason.sense()), what + ": " + e.getMessage());
    assertEquals(reason, e.reason().orElse(null), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(reason.text()), what + ": " + e.getMessage());
  }

  /**
   * A flipped bit at each representative offset of a blob of each binding, over TCP, refused with
   * the exact sense and reason the drive's unit tests (BlobsTest) give it. A sealed blob's layers
   * are opened by the drive it is sealed to (RESEAL in the second drive); the first drive refuses
   * it as bound to another drive as soon as its header parses and names this medium.
   */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void aFlippedBitAtEachPartOfABlobIsRefusedWithItsReason(Binding binding) throws Exception {
    try (Drive drive = Drive.open(uri(first));
        Drive peer = Drive.open(uri(second))) {
      provision(drive, 5);
      Certificate peerCertificate = peer.secure().certificate();
      byte[] blob =
          binding == Binding.SEALED
              ? drive.secure().backupSealed(peerCertificate)
              : drive.secure().backupToHost(binding);
      LicenseStatus before = drive.secure().status();
      Offsets at = Offsets.of(BackupBlob.decode(blob));
      int last = blob.length - 1;
      if (binding != Binding.SEALED) {
        java.util.function.BiConsumer<byte[], Reason> restore =
            (flipped, reason) ->
                refusedAs(() -> drive.secure().restore(flipped), reason, binding + " " + reason);
        restore.accept(flip(blob, 0, 0), Reason.INTEGRITY); // magic
        restore.accept(flip(blob, 4, 0), Reason.FORMAT_VERSION); // format byte 1 -> 0
        restore.accept(flip(blob, 4, 1), Reason.FORMAT_VERSION); // 1 -> 3
        restore.accept(flip(blob, at.mediumId(), 5), Reason.OTHER_MEDIUM); // M -> m
        restore.accept(flip(blob, at.version() + 3, 0), Reason.INTEGRITY);
        restore.accept(flip(blob, at.mediumWrites() + 7, 0), Reason.INTEGRITY);
        restore.accept(flip(blob, at.counter() + 7, 0), Reason.INTEGRITY);
        if (binding != Binding.MEDIUM) {
          restore.accept(flip(blob, at.deviceId(), 5), Reason.OTHER_DRIVE); // D -> d
          restore.accept(flip(blob, at.deviceId() + 6, 5), Reason.OTHER_DRIVE); // A -> a
        }
        restore.accept(flip(blob, at.layers(), 0), Reason.INTEGRITY); // first nonce byte
        restore.accept(flip(blob, at.layers() + 20, 3), Reason.INTEGRITY); // ciphertext
        restore.accept(flip(blob, last, 7), Reason.INTEGRITY); // tag
        assertEquals(before, drive.secure().status(), "no refusal changed the license");
        first.eraseSecureArea(0);
        drive.secure().restore(blob);
        assertEquals(before, drive.secure().status());
        return;
      }
      // Sealed to DRIVE-B: the first drive checks the header, then the binding.
      refusedAs(() -> drive.secure().restore(blob), Reason.OTHER_DRIVE, "sealed, unopened");
      refusedAs(
          () -> drive.secure().restore(flip(blob, 4, 0)), Reason.FORMAT_VERSION, "sealed format");
      refusedAs(
          () -> drive.secure().restore(flip(blob, at.mediumId(), 5)),
          Reason.OTHER_MEDIUM,
          "sealed medium ID");
      // The second drive opens the sealed layer in RESEAL: every part of it is checked there.
      Certificate own = drive.secure().certificate();
      java.util.function.BiConsumer<byte[], Reason> reseal =
          (flipped, reason) ->
              refusedAs(() -> peer.secure().reseal(flipped, own), reason, "reseal " + reason);
      reseal.accept(flip(blob, 0, 0), Reason.INTEGRITY);
      reseal.accept(flip(blob, 4, 0), Reason.FORMAT_VERSION);
      reseal.accept(flip(blob, at.mediumId(), 5), Reason.INTEGRITY); // under the sealed layer's AAD
      reseal.accept(flip(blob, at.mediumWrites() + 7, 0), Reason.INTEGRITY);
      reseal.accept(flip(blob, at.counter() + 7, 0), Reason.INTEGRITY);
      reseal.accept(flip(blob, at.deviceId(), 5), Reason.OTHER_DRIVE);
      reseal.accept(flip(blob, at.layers() - 5, 0), Reason.INTEGRITY); // ephemeral key
      reseal.accept(flip(blob, at.layers() + 20, 3), Reason.INTEGRITY);
      reseal.accept(flip(blob, last, 7), Reason.INTEGRITY);
      // Unflipped, it comes back resealed to the first drive and restores there.
      drive.secure().restore(peer.secure().reseal(blob, own));
      assertEquals(before, drive.secure().status());
    }
  }

  @Test
  void aStaleBackupIsRefusedAfterANewerOne() {
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 5);
      byte[] old = drive.secure().backupToHost(Binding.MEDIUM);
      long oldVersion = drive.secure().status().version();
      play(drive); // a play is recorded: the license state moves on
      byte[] newer = drive.secure().backupToHost(Binding.MEDIUM);
      long newVersion = drive.secure().status().version();
      assertTrue(newVersion > oldVersion);

      first.eraseSecureArea(0);
      drive.secure().restore(newer); // medium write 3: provision, play, restore
      ScsiException e =
          refused(
              () -> drive.secure().restore(old),
              AdditionalSense.AUTHENTICATION_FAILURE,
              Reason.STALE);
      assertEquals(3, e.sense().information(), "the medium's write counter");
      assertEquals(4, drive.secure().status().entries().get(0).playsLeft());

      // Even with the secure area destroyed, the drive remembers what it has recorded.
      first.eraseSecureArea(0);
      refused(
          () -> drive.secure().restore(old), AdditionalSense.AUTHENTICATION_FAILURE, Reason.STALE);
    }
  }

  // ---------------------------------------------------------------- FIG. 11, 12 and [0091]

  @ParameterizedTest
  @EnumSource(names = {"MEDIUM_THEN_DEVICE", "DEVICE_THEN_MEDIUM"})
  void aDeviceBoundBackupRestoresInItsDriveOnly(Binding binding) {
    Path file = scratch.resolve("license-" + binding + ".bak");
    try (Drive drive = Drive.open(uri(first))) {
      provision(drive, 5);
      Backups.backupToFile(drive, binding, file); // FIG. 11 S51-S54
      first.eraseSecureArea(0);
      Backups.restoreFromFile(drive, file); // FIG. 12 S61-S64
      assertArrayEquals(content, play(drive));
      drive.eject();
    }
    // The medium carried to the second drive: the backup does not open there.
    first.remove(0, true);
    first.close();
    Path moved = mediaB.resolve("MEDIUM-1");
    copyDirectory(mediaA.resolve("MEDIUM-1"), moved);
    second.remove(0, false);
    second.insert(0, "MEDIUM-1");
    try (Drive other = Drive.open(uri(second))) {
      other.testUnitReady();
      assertArrayEquals(content, play(other), "the license itself travels with the medium");
      refused(
          () -> Backups.restoreFromFile(other, file),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.OTHER_DRIVE);
    }
  }

  // ---------------------------------------------------------------- FIG. 13, 14 and 15

  @Test
  void aBackupOnASecondMediumInASecondDriveRestoresThroughThatDrive() {
    try (Drive drive = Drive.open(uri(first));
        Drive secondDrive = Drive.open(uri(second))) {
      secondDrive.testUnitReady();
      provision(drive, 5);
      LicenseStatus before = drive.secure().status();
      Backups.backupToDrive(drive, secondDrive, BACKUP_LBA); // FIG. 14 S71-S74

      first.eraseSecureArea(0);
      refused(() -> play(drive), AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE);

      // Without the second drive's layer removed first, the first drive cannot open it.
      refused(
          () -> drive.secure().restore(readBlob(secondDrive)),
          AdditionalSense.AUTHENTICATION_FAILURE,
          Reason.OTHER_DRIVE);

      Backups.restoreFromDrive(drive, secondDrive, BACKUP_LBA); // FIG. 15 S81-S84
      assertEquals(before, drive.secure().status());
      assertArrayEquals(content, play(drive));
    }
  }

  private static byte[] readBlob(Drive drive) {
    byte[] head = drive.read(BACKUP_LBA, 1);
    long length;
    try {
      length = dev.secdrive.protocol.security.BackupBlob.encodedLength(head);
    } catch (dev.secdrive.protocol.security.ParameterException e) {
      throw new AssertionError(e);
    }
    int blocks = (int) ((length + 2047) / 2048);
    return java.util.Arrays.copyOf(drive.read(BACKUP_LBA, blocks), (int) length);
  }

  // ---------------------------------------------------------------- helpers

  /** Copies {@code blocks} blocks at {@code lba} from the drive at {@code from} with READ/WRITE. */
  private static void copyUserArea(String from, Drive to, long lba, int blocks) {
    try (Drive source = Drive.open(from)) {
      to.write(lba, source.read(lba, blocks));
    }
  }

  private static void copyDirectory(Path from, Path to) {
    try (var walk = java.nio.file.Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(p, target);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
