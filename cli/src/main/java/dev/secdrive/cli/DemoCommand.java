package dev.secdrive.cli;

import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveFiles;
import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Backups;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.ContentMove;
import dev.secdrive.host.flow.DistributorClient;
import dev.secdrive.host.flow.FlowException;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Player;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.RipTable;
import dev.secdrive.host.flow.Ripper;
import dev.secdrive.host.flow.Runner;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.kit.watermark.WatermarkKey;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.distributor.AddContent;
import dev.secdrive.protocol.distributor.CopyPolicy;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive demo}: an emulator with the default profile on a loopback port, a fresh medium,
 * and the host driver walking through identity, data and medium changes across TCP.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start an emulator on a loopback port and walk a host through it, printing each step.")
final class DemoCommand implements Callable<Integer> {

  private static final String DEMO_TITLE = "demo-title-1";

  @Spec CommandSpec spec;

  @Option(
      names = "--keep",
      description = "Keep the demo's media directory instead of deleting it afterwards.")
  boolean keep;

  @Option(
      names = "--anchor-dir",
      paramLabel = "DIR",
      description =
          "Where the demo's drives keep their anchors (default: beside the demo's media"
              + " directory, deleted with it).")
  Path anchorDirectory;

  private PrintWriter out;
  private int step;
  private Path anchors;

  @Override
  public Integer call() throws IOException {
    Main.quietRequestLog();
    out = spec.commandLine().getOut();
    Path root = Files.createTempDirectory("secdrive-demo-");
    Path media = root.resolve("media");
    // The anchors live beside the media directory, not in it, as they would in their own store;
    // the demo's are thrown away with it.
    anchors = anchorDirectory != null ? anchorDirectory : root.resolve("anchors");
    try {
      Files.createDirectories(media);
      run(media);
      softwareCopy(media.resolve("software-copy"));
      contentMove(media.resolve("content-move"));
      ripping(media.resolve("ripping"));
    } finally {
      if (keep) {
        out.println("media directory kept: " + media + " (anchors in " + anchors + ")");
      } else {
        deleteTree(root);
      }
    }
    out.println();
    out.println("demo complete: every step crossed a real TCP connection to the emulator.");
    out.flush();
    return 0;
  }

  private void run(Path mediaDirectory) {
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    DriveProfile profile = catalog.get(ProfileCatalog.DEFAULT_PROFILE);
    MediumType type = profile.defaultMedium();

    step("create a blank " + type.type() + " medium in " + mediaDirectory);
    MediumMetadata medium =
        Media.create(
            MediumStore.open(mediaDirectory),
            catalog,
            type.type(),
            null,
            "secdrive demo disc",
            null);
    out.print(indent(Label.render(medium)));

    Authority authority = Authority.create();
    DriveConfig config = new DriveConfig(0, profile.id(), null, null);
    enrol(mediaDirectory, authority, List.of(config));

    step("start an emulator: one " + profile.id() + " drive on a loopback port");
    try (Emulator emulator =
        Emulator.builder()
            .mediaDirectory(mediaDirectory)
            .anchorDirectory(anchors)
            .profiles(catalog)
            .drive(config)
            .start()) {
      String uri = "tcp://" + Addresses.format(emulator.address()) + "/0";
      say("listening on " + uri);

      step("a person inserts the medium (control API)");
      emulator.insert(0, medium.id());
      say("drive 0 holds " + medium.id());

      step("host opens " + uri);
      try (Drive drive = Drive.open(uri)) {
        step("INQUIRY");
        StandardInquiryData inquiry = drive.inquiry();
        say(
            String.format(
                "%s %s %s, device type %02Xh%s",
                inquiry.vendor(),
                inquiry.product(),
                inquiry.revision(),
                inquiry.peripheralDeviceType(),
                inquiry.removable() ? ", removable" : ""));

        step("READ MEDIA SERIAL NUMBER (medium ID)");
        say(drive.mediumId() + "  (the label says " + medium.id() + ")");

        step("INQUIRY VPD 80h (device ID)");
        say(drive.deviceId());

        step("READ CAPACITY");
        Capacity capacity = drive.capacity();
        say(
            capacity.blocks()
                + " blocks of "
                + capacity.blockSize()
                + " bytes, "
                + Units.bytes(capacity.bytes()));

        step("WRITE(10) 4 blocks at LBA 100, then READ(10) them back");
        byte[] data = new byte[4 * capacity.blockSize()];
        byte[] text = "Hello from the secdrive demo. ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < data.length; i++) {
          data[i] = text[i % text.length];
        }
        drive.write(100, data);
        byte[] back = drive.read(100, 4);
        if (!Arrays.equals(data, back)) {
          throw new CliException("read-back differs from what was written");
        }
        say("wrote and read back " + back.length + " bytes: identical");
        say("\"" + new String(back, 0, 48, StandardCharsets.US_ASCII) + "...\"");

        step("START STOP UNIT: eject");
        drive.eject();
        say("ejected");

        step("TEST UNIT READY after eject");
        expectError(drive::testUnitReady);

        step("START STOP UNIT: load");
        drive.load();
        say("loaded");

        step("TEST UNIT READY after load: no unit attention for the connection that loaded it");
        drive.testUnitReady();
        say("ready (other connections get 06/28/00 once, SPC-4 5.14)");

        step("READ(10) LBA 100 after the medium change");
        byte[] again = drive.read(100, 4);
        say(Arrays.equals(data, again) ? "data still there: identical" : "DATA DIFFERS");

        licenseFlows(authority, emulator, drive, capacity);
      }
    }
  }

  /**
   * The recording-medium license flows of US 2001/0008016: FIG. 5 (provision), FIG. 6 (play), FIG.
   * 7 (backup into the user area), damage to the secure area, FIG. 9 (restore inside the drive).
   */
  private void licenseFlows(
      Authority authority, Emulator emulator, Drive drive, Capacity capacity) {
    step("licensing side (FIG. 2): a licensor credential certified by the licensing authority");
    LicensorCredential credential =
        LicensorCredential.create(
            "secdrive demo publisher", authority::certify, authority.publicKey());
    say("licensor \"" + credential.name() + "\", certificate signed by the authority");

    step(
        "provision (FIG. 5 S1-S10): encrypt a title into the user area, license into the secure"
            + " area");
    byte[] title = demoTitle();
    long headerLba = 1000;
    Licensor.Provisioned provisioned =
        new Licensor(credential)
            .provision(
                drive,
                DEMO_TITLE,
                new java.io.ByteArrayInputStream(title),
                title.length,
                headerLba,
                3,
                Progress.NONE);
    say(
        String.format(
            "title %s: %s encrypted at LBA %d-%d; license for %d plays installed on medium %s",
            provisioned.contentId(),
            Units.bytes(provisioned.plaintextLength()),
            headerLba,
            headerLba + provisioned.dataBlocks(),
            provisioned.plays(),
            provisioned.mediumId()));
    say(
        "a plain READ of the title returns ciphertext: "
            + ciphertextShown(drive, headerLba, title));

    step("play (FIG. 6 S21-S26): the drive decrypts inside itself and returns plaintext");
    play(drive, title, headerLba);

    long backupLba = headerLba + provisioned.dataBlocks() + 16;
    step("backup (FIG. 7 S31-S33): license sealed under the medium key into the user area");
    long bytes = Backups.backupToUserArea(drive, Binding.MEDIUM, backupLba);
    say(bytes + "-byte backup blob written by the drive at LBA " + backupLba);
    say("license status: " + status(drive));

    step("damage: the secure area is destroyed (control API)");
    emulator.eraseSecureArea(0);
    say("secure area erased");
    try {
      Player.play(drive, DEMO_TITLE, headerLba, OutputStream.nullOutputStream(), Progress.NONE);
      throw new CliException(
          "play after the secure area was erased succeeded: the drive played without a license");
    } catch (ScsiException e) {
      if (e.reason().orElse(null) != Reason.NO_LICENSE) {
        throw new CliException(
            "play after the secure area was erased was refused for another reason than the"
                + " missing license: "
                + e.getMessage());
      }
      say("play refused: " + e.getMessage());
    }

    step("restore (FIG. 9 S41-S43): the drive decrypts the backup and rewrites the secure area");
    drive.secure().restoreFromUserArea(backupLba);
    say("license status: " + status(drive));

    step("play again");
    play(drive, title, headerLba);
  }

  /**
   * Enrols {@code drives} with {@code authority}, as {@code secdrive authority enrol} does: a step
   * of its own, so the emulator that then serves them never holds the authority's signing key.
   */
  private void enrol(Path mediaDirectory, Authority authority, List<DriveConfig> drives) {
    step("enrol the drives with the licensing authority (secdrive authority enrol)");
    for (DriveConfig config : drives) {
      DriveFiles files = Emulator.driveFiles(mediaDirectory, anchors, config);
      files.enrol(authority, false);
      say(
          "drive "
              + files.deviceId()
              + ": keys and certificate, the system secret and the authority's public key, a"
              + " sealed state and its anchor");
    }
  }

  /**
   * The software copy of seed 003: a central site, a pressed master in a CD-ROM drive and the
   * user's MO drive; a title copied by each embodiment and run, and a clone of the copies refused.
   */
  private void softwareCopy(Path directory) throws IOException {
    Files.createDirectories(directory);
    step("software copy (seed 003): a licensing authority and a central site (embedded database)");
    Authority authority = Authority.create();
    try (LocalCenter center = LocalCenter.start(directory.resolve("center"), authority)) {
      say("central site at " + center.url() + ", certified by the authority");
      CenterClient admin = center.admin();
      UserKey userKey = center.addUser("demo-user", "Demo User");
      say(
          "user demo-user registered with the public halves of its user key: KU (X25519) and the"
              + " key that verifies its signed copy requests (Ed25519)");

      step("master authoring: two titles registered at the site, encrypted, pressed on a CD-ROM");
      byte[] game = demoTitle();
      byte[] film = Arrays.copyOf(demoTitle(), 200 * 1024 + 7);
      byte[] kd = admin.registerTitle("demo-game", "Demo game", 1, 0).key();
      byte[] ka = admin.registerTitle("demo-film", "Demo film", 2, 0).key();
      Path image = directory.resolve("master.img");
      MasterCatalog catalog =
          MasterAuthoring.author(
              List.of(
                  new MasterAuthoring.Title(
                      "demo-game", "Demo game", 1, kd, game.length, new ByteArrayInputStream(game)),
                  new MasterAuthoring.Title(
                      "demo-film",
                      "Demo film",
                      2,
                      ka,
                      film.length,
                      new ByteArrayInputStream(film))),
              2048,
              image,
              Progress.NONE);
      ProfileCatalog profiles = ProfileCatalog.builtIn();
      MediumStore store = MediumStore.openOrCreate(directory);
      Media.create(store, profiles, "cd-rom-650", "DEMO-MASTER", "demo master", image);
      Media.create(store, profiles, "mo-640", "DEMO-MO-1", "user disc", null);
      Media.create(store, profiles, "mo-640", "DEMO-MO-2", "blank disc", null);
      for (MasterCatalog.Entry e : catalog.titles()) {
        say(
            String.format(
                "%s: scheme %d (%s), %s from LBA %d",
                e.titleId(),
                e.scheme(),
                e.scheme() == 1 ? "certificate copy" : "converted copy",
                Units.bytes(e.plaintextLength()),
                e.firstLba()));
      }

      List<DriveConfig> drives =
          List.of(
              new DriveConfig(0, "cdrom", "DEMO-MASTER-DRIVE", "DEMO-MASTER"),
              new DriveConfig(1, "mo-640", "DEMO-USER-DRIVE", "DEMO-MO-1"),
              new DriveConfig(2, "mo-640", "DEMO-OTHER-DRIVE", "DEMO-MO-2"));
      enrol(directory, authority, drives);
      step("an emulator: master CD-ROM drive (LUN 0), the user's MO drives (LUNs 1, 2)");
      Emulator.Builder builder =
          Emulator.builder()
              .mediaDirectory(directory)
              .anchorDirectory(anchors)
              .profiles(profiles)
              .timing(dev.secdrive.emulator.firmware.TimingMode.FAST);
      drives.forEach(builder::drive);
      try (Emulator emulator = builder.start()) {
        String base = "tcp://" + Addresses.format(emulator.address()) + "/";
        CenterClient site = new CenterClient(center.url());
        try (Drive master = Drive.open(base + 0);
            Drive target = Drive.open(base + 1);
            Drive other = Drive.open(base + 2)) {
          step(
              "embodiment 1 (FIG. 4): CS with Kd sealed to the target drive, the ciphertext"
                  + " verbatim, INSTALL COPY");
          SoftwareCopy.Copied one =
              SoftwareCopy.certificateCopy(
                  master, target, site, "demo-user", userKey, "demo-game", 100, Progress.NONE);
          say(
              String.format(
                  "copy record at LBA %d, ciphertext from LBA %d on %s, copy serial %d",
                  one.lba(), one.dataLba(), one.mediumId(), one.serial()));
          step("run (FIG. 6): CS verified against this medium's ID, title played by the drive");
          runCopy(target, "demo-game", 100, authority.publicKey(), game);

          step(
              "embodiment 2 (FIG. 9): Ku, Ka sealed to the target drive; re-encrypted inside it as"
                  + " it streams");
          SoftwareCopy.Copied two =
              SoftwareCopy.convertedCopy(
                  master, target, site, "demo-user", userKey, "demo-film", 1000, Progress.NONE);
          say(
              String.format(
                  "title header at LBA %d, data from LBA %d, copy serial %d; license status: %s",
                  two.lba(), two.dataLba(), two.serial(), status(target)));
          step("run (FIG. 10): OPEN PLAYBACK, the drive decrypts with Ku from the secure area");
          runCopy(target, "demo-film", 1000, null, film);

          step("clone both copies block for block onto another medium (DEMO-MO-2)");
          other.write(100, target.read(100, 1 + (game.length + 2047) / 2048));
          other.write(1000, target.read(1000, 1 + (film.length + 2047) / 2048));
          try {
            runCopy(other, "demo-game", 100, authority.publicKey(), game);
            throw new CliException("the scheme-1 clone ran: the copy certificate was not checked");
          } catch (FlowException e) {
            say("scheme 1 clone: " + e.getMessage());
          }
          try {
            runCopy(other, "demo-film", 1000, null, film);
            throw new CliException("the scheme-2 clone ran: the drive played an unlicensed copy");
          } catch (ScsiException e) {
            say("scheme 2 clone: " + e.getMessage());
          }

          step("refusals of the central site");
          try {
            SoftwareCopy.convertedCopy(
                master, target, site, "nobody", userKey, "demo-film", 3000, Progress.NONE);
          } catch (FlowException e) {
            say(e.getMessage());
          }
          try {
            // Someone else's key, in demo-user's name: the site bills nobody for it.
            SoftwareCopy.convertedCopy(
                master,
                target,
                site,
                "demo-user",
                UserKey.create(),
                "demo-film",
                3000,
                Progress.NONE);
            throw new CliException("the site issued a copy on a request demo-user did not sign");
          } catch (FlowException e) {
            say(e.getMessage());
          }
        }
      }
    }
  }

  /**
   * The content move of seed 002: a licensing authority with its key tree, distributors A and B
   * sharing the operations database C, a user with client A at A and client B at B; a song bought
   * at A, played on A, moved on removable media to B by a contents copy certificate, played on B,
   * and the move record refused a second time.
   */
  private void contentMove(Path directory) throws IOException {
    Files.createDirectories(directory);
    step(
        "content move (seed 002): a licensing authority and the federation's key tree (depth 8,"
            + " 2 categories)");
    Authority authority = Authority.create();
    Path keyTree = directory.resolve("key-tree.json");
    KeyTreeFile.create(8, 1).write(keyTree, false);
    say("tree secret S in " + keyTree + ": every distributor's device node keys derive from it");

    step("distributors A and B (category 0 and 1), certified by the authority, sharing DB C");
    Path shared = directory.resolve("operations");
    DistributorServer.setup(
        directory.resolve("a"),
        "Distributor A",
        authority.publicKey(),
        authority::certify,
        keyTree,
        0,
        DistributorServer.privateH2(directory.resolve("a")),
        DistributorServer.sharedH2(shared));
    DistributorServer.setup(
        directory.resolve("b"),
        "Distributor B",
        authority.publicKey(),
        authority::certify,
        keyTree,
        1,
        DistributorServer.privateH2(directory.resolve("b")),
        DistributorServer.sharedH2(shared));
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    try (DistributorServer a = DistributorServer.start(directory.resolve("a"), loopback);
        DistributorServer b = DistributorServer.start(directory.resolve("b"), loopback)) {
      say("distributor A at " + a.url() + ", distributor B at " + b.url() + "; DB C in " + shared);
      DistributorClient adminA = new DistributorClient(a.url()).asAdmin(a.adminToken());
      DistributorClient adminB = new DistributorClient(b.url()).asAdmin(b.adminToken());
      String password = "demo password";
      adminA.addUser("demo-user", "Demo User", password);
      adminB.addUser("demo-user", "Demo User", password);
      say("user demo-user registered at A and at B (each keeps only its own Argon2id hash)");
      DistributorClient userA =
          new DistributorClient(a.url())
              .pinnedTo(authority.publicKey())
              .asUser("demo-user", password);
      DistributorClient userB =
          new DistributorClient(b.url())
              .pinnedTo(authority.publicKey())
              .asUser("demo-user", password);

      step("S31-S32: a song in A's catalog (3 plays, 30 days, 1 copy); A bills copies at 50 %");
      byte[] song = demoTitle();
      adminA.addContent(
          new AddContent(
              "demo-song", "Demo song", "audio/wav", "lic-demo-song", 300, 3, 30, 1, 1, song));
      adminA.setCopyPolicy(CopyPolicy.reduced(50));
      say(
          "demo-song: "
              + Units.bytes(song.length)
              + " at 3.00; the host checked '"
              + userA.info().name()
              + "' is certified by the authority as a DISTRIBUTOR");

      ProfileCatalog profiles = ProfileCatalog.builtIn();
      MediumStore store = MediumStore.openOrCreate(directory);
      Media.create(store, profiles, "mo-640", "DEMO-MOVE-MO", "removable disc", null);
      List<DriveConfig> drives =
          List.of(
              new DriveConfig(0, "mo-640", "DEMO-CLIENT-A", "DEMO-MOVE-MO"),
              new DriveConfig(1, "mo-640", "DEMO-CLIENT-B", null));
      enrol(directory, authority, drives);
      step("an emulator: client A's drive (LUN 0, with the disc), client B's drive (LUN 1)");
      Emulator.Builder builder =
          Emulator.builder()
              .mediaDirectory(directory)
              .anchorDirectory(anchors)
              .profiles(profiles)
              .timing(dev.secdrive.emulator.firmware.TimingMode.FAST);
      drives.forEach(builder::drive);
      try (Emulator emulator = builder.start()) {
        String base = "tcp://" + Addresses.format(emulator.address()) + "/";
        long lba = 100;
        Path file = directory.resolve("demo-song.sdcp");
        ContentMove.Registered clientB;
        try (Drive driveA = Drive.open(base + 0);
            Drive driveB = Drive.open(base + 1)) {
          step("S1-S4 (S11-S14): register client A at A and client B at B (REGISTER CLIENT)");
          ContentMove.Registered clientA = ContentMove.register(driveA, userA);
          clientB = ContentMove.register(driveB, userB);
          say(clientA.deviceId() + " is " + clientA.clientId() + " of " + clientA.distributor());
          say(clientB.deviceId() + " is " + clientB.clientId() + " of " + clientB.distributor());

          step("S21-S25 (S33-S38): download the song's package for client A");
          ContentMove.Downloaded downloaded =
              ContentMove.download(userA, "demo-song", clientA.clientId(), file, Progress.NONE);
          say(
              downloaded.bytes()
                  + " bytes (header with an EKB of "
                  + downloaded.ekbSize()
                  + " bytes, then AES-256-CTR ciphertext) to "
                  + file.getFileName());

          step("S61-S66 (S71-S85): a license for client A, INSTALL LICENSE");
          ContentMove.Licensed licensed = ContentMove.license(driveA, userA, "demo-song");
          say(
              "license "
                  + java.util.HexFormat.of().formatHex(licensed.serial())
                  + " billed "
                  + ClientCommand.cents(licensed.billedCents())
                  + "; "
                  + ClientCommand.conditionsText(licensed.installed().conditions()));
          adminA.pay("demo-user", licensed.billedCents());

          step("S41-S50: play on A: the package written at LBA 100, OPEN CONTENT, READ");
          playMoved(driveA, file, lba, song);

          step("S111-S115 (S121-S141): a contents copy certificate for client B, held by A");
          ContentMove.Certified certified =
              ContentMove.certificate(driveA, userA, "demo-song", clientB.clientId());
          say(
              "certificate for leaf "
                  + certified.destinationLeafId()
                  + ", billed "
                  + ClientCommand.cents(certified.billedCents())
                  + " (A's copy policy)");
          adminA.pay("demo-user", certified.billedCents());

          step("S151-S153: MOVE OUT onto the disc: the drive writes the move record");
          ContentMove.MovedOut out = ContentMove.moveOut(driveA, file, lba, "demo-song");
          say(
              "move record at LBA "
                  + out.moveRecordLba()
                  + "; A's drive gave the certificate up: "
                  + ContentMove.status(driveA).certificates().size()
                  + " held");
        }

        step("a person takes the disc from A's drive and puts it in B's (control API)");
        emulator.remove(0, true);
        emulator.insert(1, "DEMO-MOVE-MO");
        say("drive 1 holds DEMO-MOVE-MO");

        try (Drive driveB = Drive.open(base + 1)) {
          step("S161-S173: MOVE IN on B: certificate, serials and content checked, license in");
          ContentMove.MovedIn in = ContentMove.moveIn(driveB, lba);
          say("license " + in.licenseId() + " of " + in.issuer() + " installed on client B");

          step("S41-S50: play on B, decrypted by B's drive with its own device node keys");
          playMoved(driveB, null, lba, song);

          step("S165-S167: the same move record again");
          try {
            ContentMove.moveIn(driveB, lba);
            throw new CliException("the drive took the same move record twice");
          } catch (FlowException e) {
            say(e.getMessage());
          }
          ClientStatus status = ContentMove.status(driveB);
          say(
              "client B: "
                  + status.licenses().size()
                  + " license, "
                  + status.usedSerials()
                  + " used serials");
        }
      }
    }
  }

  /**
   * Watermark-verified ripping (seed 004): a two-track disc authored from generated audio, a first
   * rip that detects and registers, a repeat rip from the table without detection, and the refusals
   * of a substituted track and of an edited table.
   */
  private void ripping(Path directory) throws IOException {
    step(
        "watermark-verified ripping (seed 004): a watermark key and a two-track CD-DA disc from"
            + " generated audio (tones: copy free; music: copy once)");
    ProfileCatalog profiles = ProfileCatalog.builtIn();
    Authority authority = Authority.create();
    Watermark watermark = new Watermark(WatermarkKey.generate());
    double seconds = 5;
    Pcm tones = Signals.tones(seconds, 1);
    Pcm music = Signals.named("music", seconds, 2);
    CdAuthor.press(
        directory,
        "DEMO-CD",
        "demo album",
        Optional.of("0123456789012"),
        watermark,
        List.of(
            new CdAuthor.TrackSpec(
                tones,
                Optional.of("ZZSDA2600001"),
                Optional.of(new Payload(CopyControl.COPY_FREE, 1))),
            new CdAuthor.TrackSpec(
                music,
                Optional.of("ZZSDA2600002"),
                Optional.of(new Payload(CopyControl.COPY_ONCE, 2)))));
    // 10 s, of which 5.0-6.5 s are another recording: shorter than the detector's shortest
    // excerpt (4 s), so only verification stretch by stretch finds it
    Pcm marked =
        watermark.embed(Signals.named("music", 10, 3), new Payload(CopyControl.COPY_FREE, 3));
    int from = 5 * Pcm.CD_SAMPLE_RATE;
    int to = from + 3 * Pcm.CD_SAMPLE_RATE / 2;
    short[] spliced = marked.samples().clone();
    short[] other = Signals.noise(10, 4).samples();
    System.arraycopy(other, 2 * from, spliced, 2 * from, 2 * (to - from));
    CdAuthor.press(
        directory,
        "DEMO-CD-SPLICED",
        "demo album, edited",
        Optional.empty(),
        watermark,
        List.of(
            new CdAuthor.TrackSpec(
                new Pcm(Pcm.CD_SAMPLE_RATE, 2, spliced),
                Optional.of("ZZSDA2600003"),
                Optional.empty())));
    say("DEMO-CD: 2 tracks of " + (int) seconds + " s, each marked in the frequency domain");
    List<DriveConfig> drives = List.of(new DriveConfig(0, "cdda", "DEMO-CDDA", "DEMO-CD"));
    enrol(directory, authority, drives);
    step("an emulator: a CD-DA drive (LUN 0) with the disc");
    Emulator.Builder builder =
        Emulator.builder()
            .mediaDirectory(directory)
            .anchorDirectory(anchors)
            .profiles(profiles)
            .timing(dev.secdrive.emulator.firmware.TimingMode.FAST);
    drives.forEach(builder::drive);
    Path table = directory.resolve("rip-table.json");
    try (Emulator emulator = builder.start()) {
      String uri = "tcp://" + Addresses.format(emulator.address()) + "/0";
      try (Drive drive = Drive.open(uri)) {
        step(
            "first rip (FIG. 2 S4-S9): the watermark detected in the whole track; REGISTER TRACK:"
                + " the drive draws R, reads the sectors R designates and MACs the record");
        Ripper ripper = new Ripper(drive, watermark, Ripper.Settings.of(Ripper.Mode.TABLE, table));
        for (Ripper.Ripped r : ripper.rip(List.of(), directory.resolve("first"), Progress.NONE)) {
          sayRipped(r);
        }
        say(
            ripper.detections()
                + " detections; the table holds "
                + RipTable.load(table).entries().size()
                + " drive-made records");

        step("repeat rip (S10-S13): VERIFY TRACK of each record; the watermark is not looked for");
        Ripper again = new Ripper(drive, watermark, Ripper.Settings.of(Ripper.Mode.TABLE, table));
        for (Ripper.Ripped r : again.rip(List.of(), directory.resolve("repeat"), Progress.NONE)) {
          sayRipped(r);
        }
        say(again.detections() + " detections");

        step("the host user edits the table file: one bit of track 1's record flipped");
        String text = Files.readString(table);
        // inside R (record byte 50): the MAC no longer verifies
        int at = text.indexOf("\"record\" : \"") + 12 + 2 * 50;
        char c = text.charAt(at);
        Files.writeString(
            table, text.substring(0, at) + (c == '0' ? '1' : '0') + text.substring(at + 1));
        try {
          new Ripper(drive, watermark, Ripper.Settings.of(Ripper.Mode.TABLE, table))
              .rip(List.of(1), directory.resolve("edited"), Progress.NONE);
          throw new CliException("an edited record was taken");
        } catch (Ripper.RefusedException e) {
          say("refused: " + e.driveReason().map(Reason::text).orElse(e.getMessage()));
        }
      }
      step("a disc whose track 1 has 1.5 s of another, unmarked recording spliced in (full mode)");
      emulator.remove(0, true);
      emulator.insert(0, "DEMO-CD-SPLICED");
      try (Drive drive = Drive.open(uri)) {
        new Ripper(drive, watermark, Ripper.Settings.of(Ripper.Mode.FULL, null))
            .rip(List.of(), directory.resolve("spliced"), Progress.NONE);
        throw new CliException("a spliced track was ripped");
      } catch (Ripper.RefusedException e) {
        say("refused: " + e.getMessage());
      }
    }
  }

  private void sayRipped(Ripper.Ripped r) {
    say(
        String.format(
            java.util.Locale.ROOT,
            "track %d (%s): %s, %s, content %d; detection %.0f ms CPU",
            r.track(),
            r.isrc().orElse("no ISRC"),
            r.verification().name().toLowerCase(java.util.Locale.ROOT),
            r.payload().copyControl().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
            r.payload().contentId(),
            r.detectionCpuNanos() / 1e6));
  }

  private void playMoved(Drive drive, Path file, long lba, byte[] expected) {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ContentMove.Played played = ContentMove.play(drive, file, lba, plain, Progress.NONE);
    if (!Arrays.equals(expected, plain.toByteArray())) {
      throw new CliException("the played plaintext differs from the song");
    }
    say(
        (played.written() ? "package written at LBA " + lba + "; " : "")
            + played.bytes()
            + " bytes of plaintext, identical to the song; "
            + ClientCommand.conditionsText(
                ContentMove.status(drive).licenses().get(0).conditions()));
  }

  private void runCopy(Drive drive, String title, long lba, byte[] authority, byte[] expected) {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    Runner.Ran ran = Runner.run(drive, title, lba, authority, plain, Progress.NONE);
    if (!Arrays.equals(expected, plain.toByteArray())) {
      throw new CliException("the copy of " + title + " runs to other bytes than the title");
    }
    say(ran.bytes() + " bytes, identical to the title on the master");
  }

  private void play(Drive drive, byte[] title, long headerLba) {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    Player.play(drive, DEMO_TITLE, headerLba, plain, Progress.NONE);
    if (!Arrays.equals(title, plain.toByteArray())) {
      throw new CliException("played plaintext differs from the title that was provisioned");
    }
    say(
        plain.size()
            + " bytes of plaintext, identical to the title: \""
            + new String(title, 0, 40, StandardCharsets.US_ASCII)
            + "...\"");
    say("license status: " + status(drive));
  }

  private static String status(Drive drive) {
    LicenseStatus status = drive.secure().status();
    StringBuilder out = new StringBuilder("version " + status.version());
    for (LicenseStatus.Entry e : status.entries()) {
      out.append(", ")
          .append(e.contentId())
          .append(": ")
          .append(
              e.unlimited()
                  ? "unlimited"
                  : e.playsLeft() + (e.playsLeft() == 1 ? " play left" : " plays left"));
    }
    return out.toString();
  }

  private static String ciphertextShown(Drive drive, long headerLba, byte[] title) {
    byte[] block = drive.read(headerLba + 1, 1);
    if (Arrays.equals(block, Arrays.copyOf(title, block.length))) {
      throw new CliException("a plain READ of the title returned its plaintext");
    }
    return java.util.HexFormat.of().formatHex(block, 0, 16) + "...";
  }

  private static byte[] demoTitle() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 256 * 1024; i++) {
      text.append("Chapter ").append(i).append(": licensed content of the secdrive demo title.\n");
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private void expectError(Runnable command) {
    try {
      command.run();
      say("GOOD (no error)");
    } catch (ScsiException e) {
      say(e.getMessage());
    }
  }

  private void step(String what) {
    out.printf("%n[%d] %s%n", ++step, what);
    out.flush();
  }

  private void say(String what) {
    out.println("    " + what);
    out.flush();
  }

  private static String indent(String text) {
    return text.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
