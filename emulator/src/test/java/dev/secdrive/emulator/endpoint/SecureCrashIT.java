package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.EndpointFuzzIT.Connection;
import dev.secdrive.emulator.endpoint.EndpointFuzzIT.Reply;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.emulator.secure.TestCenter;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.sense.ScsiStatus;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash safety of the secure area (DESIGN.md "Reliability"): the power is cut at every named step
 * of PROVISION, RESTORE, INSTALL CONVERSION and INSTALL COPY, the emulator stops like a pulled
 * plug, and a new emulator on the same media directory finds the secure area old or new, never
 * torn, and can carry on.
 */
class SecureCrashIT {

  private static final String MEDIUM = "CRASH-MO";
  private static final String DEVICE = "SDDCRASH";
  private static final byte[] KEY = new byte[32];

  @TempDir Path media;
  @TempDir Path anchors;
  private final Authority authority = Authority.create();
  private int tag;

  static Stream<String> provisionSteps() {
    return SecureLayer.PROVISION_STEPS.stream();
  }

  static Stream<String> restoreSteps() {
    return SecureLayer.RESTORE_STEPS.stream();
  }

  static Stream<String> conversionSteps() {
    return SecureLayer.CONVERSION_STEPS.stream();
  }

  private Emulator start() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(anchors)
        .enrol(authority)
        .profiles(ProfileCatalog.builtIn())
        .drive(new DriveConfig(0, "mo-640", DEVICE, MEDIUM))
        .start();
  }

  private void createMedium() {
    MediumStore store = MediumStore.openOrCreate(media);
    MediumType t = ProfileCatalog.builtIn().mediumType("mo-640").orElseThrow();
    store.create(
        new MediumStore.Spec(MEDIUM, "mo-640", t.blockSize(), 4096, 4096, false, "", null));
  }

  private byte[] secureArea() throws IOException {
    return Files.readAllBytes(media.resolve(MEDIUM).resolve("secure.bin"));
  }

  @ParameterizedTest
  @MethodSource("provisionSteps")
  void powerLossDuringProvisionLeavesTheOldOrTheNewSecureArea(String step) throws Exception {
    createMedium();
    byte[] before;
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      TestLicensor licensor = new TestLicensor(authority, "crash licensor");
      assertGood(provision(c, licensor, "first-title"));
      before = secureArea();
      emulator.drive(0).faults().setPowerLossAtStep(step);
      c.send(provisionFrame(c, licensor, "second-title"));
      assertThrows(IOException.class, c::receive, "the plug was pulled: no answer");
      assertTrue(emulator.drive(0).poweredOff());
      assertTrue(emulator.powerLost());
    }
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      LicenseStatus status = status(c);
      boolean old = java.util.Arrays.equals(before, secureArea());
      if (old) {
        assertEquals(1, status.version());
        assertEquals(1, status.entries().size());
      } else {
        assertEquals(2, status.version(), "neither old nor new: " + status);
        assertEquals(2, status.entries().size());
      }
      // the drive carries on: another provisioning succeeds
      TestLicensor licensor = new TestLicensor(authority, "crash licensor");
      assertGood(provision(c, licensor, "third-title"));
      assertEquals(status.entries().size() + 1, status(c).entries().size());
    }
  }

  @ParameterizedTest
  @MethodSource("restoreSteps")
  void powerLossDuringRestoreLeavesTheOldOrTheNewSecureArea(String step) throws Exception {
    createMedium();
    byte[] before;
    byte[] blob;
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      TestLicensor licensor = new TestLicensor(authority, "crash licensor");
      assertGood(provision(c, licensor, "first-title"));
      assertGood(
          out(c, Operation.BACKUP, BackupRequest.toHost(Binding.MEDIUM_THEN_DEVICE).encode()));
      blob = BackupData.decode(assertGood(in(c, 0xF0, Operation.BACKUP_DATA.code())).data()).blob();
      assertEquals(1, BackupBlob.decode(blob).licenseVersion());
      emulator.eraseSecureArea(0);
      before = secureArea();
      emulator.drive(0).faults().setPowerLossAtStep(step);
      c.send(outFrame(Operation.RESTORE, RestoreRequest.inline(blob).encode()));
      assertThrows(IOException.class, c::receive, "the plug was pulled: no answer");
      assertTrue(emulator.drive(0).poweredOff());
    }
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      // LICENSE STATUS reads the area the way every flow does: the drive's anti-rollback floor
      // never got ahead of it
      LicenseStatus status = status(c);
      if (java.util.Arrays.equals(before, secureArea())) {
        assertEquals(new LicenseStatus(0, List.of()), status);
        // the restore completes now
        assertGood(out(c, Operation.RESTORE, RestoreRequest.inline(blob).encode()));
        assertEquals(1, status(c).version());
      } else {
        assertEquals(1, status.version(), "neither old nor new: " + status);
        assertEquals(
            List.of(new LicenseStatus.Entry("first-title", "crash licensor", 3)), status.entries());
        // the restore is done: it was a write of the medium, so the blob is stale now
        byte[] sense = out(c, Operation.RESTORE, RestoreRequest.inline(blob).encode()).sense();
        assertEquals(Reason.STALE.code(), sense[11] & 0xFF, "reason in COMMAND-SPECIFIC");
      }
    }
  }

  private static final String TITLE = "DID-CRASH";
  private static final long HEADER = 100;
  private static final byte[] MASTER_NONCE = {9, 8, 7, 6, 5, 4, 3, 2};

  @ParameterizedTest
  @MethodSource("conversionSteps")
  void powerLossDuringAConversionLeavesTheOldOrTheNewLicenseAndNoHalfTitle(String step)
      throws Exception {
    createMedium();
    int block = ProfileCatalog.builtIn().mediumType("mo-640").orElseThrow().blockSize();
    byte[] plain = new byte[3 * block + 77];
    new java.util.Random(step.hashCode()).nextBytes(plain);
    // The last steps belong to the CONVERT WRITE that completes the title, the others to INSTALL.
    boolean completing =
        step.equals("conversion:data-synced") || step.equals("conversion:header-written");
    byte[] before;
    TestCenter center;
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      center = new TestCenter(authority, "crash centre");
      TestLicensor licensor = new TestLicensor(authority, "crash licensor");
      assertGood(provision(c, licensor, "first-title"));
      before = secureArea();
      byte[] install = installConversion(c, center, plain.length);
      if (completing) {
        assertGood(out(c, Operation.INSTALL_CONVERSION, install));
        emulator.drive(0).faults().setPowerLossAtStep(step);
        c.send(outFrame(Operation.CONVERT_WRITE, convertWrite(center, plain, block)));
      } else {
        emulator.drive(0).faults().setPowerLossAtStep(step);
        c.send(outFrame(Operation.INSTALL_CONVERSION, install));
      }
      assertThrows(IOException.class, c::receive, "the plug was pulled: no answer");
      assertTrue(emulator.drive(0).poweredOff());
    }
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      if (oldOrNewLicense(c, before, TITLE)) {
        assertFalse(completing, "the license was committed before the data");
      }
      // the header is written last: before it nothing plays half a title, after it all of it
      playsOnlyWithItsHeader(c, TITLE, plain, block, step.equals("conversion:header-written"));
      // the conversion ended with the power: the drive carries on with a new INSTALL CONVERSION
      Reply nothing =
          out(c, Operation.CONVERT_WRITE, dev.secdrive.protocol.security.ConvertWrite.header(0));
      assertEquals(ScsiStatus.CHECK_CONDITION.code(), nothing.status());
      assertEquals(Reason.NOTHING_PENDING.code(), nothing.sense()[11] & 0xFF);
      assertGood(out(c, Operation.INSTALL_CONVERSION, installConversion(c, center, plain.length)));
      assertGood(out(c, Operation.CONVERT_WRITE, convertWrite(center, plain, block)));
      assertGood(out(c, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
      assertArrayEquals(plain, java.util.Arrays.copyOf(readTitle(c, plain, block), plain.length));
    }
  }

  static Stream<String> copySteps() {
    return SecureLayer.COPY_STEPS.stream();
  }

  @ParameterizedTest
  @MethodSource("copySteps")
  void powerLossDuringACopyInstallLeavesTheOldOrTheNewLicenseAndNoHalfTitle(String step)
      throws Exception {
    createMedium();
    int block = ProfileCatalog.builtIn().mediumType("mo-640").orElseThrow().blockSize();
    byte[] plain = new byte[3 * block + 77];
    new java.util.Random(step.hashCode()).nextBytes(plain);
    byte[] kd = dev.secdrive.kit.crypto.Bytes.random(32);
    byte[] before;
    TestCenter center;
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      center = new TestCenter(authority, "crash centre");
      TestLicensor licensor = new TestLicensor(authority, "crash licensor");
      assertGood(provision(c, licensor, "first-title"));
      before = secureArea();
      // S7: the master's ciphertext, verbatim, after the header LBA
      assertGood(writeCiphertext(c, kd, plain, block));
      emulator.drive(0).faults().setPowerLossAtStep(step);
      c.send(outFrame(Operation.INSTALL_COPY, installCopy(c, center, kd, plain)));
      assertThrows(IOException.class, c::receive, "the plug was pulled: no answer");
      assertTrue(emulator.drive(0).poweredOff());
    }
    try (Emulator emulator = start();
        Connection c = connect(emulator)) {
      ready(c);
      oldOrNewLicense(c, before, COPY_TITLE);
      // the header goes on the medium after the license: nothing plays before it is there
      playsOnlyWithItsHeader(c, COPY_TITLE, plain, block, step.equals("copy:header-written"));
      // the copy record on the medium holds all INSTALL COPY needs: the drive carries on
      assertGood(out(c, Operation.INSTALL_COPY, installCopy(c, center, kd, plain)));
      assertGood(out(c, Operation.OPEN_PLAYBACK, new OpenPlayback(COPY_TITLE, HEADER).encode()));
      assertArrayEquals(plain, java.util.Arrays.copyOf(readTitle(c, plain, block), plain.length));
    }
  }

  private static final String COPY_TITLE = "SW-CRASH";

  /**
   * Asserts that the secure area holds the old license state (the first title only) or the new one
   * (with {@code title} from the centre), nothing else; true if the old.
   */
  private boolean oldOrNewLicense(Connection c, byte[] before, String title) throws Exception {
    LicenseStatus status = status(c);
    if (java.util.Arrays.equals(before, secureArea())) {
      assertEquals(
          new LicenseStatus(
              1, List.of(new LicenseStatus.Entry("first-title", "crash licensor", 3))),
          status);
      return true;
    }
    assertEquals(2, status.version(), "neither old nor new: " + status);
    assertEquals(
        List.of(
            new LicenseStatus.Entry("first-title", "crash licensor", 3),
            new LicenseStatus.Entry(title, "crash centre", LicenseStatus.UNLIMITED)),
        status.entries());
    return false;
  }

  /**
   * OPEN PLAYBACK of {@code title} plays the whole of it if its header was written, else nothing.
   */
  private void playsOnlyWithItsHeader(
      Connection c, String title, byte[] plain, int block, boolean headerWritten) throws Exception {
    Reply open = out(c, Operation.OPEN_PLAYBACK, new OpenPlayback(title, HEADER).encode());
    if (headerWritten) {
      assertGood(open);
      assertArrayEquals(plain, java.util.Arrays.copyOf(readTitle(c, plain, block), plain.length));
    } else {
      assertEquals(ScsiStatus.CHECK_CONDITION.code(), open.status());
    }
  }

  private Reply writeCiphertext(Connection c, byte[] kd, byte[] plain, int block) throws Exception {
    byte[] cipher = TestCenter.ctr(kd, MASTER_NONCE, plain, block);
    c.send(
        EndpointFuzzIT.commandFrame(
            tag++,
            0,
            false,
            new dev.secdrive.protocol.cdb.Write10(HEADER + 1, cipher.length / block).encode(),
            0,
            cipher));
    return c.receive();
  }

  private byte[] installCopy(Connection c, TestCenter center, byte[] kd, byte[] plain)
      throws Exception {
    var certificate = CertificateData.decode(assertGood(in(c, 0x00, 0x0001)).data()).certificate();
    byte[] digestKey =
        dev.secdrive.emulator.secure.Crypto.kdf(
            kd, dev.secdrive.protocol.security.KeyLabels.TITLE_DIGEST, new byte[0]);
    return new dev.secdrive.protocol.security.InstallCopy(
            center.copyCertificate(COPY_TITLE, MEDIUM, DEVICE, certificate, kd).encode(),
            HEADER,
            plain.length,
            MASTER_NONCE,
            dev.secdrive.kit.crypto.Hmac.sha256(digestKey, plain))
        .encode();
  }

  private static byte[] convertWrite(TestCenter center, byte[] plain, int block) throws Exception {
    return dev.secdrive.kit.crypto.Bytes.concat(
        dev.secdrive.protocol.security.ConvertWrite.header(0),
        center.master(TITLE, MASTER_NONCE, plain, block));
  }

  private byte[] readTitle(Connection c, byte[] plain, int block) throws Exception {
    int blocks = (plain.length + block - 1) / block;
    c.send(
        EndpointFuzzIT.commandFrame(
            tag++,
            0,
            true,
            new Read10(HEADER + 1, blocks).encode(),
            (long) blocks * block,
            new byte[0]));
    return assertGood(c.receive()).data();
  }

  private byte[] installConversion(Connection c, TestCenter center, long length) throws Exception {
    var certificate = CertificateData.decode(assertGood(in(c, 0x00, 0x0001)).data()).certificate();
    return new InstallConversion(
            center.grant(TITLE, MEDIUM, certificate).encode(), HEADER, length, MASTER_NONCE)
        .encode();
  }

  // ------------------------------------------------------------------ wire

  private Connection connect(Emulator emulator) throws IOException {
    Socket socket = new Socket(emulator.address().getAddress(), emulator.address().getPort());
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    return new Connection(socket);
  }

  private void ready(Connection c) throws IOException {
    for (int i = 0; i < 4; i++) {
      c.send(
          EndpointFuzzIT.commandFrame(
              tag++, 0, true, new TestUnitReady().encode(), 0, new byte[0]));
      if (c.receive().status() == ScsiStatus.GOOD.code()) {
        return;
      }
    }
    throw new AssertionError("drive never became ready");
  }

  private Reply in(Connection c, int protocol, int specific) throws IOException {
    c.send(
        EndpointFuzzIT.commandFrame(
            tag++,
            0,
            true,
            new SecurityProtocolIn(protocol, specific, 65536).encode(),
            65536,
            new byte[0]));
    return c.receive();
  }

  private byte[] outFrame(Operation op, byte[] parameters) {
    return EndpointFuzzIT.commandFrame(
        tag++,
        0,
        false,
        new SecurityProtocolOut(0xF0, op.code(), parameters.length).encode(),
        0,
        parameters);
  }

  private Reply out(Connection c, Operation op, byte[] parameters) throws IOException {
    c.send(outFrame(op, parameters));
    return c.receive();
  }

  private byte[] provisionFrame(Connection c, TestLicensor licensor, String content)
      throws Exception {
    byte[] challenge =
        Challenge.decode(assertGood(in(c, 0xF0, Operation.CHALLENGE.code())).data()).nonce();
    var certificate = CertificateData.decode(assertGood(in(c, 0x00, 0x0001)).data()).certificate();
    return outFrame(
        Operation.PROVISION,
        licensor.provision(challenge, MEDIUM, content, 3, KEY, certificate).encode());
  }

  private Reply provision(Connection c, TestLicensor licensor, String content) throws Exception {
    c.send(provisionFrame(c, licensor, content));
    return c.receive();
  }

  private LicenseStatus status(Connection c) throws Exception {
    return LicenseStatus.decode(assertGood(in(c, 0xF0, Operation.LICENSE_STATUS.code())).data());
  }

  private static Reply assertGood(Reply reply) {
    assertEquals(
        ScsiStatus.GOOD.code(),
        reply.status(),
        () -> "expected GOOD, got sense " + java.util.HexFormat.of().formatHex(reply.sense()));
    return reply;
  }
}
