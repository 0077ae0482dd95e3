package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.CenterException;
import dev.secdrive.host.flow.FlowException;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.Runner;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The software copy of seed 003 end to end: the central site (license-center, embedded database, on
 * 127.0.0.1:0), an emulator with the master's CD-ROM drive (LUN 0) and the user's MO drives (LUNs 1
 * and 2), enrolled with one licensing authority, and the host driver over TCP between them. Both
 * embodiments are copied and run; every refusal of the issue is provoked.
 */
class SoftwareCopyIT {

  private static final String GAME = "game-1"; // scheme 1, free
  private static final String FILM = "film-2"; // scheme 2, free
  private static final String PREMIUM = "premium-3"; // scheme 2, 500 cents
  private static final String GHOST = "ghost-4"; // on the master, never registered (S12)
  private static final String TINY = "tiny-5"; // scheme 1, 300 cents, small enough for a floppy
  private static final long LBA = 100;

  @TempDir Path media;
  @TempDir Path centerData;
  @TempDir Path keys;
  @TempDir Path scratch;

  private Authority authority;
  private LocalCenter center;
  private Emulator emulator;
  final dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint portal =
      new dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint(
          new java.net.InetSocketAddress("127.0.0.1", 0));
  private CenterClient admin;
  private CenterClient site;
  private UserKey alice;
  private Path aliceKeyFile;
  private UserKey bob;
  private Path bobKeyFile;
  private byte[] game;
  private byte[] film;
  private byte[] premium;

  @BeforeEach
  void start() throws Exception {
    authority = Authority.create();
    center = LocalCenter.start(centerData, authority);
    admin = new CenterClient(center.url(), center.adminToken());
    site = new CenterClient(center.url());

    alice = UserKey.create();
    aliceKeyFile = keys.resolve("alice.key");
    alice.save(aliceKeyFile);
    admin.registerUser("alice", "Alice", alice);
    bob = UserKey.create();
    bobKeyFile = keys.resolve("bob.key");
    bob.save(bobKeyFile);
    admin.registerUser("bob", "Bob", bob);

    game = Rig.content(700 * 1024 + 5, 1);
    film = Rig.content(1536 * 1024 + 99, 2); // more than one CHUNK, not whole blocks
    premium = Rig.content(4096, 3);
    byte[] ghost = Rig.content(1000, 4);
    Path image = scratch.resolve("master.img");
    MasterAuthoring.author(
        List.of(
            Rig.title(GAME, 1, admin.registerTitle(GAME, "A Game", 1, 0).key(), game),
            Rig.title(FILM, 2, admin.registerTitle(FILM, "A Film", 2, 0).key(), film),
            Rig.title(PREMIUM, 2, admin.registerTitle(PREMIUM, "Premium", 2, 500).key(), premium),
            Rig.title(GHOST, 1, new byte[32], ghost),
            Rig.title(TINY, 1, admin.registerTitle(TINY, "Tiny", 1, 300).key(), premium)),
        2048,
        image,
        Progress.NONE);

    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MASTER-1", "cd-rom-650", image);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "MO-2", "mo-640", null);
    Rig.createMedium(store, "FD-1", "fd-720", null);
    emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(Rig.anchors(media))
            .enrol(authority)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "cdrom", "MASTER-DRIVE", "MASTER-1"))
            .drive(new DriveConfig(1, "mo-640", "USER-DRIVE", "MO-1"))
            .drive(new DriveConfig(2, "mo-640", "OTHER-DRIVE", "MO-2"))
            .drive(new DriveConfig(3, "floppy-1.44", "FLOPPY-DRIVE", "FD-1"))
            .listen(new java.net.InetSocketAddress("127.0.0.1", 0))
            .endpoint(portal)
            .start();
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
    if (center != null) {
      center.close();
    }
  }

  /** The drive on {@code lun}; {@link SoftwareCopyOverIscsiIT} attaches it over iSCSI. */
  String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  /** A copy in {@code user}'s name, signed with bob's key for bob and alice's for anyone else. */
  private SoftwareCopy.Copied copy(String user, String titleId, int targetLun, long lba) {
    return copy(user, user.equals("bob") ? bob : alice, titleId, targetLun, lba);
  }

  private SoftwareCopy.Copied copy(
      String user, UserKey key, String titleId, int targetLun, long lba) {
    return copy(user, key, titleId, uri(targetLun), lba);
  }

  /** A copy from this emulator's master onto the drive at {@code targetUri}. */
  private SoftwareCopy.Copied copy(
      String user, UserKey key, String titleId, String targetUri, long lba) {
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(targetUri)) {
      return SoftwareCopy.copy(master, target, site, user, key, titleId, lba, Progress.NONE);
    }
  }

  private byte[] run(int lun, String titleId, long lba) {
    return run(uri(lun), titleId, lba);
  }

  private byte[] run(String driveUri, String titleId, long lba) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Drive drive = Drive.open(driveUri)) {
      Runner.run(drive, titleId, lba, authority.publicKey(), out, Progress.NONE);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private int copies(String user) {
    JsonNode profile = admin.user(user);
    return profile.path("copies").size();
  }

  // ---------------------------------------------------------------- both embodiments

  @Test
  void convertedCopyIsReEncryptedInTheTargetDriveAndRunsFromItsSecureArea() throws Exception {
    Cli copied =
        Cli.run(
            "copy",
            "--master",
            uri(0),
            "--target",
            uri(1),
            "--title",
            FILM,
            "--center",
            center.url(),
            "--user",
            "alice",
            "--user-key",
            aliceKeyFile.toString(),
            "--lba",
            Long.toString(LBA),
            "--json");
    assertEquals(0, copied.exit(), copied::toString);
    JsonNode result = Json.MAPPER.readTree(copied.out());
    assertEquals(2, result.get("scheme").asInt());
    assertEquals("MO-1", result.get("mediumId").asText());
    assertEquals(film.length, result.get("bytes").asLong());

    // What lies on the target is neither the plaintext nor the master's ciphertext (FIG. 9).
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(FILM).orElseThrow();
      byte[] onTarget = target.read(LBA + 1, 4);
      assertFalse(Arrays.equals(Arrays.copyOf(film, onTarget.length), onTarget));
      assertFalse(Arrays.equals(master.read(entry.firstLba(), 4), onTarget));
    }

    Cli ran =
        Cli.run(
            "run",
            uri(1),
            "--title",
            FILM,
            "--lba",
            Long.toString(LBA),
            "--out",
            scratch.resolve("film.out").toString(),
            "--json");
    assertEquals(0, ran.exit(), ran::toString);
    assertArrayEquals(film, Files.readAllBytes(scratch.resolve("film.out")));
    assertEquals(sha256(film), Json.MAPPER.readTree(ran.out()).get("sha256").asText());
    assertEquals(2, Json.MAPPER.readTree(ran.out()).get("scheme").asInt());
  }

  @Test
  void certificateCopyIsInstalledInTheTargetDriveAndPlaysThroughIt() throws Exception {
    Cli copied =
        Cli.run(
            "copy",
            "--master",
            uri(0),
            "--target",
            uri(1),
            "--title",
            GAME,
            "--center",
            center.url(),
            "--user",
            "alice",
            "--user-key",
            aliceKeyFile.toString(),
            "--lba",
            Long.toString(LBA));
    assertEquals(0, copied.exit(), copied::toString);
    assertTrue(
        copied.out().startsWith("copied game-1 (scheme 1, copy certificate) to medium MO-1"),
        copied::toString);

    // The record names this title and medium; the header the drive wrote follows it, then the
    // master's ciphertext, verbatim; the drive licensed the title on MO-1 from the central site.
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      CopyRecord record = CopyRecord.decode(target.read(LBA, 1));
      assertEquals(LBA + 1, record.headerLba());
      assertEquals(game.length, record.plaintextLength());
      assertEquals(GAME, TitleHeader.decode(target.read(LBA + 1, 1)).contentId());
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(GAME).orElseThrow();
      assertArrayEquals(master.read(entry.firstLba(), 8), target.read(LBA + 2, 8));
      LicenseStatus.Entry license = target.secure().status().entries().get(0);
      assertEquals(GAME, license.contentId());
      assertEquals("secdrive central site", license.licensor());
    }

    Cli ran =
        Cli.run(
            "run", uri(1), "--title", GAME, "--lba", Long.toString(LBA), "--center", center.url());
    assertEquals(0, ran.exit(), ran::toString);
    assertEquals(
        "ran game-1 (scheme 1): " + game.length + " bytes, SHA-256 " + sha256(game),
        ran.out().trim());
    assertArrayEquals(game, run(1, GAME, LBA));
  }

  @Test
  void theSiteAnswerHoldsNoKeyTheTerminalCanOpen() throws Exception {
    byte[] kd = admin.titleKey(GAME).key();
    CenterClient.CertificateIssue issue;
    try (Drive target = Drive.open(uri(1))) {
      issue = site.copyCertificate("alice", alice, GAME, "MO-1", target.secure().certificate());
    }
    CopyCertificate cs = CopyCertificate.decode(issue.copyCertificate());
    assertEquals("USER-DRIVE", cs.deviceId());
    // Kd is nowhere in the answer, and what is sealed in it does not open with the user key: the
    // user's X25519 key is not the drive's, under either label.
    assertEquals(-1, Collections.indexOfSubList(bytes(issue.copyCertificate()), bytes(kd)));
    for (String label : List.of("copy", "user-key")) {
      assertThrows(
          AuthenticationException.class,
          () ->
              dev.secdrive.center.crypto.Crypto.open(
                  aliceX25519(),
                  cs.ephemeralPublicKey(),
                  label,
                  CopyCertificate.aad(GAME, "MO-1", "USER-DRIVE"),
                  cs.sealedKey()));
    }
  }

  @Test
  void aCopyCertificateInstallsOnlyWithItsMediumInItsDrive() throws Exception {
    try (Drive master = Drive.open(uri(0));
        Drive user = Drive.open(uri(1));
        Drive other = Drive.open(uri(2))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(GAME).orElseThrow();
      // Sealed to USER-DRIVE for MO-1: with MO-2 loaded, or in OTHER-DRIVE, it installs nothing.
      byte[] forMo1 =
          site.copyCertificate("alice", alice, GAME, "MO-1", user.secure().certificate())
              .copyCertificate();
      byte[] forMo2InUserDrive =
          site.copyCertificate("alice", alice, GAME, "MO-2", user.secure().certificate())
              .copyCertificate();
      ScsiException otherMedium =
          assertThrows(
              ScsiException.class,
              () -> user.secure().installCopy(install(forMo2InUserDrive, entry)));
      assertEquals(
          Reason.OTHER_MEDIUM, otherMedium.reason().orElseThrow(), otherMedium::getMessage);
      ScsiException otherDrive =
          assertThrows(
              ScsiException.class,
              () -> other.secure().installCopy(install(forMo2InUserDrive, entry)));
      assertEquals(Reason.OTHER_DRIVE, otherDrive.reason().orElseThrow(), otherDrive::getMessage);
      ScsiException notHere =
          assertThrows(
              ScsiException.class, () -> other.secure().installCopy(install(forMo1, entry)));
      assertEquals(Reason.OTHER_MEDIUM, notHere.reason().orElseThrow(), notHere::getMessage);
      assertTrue(user.secure().status().entries().isEmpty(), "nothing licensed on MO-1");
      assertTrue(other.secure().status().entries().isEmpty(), "nothing licensed on MO-2");
    }
  }

  private static InstallCopy install(byte[] cs, MasterCatalog.Entry entry) {
    return new InstallCopy(cs, LBA + 1, entry.plaintextLength(), entry.nonce(), entry.digest());
  }

  private static List<Byte> bytes(byte[] b) {
    List<Byte> out = new java.util.ArrayList<>();
    for (byte x : b) {
      out.add(x);
    }
    return out;
  }

  /** The X25519 private key in alice's key file, as a patched terminal would read it. */
  private byte[] aliceX25519() throws Exception {
    JsonNode file = Json.MAPPER.readTree(Files.readString(aliceKeyFile));
    return HexFormat.of().parseHex(file.get("privateKey").asText());
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void unknownTitleIsRefusedByTheSiteAndTheMaster() {
    CenterException e = assertThrows(CenterException.class, () -> copy("alice", GHOST, 1, LBA));
    assertEquals(404, e.status());
    assertTrue(e.getMessage().contains("S12"), e.getMessage());
    FlowException notOnMaster =
        assertThrows(FlowException.class, () -> copy("alice", "nothing-9", 1, LBA));
    assertEquals(
        "title nothing-9 is not on the master (its catalog lists game-1, film-2, premium-3,"
            + " ghost-4, tiny-5)",
        notOnMaster.getMessage());
    assertTargetUntouched(1);
  }

  @Test
  void writeProtectedTargetIsRefusedBeforeTheSiteIsAsked() {
    emulator.setWriteProtected(1, true);
    for (String title : List.of(GAME, FILM)) {
      FlowException e = assertThrows(FlowException.class, () -> copy("alice", title, 1, LBA));
      assertTrue(
          e.getMessage().contains("MO-1") && e.getMessage().contains("is write-protected"),
          e.getMessage());
    }
    assertEquals(0, copies("alice"), "no copy was issued, no bill made");
  }

  @Test
  void tooSmallTargetIsRefusedBeforeTheSiteIsAsked() {
    long last;
    try (Drive target = Drive.open(uri(1))) {
      last = target.capacity().lastLba();
    }
    for (String title : List.of(GAME, FILM)) {
      FlowException e = assertThrows(FlowException.class, () -> copy("alice", title, 1, last - 10));
      assertTrue(e.getMessage().startsWith("the target is too small"), e.getMessage());
    }
    assertEquals(0, copies("alice"));
    assertTargetUntouched(1);
  }

  @Test
  void certificateForAnotherMediumIsRefused() throws Exception {
    // Scheme 1: a CS the site issued for MO-2, written onto MO-1 beside the ciphertext.
    copy("alice", GAME, 1, LBA);
    try (Drive target = Drive.open(uri(1))) {
      CenterClient.CertificateIssue forOther =
          site.copyCertificate("alice", alice, GAME, "MO-2", target.secure().certificate());
      CopyRecord genuine = CopyRecord.decode(target.read(LBA, 1));
      CopyRecord swapped =
          new CopyRecord(
              forOther.copyCertificate(),
              genuine.nonce(),
              genuine.plaintextLength(),
              genuine.digest(),
              genuine.headerLba());
      target.write(LBA, Arrays.copyOf(swapped.encode(), 2048));
    }
    FlowException e = assertThrows(FlowException.class, () -> run(1, GAME, LBA));
    assertEquals(
        "the copy certificate is for medium MO-2 but this medium is MO-1 (a copy moved onto"
            + " another medium is not licensed)",
        e.getMessage());

    // Scheme 2: a grant for MO-2 offered to the drive holding MO-1.
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(FILM).orElseThrow();
      CenterClient.ConversionIssue grant =
          site.conversion("alice", alice, FILM, "MO-2", target.secure().certificate());
      ScsiException refused =
          assertThrows(
              ScsiException.class,
              () ->
                  target
                      .secure()
                      .installConversion(
                          new InstallConversion(
                              grant.grant(), 5000, entry.plaintextLength(), entry.nonce())));
      assertEquals(Reason.OTHER_MEDIUM, refused.reason().orElseThrow(), refused.getMessage());
    }
  }

  @Test
  void copiesClonedOntoAnotherMediumDoNotRun() throws Exception {
    copy("alice", GAME, 1, LBA);
    copy("alice", FILM, 1, 5000);
    long gameBlocks = 2 + (game.length + 2047) / 2048; // record, header, data
    long filmBlocks = 1 + (film.length + 2047) / 2048;
    try (Drive original = Drive.open(uri(1));
        Drive clone = Drive.open(uri(2))) {
      clone.write(LBA, original.read(LBA, (int) gameBlocks));
      clone.write(5000, original.read(5000, (int) filmBlocks));
    }
    assertArrayEquals(game, run(1, GAME, LBA), "the original runs");
    assertArrayEquals(film, run(1, FILM, 5000), "the original runs");

    FlowException scheme1 = assertThrows(FlowException.class, () -> run(2, GAME, LBA));
    assertEquals(
        "the copy certificate is for medium MO-1 but this medium is MO-2 (a copy moved onto"
            + " another medium is not licensed)",
        scheme1.getMessage());
    ScsiException scheme2 = assertThrows(ScsiException.class, () -> run(2, FILM, 5000));
    assertEquals(Reason.NO_LICENSE, scheme2.reason().orElseThrow(), scheme2.getMessage());
    // A patched terminal that skips the check of CS plays nothing either: the key of the scheme-1
    // copy is in MO-1's secure area, not in anything the clone carries.
    try (Drive clone = Drive.open(uri(2))) {
      ScsiException bypassed =
          assertThrows(ScsiException.class, () -> clone.secure().openPlayback(GAME, LBA + 1));
      assertEquals(Reason.NO_LICENSE, bypassed.reason().orElseThrow(), bypassed.getMessage());
    }
  }

  @Test
  void tamperedCertificatesAreRefused() throws Exception {
    // Scheme 1: one bit of the serial in CS on the medium.
    copy("alice", GAME, 1, LBA);
    try (Drive target = Drive.open(uri(1))) {
      byte[] block = target.read(LBA, 1);
      int serialAt =
          5
              + 2
              + 5
              + 1
              + GAME.length()
              + 1
              + "MO-1".length()
              + 1
              + "alice".length()
              + 1
              + "USER-DRIVE".length();
      block[serialAt + 7] ^= 1;
      target.write(LBA, block);
    }
    FlowException e = assertThrows(FlowException.class, () -> run(1, GAME, LBA));
    assertEquals(
        "the copy certificate's signature does not verify with the central site's key (tampered"
            + " copy certificate)",
        e.getMessage());
    // The drive refuses the same CS whole.
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(GAME).orElseThrow();
      byte[] tampered = CopyRecord.decode(target.read(LBA, 1)).copyCertificate();
      ScsiException refused =
          assertThrows(
              ScsiException.class, () -> target.secure().installCopy(install(tampered, entry)));
      assertEquals(Reason.SIGNATURE, refused.reason().orElseThrow(), refused.getMessage());
    }

    // Scheme 2: one bit of the grant's serial.
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(FILM).orElseThrow();
      byte[] grant =
          site.conversion("alice", alice, FILM, "MO-1", target.secure().certificate()).grant();
      int serialAt = 5 + 1 + FILM.length() + 1 + "MO-1".length() + 1 + "USER-DRIVE".length();
      grant[serialAt + 7] ^= 1;
      ScsiException refused =
          assertThrows(
              ScsiException.class,
              () ->
                  target
                      .secure()
                      .installConversion(
                          new InstallConversion(
                              grant, 5000, entry.plaintextLength(), entry.nonce())));
      assertEquals(Reason.SIGNATURE, refused.reason().orElseThrow(), refused.getMessage());
    }
  }

  @Test
  void unknownUserIsRefused() {
    for (String title : List.of(GAME, FILM)) {
      CenterException e = assertThrows(CenterException.class, () -> copy("mallory", title, 1, LBA));
      assertEquals(403, e.status());
      assertTrue(
          e.getMessage().contains("the request is not signed by user mallory"), e.getMessage());
    }
    assertTargetUntouched(1);
  }

  @Test
  void aCopyThatFailsAfterTheSiteAnsweredIsRetriedWithOneBill() throws Exception {
    // Scheme 2, priced: a write fault in the title's data, so CONVERT WRITE fails after INSTALL
    // CONVERSION took the grant the site billed for.
    emulator.drive(1).faults().addWriteError(LBA + 2);
    DriveException broken = assertThrows(DriveException.class, () -> copy("bob", PREMIUM, 1, LBA));
    assertTrue(broken.getMessage().contains("MEDIUM ERROR"), broken.getMessage());
    JsonNode billed = admin.user("bob");
    assertEquals(1, billed.path("copies").size());
    assertEquals(500, billed.path("owedCents").asLong());

    emulator.drive(1).faults().clear();
    SoftwareCopy.Copied retried = copy("bob", PREMIUM, 1, LBA);
    assertEquals(billed.path("copies").get(0).path("serial").asLong(), retried.serial());
    assertArrayEquals(premium, run(1, PREMIUM, LBA));
    JsonNode profile = admin.user("bob");
    assertEquals(1, profile.path("copies").size(), "the retry is the same copy");
    assertEquals(1, profile.path("bills").size(), "exactly one bill");
    assertEquals(500, profile.path("owedCents").asLong());
    // Another copy is refused while that bill is unpaid.
    CenterException unpaid = assertThrows(CenterException.class, () -> copy("bob", FILM, 1, 5000));
    assertEquals(402, unpaid.status());

    // Scheme 1: the ciphertext's write fails after the copy record was written and checked.
    long at = 20_000; // clear of the premium copy
    emulator.drive(1).faults().addWriteError(at + 2);
    assertThrows(DriveException.class, () -> copy("alice", GAME, 1, at));
    try (Drive target = Drive.open(uri(1))) {
      assertArrayEquals(new byte[2048], target.read(at, 1), "the copy record is erased again");
    }
    emulator.drive(1).faults().clear();
    SoftwareCopy.Copied game1 = copy("alice", GAME, 1, at);
    assertArrayEquals(game, run(1, GAME, at));
    JsonNode alice = admin.user("alice");
    assertEquals(1, alice.path("copies").size());
    assertEquals(1, alice.path("bills").size());
    assertEquals(game1.serial(), alice.path("copies").get(0).path("serial").asLong());
  }

  @Test
  void theSameMediumIdInAnotherDriveIsAnotherCopyRefusedUnpaidAndBilledAgain() throws Exception {
    // A second machine of alice's, enrolled with the same authority: its drive holds a blank
    // medium given the ID of the one she already copied to.
    Path secondMedia = scratch.resolve("second-machine");
    Rig.createMedium(MediumStore.openOrCreate(secondMedia), "MO-1", "mo-640", null);
    try (Emulator second =
        Emulator.builder()
            .mediaDirectory(secondMedia)
            .anchorDirectory(Rig.anchors(secondMedia))
            .enrol(authority)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "SECOND-DRIVE", "MO-1"))
            .start()) {
      String secondDrive = "tcp://" + Addresses.format(second.address()) + "/0";
      long at = 20_000; // the scheme-2 copy, clear of the scheme-1 one
      record Priced(String titleId, long lba, long cents) {}
      int bills = 0;
      for (Priced t : List.of(new Priced(TINY, LBA, 300), new Priced(PREMIUM, at, 500))) {
        long first = copy("alice", t.titleId(), 1, t.lba()).serial();
        bills++;
        CenterException unpaid =
            assertThrows(
                CenterException.class,
                () -> copy("alice", alice, t.titleId(), secondDrive, t.lba()),
                t.titleId());
        assertEquals(402, unpaid.status(), unpaid.getMessage());
        assertTrue(
            unpaid.getMessage().contains("1 unpaid bill(s) totalling " + t.cents() + " cents"),
            unpaid.getMessage());
        try (Drive target = Drive.open(secondDrive)) {
          assertArrayEquals(new byte[2048 * 2], target.read(t.lba(), 2), "nothing was written");
        }
        assertEquals(bills, admin.user("alice").path("bills").size(), "the refusal bills nothing");

        admin.pay("alice", t.cents());
        SoftwareCopy.Copied other = copy("alice", alice, t.titleId(), secondDrive, t.lba());
        bills++;
        assertNotEquals(first, other.serial(), "another drive is another copy");
        assertArrayEquals(premium, run(secondDrive, t.titleId(), t.lba()));
        assertArrayEquals(premium, run(1, t.titleId(), t.lba()));
        JsonNode profile = admin.user("alice");
        assertEquals(bills, profile.path("bills").size(), "one bill per drive");
        assertEquals(t.cents(), profile.path("owedCents").asLong(), profile::toString);
        JsonNode copies = profile.path("copies");
        assertEquals("USER-DRIVE", copies.get(bills - 2).path("deviceId").asText());
        assertEquals("SECOND-DRIVE", copies.get(bills - 1).path("deviceId").asText());
        admin.pay("alice", t.cents());
      }
    }
  }

  @Test
  void aCopyInAnotherUsersNameIsRefusedAndBillsNobody() {
    for (String title : List.of(GAME, PREMIUM)) {
      CenterException e =
          assertThrows(CenterException.class, () -> copy("bob", alice, title, 1, LBA));
      assertEquals(403, e.status(), e.getMessage());
      assertTrue(e.getMessage().contains("the request is not signed by user bob"), e.getMessage());
    }
    assertEquals(0, copies("bob"), "bob was not billed");
    assertTargetUntouched(1);
  }

  @Test
  void userWithUnpaidBillsIsRefusedUntilPaid() {
    copy("bob", PREMIUM, 1, LBA); // the first copy makes an unpaid bill of 500 cents
    CenterException e = assertThrows(CenterException.class, () -> copy("bob", FILM, 1, 5000));
    assertEquals(402, e.status());
    assertTrue(e.getMessage().contains("unpaid"), e.getMessage());
    Cli refused =
        Cli.run(
            "copy",
            "--master",
            uri(0),
            "--target",
            uri(1),
            "--title",
            FILM,
            "--center",
            center.url(),
            "--user",
            "bob",
            "--user-key",
            bobKeyFile.toString(),
            "--lba",
            "5000");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(
        refused.err().startsWith("secdrive: central site refused (HTTP 402): "), refused::toString);

    admin.pay("bob", 500);
    copy("bob", FILM, 1, 5000);
    assertArrayEquals(film, run(1, FILM, 5000));
  }

  // ---------------------------------------------------------------- nothing billed for a refusal

  /** No copy was issued to {@code user} and no bill made: checked through the admin API. */
  private void assertNothingBilled(String user) {
    JsonNode profile = admin.user(user);
    assertEquals(0, profile.path("copies").size(), profile::toString);
    assertEquals(0, profile.path("bills").size(), profile::toString);
  }

  /**
   * The copy of each title onto LUN {@code lun} is refused by the target drive with {@code why}.
   */
  private void assertDriveRefuses(int lun, Reason why) {
    for (String title : List.of(TINY, PREMIUM)) {
      ScsiException e = assertThrows(ScsiException.class, () -> copy("bob", title, lun, LBA));
      assertEquals(why, e.reason().orElseThrow(), e.getMessage());
      assertTrue(e.getMessage().contains("on SECURITY PROTOCOL OUT"), e.getMessage());
    }
    assertNothingBilled("bob");
  }

  @Test
  void aTargetDriveWithoutTheSecurityCommandSetIsRefusedUnbilled() {
    // LUN 0 is the master's CD-ROM reader: no SECURITY PROTOCOL, so no drive key to seal to.
    for (String title : List.of(TINY, PREMIUM)) {
      FlowException e = assertThrows(FlowException.class, () -> copy("bob", title, 0, LBA));
      assertTrue(e.getMessage().contains("has no security command set"), e.getMessage());
    }
    assertNothingBilled("bob");
  }

  @Test
  void aTargetWhoseSecureAreaHasNoRoomForTheLicenseIsRefusedUnbilled() {
    // Fill FD-1's 4 KiB secure area with a licensor's licenses, each a little smaller than the
    // central site's would be, until one more does not fit.
    LicensorCredential publisher =
        LicensorCredential.create("P", authority::certify, authority.publicKey());
    byte[] filler = new byte[1];
    try (Drive floppy = Drive.open(uri(3))) {
      for (int i = 0; ; i++) {
        try {
          new Licensor(publisher)
              .provision(
                  floppy,
                  String.format("filler-%04d", i),
                  new ByteArrayInputStream(filler),
                  1,
                  10 + 2L * i,
                  ProvisionRequest.UNLIMITED,
                  Progress.NONE);
        } catch (ScsiException full) {
          assertTrue(
              full.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
              full.getMessage());
          assertTrue(i > 10, "the area took " + i + " licenses");
          break;
        }
      }
    }
    for (String title : List.of(TINY, PREMIUM)) {
      ScsiException e = assertThrows(ScsiException.class, () -> copy("bob", title, 3, 200));
      assertTrue(
          e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
          e.getMessage());
      assertNull(e.sense().fieldPointer(), "no room: 05/26/00 without a field pointer");
      assertTrue(e.getMessage().contains("on SECURITY PROTOCOL OUT"), e.getMessage());
    }
    assertNothingBilled("bob");
  }

  @Test
  void aTargetHoldingTheTitleFromAnotherLicensorIsRefusedUnbilled() {
    LicensorCredential publisher =
        LicensorCredential.create("Publisher", authority::certify, authority.publicKey());
    try (Drive target = Drive.open(uri(1))) {
      for (String title : List.of(TINY, PREMIUM)) {
        new Licensor(publisher)
            .provision(
                target,
                title,
                new ByteArrayInputStream(new byte[10]),
                10,
                title.equals(TINY) ? 40_000 : 40_010,
                ProvisionRequest.UNLIMITED,
                Progress.NONE);
      }
    }
    assertDriveRefuses(1, Reason.OTHER_LICENSOR);
  }

  /**
   * A whole secure area (area and write counter) put back from before the target drive's last
   * commit: the drive refuses to install under an area older than its record, and says so before
   * the site is asked, so nothing is billed.
   */
  @Test
  void aTargetWhoseSecureAreaIsOlderThanItsDrivesRecordIsRefusedUnbilled() throws Exception {
    LicensorCredential publisher =
        LicensorCredential.create("Publisher", authority::certify, authority.publicKey());
    Path secureArea = media.resolve("MO-1").resolve("secure.bin");
    byte[] older = null;
    try (Drive target = Drive.open(uri(1))) {
      for (int i = 0; i < 2; i++) {
        new Licensor(publisher)
            .provision(
                target,
                "novel-" + i,
                new ByteArrayInputStream(new byte[10]),
                10,
                40_000 + 10L * i,
                ProvisionRequest.UNLIMITED,
                Progress.NONE);
        if (older == null) {
          older = Files.readAllBytes(secureArea); // license version 1
        }
      }
    }
    Files.write(secureArea, older); // USER-DRIVE recorded version 2
    assertDriveRefuses(1, Reason.STALE);
  }

  @Test
  void aTargetDriveOfAnotherAuthorityIsRefusedUnbilled() throws Exception {
    // A drive the licensing authority never certified trusts no site that authority certified.
    Path otherMedia = scratch.resolve("other-media");
    Rig.createMedium(MediumStore.openOrCreate(otherMedia), "MO-9", "mo-640", null);
    try (Emulator rogue =
        Emulator.builder()
            .mediaDirectory(otherMedia)
            .anchorDirectory(Rig.anchors(otherMedia))
            .enrol(Authority.create())
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "ROGUE-DRIVE", "MO-9"))
            .start()) {
      for (String title : List.of(TINY, PREMIUM)) {
        try (Drive master = Drive.open(uri(0));
            Drive target = Drive.open("tcp://" + Addresses.format(rogue.address()) + "/0")) {
          ScsiException e =
              assertThrows(
                  ScsiException.class,
                  () ->
                      SoftwareCopy.copy(
                          master, target, site, "bob", bob, title, LBA, Progress.NONE));
          assertEquals(Reason.CERTIFICATE, e.reason().orElseThrow(), e.getMessage());
        }
      }
    }
    assertNothingBilled("bob");
  }

  @Test
  void benchCopyComparesTheConvertedCopyWithAPlainOne() {
    Cli bench = Cli.run("bench", "--copy", "--region-mib", "4", "--rounds", "1", "--json");
    assertEquals(0, bench.exit(), bench::toString);
    assertTrue(bench.out().contains("converted / plain copy of 4 MiB: "), bench::toString);
    assertTrue(bench.out().contains("\"convertedVsPlainCopyRatio\""), bench::toString);
  }

  private void assertTargetUntouched(int lun) {
    try (Drive target = Drive.open(uri(lun))) {
      assertArrayEquals(new byte[2048 * 2], target.read(LBA, 2), "nothing was written");
    }
  }
}
