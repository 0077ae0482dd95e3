package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.secdrive.protocol.move.MoveRecord;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the content move of seed 002 across the real boundary: an emulator on 127.0.0.1:0 with
 * client A's drive (LUN 0) and client B's (LUN 1), both enrolled with one licensing authority, and
 * the host driver over TCP. Distributor A and B are key pairs the authority certified as
 * DISTRIBUTORs. A host that holds every record in clear tries to install a copy's license without
 * MOVE OUT, and to play or renew one distributor's content with another's license of the same IDs;
 * each is refused, leaving the client state as it was.
 */
class MoveAttacksIT {

  private static final String SONG = "song-1";
  private static final String LICENSE_ID = "lic-song-1";
  private static final long LEAF_A = 5; // category 0 of a depth-4 tree with 2 categories
  private static final long LEAF_B = 9; // category 1
  private static final int DEPTH = 4;
  private static final long P = 100; // the package's LBA
  private static final long Q = 300; // another package's LBA
  private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

  @TempDir Path media;

  private final AtomicReference<Instant> now = new AtomicReference<>(START);
  private Authority authority;
  private KeyTree tree;
  private RawKeyPair keyA;
  private Certificate distributorA;
  private RawKeyPair keyB;
  private Certificate distributorB;
  private Emulator emulator;
  private byte[] song;
  private byte[] kc;
  private ContentPackage.Header header;
  private byte[] packageBlocks;

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

  private Emulator emulator() {
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

  private Certificate distributor(String name, RawKeyPair key) {
    return authority.certify(
        Certificate.unsigned(Certificate.Role.DISTRIBUTOR, name, new byte[32], key.publicKey()));
  }

  private ContentPackage.Header header(
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

  private String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  private int blockSize(int lun) {
    try (Drive drive = Drive.open(uri(lun))) {
      return drive.capacity().blockSize();
    }
  }

  private <T> T on(int lun, java.util.function.Function<Drive, T> action) {
    try (Drive drive = Drive.open(uri(lun))) {
      return action.apply(drive);
    }
  }

  private void with(int lun, Consumer<Drive> action) {
    try (Drive drive = Drive.open(uri(lun))) {
      action.accept(drive);
    }
  }

  private ClientStatus status(int lun) {
    return on(lun, d -> d.secure().clientStatus());
  }

  /** Registers the drive on {@code lun} as {@code clientId} at {@code leaf} of {@code issuer}. */
  private void register(int lun, String clientId, long leaf, Certificate issuer, RawKeyPair key) {
    with(lun, d -> d.secure().registerClient(serviceData(d, clientId, leaf, issuer, key).encode()));
  }

  private ServiceData serviceData(
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

  private UseConditions conditions(long plays, int removable) {
    long s = now.get().getEpochSecond();
    return new UseConditions(s - 60, s + 3600, plays, 2, removable);
  }

  private License license(long leaf, UseConditions conditions) {
    return License.sign(Bytes.random(16), LICENSE_ID, SONG, leaf, conditions, distributorA, keyA);
  }

  private ContentsCopyCertificate certificate(long source, long destination) {
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

  private byte[] play(int lun, long lba) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    with(lun, d -> Player.playContent(d, lba, out, Progress.NONE));
    return out.toByteArray();
  }

  private void writePackage(int lun, long lba, byte[] blocks) {
    with(lun, d -> d.write(lba, blocks));
  }

  /** The drive on {@code lun} refuses {@code action} with {@code reason}, its state unchanged. */
  private ScsiException refused(Reason reason, int lun, Consumer<Drive> action) {
    ClientStatus before = status(lun);
    ScsiException e =
        assertThrows(ScsiException.class, () -> with(lun, action), () -> "expected " + reason);
    assertEquals(java.util.Optional.of(reason), e.reason(), e.getMessage());
    assertEquals(before, status(lun), "a refusal installs nothing");
    return e;
  }

  /** A client A holding a license of the song, which is on MO-A at P. */
  private License clientAWithLicense(UseConditions conditions) {
    register(0, "client-a", LEAF_A, distributorA, keyA);
    writePackage(0, P, packageBlocks);
    License license = license(LEAF_A, conditions);
    with(0, d -> d.secure().installLicense(license.encode()));
    return license;
  }

  // ---------------------------------------------------------------- attacks

  /**
   * The license for B inside a contents copy certificate reaches the host in clear (HTTP answer,
   * move record), but it is bound to its certificate: INSTALL LICENSE (0202h) refuses it (17h), so
   * it cannot skip MOVE OUT and A's removable-copy count (here 0, so MOVE OUT refuses 14h). MOVE IN
   * takes it only inside the certificate it names.
   */
  @Test
  void aCopysLicenseInstallsOnlyByMoveInOfItsOwnCertificate() {
    clientAWithLicense(conditions(3, 0));
    register(1, "client-b", LEAF_B, distributorB, keyB);
    ContentsCopyCertificate certificate = certificate(LEAF_A, LEAF_B);
    with(0, d -> d.secure().storeCertificate(certificate.encode()));
    refused(Reason.NO_COPIES_LEFT, 0, d -> d.secure().moveOut(certificate.serial(), P));
    emulator.remove(0, true);
    emulator.insert(1, "MO-A");
    refused(
        Reason.NO_CERTIFICATE, 1, d -> d.secure().installLicense(certificate.license().encode()));
    // Nor inside a certificate of another serial that the host wrote after the package itself.
    ContentsCopyCertificate rewrapped =
        ContentsCopyCertificate.sign(
            Bytes.random(16), SONG, LEAF_A, LEAF_B, certificate.license(), distributorA, keyA);
    writePackage(
        1, header.moveRecordLba(P, blockSize(1)), new MoveRecord(rewrapped).blocks(blockSize(1)));
    refused(Reason.NO_CERTIFICATE, 1, d -> d.secure().moveIn(P));
    assertEquals(0, status(1).licenses().size());
  }

  /**
   * Licenses are held by (issuer, license ID): a license of Distributor B with the same IDs does
   * not open a package whose header names Distributor A (08h).
   */
  @Test
  void aLicenseOfAnotherDistributorDoesNotOpenAPackageOfTheSameIds() {
    register(0, "client-a", LEAF_A, distributorA, keyA);
    writePackage(0, P, packageBlocks);
    long s = now.get().getEpochSecond();
    License ofB =
        License.sign(
            Bytes.random(16),
            LICENSE_ID,
            SONG,
            LEAF_A,
            new UseConditions(s - 60, s + 3600, UseConditions.UNLIMITED, 0, 0),
            distributorB,
            keyB);
    with(0, d -> d.secure().installLicense(ofB.encode()));
    assertEquals("Distributor A", header.distributor());
    refused(Reason.NO_LICENSE, 0, d -> d.secure().openContent(P));
    // A's own license of the same IDs opens it, and both are held side by side.
    with(0, d -> d.secure().installLicense(license(LEAF_A, conditions(1, 0)).encode()));
    assertEquals(2, status(0).licenses().size());
    assertArrayEquals(song, play(0, P));
  }

  /**
   * A license of another issuer with the same license ID is no update: Distributor B's free,
   * unlimited one is held beside A's exhausted one, which stays exhausted (09h). An update of A's
   * own license ID for another content is refused (13h).
   */
  @Test
  void aLicenseOfAnotherIssuerDoesNotReplaceAnExhaustedOneOfTheSameId() {
    clientAWithLicense(conditions(1, 0));
    assertArrayEquals(song, play(0, P));
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
    long s = now.get().getEpochSecond();
    UseConditions free = new UseConditions(s - 60, s + 3600, UseConditions.UNLIMITED, 0, 0);
    License ofB =
        License.sign(Bytes.random(16), LICENSE_ID, SONG, LEAF_A, free, distributorB, keyB);
    with(0, d -> d.secure().installLicense(ofB.encode()));
    assertEquals(2, status(0).licenses().size());
    refused(Reason.EXHAUSTED, 0, d -> d.secure().openContent(P));
    License otherContent =
        License.sign(
            Bytes.random(16), LICENSE_ID, "another-content", LEAF_A, free, distributorA, keyA);
    refused(Reason.CONTENT_MISMATCH, 0, d -> d.secure().installLicense(otherContent.encode()));
    // A's own update of the same content does replace it, and plays again.
    with(0, d -> d.secure().installLicense(license(LEAF_A, conditions(1, 0)).encode()));
    assertEquals(2, status(0).licenses().size());
    assertArrayEquals(song, play(0, P));
  }
}
