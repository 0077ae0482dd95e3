package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertInformation;
import static dev.secdrive.emulator.firmware.Harness.assertNoFieldPointer;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.assertRefused;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.in;
import static dev.secdrive.emulator.firmware.SecureLayerFixture.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.emulator.secure.TestCenter;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.ConvertWrite;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target drive of the converted copy (PROTOCOL.md "Scheme 2", FIG. 7-10) through the firmware:
 * INSTALL CONVERSION with grants built here from the specification, CONVERT WRITE of master
 * ciphertext, and OPEN PLAYBACK of the result; every refusal with its sense and reason.
 */
class ConversionFirmwareTest {

  private static final String TITLE = "DID-0001";
  private static final int BLOCK = 2048;
  private static final long HEADER = 40;

  @TempDir Path directory;
  private final Authority authority = Authority.create();
  private final TestCenter center = new TestCenter(authority, "test centre");
  private final byte[] masterNonce = {1, 2, 3, 4, 5, 6, 7, 8};

  /** An odd length: seven whole blocks and a part of one. */
  private final byte[] plain = Harness.pattern(7 * BLOCK + 333, 11);

  private byte[] master;
  private Harness h;
  private Nexus host;
  private Medium medium;
  private Certificate drive;

  @BeforeEach
  void setUp() throws Exception {
    h =
        new Harness(
            directory, "mo-640", DriveKeys.enroll("SDDCONV01", authority), DriveNv.inMemory());
    medium = h.insert("MO-TARGET-1", "mo-640");
    host = h.nexus();
    assertEquals(BLOCK, medium.blockSize());
    drive = certificate(h, host);
    master = center.master(TITLE, masterNonce, plain, BLOCK);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /**
   * INSTALL CONVERSION and CONVERT WRITE go through the secure store's read path: a secure area
   * older than what the medium or this drive knows (a whole secure.bin copied back, area and
   * counter) refuses both with STALE and the version this drive recorded.
   */
  @Test
  void aSecureAreaOlderThanTheDrivesRecordRefusesInstallAndConvertWrite() throws Exception {
    Path file = h.store.directory().resolve(medium.id()).resolve("secure.bin");
    assertGood(install(grant()));
    byte[] whole = Files.readAllBytes(file); // the area of version 1, at medium write 1
    assertGood(install(grant())); // version 2, medium write 2; the conversion is open
    Files.write(file, whole);
    Result write = convert(h, host, 0, 1);
    assertRefused(write, Reason.STALE);
    assertEquals(2, write.sense().information(), "the version this drive recorded");
    Result again = install(grant());
    assertRefused(again, Reason.STALE);
    assertEquals(2, again.sense().information());
  }

  // ------------------------------------------------------------------ helpers

  private static Certificate certificate(Harness drive, Nexus n) throws Exception {
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

  private byte[] install(ConversionGrant grant, long headerLba, long length) {
    return new InstallConversion(grant.encode(), headerLba, length, masterNonce).encode();
  }

  private Result install(ConversionGrant grant) {
    return out(h, host, Operation.INSTALL_CONVERSION, install(grant, HEADER, plain.length));
  }

  private ConversionGrant grant() {
    return center.grant(TITLE, medium.id(), drive);
  }

  /** CONVERT WRITE of master blocks [from, to) at their own offset. */
  private Result convert(Harness drive, Nexus n, int from, int to) {
    return convertAt(
        drive, n, (long) from * BLOCK, Arrays.copyOfRange(master, from * BLOCK, to * BLOCK));
  }

  private static Result convertAt(Harness drive, Nexus n, long offset, byte[] data) {
    return out(drive, n, Operation.CONVERT_WRITE, parameters(offset, data));
  }

  private static byte[] parameters(long offset, byte[] data) {
    byte[] header = ConvertWrite.header(offset);
    byte[] out = Arrays.copyOf(header, header.length + data.length);
    System.arraycopy(data, 0, out, header.length, data.length);
    return out;
  }

  /** A field pointer into the parameter list (C/D = 0). */
  private static void assertParameterPointer(SenseData sense, int offset) {
    assertEquals(FieldPointer.parameter(offset), sense.fieldPointer(), sense::describe);
  }

  private LicenseStatus status() throws Exception {
    return LicenseStatus.decode(assertGood(in(h, host, Operation.LICENSE_STATUS)).data());
  }

  private byte[] read(Harness drive, Nexus n, long lba, int blocks) {
    return assertGood(drive.run(n, new Read10(lba, blocks))).data();
  }

  private int dataBlocks() {
    return (plain.length + BLOCK - 1) / BLOCK;
  }

  // ------------------------------------------------------------------ FIG. 9 and 10

  @Test
  void installConvertOutOfOrderAndPlayBackTheExactPlaintext() throws Exception {
    assertGood(install(grant()));
    assertEquals(
        new LicenseStatus(
            1, List.of(new LicenseStatus.Entry(TITLE, "test centre", LicenseStatus.UNLIMITED))),
        status());
    // several CONVERT WRITEs, out of order, one of them a single block
    assertGood(convert(h, host, 5, 8));
    assertGood(convert(h, host, 0, 1));
    assertGood(convert(h, host, 1, 5));

    // what the target holds: a title header with its own nonce, data under Ku with that nonce
    byte[] headerBlock = read(h, host, HEADER, 1);
    TitleHeader header = TitleHeader.decode(headerBlock);
    assertEquals(TITLE, header.contentId());
    assertEquals(plain.length, header.plaintextLength());
    assertFalse(Arrays.equals(masterNonce, header.nonce()), "a fresh nonce for the target");
    byte[] onTarget = read(h, host, HEADER + 1, dataBlocks());
    assertArrayEquals(
        TestCenter.ctr(center.ku(medium.id()), header.nonce(), plain, BLOCK),
        onTarget,
        "EKu(Data) on the medium, neither plaintext nor the master's ciphertext");

    // FIG. 10: the run path
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    byte[] played = read(h, host, HEADER + 1, dataBlocks());
    assertArrayEquals(plain, Arrays.copyOf(played, plain.length));
    assertEquals(LicenseStatus.UNLIMITED, status().entries().get(0).playsLeft(), "unlimited");
    assertEquals(1, status().version(), "an unlimited play writes nothing");
  }

  @Test
  void theConvertedMediumPlaysInAnotherDriveOfTheSameAuthority() throws Exception {
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, dataBlocks()));
    Medium moved = h.firmware.remove(true);
    try (Harness other =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDCONV02", authority),
            DriveNv.inMemory())) {
      other.firmware.insert(moved);
      Nexus n = other.nexus();
      assertGood(out(other, n, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
      assertArrayEquals(
          plain, Arrays.copyOf(read(other, n, HEADER + 1, dataBlocks()), plain.length));
      other.firmware.remove(true);
    }
  }

  @Test
  void aSecondInstallReplacesTheLicenseAndEndsTheFirstConversion() throws Exception {
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, 2));
    assertGood(install(grant()));
    assertEquals(2, status().version(), "version rules as PROVISION: one more each time");
    assertEquals(1, status().entries().size(), "replaced, not added");
    // the new conversion has its own nonce: convert everything again, then play
    assertGood(convert(h, host, 0, dataBlocks()));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    assertArrayEquals(plain, Arrays.copyOf(read(h, host, HEADER + 1, dataBlocks()), plain.length));
  }

  @Test
  void aConversionCutShortLeavesNoHeaderAndPlaysNothing() throws Exception {
    // a complete copy first: its header must not survive a later copy that breaks off
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, dataBlocks()));
    assertEquals(TITLE, TitleHeader.decode(read(h, host, HEADER, 1)).contentId());

    assertGood(install(grant()));
    assertArrayEquals(new byte[BLOCK], read(h, host, HEADER, 1), "the old header is cleared");
    // every block but one, one of them twice
    assertGood(convert(h, host, 0, 4));
    assertGood(convert(h, host, 2, dataBlocks() - 1));
    assertArrayEquals(new byte[BLOCK], read(h, host, HEADER, 1), "no header before the last block");
    Result early = out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode());
    assertRefused(early, Reason.INTEGRITY);

    // the host gives up (the nexus ends): the license stays, the title still does not play
    h.firmware.disconnect(host);
    host = h.nexus();
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()),
        Reason.INTEGRITY);
    assertRefused(convert(h, host, dataBlocks() - 1, dataBlocks()), Reason.NOTHING_PENDING);

    // installed again and completed, it plays
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, dataBlocks()));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    assertArrayEquals(plain, Arrays.copyOf(read(h, host, HEADER + 1, dataBlocks()), plain.length));
  }

  @Test
  void aHeaderBlockThatCannotBeWrittenRefusesTheInstallBeforeAnythingIsWritten() throws Exception {
    h.firmware.faults().addWriteError(HEADER);
    assertInformation(assertCheck(install(grant()), 0x03, 0x0C, 0x00), HEADER);
    assertEquals(new LicenseStatus(0, List.of()), status(), "no license was committed");
    h.firmware.faults().clear();
    assertGood(install(grant()));
    // a write error at the header when the last block completes the title: the data is there,
    // the header is not, nothing plays; the conversion stays open and the block is sent again
    assertGood(convert(h, host, 0, dataBlocks() - 1));
    h.firmware.faults().addWriteError(HEADER);
    assertInformation(
        assertCheck(convert(h, host, dataBlocks() - 1, dataBlocks()), 0x03, 0x0C, 0x00), HEADER);
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()),
        Reason.INTEGRITY);
    h.firmware.faults().clear();
    assertGood(convert(h, host, dataBlocks() - 1, dataBlocks()));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    assertArrayEquals(plain, Arrays.copyOf(read(h, host, HEADER + 1, dataBlocks()), plain.length));
  }

  @Test
  void aTitleOf2To31BlocksOrMoreIsRefusedOnItsLength() {
    ConversionGrant grant = grant();
    long length = (long) Integer.MAX_VALUE * BLOCK + 1;
    SenseData sense =
        assertCheck(
            out(h, host, Operation.INSTALL_CONVERSION, install(grant, HEADER, length)),
            0x05,
            0x26,
            0x00);
    assertParameterPointer(sense, 2 + grant.encode().length + 8);
  }

  @Test
  void theCompletingWriteEndsTheConversion() {
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, dataBlocks()));
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
  }

  @Test
  void anEmptyTitleIsCompleteAtInstall() throws Exception {
    Result r =
        out(
            h,
            host,
            Operation.INSTALL_CONVERSION,
            new InstallConversion(grant().encode(), HEADER, 0, masterNonce).encode());
    assertGood(r);
    assertEquals(0, TitleHeader.decode(read(h, host, HEADER, 1)).plaintextLength());
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
  }

  @Test
  void aConvertedLicenseBelongsToTheCentralSite() throws Exception {
    assertGood(install(grant()));
    // a licensor cannot take over the central site's title ...
    dev.secdrive.emulator.secure.TestLicensor licensor =
        new dev.secdrive.emulator.secure.TestLicensor(authority, "test licensor");
    Result takeover =
        out(
            h,
            host,
            Operation.PROVISION,
            licensor
                .provision(
                    dev.secdrive.protocol.security.Challenge.decode(
                            assertGood(in(h, host, Operation.CHALLENGE)).data())
                        .nonce(),
                    medium.id(),
                    TITLE,
                    1,
                    new byte[32],
                    drive)
                .encode());
    assertRefused(takeover, Reason.OTHER_LICENSOR);
    // ... another central site neither, while the same site installs its title again
    TestCenter other = new TestCenter(authority, "other centre");
    assertRefused(install(other.grant(TITLE, medium.id(), drive)), Reason.OTHER_LICENSOR);
    assertGood(install(grant()));
    assertEquals(2, status().version());
  }

  /**
   * The licensor of a converted title is the central site's role and key, not its name: a licensor
   * certified under the name of the central site (the CLI's default "secdrive central site"), or a
   * second central site of that name, is another licensor.
   */
  @Test
  void aLicensorNamedLikeTheCentralSiteCannotReplaceAConvertedTitle() throws Exception {
    TestCenter site = new TestCenter(authority, "secdrive central site");
    master = site.master(TITLE, masterNonce, plain, BLOCK);
    assertGood(install(site.grant(TITLE, medium.id(), drive)));
    assertGood(convert(h, host, 0, dataBlocks()));
    LicenseStatus installed = status();
    assertEquals(
        new LicenseStatus(
            1,
            List.of(
                new LicenseStatus.Entry(TITLE, "secdrive central site", LicenseStatus.UNLIMITED))),
        installed);

    TestLicensor impostor = new TestLicensor(authority, "secdrive central site");
    Result takeover = provision(impostor, TITLE, new byte[32]);
    assertRefused(takeover, Reason.OTHER_LICENSOR);
    assertEquals(installed, status(), "the refused PROVISION changed nothing");
    TestCenter namesake = new TestCenter(authority, "secdrive central site");
    assertRefused(install(namesake.grant(TITLE, medium.id(), drive)), Reason.OTHER_LICENSOR);
    assertEquals(installed, status(), "the refused INSTALL CONVERSION changed nothing");
    // the converted title still plays with the central site's key
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    assertArrayEquals(plain, Arrays.copyOf(read(h, host, HEADER + 1, dataBlocks()), plain.length));
    // the impostor licenses its own titles; the site installs its title again
    assertGood(provision(impostor, "impostor-title", new byte[32]));
    assertGood(install(site.grant(TITLE, medium.id(), drive)));
    assertEquals(3, status().version());
  }

  /** A PROVISION of {@code contentId} by {@code licensor}, with a fresh challenge. */
  private Result provision(TestLicensor licensor, String contentId, byte[] contentKey)
      throws Exception {
    byte[] challenge =
        Challenge.decode(assertGood(in(h, host, Operation.CHALLENGE)).data()).nonce();
    return out(
        h,
        host,
        Operation.PROVISION,
        licensor.provision(challenge, medium.id(), contentId, 1, contentKey, drive).encode());
  }

  @Test
  void anEmptyConvertWriteIsAccepted() {
    assertGood(install(grant()));
    assertGood(convertAt(h, host, 0, new byte[0]));
    assertGood(convertAt(h, host, (long) dataBlocks() * BLOCK, new byte[0]));
  }

  @Test
  void aWriteErrorStopsBeforeTheFailingBlockAsAWriteWould() throws Exception {
    assertGood(install(grant()));
    long failing = HEADER + 1 + 3;
    h.firmware.faults().addWriteError(failing);
    Result r = convert(h, host, 0, dataBlocks());
    assertInformation(assertCheck(r, 0x03, 0x0C, 0x00), failing);
    h.firmware.faults().clear();
    assertGood(convert(h, host, 3, dataBlocks()));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()));
    assertArrayEquals(plain, Arrays.copyOf(read(h, host, HEADER + 1, dataBlocks()), plain.length));
  }

  // ------------------------------------------------------------------ INSTALL CONVERSION refusals

  @Test
  void installRefusalsWithTheirReasons() throws Exception {
    assertRefused(
        install(TestCenter.uncertified("pirate").grant(TITLE, medium.id(), drive)),
        Reason.CERTIFICATE);
    assertRefused(
        install(TestCenter.withDriveRole(authority, "posing").grant(TITLE, medium.id(), drive)),
        Reason.CERTIFICATE);
    // a licensor the authority certified is no central site: it cannot grant conversions
    assertRefused(
        install(TestCenter.withLicensorRole(authority, "Acme").grant(TITLE, medium.id(), drive)),
        Reason.CERTIFICATE);
    // a signed byte flipped: the serial
    ConversionGrant good = grant();
    byte[] flipped = good.encode();
    int serialAt =
        4 + 1 + 1 + TITLE.length() + 1 + medium.id().length() + 1 + drive.subject().length();
    flipped[serialAt + 7] ^= 1;
    assertRefused(
        out(
            h,
            host,
            Operation.INSTALL_CONVERSION,
            new InstallConversion(flipped, HEADER, plain.length, masterNonce).encode()),
        Reason.SIGNATURE);
    byte[] signature = good.signature();
    signature[0] ^= 1;
    assertRefused(install(good.withSignature(signature)), Reason.SIGNATURE);
    // a sealed byte flipped and the grant signed again: the seal does not open
    byte[] sealed = good.sealedKeys();
    sealed[3] ^= 1;
    ConversionGrant resealed =
        center.sign(
            new ConversionGrant(
                TITLE,
                medium.id(),
                drive.subject(),
                9,
                good.ephemeralPublicKey(),
                sealed,
                good.centerCertificate(),
                new byte[64]));
    assertRefused(install(resealed), Reason.INTEGRITY);
    // the sealed keys of a grant moved into a grant for another title (the AAD binds them)
    ConversionGrant moved =
        center.sign(
            new ConversionGrant(
                "DID-OTHER",
                medium.id(),
                drive.subject(),
                9,
                good.ephemeralPublicKey(),
                good.sealedKeys(),
                good.centerCertificate(),
                new byte[64]));
    assertRefused(install(moved), Reason.INTEGRITY);
    // another medium, another drive, sealed to another drive's key
    assertRefused(install(center.grant(TITLE, "MO-OTHER", drive)), Reason.OTHER_MEDIUM);
    Certificate stranger = DriveKeys.enroll("SDDSTRANGER", authority).certificate();
    assertRefused(install(center.grant(TITLE, medium.id(), stranger)), Reason.OTHER_DRIVE);
    assertRefused(
        install(center.grant(TITLE, medium.id(), drive.subject(), stranger)), Reason.INTEGRITY);
    // keys of the wrong length inside a valid seal
    assertRefused(
        install(center.grantOf(TITLE, medium.id(), drive.subject(), drive, new byte[32])),
        Reason.INTEGRITY);
    assertEquals(new LicenseStatus(0, List.of()), status(), "no refusal wrote the secure area");
    assertArrayEquals(new byte[BLOCK], read(h, host, HEADER, 1), "nor the title header");
  }

  @Test
  void refusalOrder() {
    // write protection before the grant is looked at; the certificate before the medium
    h.firmware.setWriteProtected(true);
    assertCheck(
        install(TestCenter.uncertified("pirate").grant(TITLE, "MO-OTHER", drive)),
        0x07,
        0x27,
        0x00);
    h.firmware.setWriteProtected(false);
    assertRefused(
        install(TestCenter.uncertified("pirate").grant(TITLE, "MO-OTHER", "SDDX", drive)),
        Reason.CERTIFICATE);
    ConversionGrant good = center.grant(TITLE, "MO-OTHER", "SDDX", drive);
    byte[] signature = good.signature();
    signature[10] ^= 1;
    assertRefused(install(good.withSignature(signature)), Reason.SIGNATURE);
    assertRefused(install(good), Reason.OTHER_MEDIUM);
    assertRefused(install(center.grant(TITLE, medium.id(), "SDDX", drive)), Reason.OTHER_DRIVE);
  }

  @Test
  void framingOfTheListAndTheGrant() {
    SenseData empty =
        assertCheck(out(h, host, Operation.INSTALL_CONVERSION, new byte[0]), 0x05, 0x26, 0x00);
    assertParameterPointer(empty, 0);
    byte[] list = install(grant(), HEADER, plain.length);
    // a list one byte short of its master nonce
    SenseData shortList =
        assertCheck(
            out(h, host, Operation.INSTALL_CONVERSION, Arrays.copyOf(list, list.length - 1)),
            0x05,
            0x26,
            0x00);
    assertFalse(shortList.fieldPointer().inCdb());
    // the grant's magic
    byte[] badMagic = list.clone();
    badMagic[2] = 'X';
    assertParameterPointer(
        assertCheck(out(h, host, Operation.INSTALL_CONVERSION, badMagic), 0x05, 0x26, 0x00), 2);
    // another grant format version
    byte[] version = list.clone();
    version[2 + 4] = 2;
    SenseData v =
        assertCheck(out(h, host, Operation.INSTALL_CONVERSION, version), 0x05, 0x26, 0x00);
    assertEquals(Reason.FORMAT_VERSION.code(), v.commandSpecific());
    // a centre certificate that does not parse: the pointer is on its magic in the list
    ConversionGrant good = grant();
    byte[] certificate = good.centerCertificate();
    certificate[0] = 'X';
    ConversionGrant badCertificate =
        center.sign(
            new ConversionGrant(
                TITLE,
                medium.id(),
                drive.subject(),
                3,
                good.ephemeralPublicKey(),
                good.sealedKeys(),
                certificate,
                new byte[64]));
    int certificateAt =
        2 + badCertificate.encode().length - Certificate.SIGNATURE_LENGTH - certificate.length;
    assertParameterPointer(assertCheck(install(badCertificate), 0x05, 0x26, 0x00), certificateAt);
    // a TRANSFER LENGTH that is not the data-out sent
    assertFieldPointer(
        assertCheck(
            h.run(
                host,
                new SecurityProtocolOut(
                    SecurityProtocols.SECDRIVE,
                    Operation.INSTALL_CONVERSION.code(),
                    list.length + 1),
                list),
            0x05,
            0x24,
            0x00),
        6,
        -1);
  }

  @Test
  void aWriteProtectedTargetIsRefused() throws Exception {
    h.firmware.setWriteProtected(true);
    assertCheck(install(grant()), 0x07, 0x27, 0x00);
    assertEquals(new LicenseStatus(0, List.of()), status());
  }

  @Test
  void aTargetTooSmallForTheTitleIsRefusedAndNothingIsWritten() throws Exception {
    long blocks = medium.blockCount();
    // header at the last block: no room for data
    SenseData last =
        assertCheck(
            out(h, host, Operation.INSTALL_CONVERSION, install(grant(), blocks - 1, plain.length)),
            0x05,
            0x21,
            0x00);
    assertNoFieldPointer(last);
    // a title longer than the whole medium
    assertCheck(
        out(h, host, Operation.INSTALL_CONVERSION, install(grant(), 0, blocks * BLOCK)),
        0x05,
        0x21,
        0x00);
    // a header past the end
    assertCheck(
        out(h, host, Operation.INSTALL_CONVERSION, install(grant(), blocks, 1)), 0x05, 0x21, 0x00);
    // exactly fitting is fine
    long fits = blocks - 1 - dataBlocks();
    assertGood(out(h, host, Operation.INSTALL_CONVERSION, install(grant(), fits, plain.length)));
    assertEquals(1, status().version(), "only the fitting install wrote the secure area");
  }

  // ------------------------------------------------------------------ CONVERT WRITE refusals

  @Test
  void convertWriteWithoutAConversionIsNothingPending() {
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
    assertGood(install(grant()));
    // another nexus has no conversion of its own
    assertRefused(convert(h, h.nexus(), 0, 1), Reason.NOTHING_PENDING);
    // CLOSE PLAYBACK ends it
    assertGood(convert(h, host, 0, 1));
    assertGood(out(h, host, Operation.CLOSE_PLAYBACK, new byte[0]));
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
    // a new INSTALL CONVERSION ends it, even one that is refused
    assertGood(install(grant()));
    assertRefused(install(center.grant(TITLE, "MO-OTHER", drive)), Reason.OTHER_MEDIUM);
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
    // OPEN PLAYBACK does not (here refused: the title has no header until it is complete)
    assertGood(install(grant()));
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(TITLE, HEADER).encode()),
        Reason.INTEGRITY);
    assertGood(convert(h, host, 0, 1));
  }

  @Test
  void aMediumChangeEndsTheConversion() {
    assertGood(install(grant()));
    Medium same = h.firmware.remove(true);
    h.firmware.insert(same);
    h.clearUnitAttentions(host);
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
  }

  @Test
  void theEndOfTheNexusEndsTheConversion() {
    assertGood(install(grant()));
    h.firmware.disconnect(host);
    h.clearUnitAttentions(host);
    assertRefused(convert(h, host, 0, 1), Reason.NOTHING_PENDING);
  }

  @Test
  void convertWriteFramingAndRange() {
    assertGood(install(grant()));
    // shorter than the offset
    assertParameterPointer(
        assertCheck(out(h, host, Operation.CONVERT_WRITE, new byte[4]), 0x05, 0x26, 0x00), 0);
    // an offset that is not a multiple of the block size
    assertParameterPointer(
        assertCheck(convertAt(h, host, 16, new byte[BLOCK]), 0x05, 0x26, 0x00), 0);
    // data that is not whole blocks: the pointer is on the first byte of the partial block
    assertParameterPointer(
        assertCheck(convertAt(h, host, 0, new byte[BLOCK + 100]), 0x05, 0x26, 0x00),
        ConvertWrite.HEADER_LENGTH + BLOCK);
    // past the title's data blocks
    SenseData past =
        assertCheck(
            convertAt(h, host, (long) (dataBlocks() - 1) * BLOCK, new byte[2 * BLOCK]),
            0x05,
            0x21,
            0x00);
    assertEquals(0, past.commandSpecific());
    assertCheck(
        convertAt(h, host, (long) (dataBlocks() + 1) * BLOCK, new byte[0]), 0x05, 0x21, 0x00);
    assertCheck(
        convertAt(h, host, Long.MAX_VALUE / BLOCK * BLOCK, new byte[BLOCK]), 0x05, 0x21, 0x00);
    // the last block exactly is fine
    assertGood(convertAt(h, host, (long) (dataBlocks() - 1) * BLOCK, new byte[BLOCK]));
    // the blocks around the title stay as they were
    assertArrayEquals(new byte[BLOCK], read(h, host, HEADER + 1 + dataBlocks(), 1));
    // write protection
    h.firmware.setWriteProtected(true);
    assertCheck(convert(h, host, 0, 1), 0x07, 0x27, 0x00);
  }

  // ------------------------------------------------------------------ the copy of a copy

  @Test
  void theUserAreaOfAConvertedTargetCopiedOntoABlankMediumPlaysNothing() throws Exception {
    assertGood(install(grant()));
    assertGood(convert(h, host, 0, dataBlocks()));
    int blocks = (int) HEADER + 1 + dataBlocks();
    byte[] user = new byte[blocks * BLOCK];
    medium.read(0, ByteBuffer.wrap(user));
    byte[] secure = medium.readSecureArea();
    Medium clone = h.create("MO-CLONE-1", "mo-640");
    clone.write(0, ByteBuffer.wrap(user));
    h.firmware.remove(true);
    h.firmware.insert(clone);
    h.clearUnitAttentions(host);
    byte[] open = new OpenPlayback(TITLE, HEADER).encode();
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.NO_LICENSE);
    // even with the secure area's bytes copied too: they are sealed to the original medium ID
    clone.writeSecureArea(secure);
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.NO_LICENSE);
    // and the original's grant does not install on the clone
    assertRefused(install(center.grant(TITLE, medium.id(), drive)), Reason.OTHER_MEDIUM);
    // what a READ of the clone gives is ciphertext under the original's Ku
    assertFalse(
        Arrays.equals(Arrays.copyOf(plain, BLOCK), read(h, host, HEADER + 1, 1)),
        "no plaintext on the medium");
  }

  @Test
  void crashStepsAreNamedLikeTheOthers() {
    assertEquals("conversion:verified", SecureLayer.CONVERSION_STEPS.get(0));
    assertTrue(SecureLayer.CONVERSION_STEPS.contains("conversion:secure-area-renamed"));
    assertEquals(
        "conversion:header-written",
        SecureLayer.CONVERSION_STEPS.get(SecureLayer.CONVERSION_STEPS.size() - 1));
    assertEquals(SecureLayer.PROVISION_STEPS.size() + 3, SecureLayer.CONVERSION_STEPS.size());
  }
}
