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
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.FlowException;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.Runner;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the wire in a software copy, captured by a relay between the host driver and the
 * emulator: a title's plaintext never does, nor the title key of a certificate copy, in either
 * scheme, while the same capture shows the plaintext on a run (the drive returns plaintext to its
 * host, FIG. 6 and 10), so the check can see it. And a copy cut short, in either scheme, runs
 * nothing until it is copied again.
 */
class CopyIntegrityIT {

  private static final String GAME = "wire-game"; // scheme 1
  private static final String FILM = "wire-film"; // scheme 2
  private static final long LBA = 64;

  @TempDir Path media;
  @TempDir Path centerData;
  @TempDir Path keys;
  @TempDir Path scratch;

  private Authority authority;
  private LocalCenter center;
  private Emulator emulator;
  private CenterClient site;
  private CenterClient admin;
  private UserKey alice;
  private TcpTap tap;
  private final byte[] game = Rig.content(300 * 1024 + 11, 5);
  private final byte[] film =
      Rig.content(1100 * 1024 + 7, 6); // more than one chunk, not whole blocks

  @BeforeEach
  void start() throws Exception {
    authority = Authority.create();
    center = LocalCenter.start(centerData, authority);
    admin = new CenterClient(center.url(), center.adminToken());
    site = new CenterClient(center.url());
    alice = UserKey.create();
    admin.registerUser("alice", "Alice", alice);

    Path image = scratch.resolve("master.img");
    MasterAuthoring.author(
        List.of(
            Rig.title(GAME, 1, admin.registerTitle(GAME, "Wire Game", 1, 0).key(), game),
            Rig.title(FILM, 2, admin.registerTitle(FILM, "Wire Film", 2, 0).key(), film)),
        2048,
        image,
        Progress.NONE);
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MASTER-W", "cd-rom-650", image);
    Rig.createMedium(store, "MO-W", "mo-640", null);
    emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(Rig.anchors(media))
            .enrol(authority)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "cdrom", "MASTER-DRIVE-W", "MASTER-W"))
            .drive(new DriveConfig(1, "mo-640", "USER-DRIVE-W", "MO-W"))
            .start();
    tap = TcpTap.in(emulator.address());
  }

  @AfterEach
  void stop() throws Exception {
    if (tap != null) {
      tap.close();
    }
    if (emulator != null) {
      emulator.close();
    }
    if (center != null) {
      center.close();
    }
  }

  /** LUN {@code lun} through the tap. */
  private String tapped(int lun) {
    return "tcp://" + Addresses.format(tap.address()) + "/" + lun;
  }

  private SoftwareCopy.Copied copy(String titleId, long lba) {
    try (Drive master = Drive.open(tapped(0));
        Drive target = Drive.open(tapped(1))) {
      return SoftwareCopy.copy(master, target, site, "alice", alice, titleId, lba, Progress.NONE);
    }
  }

  private byte[] run(String titleId, long lba) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Drive drive = Drive.open(tapped(1))) {
      Runner.run(drive, titleId, lba, authority.publicKey(), out, Progress.NONE);
    }
    return out.toByteArray();
  }

  @Test
  void noPlaintextCrossesTheWireInEitherCopy() {
    SoftwareCopy.Copied converted = copy(FILM, LBA);
    assertEquals(2, converted.scheme());
    SoftwareCopy.Copied certified = copy(GAME, 4096);
    assertEquals(1, certified.scheme());

    byte[] copying = tap.captured();
    // the whole of both titles' ciphertext crossed (master READs, target WRITEs / CONVERT WRITEs)
    assertTrue(copying.length > 2L * (film.length + game.length), "capture: " + copying.length);
    assertEquals(0, TcpTap.windowsFound(film, copying), "scheme-2 plaintext on the wire");
    assertEquals(0, TcpTap.windowsFound(game, copying), "scheme-1 plaintext on the wire");

    // the run of the converted copy: the drive decrypts and returns plaintext, and the capture
    // shows it, so the check above could have failed
    assertArrayEquals(film, run(FILM, LBA));
    byte[] all = tap.captured();
    int found = TcpTap.windowsFound(film, all);
    assertTrue(found > film.length / 16 / 2, "the run's plaintext is visible: " + found);
    // a certificate copy plays through the drive as well, and Kd never crossed the wire
    assertArrayEquals(game, run(GAME, 4096));
    byte[] afterGame = tap.captured();
    assertTrue(TcpTap.windowsFound(game, afterGame) > game.length / 16 / 2);
    assertEquals(0, TcpTap.windowsFound(admin.titleKey(GAME).key(), afterGame), "Kd on the wire");
  }

  @Test
  void aConvertedCopyCutShortPlaysNothingUntilCopiedAgain() {
    long failing = LBA + 1 + 200; // a data block in the second chunk
    emulator.drive(1).faults().addWriteError(failing);
    ScsiException broken = assertThrows(ScsiException.class, () -> copy(FILM, LBA));
    assertTrue(broken.getMessage().contains("(03/0C/00)"), broken::getMessage);

    FlowException none = assertThrows(FlowException.class, () -> run(FILM, LBA));
    assertTrue(none.getMessage().contains("did not complete"), none::getMessage);
    try (Drive drive = Drive.open(tapped(1))) {
      // the license was installed, but the drive has written no header: it plays nothing
      assertEquals(1, drive.secure().status().entries().size());
      ScsiException refused =
          assertThrows(ScsiException.class, () -> drive.secure().openPlayback(FILM, LBA));
      assertTrue(refused.getMessage().contains("(05/6F/00)"), refused::getMessage);
    }

    emulator.drive(1).faults().clear();
    copy(FILM, LBA);
    assertArrayEquals(film, run(FILM, LBA));
  }

  @Test
  void aCertificateCopyWhoseDataBrokeOffIsNeverInstalledAndRunsNothing() throws Exception {
    long lba = 4096;
    int blockSize = 2048;
    // The terminal died during S7: CS from the site, the record written, the data not all there.
    try (Drive master = Drive.open(tapped(0));
        Drive target = Drive.open(tapped(1))) {
      MasterCatalog.Entry entry = SoftwareCopy.readCatalog(master).find(GAME).orElseThrow();
      byte[] cs =
          site.copyCertificate("alice", alice, GAME, "MO-W", target.secure().certificate())
              .copyCertificate();
      CopyRecord record =
          new CopyRecord(cs, entry.nonce(), entry.plaintextLength(), entry.digest(), lba + 1);
      target.write(lba, Arrays.copyOf(record.encode(), 2 * blockSize));
      int blocks = (int) entry.dataBlocks(blockSize);
      target.write(lba + 2, master.read(entry.firstLba(), blocks - 3));
      // INSTALL COPY checks the data against the master's digest and licenses nothing.
      ScsiException refused =
          assertThrows(
              ScsiException.class,
              () ->
                  target
                      .secure()
                      .installCopy(
                          new InstallCopy(
                              cs,
                              lba + 1,
                              entry.plaintextLength(),
                              entry.nonce(),
                              entry.digest())));
      assertEquals(Reason.INTEGRITY, refused.reason().orElseThrow(), refused::getMessage);
      assertTrue(target.secure().status().entries().isEmpty(), "no license");
    }
    // no header (the drive writes it only over data the digest vouches for), and no license
    FlowException broken = assertThrows(FlowException.class, () -> run(GAME, lba));
    assertEquals(
        "LBA " + (lba + 1) + " holds no title header: title header does not start with 'SDTI'",
        broken.getMessage());
    try (Drive target = Drive.open(tapped(1))) {
      ScsiException bypassed =
          assertThrows(ScsiException.class, () -> target.secure().openPlayback(GAME, lba + 1));
      assertEquals(Reason.NO_LICENSE, bypassed.reason().orElseThrow(), bypassed::getMessage);
    }

    // the command line writes nothing to --out for such a copy
    Path out = scratch.resolve("game.out");
    Cli ran =
        Cli.run(
            "run",
            tapped(1),
            "--title",
            GAME,
            "--lba",
            Long.toString(lba),
            "--authority-key",
            java.util.HexFormat.of().formatHex(authority.publicKey()),
            "--out",
            out.toString());
    assertEquals(1, ran.exit(), ran::toString);
    assertTrue(ran.err().contains("holds no title header"), ran::toString);
    assertFalse(Files.exists(out), "no torn plaintext");
    try (var left = Files.list(scratch)) {
      assertEquals(List.of("master.img"), left.map(p -> p.getFileName().toString()).toList());
    }

    // a copy that fails while the terminal runs takes its record back with it
    emulator.drive(1).faults().addWriteError(lba + 2 + 40);
    assertThrows(ScsiException.class, () -> copy(GAME, lba));
    emulator.drive(1).faults().clear();
    FlowException none = assertThrows(FlowException.class, () -> run(GAME, lba));
    assertTrue(none.getMessage().contains("no copied title there"), none::getMessage);
    copy(GAME, lba);
    assertArrayEquals(game, run(GAME, lba));
    assertEquals(1, admin.user("alice").path("bills").size(), "one copy, one bill");
  }

  @Test
  void aTerminalPinnedToItsAuthorityRefusesASiteOfAnotherAndCopiesWithItsOwn() throws Exception {
    Path keyFile = keys.resolve("alice.key");
    alice.save(keyFile);
    java.util.HexFormat hex = java.util.HexFormat.of();
    String other = hex.formatHex(Authority.create().publicKey());
    Cli refused = copyCommand(keyFile, other, GAME);
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(
        refused.err().contains("names licensing authority " + hex.formatHex(authority.publicKey()))
            && refused.err().contains("not the pinned " + other),
        refused::toString);
    // a converted copy too: the terminal asks the site who it is before it signs a request
    Cli converted = copyCommand(keyFile, other, FILM);
    assertEquals(1, converted.exit(), converted::toString);
    assertTrue(converted.err().contains("not the pinned " + other), converted::toString);
    assertEquals(0, admin.user("alice").path("copies").size(), "refused before the site was asked");

    Cli copied = copyCommand(keyFile, hex.formatHex(authority.publicKey()), GAME);
    assertEquals(0, copied.exit(), copied::toString);
    assertArrayEquals(game, run(GAME, 8192));
  }

  private Cli copyCommand(Path keyFile, String authorityKey, String title) {
    return Cli.run(
        "copy",
        "--master",
        tapped(0),
        "--target",
        tapped(1),
        "--title",
        title,
        "--center",
        center.url(),
        "--user",
        "alice",
        "--user-key",
        keyFile.toString(),
        "--authority-key",
        authorityKey,
        "--lba",
        "8192");
  }
}
