package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the secure-layer tests through the firmware share: a drive of a throw-away authority with a
 * medium inserted, a licensor, and helpers that send SECURITY PROTOCOL IN / OUT and check refusals.
 */
abstract class SecureLayerFixture {

  static final String CONTENT = "album-0001";
  static final int BLOCK = 2048;

  @TempDir Path directory;
  final Authority authority = Authority.create();
  final TestLicensor licensor = new TestLicensor(authority, "test licensor");
  final byte[] contentKey = dev.secdrive.kit.crypto.Bytes.random(32);
  final DriveNv nv = DriveNv.inMemory();
  Harness h;
  Nexus host;
  Medium medium;

  @BeforeEach
  void setUp() {
    h = new Harness(directory, "mo-640", DriveKeys.enroll("SDDSEC0001", authority), nv);
    medium = h.insert("MO-SEC-1", "mo-640");
    host = h.nexus();
    assertEquals(BLOCK, medium.blockSize());
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  // ------------------------------------------------------------------ helpers

  static Result in(Harness h, Nexus n, int protocol, int specific, long allocation) {
    return h.run(n, new SecurityProtocolIn(protocol, specific, allocation));
  }

  static Result in(Harness h, Nexus n, Operation op) {
    return in(h, n, SecurityProtocols.SECDRIVE, op.code(), 65536);
  }

  static Result out(Harness h, Nexus n, Operation op, byte[] parameters) {
    return h.run(
        n,
        new SecurityProtocolOut(SecurityProtocols.SECDRIVE, op.code(), parameters.length),
        parameters);
  }

  static void assertRefused(Result r, Reason reason) {
    SenseData sense = assertCheck(r, 0x05, reason.sense().asc(), reason.sense().ascq());
    assertEquals(reason.code(), sense.commandSpecific(), sense::describe);
    assertEquals(reason, Reason.fromSense(sense).orElseThrow());
    byte[] bytes = sense.encode();
    assertEquals(reason.code(), bytes[11] & 0xFF, "COMMAND-SPECIFIC INFORMATION byte 11");
  }

  byte[] challenge(Harness drive, Nexus n) throws Exception {
    return Challenge.decode(assertGood(in(drive, n, Operation.CHALLENGE)).data()).nonce();
  }

  Certificate certificate(Harness drive, Nexus n) throws Exception {
    return CertificateData.decode(
            assertGood(
                    in(
                        drive,
                        n,
                        SecurityProtocols.INFORMATION,
                        SecurityProtocols.CERTIFICATE_DATA,
                        4096))
                .data())
        .certificate();
  }

  Result provision(Harness drive, Nexus n, String mediumId, String contentId, long plays)
      throws Exception {
    ProvisionRequest request =
        licensor.provision(
            challenge(drive, n), mediumId, contentId, plays, contentKey, certificate(drive, n));
    return out(drive, n, Operation.PROVISION, request.encode());
  }

  LicenseStatus status(Harness drive, Nexus n) throws Exception {
    return LicenseStatus.decode(assertGood(in(drive, n, Operation.LICENSE_STATUS)).data());
  }

  byte[] backupToHost(Harness drive, Nexus n, BackupRequest request) throws Exception {
    assertGood(out(drive, n, Operation.BACKUP, request.encode()));
    return BackupData.decode(assertGood(in(drive, n, Operation.BACKUP_DATA)).data()).blob();
  }

  void erase(Harness drive) {
    drive.firmware.eraseSecureArea();
  }
}
