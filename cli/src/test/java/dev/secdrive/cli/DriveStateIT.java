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
import dev.secdrive.emulator.secure.DriveFiles;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveStateException;
import dev.secdrive.emulator.secure.KeyFileException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Backups;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.Player;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drive's own state across restarts of a real emulator, with a person who has file access to the
 * media directory (THREATS.md): the state sealed and anchored in a store of its own, enrolment a
 * step of its own (secdrive authority enrol), and what the drive refuses at start.
 */
class DriveStateIT {

  private static final String DEVICE = "STATE-DRIVE";
  private static final String MEDIUM = "STATE-MO";
  private static final String TITLE = "state-title";
  private static final long HEADER_LBA = 1000;

  @TempDir Path media;
  @TempDir Path anchors;
  @TempDir Path keys;
  @TempDir Path scratch;

  private Path authorityFile;
  private LicensorCredential licensor;
  private final byte[] content = new byte[40 * 1024 + 5];

  @BeforeEach
  void setUp() {
    Rig.createMedium(MediumStore.openOrCreate(media), MEDIUM, "mo-640", null);
    authorityFile = keys.resolve("authority.json");
    Authority authority = Authority.create();
    authority.save(authorityFile);
    licensor = LicensorCredential.create("State Studio", authority::certify, authority.publicKey());
    new Random(11).nextBytes(content);
  }

  private Cli enrol(String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "authority",
                "enrol",
                "--media-dir",
                media.toString(),
                "--authority",
                authorityFile.toString(),
                "--anchor-dir",
                anchors.toString(),
                "--drive",
                "lun=0,device-id=" + DEVICE));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private void enrolled() {
    Cli enrolled = enrol();
    assertEquals(0, enrolled.exit(), enrolled::toString);
  }

  /** The production start: drive keys only, no authority. */
  private Emulator start() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(anchors)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .drive(new DriveConfig(0, "mo-640", DEVICE, MEDIUM))
        .start();
  }

  private String refusal() {
    return assertThrows(DriveStateException.class, this::start).getMessage();
  }

  private DriveFiles files() {
    return DriveFiles.of(media.resolve(Emulator.SECURE_DIRECTORY), anchors, DEVICE);
  }

  private Path anchor() {
    return files().anchorFile(DriveKeys.load(files().keysFile(), DEVICE));
  }

  private static String uri(Emulator emulator) {
    return "tcp://" + Addresses.format(emulator.address()) + "/0?timeout=10s";
  }

  /** Provisions the title (a write of the drive's state) and plays it once (another). */
  private void provisionAndPlay() {
    try (Emulator emulator = start();
        Drive drive = Drive.open(uri(emulator))) {
      new Licensor(licensor)
          .provision(
              drive,
              TITLE,
              new ByteArrayInputStream(content),
              content.length,
              HEADER_LBA,
              10,
              Progress.NONE);
      assertArrayEquals(content, play(drive));
    }
  }

  private byte[] play(Drive drive) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Player.play(drive, TITLE, HEADER_LBA, out, Progress.NONE);
    return out.toByteArray();
  }

  private static void assertRecovery(String message) {
    assertTrue(
        message.contains(
            "To reset the drive, enrol it again: secdrive authority enrol --media-dir "),
        message);
    assertTrue(message.contains("--replace. A reset drive is a new drive"), message);
  }

  @Test
  void serveWithoutEnrolmentRefusesWithTheCommandThatEnrolsTheDrive() {
    Cli serve =
        Cli.run(
            "serve",
            "--media-dir",
            media.toString(),
            "--anchor-dir",
            anchors.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,device-id=" + DEVICE);
    assertEquals(1, serve.exit(), serve::toString);
    String command =
        "secdrive authority enrol --media-dir "
            + media
            + " --authority FILE --drive lun=0,profile=mo-640,device-id="
            + DEVICE
            + " --anchor-dir "
            + anchors;
    assertTrue(serve.err().contains("drive " + DEVICE + " is not enrolled"), serve::toString);
    assertTrue(serve.err().contains(files().keysFile() + " does not exist"), serve::toString);
    assertTrue(serve.err().contains(command), serve::toString);
    // The command it gives, with the authority filled in, enrols the drive; then it starts.
    String[] given = command.replace("FILE", authorityFile.toString()).split(" ");
    Cli enrolled = Cli.run(Arrays.copyOfRange(given, 1, given.length));
    assertEquals(0, enrolled.exit(), enrolled::toString);
    assertTrue(enrolled.out().contains("enrolled drive " + DEVICE), enrolled::toString);
    provisionAndPlay();
    // serve takes no --authority any more, and says where enrolment went
    Cli old =
        Cli.run("serve", "--media-dir", media.toString(), "--authority", authorityFile.toString());
    assertTrue(old.err().contains("serve takes no --authority"), old::toString);
    assertTrue(old.err().contains("secdrive authority enrol"), old::toString);
  }

  @Test
  void enrollingAnEnrolledDriveNeedsReplaceAndEnrolsNoneOfTheOthers() {
    enrolled();
    DriveFiles other =
        DriveFiles.of(media.resolve(Emulator.SECURE_DIRECTORY), anchors, "OTHER-DRIVE");
    Cli again =
        Cli.run(
            "authority",
            "enrol",
            "--media-dir",
            media.toString(),
            "--authority",
            authorityFile.toString(),
            "--anchor-dir",
            anchors.toString(),
            "--drive",
            "lun=1,device-id=OTHER-DRIVE", // first, and not enrolled yet
            "--drive",
            "lun=0,device-id=" + DEVICE);
    assertFalse(other.enrolled(), "all or none");
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("drive " + DEVICE + " is already enrolled"), again::toString);
    assertTrue(again.err().contains("--replace enrols it again as a new drive"), again::toString);
  }

  @Test
  void aTamperedStateIsRefused() throws IOException {
    enrolled();
    provisionAndPlay();
    byte[] state = Files.readAllBytes(files().stateFile());
    state[state.length / 2] ^= 0x40;
    Files.write(files().stateFile(), state);
    String message = refusal();
    assertTrue(
        message.contains(
            "drive "
                + DEVICE
                + " does not start: its state "
                + files().stateFile()
                + " does not authenticate"),
        message);
    assertRecovery(message);
  }

  @Test
  void aDeletedStateIsRefusedAndDoesNotMakeAFreshDrive() throws IOException {
    enrolled();
    provisionAndPlay();
    Files.delete(files().stateFile());
    String message = refusal();
    assertTrue(
        message.contains(
            "its state "
                + files().stateFile()
                + " is missing while its keys and its anchor "
                + anchor()
                + " exist"),
        message);
    assertRecovery(message);
  }

  @Test
  void anOldStateCopiedBackIsRefused() throws IOException {
    enrolled();
    Path saved = scratch.resolve("state.sealed");
    Files.copy(files().stateFile(), saved);
    provisionAndPlay();
    Files.copy(saved, files().stateFile(), StandardCopyOption.REPLACE_EXISTING);
    String message = refusal();
    assertTrue(message.contains("(generation 0) is older than its anchor " + anchor()), message);
    assertRecovery(message);
  }

  @Test
  void aDeletedAnchorIsRefused() throws IOException {
    enrolled();
    provisionAndPlay();
    Files.delete(anchor());
    String message = refusal();
    assertTrue(
        message.contains(
            "its anchor "
                + anchor()
                + " is missing while its state "
                + files().stateFile()
                + " exists"),
        message);
    assertRecovery(message);
  }

  @Test
  void theWholeMediaDirectoryCopiedBackIsDetectedSinceTheAnchorIsElsewhere() throws IOException {
    enrolled();
    Path snapshot = scratch.resolve("media-copy");
    copyTree(media, snapshot);
    provisionAndPlay();
    deleteTree(media);
    copyTree(snapshot, media);
    String message = refusal();
    assertTrue(message.contains("is older than its anchor"), message);
  }

  @Test
  void aCopyOfTheMediaDirectoryRunsNeitherBesideTheOriginalNorAfterIt() throws IOException {
    enrolled();
    Path copy = scratch.resolve("media-clone");
    copyTree(media, copy);
    Emulator.Builder clone =
        Emulator.builder()
            .mediaDirectory(copy)
            .anchorDirectory(anchors)
            .profiles(Rig.PROFILES)
            .drive(new DriveConfig(0, "mo-640", DEVICE, MEDIUM));
    try (Emulator original = start()) {
      String message =
          assertThrows(dev.secdrive.emulator.firmware.DriveControlException.class, clone::start)
              .getMessage();
      assertTrue(
          message.contains(
              "drive "
                  + DEVICE
                  + " is already running in this process, from a copy of its media"
                  + " directory"),
          message);
    }
    provisionAndPlay(); // the original moves on
    String message = assertThrows(DriveStateException.class, clone::start).getMessage();
    assertTrue(message.contains("is older than its anchor"), message);
  }

  /**
   * The limit of a drive alone: a person who can write the anchor store as well puts back an old
   * state and its anchor together, and the drive cannot tell. README "Drive state" says so; only
   * keeping the anchor store out of their reach (as RPMB is out of reach of the flash) closes it.
   */
  @Test
  void anOldStateCopiedBackWithItsAnchorIsNotDetectableByTheDriveAlone() throws IOException {
    enrolled();
    Path savedState = scratch.resolve("state.sealed");
    Path savedAnchor = scratch.resolve("anchor");
    Path anchor = anchor();
    Files.copy(files().stateFile(), savedState);
    Files.copy(anchor, savedAnchor);
    provisionAndPlay();
    Files.copy(savedState, files().stateFile(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(savedAnchor, anchor, StandardCopyOption.REPLACE_EXISTING);
    try (Emulator emulator = start()) {
      assertEquals(0, emulator.drive(0).secure().nv().counter(), "the old state is back");
    }
  }

  @Test
  void enrolReplaceMakesANewDriveWhoseOldDeviceBoundBackupNoLongerRestores() throws IOException {
    enrolled();
    Path backup = scratch.resolve("device-bound.bak");
    try (Emulator emulator = start();
        Drive drive = Drive.open(uri(emulator))) {
      new Licensor(licensor)
          .provision(
              drive,
              TITLE,
              new ByteArrayInputStream(content),
              content.length,
              HEADER_LBA,
              10,
              Progress.NONE);
      Backups.backupToFile(drive, Binding.MEDIUM_THEN_DEVICE, backup);
    }
    Path oldAnchor = anchor();
    byte[] oldKeys = Files.readAllBytes(files().keysFile());
    Cli replaced = enrol("--replace");
    assertEquals(0, replaced.exit(), replaced::toString);
    assertFalse(Arrays.equals(oldKeys, Files.readAllBytes(files().keysFile())), "new keys");
    assertFalse(Files.exists(oldAnchor), "the old drive's anchor is gone");
    assertTrue(Files.exists(anchor()), "the new drive's anchor");
    try (Emulator emulator = start();
        Drive drive = Drive.open(uri(emulator))) {
      emulator.eraseSecureArea(0);
      ScsiException e =
          assertThrows(ScsiException.class, () -> Backups.restoreFromFile(drive, backup));
      assertTrue(
          e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.AUTHENTICATION_FAILURE), e.getMessage());
      // the same device ID, but the device layer was made under the old drive's secret
      assertEquals(Reason.INTEGRITY, e.reason().orElseThrow(), e.getMessage());
      assertEquals(0, drive.secure().status().entries().size(), "nothing restored");
    }
  }

  @Test
  void everySecretFileOthersMayReadOrWriteIsRefused() throws IOException {
    Files.setPosixFilePermissions(authorityFile, PosixFilePermissions.fromString("rw-r-----"));
    Cli loose = enrol();
    assertEquals(1, loose.exit());
    assertTrue(loose.err().contains("chmod 600 " + authorityFile), loose::toString);
    Files.setPosixFilePermissions(authorityFile, PosixFilePermissions.fromString("rw-------"));
    enrolled();
    for (Path secret : List.of(files().keysFile(), files().stateFile(), anchor())) {
      for (String mode : List.of("rw-r--r--", "rw--w----", "rw----rw-")) {
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString(mode));
        KeyFileException e = assertThrows(KeyFileException.class, this::start);
        assertTrue(e.getMessage().contains("chmod 600 " + secret), e.getMessage());
      }
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    }
    provisionAndPlay();
  }

  @Test
  void aPowerCutBetweenTheStateAndTheAnchorRecoversAtTheNextStart() throws IOException {
    enrolled();
    byte[] anchorBefore;
    try (Emulator emulator = start();
        Drive drive = Drive.open(uri(emulator))) {
      anchorBefore = Files.readAllBytes(anchor());
      // the state file is durable, the anchor not yet written
      emulator.drive(0).faults().setPowerLossAtStep("provision:nv-directory-synced");
      assertThrows(
          RuntimeException.class,
          () ->
              new Licensor(licensor)
                  .provision(
                      drive,
                      TITLE,
                      new ByteArrayInputStream(content),
                      content.length,
                      HEADER_LBA,
                      10,
                      Progress.NONE));
      assertTrue(emulator.powerLost());
    }
    assertArrayEquals(anchorBefore, Files.readAllBytes(anchor()), "the anchor is one behind");
    try (Emulator emulator = start();
        Drive drive = Drive.open(uri(emulator))) {
      assertFalse(Arrays.equals(anchorBefore, Files.readAllBytes(anchor())), "rolled forward");
      assertArrayEquals(content, play(drive), "the provisioned title plays");
    }
    try (Emulator emulator = start(); // the drive carries on, start after start
        Drive drive = Drive.open(uri(emulator))) {
      assertArrayEquals(content, play(drive));
      assertEquals(8, drive.secure().status().entries().get(0).playsLeft());
    }
  }

  private static void copyTree(Path from, Path to) {
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(root)) {
          Files.delete(p);
        }
      }
    }
  }
}
