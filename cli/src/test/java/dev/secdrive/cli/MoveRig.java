package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Player;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.keytree.KeyTree;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content-move rig the move ITs extend: an emulator on 127.0.0.1:0 with client A's drive (LUN
 * 0, MO-A inserted) and client B's (LUN 1, empty; MO-X in the store), both enrolled with one
 * licensing authority, on a wall clock the test sets; the key tree; Distributor A and B, key pairs
 * the authority certified as DISTRIBUTORs; the song's package of A; and helpers that register,
 * license, play and expect refusals over the real host driver.
 */
abstract class MoveRig {

  static final String SONG = "song-1";
  static final String LICENSE_ID = "lic-song-1";
  static final long LEAF_A = 5; // category 0 of a depth-4 tree with 2 categories
  static final long LEAF_B = 9; // category 1
  static final int DEPTH = 4;
  static final long P = 100; // the package's LBA
  static final long Q = 300; // another package's LBA
  static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

  @TempDir Path media;

  final AtomicReference<Instant> now = new AtomicReference<>(START);
  Authority authority;
  KeyTree tree;
  RawKeyPair keyA;
  Certificate distributorA;
  RawKeyPair keyB;
  Certificate distributorB;
  Emulator emulator;
  byte[] song;
  byte[] kc;
  ContentPackage.Header header;
  byte[] packageBlocks;

  @BeforeEach
  void start() throws Exception {
    authority = Authority.create();
    tree = new KeyTree(Bytes.random(32), DEPTH);
    keyA = Ed25519.generate();
    distributorA = distributor("Distributor A", keyA);
    keyB = Ed25519.generate();
    distributorB = distributor("Distributor B", keyB);
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-A", "mo-640", null);
    Rig.createMedium(store, "MO-X", "mo-640", null);
    emulator = emulator();
    song = Rig.content(10_000 + 7, 1);
    kc = Bytes.random(32);
    header = header(SONG, LICENSE_ID, song.length, tree.ekb(0, List.of()).encode(), 0, kc);
    packageBlocks =
        ContentPackage.blocks(header, ContentPackage.crypt(kc, header.nonce(), song), blockSize(0));
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  Emulator emulator() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(Rig.anchors(media))
        .enrol(authority)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .wallClock(now::get)
        .drive(new DriveConfig(0, "mo-640", "CLIENT-A", "MO-A"))
        .drive(new DriveConfig(1, "mo-640", "CLIENT-B", null))
        .start();
  }

  Certificate distributor(String name, RawKeyPair key) {
    return authority.certify(
        Certificate.unsigned(Certificate.Role.DISTRIBUTOR, name, new byte[32], key.publicKey()));
  }

  ContentPackage.Header header(
      String contentId, String licenseId, long length, byte[] ekb, int version, byte[] key) {
    return ContentPackage.Header.create(
        contentId,
        "audio/wav",
        licenseId,
        "Distributor A",
        length,
        Bytes.random(8),
        ekb,
        key,
        tree.rootKey(version));
  }

  String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  int blockSize(int lun) {
    try (Drive drive = Drive.open(uri(lun))) {
      return drive.capacity().blockSize();
    }
  }

  <T> T on(int lun, java.util.function.Function<Drive, T> action) {
    try (Drive drive = Drive.open(uri(lun))) {
      return action.apply(drive);
    }
  }

  void with(int lun, Consumer<Drive> action) {
    try (Drive drive = Drive.open(uri(lun))) {
      action.accept(drive);
    }
  }

  ClientStatus status(int lun) {
    return on(lun, d -> d.secure().clientStatus());
  }

  /** Registers the drive on {@code lun} as {@code clientId} at {@code leaf} of {@code issuer}. */
  void register(int lun, String clientId, long leaf, Certificate issuer, RawKeyPair key) {
    with(lun, d -> d.secure().registerClient(serviceData(d, clientId, leaf, issuer, key).encode()));
  }

  ServiceData serviceData(
      Drive drive, String clientId, long leaf, Certificate issuer, RawKeyPair key) {
    Certificate driveCertificate = drive.secure().certificate();
    RawKeyPair client = Ed25519.generate();
    try {
      return ServiceData.seal(
          issuer.subject(),
          clientId,
          driveCertificate.subject(),
          leaf,
          DEPTH,
          client.publicKey(),
          new ServiceData.Secrets(client.privateKey(), tree.deviceKeys(leaf).encode()),
          driveCertificate.x25519PublicKey(),
          issuer,
          key);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  UseConditions conditions(long plays, int removable) {
    long s = now.get().getEpochSecond();
    return new UseConditions(s - 60, s + 3600, plays, 2, removable);
  }

  License license(long leaf, UseConditions conditions) {
    return License.sign(Bytes.random(16), LICENSE_ID, SONG, leaf, conditions, distributorA, keyA);
  }

  ContentsCopyCertificate certificate(long source, long destination) {
    byte[] serial = Bytes.random(16);
    return ContentsCopyCertificate.sign(
        serial,
        SONG,
        source,
        destination,
        License.sign(
            Bytes.random(16),
            LICENSE_ID,
            SONG,
            destination,
            serial,
            new UseConditions(0, UseConditions.NO_END, UseConditions.UNLIMITED, 0, 0),
            distributorA,
            keyA),
        distributorA,
        keyA);
  }

  byte[] play(int lun, long lba) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    with(lun, d -> Player.playContent(d, lba, out, Progress.NONE));
    return out.toByteArray();
  }

  void writePackage(int lun, long lba, byte[] blocks) {
    with(lun, d -> d.write(lba, blocks));
  }

  /** The drive on {@code lun} refuses {@code action} with {@code reason}, its state unchanged. */
  ScsiException refused(Reason reason, int lun, Consumer<Drive> action) {
    ClientStatus before = status(lun);
    ScsiException e =
        assertThrows(ScsiException.class, () -> with(lun, action), () -> "expected " + reason);
    assertEquals(java.util.Optional.of(reason), e.reason(), e.getMessage());
    assertEquals(before, status(lun), "a refusal installs nothing");
    return e;
  }

  /** A client A holding a license of the song, which is on MO-A at P. */
  License clientAWithLicense(UseConditions conditions) {
    register(0, "client-a", LEAF_A, distributorA, keyA);
    writePackage(0, P, packageBlocks);
    License license = license(LEAF_A, conditions);
    with(0, d -> d.secure().installLicense(license.encode()));
    return license;
  }
}
