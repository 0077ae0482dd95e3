package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.Runner;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
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
  private static final long LBA = 100;

  @TempDir Path media;
  @TempDir Path centerData;
  @TempDir Path keys;
  @TempDir Path scratch;

  private Authority authority;
  private LocalCenter center;
  private Emulator emulator;
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
            Rig.title(GHOST, 1, new byte[32], ghost)),
        2048,
        image,
        Progress.NONE);

    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MASTER-1", "cd-rom-650", image);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "MO-2", "mo-640", null);
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

  private String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  /** A copy in {@code user}'s name, signed with bob's key for bob and alice's for anyone else. */
  private SoftwareCopy.Copied copy(String user, String titleId, int targetLun, long lba) {
    return copy(user, user.equals("bob") ? bob : alice, titleId, targetLun, lba);
  }

  private SoftwareCopy.Copied copy(
      String user, UserKey key, String titleId, int targetLun, long lba) {
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(targetLun))) {
      return SoftwareCopy.copy(master, target, site, user, key, titleId, lba, Progress.NONE);
    }
  }

  private byte[] run(int lun, String titleId, long lba) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Drive drive = Drive.open(uri(lun))) {
      Runner.run(drive, titleId, lba, alice, authority.publicKey(), out, Progress.NONE);
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
  void certificateCopyIsVerifiedAndDecryptedWithTheUserKey() throws Exception {
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

    // The record names this title and medium; the ciphertext is the master's, verbatim.
    try (Drive master = Drive.open(uri(0));
        Drive target = Drive.open(uri(1))) {
      CopyRecord record = CopyRecord.decode(target.read(LBA, 1));
      assertEquals(LBA + 1, record.dataLba());
      assertEquals(game.length, record.plaintextLength());
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(GAME).orElseThrow();
      assertArrayEquals(master.read(entry.firstLba(), 8), target.read(record.dataLba(), 8));
    }

    Cli ran =
        Cli.run(
            "run",
            uri(1),
            "--title",
            GAME,
            "--lba",
            Long.toString(LBA),
            "--user-key",
            aliceKeyFile.toString(),
            "--center",
            center.url());
    assertEquals(0, ran.exit(), ran::toString);
    assertEquals(
        "ran game-1 (scheme 1): " + game.length + " bytes, SHA-256 " + sha256(game),
        ran.out().trim());
    assertArrayEquals(game, run(1, GAME, LBA));

    // Another user's key does not open Kd.
    Path other = keys.resolve("other.key");
    UserKey.create().save(other);
    Cli wrongUser =
        Cli.run(
            "run",
            uri(1),
            "--title",
            GAME,
            "--lba",
            Long.toString(LBA),
            "--user-key",
            other.toString(),
            "--authority-key",
            HexFormat.of().formatHex(authority.publicKey()));
    assertEquals(1, wrongUser.exit(), wrongUser::toString);
    assertTrue(wrongUser.err().contains("does not open with this user key"), wrongUser::toString);
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
            + " ghost-4)",
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
    CenterClient.CertificateIssue forOther = site.copyCertificate("alice", alice, GAME, "MO-2");
    try (Drive target = Drive.open(uri(1))) {
      CopyRecord genuine = CopyRecord.decode(target.read(LBA, 1));
      CopyRecord swapped =
          new CopyRecord(
              forOther.copyCertificate(),
              forOther.sealedKey(),
              genuine.nonce(),
              genuine.plaintextLength(),
              genuine.digest(),
              genuine.dataLba());
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
    long gameBlocks = 1 + (game.length + 2047) / 2048;
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
  }

  @Test
  void tamperedCertificatesAreRefused() throws Exception {
    // Scheme 1: one bit of the serial in CS on the medium.
    copy("alice", GAME, 1, LBA);
    try (Drive target = Drive.open(uri(1))) {
      byte[] block = target.read(LBA, 1);
      int serialAt = 5 + 2 + 5 + 1 + GAME.length() + 1 + "MO-1".length() + 1 + "alice".length();
      block[serialAt + 7] ^= 1;
      target.write(LBA, block);
    }
    FlowException e = assertThrows(FlowException.class, () -> run(1, GAME, LBA));
    assertEquals(
        "the copy certificate's signature does not verify with the central site's key (tampered"
            + " copy certificate)",
        e.getMessage());

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
      assertEquals(404, e.status());
      assertTrue(e.getMessage().contains("mallory"), e.getMessage());
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
    emulator.drive(1).faults().addWriteError(at + 1);
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
  void aCopyInAnotherUsersNameIsRefusedAndBillsNobody() {
    for (String title : List.of(GAME, PREMIUM)) {
      CenterException e =
          assertThrows(CenterException.class, () -> copy("bob", alice, title, 1, LBA));
      assertEquals(403, e.status(), e.getMessage());
      assertTrue(
          e.getMessage().contains("the signature does not verify with user bob's signing key"),
          e.getMessage());
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
