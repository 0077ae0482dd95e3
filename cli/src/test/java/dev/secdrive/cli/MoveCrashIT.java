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
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
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
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash safety of the client state (seed 002): the power is cut at every named step of INSTALL
 * LICENSE, OPEN CONTENT, MOVE OUT and MOVE IN; a new emulator on the same directories finds each
 * client's state old or new, never half, and the operation can be repeated: a MOVE IN whose state
 * write was lost works again, one whose write was kept is refused 12h; a MOVE OUT spends its copy
 * once whatever step it stopped at, and a repeat finishes it.
 */
class MoveCrashIT {

  private static final int DEPTH = 3;
  private static final long LEAF_A = 1;
  private static final long LEAF_B = 6;
  private static final long P = 40;

  @TempDir Path media;

  private final Authority authority = Authority.create();
  private final KeyTree tree = new KeyTree(Bytes.random(32), DEPTH);
  private final RawKeyPair key = Ed25519.generate();
  private final Certificate distributor =
      authority.certify(
          Certificate.unsigned(
              Certificate.Role.DISTRIBUTOR, "Distributor", new byte[32], key.publicKey()));
  private final byte[] song = Rig.content(5000, 7);
  private final byte[] kc = Bytes.random(32);
  private final ContentPackage.Header header =
      ContentPackage.Header.create(
          "song",
          "audio/wav",
          "lic",
          "Distributor",
          song.length,
          Bytes.random(8),
          tree.ekb(0, List.of()).encode(),
          kc,
          tree.rootKey(0));

  static Stream<String> licenseSteps() {
    return SecureLayer.INSTALL_LICENSE_STEPS.stream();
  }

  static Stream<String> openSteps() {
    return SecureLayer.OPEN_CONTENT_STEPS.stream();
  }

  static Stream<String> moveOutSteps() {
    return SecureLayer.MOVE_OUT_STEPS.stream();
  }

  static Stream<String> moveInSteps() {
    return SecureLayer.MOVE_IN_STEPS.stream();
  }

  private Emulator start() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(Rig.anchors(media))
        .enrol(authority)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .drive(new DriveConfig(0, "mo-640", "CRASH-A", null))
        .drive(new DriveConfig(1, "mo-640", "CRASH-B", null))
        .start();
  }

  private static void with(Emulator emulator, int lun, Consumer<Drive> action) {
    try (Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/" + lun)) {
      action.accept(drive);
    }
  }

  private static ClientStatus status(Emulator emulator, int lun) {
    ClientStatus[] out = new ClientStatus[1];
    with(emulator, lun, d -> out[0] = d.secure().clientStatus());
    return out[0];
  }

  private void register(Emulator emulator, int lun, String clientId, long leaf) {
    with(
        emulator,
        lun,
        d -> {
          Certificate drive = d.secure().certificate();
          RawKeyPair client = Ed25519.generate();
          try {
            d.secure()
                .registerClient(
                    ServiceData.seal(
                            "Distributor",
                            clientId,
                            drive.subject(),
                            leaf,
                            DEPTH,
                            client.publicKey(),
                            new ServiceData.Secrets(
                                client.privateKey(), tree.deviceKeys(leaf).encode()),
                            drive.x25519PublicKey(),
                            distributor,
                            key)
                        .encode());
          } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
          }
        });
  }

  private License license(long leaf, long plays) {
    return License.sign(
        Bytes.random(16),
        "lic",
        "song",
        leaf,
        new UseConditions(0, UseConditions.NO_END, plays, 1, 1),
        distributor,
        key);
  }

  private ContentsCopyCertificate certificate() {
    byte[] serial = Bytes.random(16);
    License forB =
        License.sign(
            Bytes.random(16),
            "lic",
            "song",
            LEAF_B,
            serial,
            new UseConditions(0, UseConditions.NO_END, UseConditions.UNLIMITED, 1, 1),
            distributor,
            key);
    return ContentsCopyCertificate.sign(serial, "song", LEAF_A, LEAF_B, forB, distributor, key);
  }

  /** Clients A and B registered, the medium with the package in A, A licensed with 3 plays. */
  private void setUp(Emulator emulator) {
    MediumStore.openOrCreate(media);
    Rig.createMedium(emulator.media(), "CRASH-MO", "mo-640", null);
    emulator.insert(0, "CRASH-MO");
    register(emulator, 0, "client-a", LEAF_A);
    register(emulator, 1, "client-b", LEAF_B);
    with(
        emulator,
        0,
        d -> {
          d.write(
              P,
              ContentPackage.blocks(
                  header,
                  ContentPackage.crypt(kc, header.nonce(), song),
                  d.capacity().blockSize()));
          d.secure().installLicense(license(LEAF_A, 3).encode());
        });
  }

  /** Cuts the power at {@code step} during {@code action} on {@code lun}: no answer arrives. */
  private static void crash(Emulator emulator, int lun, String step, Consumer<Drive> action) {
    emulator.drive(lun).faults().setPowerLossAtStep(step);
    assertThrows(DriveException.class, () -> with(emulator, lun, action), "no answer");
    assertTrue(emulator.powerLost(), "the power was cut at " + step);
  }

  private static byte[] play(Emulator emulator, int lun) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    with(emulator, lun, d -> Player.playContent(d, P, out, Progress.NONE));
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource("licenseSteps")
  void powerLossDuringInstallLicenseLeavesTheOldOrTheNewClientState(String step) {
    ClientStatus before;
    License update = license(LEAF_A, 9);
    try (Emulator emulator = start()) {
      setUp(emulator);
      before = status(emulator, 0);
      crash(emulator, 0, step, d -> d.secure().installLicense(update.encode()));
    }
    try (Emulator emulator = start()) {
      ClientStatus after = status(emulator, 0);
      emulator.insert(0, "CRASH-MO");
      if (after.equals(before)) {
        with(emulator, 0, d -> d.secure().installLicense(update.encode()));
      } else {
        assertEquals(9, after.licenses().get(0).conditions().plays(), "neither old nor new");
        assertEquals(before.usedSerials() + 1, after.usedSerials());
        ScsiException e =
            assertThrows(
                ScsiException.class,
                () -> with(emulator, 0, d -> d.secure().installLicense(update.encode())));
        assertEquals(Optional.of(Reason.ALREADY_USED), e.reason());
      }
      assertEquals(9, status(emulator, 0).licenses().get(0).conditions().plays());
      assertArrayEquals(song, play(emulator, 0));
    }
  }

  @ParameterizedTest
  @MethodSource("openSteps")
  void powerLossDuringOpenContentSpendsThePlayOrNot(String step) {
    try (Emulator emulator = start()) {
      setUp(emulator);
      crash(emulator, 0, step, d -> d.secure().openContent(P));
    }
    try (Emulator emulator = start()) {
      long plays = status(emulator, 0).licenses().get(0).conditions().plays();
      assertTrue(plays == 3 || plays == 2, "plays " + plays);
      emulator.insert(0, "CRASH-MO");
      assertArrayEquals(song, play(emulator, 0));
      assertEquals(plays - 1, status(emulator, 0).licenses().get(0).conditions().plays());
    }
  }

  @ParameterizedTest
  @MethodSource("moveOutSteps")
  void powerLossDuringMoveOutSpendsTheCopyOnceAndTheRecordMovesInOnce(String step) {
    ContentsCopyCertificate certificate = certificate();
    try (Emulator emulator = start()) {
      setUp(emulator);
      with(emulator, 0, d -> d.secure().storeCertificate(certificate.encode()));
      crash(emulator, 0, step, d -> d.secure().moveOut(certificate.serial(), P));
    }
    try (Emulator emulator = start()) {
      ClientStatus a = status(emulator, 0);
      long copies = a.licenses().get(0).conditions().removableCopies();
      emulator.insert(0, "CRASH-MO");
      if (a.certificates().size() == 1 && !a.certificates().get(0).movingOut()) {
        assertEquals(1, copies, "held, not moving: nothing spent");
        assertEquals(1, a.usedSerials(), "held, not moving: its serial not used");
        with(emulator, 0, d -> d.secure().moveOut(certificate.serial(), P));
      } else if (a.certificates().size() == 1) {
        assertEquals(0, copies, "moving out: the copy spent");
        assertEquals(P, a.certificates().get(0).movingOutLba());
        assertEquals(2, a.usedSerials(), "moving out: its serial used");
        ScsiException other =
            assertThrows(
                ScsiException.class,
                () -> with(emulator, 0, d -> d.secure().moveOut(certificate.serial(), P + 1)));
        assertTrue(
            other.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
            "moving out to P, not P + 1: " + other.getMessage());
        // the repeat writes the same record and spends nothing
        with(emulator, 0, d -> d.secure().moveOut(certificate.serial(), P));
      } else {
        assertEquals(0, copies, "given up: the copy spent");
        ScsiException e =
            assertThrows(
                ScsiException.class,
                () -> with(emulator, 0, d -> d.secure().moveOut(certificate.serial(), P)));
        assertEquals(Optional.of(Reason.NO_CERTIFICATE), e.reason());
      }
      ClientStatus done = status(emulator, 0);
      assertTrue(done.certificates().isEmpty(), "given up: " + done);
      assertEquals(0, done.licenses().get(0).conditions().removableCopies(), "spent once");
      assertEquals(2, done.usedSerials());
      emulator.remove(0, true);
      emulator.insert(1, "CRASH-MO");
      with(emulator, 1, d -> d.secure().moveIn(P));
      assertArrayEquals(song, play(emulator, 1));
      ScsiException twice =
          assertThrows(ScsiException.class, () -> with(emulator, 1, d -> d.secure().moveIn(P)));
      assertEquals(Optional.of(Reason.ALREADY_USED), twice.reason(), "the record moves in once");
    }
  }

  @ParameterizedTest
  @MethodSource("moveInSteps")
  void powerLossDuringMoveInInstallsTheLicenseOrNothingAndARepeatWorksOnlyIfNothing(String step) {
    ContentsCopyCertificate certificate = certificate();
    ClientStatus before;
    try (Emulator emulator = start()) {
      setUp(emulator);
      with(emulator, 0, d -> d.secure().storeCertificate(certificate.encode()));
      with(emulator, 0, d -> d.secure().moveOut(certificate.serial(), P));
      emulator.remove(0, true);
      emulator.insert(1, "CRASH-MO");
      before = status(emulator, 1);
      crash(emulator, 1, step, d -> d.secure().moveIn(P));
    }
    try (Emulator emulator = start()) {
      ClientStatus b = status(emulator, 1);
      emulator.insert(1, "CRASH-MO");
      if (b.equals(before)) {
        with(emulator, 1, d -> d.secure().moveIn(P));
      } else {
        assertEquals(1, b.licenses().size(), "half a move in: " + b);
        assertEquals(2, b.usedSerials(), "half a move in: " + b);
        ScsiException e =
            assertThrows(ScsiException.class, () -> with(emulator, 1, d -> d.secure().moveIn(P)));
        assertEquals(Optional.of(Reason.ALREADY_USED), e.reason());
      }
      assertArrayEquals(song, play(emulator, 1));
    }
  }
}
