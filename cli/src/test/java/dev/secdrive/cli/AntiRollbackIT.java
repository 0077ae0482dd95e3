package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.secdrive.protocol.sense.SenseKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Anti-rollback of licenses on use (PROTOCOL.md "License versions, the counter and anti-rollback"):
 * one emulator on 127.0.0.1:0 with two drives, driven by the real host driver over TCP. A backup is
 * bound to the medium's secure-area write counter, so a limited license spent in one drive cannot
 * be restored through another that never saw the medium; a drive that recorded a license version
 * refuses to use an older secure area for anything.
 */
class AntiRollbackIT {

  private static final String MEDIUM = "MEDIUM-1";
  private static final String TITLE = "novel-2001";
  private static final long HEADER_LBA = 200;

  @TempDir Path media;

  private Authority authority;
  private Emulator emulator;
  private LicensorCredential licensor;
  private byte[] content;

  @BeforeEach
  void start() {
    authority = Authority.create();
    Rig.createMedium(MediumStore.openOrCreate(media), MEDIUM, "mo-640", null);
    emulator = emulator();
    licensor = LicensorCredential.create("Publisher", authority::certify, authority.publicKey());
    content = new byte[20 * 1024 + 5];
    new Random(11).nextBytes(content);
  }

  private Emulator emulator() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(Rig.anchors(media))
        .enrol(authority)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .drive(new DriveConfig(0, "mo-640", "DRIVE-1", MEDIUM))
        .drive(new DriveConfig(1, "mo-640", "DRIVE-2", null))
        .start();
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  /** Drive {@code lun}, its unit attentions (power on, medium changed) taken. */
  private Drive open(int lun) {
    Drive drive = Drive.open(uri(lun));
    drive.testUnitReady();
    return drive;
  }

  /** The medium carried from the drive at {@code from} to the one at {@code to}. */
  private void move(int from, int to) {
    emulator.remove(from, true);
    emulator.insert(to, MEDIUM);
  }

  private Path secureFile() {
    return media.resolve(MEDIUM).resolve("secure.bin");
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

  private static ScsiException refused(Runnable command, Reason reason) {
    ScsiException e = assertThrows(ScsiException.class, command::run);
    assertTrue(e.is(SenseKey.ILLEGAL_REQUEST, reason.sense()), e.getMessage());
    assertEquals(reason, e.reason().orElseThrow(), e.getMessage());
    assertTrue(e.getMessage().contains(reason.text()), e.getMessage());
    return e;
  }

  // ---------------------------------------------------------------- the attack

  /**
   * Back up once, spend a play in D1, destroy the secure area, restore the old backup through D2,
   * which never saw the medium: refused, whatever the binding a host chose, because the backup was
   * taken at medium write 1 and the medium is at write 2.
   */
  @Test
  void aBackupRestoredThroughADriveThatNeverSawTheMediumIsStaleOnceAPlayIsSpent() {
    byte[] blob;
    try (Drive d1 = open(0)) {
      provision(d1, 2);
      blob = d1.secure().backupToHost(Binding.MEDIUM);
      assertEquals(1, BackupBlob.decode(blob).mediumWrites());
      assertArrayEquals(content, play(d1)); // medium write 2
    } catch (dev.secdrive.protocol.security.ParameterException e) {
      throw new AssertionError(e);
    }
    emulator.eraseSecureArea(0); // damage: no write, the medium stays at write 2
    move(0, 1);
    try (Drive d2 = open(1)) {
      ScsiException e = refused(() -> Backups.restoreInline(d2, blob), Reason.STALE);
      assertEquals(2, e.sense().information(), "the medium's write counter");
      assertTrue(
          e.getMessage().contains("backup was taken at medium write 1 with license version 1"),
          e.getMessage());
      refused(() -> play(d2), Reason.NO_LICENSE);
    }
    move(1, 0);
    try (Drive d1 = open(0)) {
      refused(() -> d1.secure().restore(blob), Reason.STALE);
      refused(() -> play(d1), Reason.NO_LICENSE);
    }
  }

  /**
   * The attack with file access: a whole secure.bin (area and counter) from before a play copied
   * back. The medium is behind the write counter anchored outside the media directory, so the drive
   * that used it refuses the area for a play, a backup and LICENSE STATUS, and so does a drive that
   * never saw the medium, with the anchored counter.
   */
  @Test
  void aWholeSecureAreaCopiedBackIsRefusedForEveryUseByADriveThatRecordedANewerLicense()
      throws Exception {
    byte[] first;
    byte[] second;
    try (Drive d1 = open(0)) {
      provision(d1, 2);
      first = Files.readAllBytes(secureFile()); // version 1, 2 plays
      play(d1);
      second = Files.readAllBytes(secureFile()); // version 2, 1 play
      play(d1);
      assertEquals(3, d1.secure().status().version());
    }
    Files.write(secureFile(), second);
    try (Drive d1 = open(0)) {
      ScsiException play = refused(() -> play(d1), Reason.STALE);
      assertEquals(3, play.sense().information(), "the medium's write the anchor recorded");
      refused(() -> d1.secure().backupToHost(Binding.MEDIUM), Reason.STALE);
      refused(() -> Backups.backupToUserArea(d1, Binding.MEDIUM, 5000), Reason.STALE);
      refused(() -> d1.secure().status(), Reason.STALE);
    }
    move(0, 1);
    try (Drive d2 = open(1)) {
      // DRIVE-2 never saw the medium, but the counter anchored outside the media directory did.
      ScsiException e = refused(() -> d2.secure().status(), Reason.STALE);
      assertEquals(3, e.sense().information(), "the write the anchor recorded: DRIVE-2 has none");
    }
    Files.write(secureFile(), first);
    try (Drive d2 = open(1)) {
      refused(() -> play(d2), Reason.STALE);
    }
  }

  /**
   * The whole secure area (area and counter) put back, then laundered through a second drive that
   * raises the license version without spending the play (more PROVISIONs): neither drive takes it,
   * since the medium is behind the write counter anchored outside the media directory; neither does
   * a backup taken at the counter put back.
   */
  @Test
  void aCopiedBackMediumCannotBeLaunderedThroughAnotherDrive() throws Exception {
    byte[] snapshot;
    byte[] blob;
    try (Drive d1 = open(0)) {
      provision(d1, 1);
      snapshot = Files.readAllBytes(secureFile());
      blob = d1.secure().backupToHost(Binding.MEDIUM);
      assertArrayEquals(content, play(d1));
      refused(() -> play(d1), Reason.EXHAUSTED);
    }
    emulator.remove(0, true);
    Files.write(secureFile(), snapshot); // file access: the area and its counter put back
    emulator.insert(1, MEDIUM);
    try (Drive d2 = open(1)) {
      refused(() -> d2.secure().status(), Reason.STALE);
      refused(() -> play(d2), Reason.STALE);
      refused(() -> d2.secure().restore(blob), Reason.STALE);
      refused(
          () ->
              new Licensor(licensor)
                  .provision(
                      d2,
                      "other-title",
                      new ByteArrayInputStream(content),
                      content.length,
                      HEADER_LBA + 100,
                      ProvisionRequest.UNLIMITED,
                      Progress.NONE),
          Reason.STALE);
    }
    move(1, 0);
    try (Drive d1 = open(0)) {
      refused(() -> play(d1), Reason.STALE);
    }
  }

  /** Only the area's bytes put back, under the medium's newer counter: every drive refuses it. */
  @Test
  void anOlderSecureAreaUnderTheMediumsNewerCounterIsRefusedByEveryDrive() throws Exception {
    byte[] oldArea;
    try (Drive d1 = open(0)) {
      provision(d1, 2);
      byte[] file = Files.readAllBytes(secureFile());
      oldArea = Arrays.copyOf(file, file.length - 12); // the area, without "SDWC" and its u64
      play(d1);
    }
    byte[] now = Files.readAllBytes(secureFile());
    System.arraycopy(oldArea, 0, now, 0, oldArea.length);
    Files.write(secureFile(), now);
    for (int[] route : new int[][] {{0, 0}, {0, 1}}) {
      if (route[0] != route[1]) {
        move(route[0], route[1]);
      }
      try (Drive drive = open(route[1])) {
        ScsiException e = refused(() -> play(drive), Reason.STALE);
        assertEquals(2, e.sense().information(), "the medium's write counter");
        refused(() -> drive.secure().backupToHost(Binding.MEDIUM), Reason.STALE);
      }
    }
  }

  // ---------------------------------------------------------------- what still works

  /**
   * After damage, with no use since the backup, the backup restores: in the drive that took it and,
   * for a medium-bound one, in a drive that never saw the medium, which records its version on that
   * first use.
   */
  @ParameterizedTest
  @EnumSource(names = {"MEDIUM", "MEDIUM_THEN_DEVICE"})
  void aBackupWithNoUseSinceRestoresAfterDamage(Binding binding) {
    LicenseStatus before;
    byte[] blob;
    try (Drive d1 = open(0)) {
      provision(d1, 3);
      play(d1);
      blob = d1.secure().backupToHost(binding);
      before = d1.secure().status();
    }
    emulator.eraseSecureArea(0);
    try (Drive d1 = open(0)) {
      d1.secure().restore(blob);
      assertEquals(before, d1.secure().status());
      blob = d1.secure().backupToHost(binding); // a restore is a write: a new backup after it
    }
    emulator.eraseSecureArea(0);
    move(0, 1);
    byte[] latest = blob;
    try (Drive d2 = open(1)) {
      if (binding == Binding.MEDIUM) {
        d2.secure().restore(latest);
        assertEquals(before, d2.secure().status());
        assertArrayEquals(content, play(d2));
        assertEquals(1, d2.secure().status().entries().get(0).playsLeft());
      } else {
        refused(() -> d2.secure().restore(latest), Reason.OTHER_DRIVE);
      }
    }
  }

  /** PROVISION onto an erased area still works in the drive that recorded the medium. */
  @Test
  void provisioningAnErasedAreaContinuesAboveTheRecord() {
    try (Drive d1 = open(0)) {
      provision(d1, 1);
      play(d1);
      emulator.eraseSecureArea(0);
      provision(d1, 1);
      assertEquals(3, d1.secure().status().version(), "above the recorded version 2");
      assertArrayEquals(content, play(d1));
    }
  }

  // ---------------------------------------------------------------- the drive's own state

  /**
   * The drive's state and its anchor copied back together from before its last commit, which the
   * anchor alone cannot tell from the present: the drive reads an area it committed at a counter
   * above its own and refuses it (0Eh), naming that counter.
   */
  @Test
  void aDriveWhoseStateWasRolledBackRefusesTheAreaItCommittedLater() throws Exception {
    Path state =
        media.resolve(".secdrive").resolve("drives").resolve("DRIVE-1").resolve("state.sealed");
    Path anchor;
    try (var anchors = Files.list(Rig.anchors(media))) {
      anchor =
          anchors
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.startsWith("DRIVE-1-") && name.endsWith(".anchor");
                  })
              .findFirst()
              .orElseThrow();
    }
    byte[] stateSnapshot;
    byte[] anchorSnapshot;
    try (Drive d1 = open(0)) {
      provision(d1, 3); // committed at counter 0; the counter is 1 after it
      stateSnapshot = Files.readAllBytes(state);
      anchorSnapshot = Files.readAllBytes(anchor);
      d1.secure().backupToHost(Binding.MEDIUM); // counter 2
      play(d1); // committed at counter 2
    }
    emulator.close();
    Files.write(state, stateSnapshot);
    Files.write(anchor, anchorSnapshot);
    emulator = emulator();
    try (Drive d1 = open(0)) {
      ScsiException e = refused(() -> play(d1), Reason.DRIVE_STATE_ROLLED_BACK);
      assertEquals(2, e.sense().information(), "the counter the area names");
      assertTrue(
          e.getMessage().contains("committed the secure area at its counter 2"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- challenges

  /** Challenges are kept per connection: another one can neither evict nor spend mine. */
  @Test
  void anotherConnectionCanNeitherEvictNorSpendMyChallenge() {
    try (Drive mine = open(0);
        Drive other = open(0)) {
      Certificate certificate = mine.secure().certificate();
      byte[] challenge = mine.secure().challenge();
      for (int i = 0; i < 40; i++) {
        other.secure().challenge();
      }
      ProvisionRequest request =
          Licensor.request(licensor, certificate, challenge, MEDIUM, TITLE, 4, new byte[32]);
      refused(() -> other.secure().provision(request), Reason.REPLAY);
      mine.secure().provision(request);
      assertEquals(4, mine.secure().status().entries().get(0).playsLeft());
      refused(() -> mine.secure().provision(request), Reason.REPLAY);
      assertEquals(1, mine.secure().status().version(), "installed once");
    }
  }
}
