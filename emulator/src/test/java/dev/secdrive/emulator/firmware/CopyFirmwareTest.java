package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertNoFieldPointer;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.assertRefused;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.in;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.TestCenter;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.CheckInstall;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target drive of the certificate copy (PROTOCOL.md "Scheme 1") through the firmware: INSTALL
 * COPY over the master's ciphertext written with plain WRITEs, with copy certificates built here
 * from the specification, then OPEN PLAYBACK; and CHECK INSTALL, which answers the install's
 * refusals without writing anything.
 */
class CopyFirmwareTest {

  private static final String TITLE = "SW-0001";
  private static final int BLOCK = 2048;
  private static final long HEADER = 40;

  @TempDir Path directory;
  private final Authority authority = Authority.create();
  private final TestCenter center = new TestCenter(authority, "test centre");
  private final byte[] kd = Bytes.random(32);
  private final byte[] nonce = {8, 7, 6, 5, 4, 3, 2, 1};
  private final byte[] plain = Harness.pattern(5 * BLOCK + 77, 3);

  private Harness h;
  private Nexus host;
  private Medium medium;
  private Certificate drive;
  private byte[] digest;

  @BeforeEach
  void setUp() throws Exception {
    h =
        new Harness(
            directory, "mo-640", DriveKeys.enroll("SDDCOPY01", authority), DriveNv.inMemory());
    medium = h.insert("MO-COPY-1", "mo-640");
    host = h.nexus();
    drive =
        CertificateData.decode(
                assertGood(
                        in(
                            h,
                            host,
                            SecurityProtocols.INFORMATION,
                            SecurityProtocols.CERTIFICATE_DATA,
                            4096))
                    .data())
            .certificate();
    digest =
        Hmac.sha256(
            dev.secdrive.emulator.secure.Crypto.kdf(kd, KeyLabels.TITLE_DIGEST, new byte[0]),
            plain);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** The master's ciphertext, verbatim, in the blocks after the header (S7). */
  private void copyCiphertext(int blocks) throws Exception {
    byte[] cipher = TestCenter.ctr(kd, nonce, plain, BLOCK);
    assertGood(h.run(host, new Write10(HEADER + 1, blocks), Arrays.copyOf(cipher, blocks * BLOCK)));
  }

  private CopyCertificate cs() {
    return center.copyCertificate(TITLE, medium.id(), drive.subject(), drive, kd);
  }

  private Result install(CopyCertificate cs) {
    return install(cs.encode());
  }

  private Result install(byte[] cs) {
    return out(
        h,
        host,
        Operation.INSTALL_COPY,
        new InstallCopy(cs, HEADER, plain.length, nonce, digest).encode());
  }

  private Result check(TestCenter site) {
    return out(
        h,
        host,
        Operation.CHECK_INSTALL,
        new CheckInstall(TITLE, site.certificate().encode()).encode());
  }

  private LicenseStatus status() throws Exception {
    return LicenseStatus.decode(assertGood(in(h, host, Operation.LICENSE_STATUS)).data());
  }

  private int dataBlocks() {
    return (plain.length + BLOCK - 1) / BLOCK;
  }

  @Test
  void theInstalledCopyPlaysTheMastersCiphertextThroughTheDrive() throws Exception {
    copyCiphertext(dataBlocks());
    assertGood(install(cs()));
    assertEquals(
        new LicenseStatus(
            1, List.of(new LicenseStatus.Entry(TITLE, "test centre", LicenseStatus.UNLIMITED))),
        status());
    TitleHeader header = TitleHeader.decode(assertGood(h.run(host, new Read10(HEADER, 1))).data());
    assertEquals(TITLE, header.contentId());
    assertArrayEquals(nonce, header.nonce(), "the master's nonce: the ciphertext is verbatim");
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    byte[] played = assertGood(h.run(host, new Read10(HEADER + 1, dataBlocks()))).data();
    assertArrayEquals(plain, Arrays.copyOf(played, plain.length));
  }

  @Test
  void aCopyThatBrokeOffIsNeitherLicensedNorGivenAHeader() throws Exception {
    copyCiphertext(dataBlocks() - 1);
    assertRefused(install(cs()), Reason.INTEGRITY);
    assertTrue(status().entries().isEmpty());
    assertArrayEquals(
        new byte[BLOCK], assertGood(h.run(host, new Read10(HEADER, 1))).data(), "no header");
  }

  @Test
  void aCertificateIsRefusedForWhatItDoesNotName() throws Exception {
    copyCiphertext(dataBlocks());
    assertRefused(
        install(center.copyCertificate(TITLE, "MO-OTHER", drive.subject(), drive, kd)),
        Reason.OTHER_MEDIUM);
    assertRefused(
        install(center.copyCertificate(TITLE, medium.id(), "SDDOTHER", drive, kd)),
        Reason.OTHER_DRIVE);
    byte[] tampered = cs().encode();
    tampered[30] ^= 1; // inside the device ID: the signature is checked before the drive
    assertRefused(install(tampered), Reason.SIGNATURE);
    assertRefused(
        install(
            TestCenter.uncertified("rogue")
                .copyCertificate(TITLE, medium.id(), drive.subject(), drive, kd)),
        Reason.CERTIFICATE);
    assertRefused(
        install(
            TestCenter.withLicensorRole(authority, "licensor")
                .copyCertificate(TITLE, medium.id(), drive.subject(), drive, kd)),
        Reason.CERTIFICATE);
    byte[] version1 = cs().encode();
    version1[4] = 1;
    assertRefused(install(version1), Reason.FORMAT_VERSION);
    assertTrue(status().entries().isEmpty(), "nothing installed");
    assertGood(install(cs()));
  }

  @Test
  void checkInstallAnswersTheInstallsRefusalsAndWritesNothing() throws Exception {
    assertGood(check(center));
    assertEquals(0, status().version(), "nothing written");
    assertRefused(check(TestCenter.uncertified("rogue")), Reason.CERTIFICATE);

    // another licensor's license for the title: refused by CHECK INSTALL as by INSTALL COPY
    TestLicensor licensor = new TestLicensor(authority, "Publisher");
    byte[] challenge =
        Challenge.decode(assertGood(in(h, host, Operation.CHALLENGE)).data()).nonce();
    assertGood(
        out(
            h,
            host,
            Operation.PROVISION,
            licensor.provision(challenge, medium.id(), TITLE, 1, new byte[32], drive).encode()));
    assertRefused(check(center), Reason.OTHER_LICENSOR);
    copyCiphertext(dataBlocks());
    assertRefused(install(cs()), Reason.OTHER_LICENSOR);

    h.firmware.setWriteProtected(true);
    assertCheck(check(center), 0x07, 0x27, 0x00);
  }

  @Test
  void checkInstallRefusesAMediumWhoseSecureAreaHasNoRoom() throws Exception {
    TestLicensor licensor = new TestLicensor(authority, "P");
    for (int i = 0; ; i++) {
      byte[] challenge =
          Challenge.decode(assertGood(in(h, host, Operation.CHALLENGE)).data()).nonce();
      Result r =
          out(
              h,
              host,
              Operation.PROVISION,
              licensor
                  .provision(
                      challenge,
                      medium.id(),
                      String.format("filler-%04d", i),
                      1,
                      new byte[32],
                      drive)
                  .encode());
      if (!r.good()) {
        assertNoFieldPointer(assertCheck(r, 0x05, 0x26, 0x00));
        break;
      }
    }
    assertNoFieldPointer(assertCheck(check(center), 0x05, 0x26, 0x00));
  }
}
