package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertInformation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.KnownAnswers;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every secure-layer operation and refusal of PROTOCOL.md, through the firmware. */
class SecureLayerFirmwareTest {

  private static final String CONTENT = "album-0001";
  private static final int BLOCK = 2048;

  @TempDir Path directory;
  private final Authority authority = Authority.create();
  private final TestLicensor licensor = new TestLicensor(authority, "test licensor");
  private final byte[] contentKey = dev.secdrive.emulator.secure.Crypto.random(32);
  private final DriveNv nv = DriveNv.inMemory();
  private Harness h;
  private Nexus host;
  private Medium medium;

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

  private byte[] challenge(Harness drive, Nexus n) throws Exception {
    return Challenge.decode(assertGood(in(drive, n, Operation.CHALLENGE)).data()).nonce();
  }

  private Certificate certificate(Harness drive, Nexus n) throws Exception {
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

  private Result provision(Harness drive, Nexus n, String mediumId, String contentId, long plays)
      throws Exception {
    ProvisionRequest request =
        licensor.provision(
            challenge(drive, n), mediumId, contentId, plays, contentKey, certificate(drive, n));
    return out(drive, n, Operation.PROVISION, request.encode());
  }

  private LicenseStatus status(Harness drive, Nexus n) throws Exception {
    return LicenseStatus.decode(assertGood(in(drive, n, Operation.LICENSE_STATUS)).data());
  }

  private byte[] backupToHost(Harness drive, Nexus n, BackupRequest request) throws Exception {
    assertGood(out(drive, n, Operation.BACKUP, request.encode()));
    return BackupData.decode(assertGood(in(drive, n, Operation.BACKUP_DATA)).data()).blob();
  }

  private void erase(Harness drive) {
    drive.firmware.eraseSecureArea();
  }

  // ------------------------------------------------------------------ protocol 00h

  @Test
  void discoveryListsProtocolsAndTheCertifiedDriveCertificate() throws Exception {
    Result list = assertGood(in(h, host, 0x00, 0x0000, 64));
    assertEquals(List.of(0x00, 0xF0), SupportedSecurityProtocols.decode(list.data()).protocols());
    Certificate drive = certificate(h, host);
    assertEquals("SDDSEC0001", drive.subject());
    assertEquals(Certificate.Role.DRIVE, drive.role());
    assertTrue(authority.verify(drive, Certificate.Role.DRIVE));
    assertEquals(4, assertGood(in(h, host, 0x00, 0x0001, 4)).data().length, "allocation truncates");
  }

  @Test
  void anEmptyDriveShowsItsCertificateButNoLicenseOperation(@TempDir Path other) throws Exception {
    try (Harness empty =
        new Harness(other, "mo-640", DriveKeys.enroll("SDDEMPTY", authority), DriveNv.inMemory())) {
      Nexus n = empty.nexus();
      empty.clearUnitAttentions(n);
      assertEquals("SDDEMPTY", certificate(empty, n).subject());
      assertGood(in(empty, n, 0x00, 0x0000, 64));
      assertCheck(in(empty, n, Operation.CHALLENGE), 0x02, 0x3A, 0x00);
    }
  }

  @Test
  void cdbChecks() {
    SenseData inc =
        assertCheck(h.run(host, new SecurityProtocolIn(0xF0, 1, true, 64, 0)), 0x05, 0x24, 0x00);
    assertFieldPointer(inc, 4, 7);
    assertFieldPointer(assertCheck(in(h, host, 0xEF, 1, 64), 0x05, 0x24, 0x00), 1, -1);
    assertFieldPointer(assertCheck(in(h, host, 0xF0, 0x0101, 64), 0x05, 0x24, 0x00), 2, -1);
    assertFieldPointer(assertCheck(in(h, host, 0x00, 0x0002, 64), 0x05, 0x24, 0x00), 2, -1);
    SenseData length =
        assertCheck(
            h.run(host, new SecurityProtocolOut(0xF0, 0x0103, 4), new byte[0]), 0x05, 0x24, 0x00);
    assertFieldPointer(length, 6, -1);
    SenseData garbage =
        assertCheck(out(h, host, Operation.OPEN_PLAYBACK, new byte[] {0, 0}), 0x05, 0x26, 0x00);
    assertFalse(garbage.fieldPointer().inCdb());
  }

  @Test
  void pressedMediaHaveNoSecureArea(@TempDir Path other) {
    try (Harness mo = new Harness(other, "mo-640", TimingMode.FAST)) {
      Medium pressed = mo.create("PRESSED-1", "mo-640", BLOCK, 1000, true);
      mo.firmware.insert(pressed);
      Nexus n = mo.nexus();
      assertFieldPointer(assertCheck(in(mo, n, Operation.CHALLENGE), 0x05, 0x24, 0x00), 1, -1);
    }
  }

  // ------------------------------------------------------------------ PROVISION

  @Test
  void provisionInstallsALicense() throws Exception {
    assertEquals(new LicenseStatus(0, List.of()), status(h, host));
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    assertEquals(
        new LicenseStatus(1, List.of(new LicenseStatus.Entry(CONTENT, "test licensor", 3))),
        status(h, host));
    assertGood(provision(h, host, medium.id(), "other-title", ProvisionRequest.UNLIMITED));
    LicenseStatus two = status(h, host);
    assertEquals(2, two.version());
    assertEquals(2, two.entries().size());
  }

  @Test
  void provisionRefusals() throws Exception {
    Certificate drive = certificate(h, host);
    // an uncertified licensor
    ProvisionRequest foreign =
        TestLicensor.uncertified("pirate")
            .provision(challenge(h, host), medium.id(), CONTENT, 1, contentKey, drive);
    assertRefused(out(h, host, Operation.PROVISION, foreign.encode()), Reason.CERTIFICATE);
    // a drive certificate presented as a licensor
    // a bad signature
    ProvisionRequest good =
        licensor.provision(challenge(h, host), medium.id(), CONTENT, 1, contentKey, drive);
    byte[] signature = good.signature();
    signature[5] ^= 1;
    assertRefused(
        out(h, host, Operation.PROVISION, good.withSignature(signature).encode()),
        Reason.SIGNATURE);
    // an altered field under a valid-looking signature
    byte[] tampered = good.encode();
    tampered[32 + 1 + medium.id().length() + 1 + CONTENT.length() + 3] ^= 1; // plays
    assertRefused(out(h, host, Operation.PROVISION, tampered), Reason.SIGNATURE);
    // accepted once, then a replay
    assertGood(out(h, host, Operation.PROVISION, good.encode()));
    assertRefused(out(h, host, Operation.PROVISION, good.encode()), Reason.REPLAY);
    // an unknown challenge
    ProvisionRequest unknown =
        licensor.provision(new byte[32], medium.id(), CONTENT, 1, contentKey, drive);
    assertRefused(out(h, host, Operation.PROVISION, unknown.encode()), Reason.REPLAY);
    // another medium
    ProvisionRequest other =
        licensor.provision(challenge(h, host), "MO-OTHER", CONTENT, 1, contentKey, drive);
    assertRefused(out(h, host, Operation.PROVISION, other.encode()), Reason.OTHER_MEDIUM);
    // sealed to another drive
    Certificate stranger = DriveKeys.enroll("SDDSTRANGER", authority).certificate();
    ProvisionRequest misdirected =
        licensor.provision(challenge(h, host), medium.id(), CONTENT, 1, contentKey, stranger);
    assertRefused(out(h, host, Operation.PROVISION, misdirected.encode()), Reason.INTEGRITY);
    // garbage
    SenseData parse =
        assertCheck(out(h, host, Operation.PROVISION, new byte[40]), 0x05, 0x26, 0x00);
    assertFalse(parse.fieldPointer().inCdb());
    // write protected
    h.firmware.setWriteProtected(true);
    ProvisionRequest protectedRequest =
        licensor.provision(challenge(h, host), medium.id(), CONTENT, 1, contentKey, drive);
    assertCheck(out(h, host, Operation.PROVISION, protectedRequest.encode()), 0x07, 0x27, 0x00);
    assertEquals(1, status(h, host).version(), "nothing was written by a refusal");
  }

  @Test
  void aLicensorRenewsItsOwnLicenseButCannotReplaceAnotherLicensors() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    TestLicensor rival = new TestLicensor(authority, "rival licensor");
    ProvisionRequest takeover =
        rival.provision(
            challenge(h, host), medium.id(), CONTENT, 99, contentKey, certificate(h, host));
    assertRefused(out(h, host, Operation.PROVISION, takeover.encode()), Reason.OTHER_LICENSOR);
    assertEquals(
        new LicenseStatus(1, List.of(new LicenseStatus.Entry(CONTENT, "test licensor", 3))),
        status(h, host),
        "the refused PROVISION changed nothing");
    // refused again, not as a replay: the refusal spent no challenge
    assertRefused(out(h, host, Operation.PROVISION, takeover.encode()), Reason.OTHER_LICENSOR);
    ProvisionRequest own =
        rival.provision(
            challenge(h, host), medium.id(), "rival-title", 1, contentKey, certificate(h, host));
    assertGood(out(h, host, Operation.PROVISION, own.encode()));
    // the first licensor renews its own
    assertGood(provision(h, host, medium.id(), CONTENT, 5));
    assertEquals(
        5,
        status(h, host).entries().stream()
            .filter(e -> e.contentId().equals(CONTENT))
            .findFirst()
            .orElseThrow()
            .playsLeft());
  }

  @Test
  void twoLicensorsOfTheSameNameAreTwoLicensors() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    // certified by the same authority under the same subject, with a key of its own
    TestLicensor namesake = new TestLicensor(authority, "test licensor");
    ProvisionRequest takeover =
        namesake.provision(
            challenge(h, host), medium.id(), CONTENT, 99, contentKey, certificate(h, host));
    assertRefused(out(h, host, Operation.PROVISION, takeover.encode()), Reason.OTHER_LICENSOR);
    LicenseStatus installed =
        new LicenseStatus(1, List.of(new LicenseStatus.Entry(CONTENT, "test licensor", 3)));
    assertEquals(installed, status(h, host), "the refused PROVISION changed nothing");
    // the licensor that installed it renews it
    assertGood(provision(h, host, medium.id(), CONTENT, 5));
    assertEquals(
        new LicenseStatus(2, List.of(new LicenseStatus.Entry(CONTENT, "test licensor", 5))),
        status(h, host));
    // and the namesake still cannot take it over
    ProvisionRequest again =
        namesake.provision(
            challenge(h, host), medium.id(), CONTENT, 99, contentKey, certificate(h, host));
    assertRefused(out(h, host, Operation.PROVISION, again.encode()), Reason.OTHER_LICENSOR);
  }

  @Test
  void aLicensorCertifiedAgainUnderAnotherNameRenewsItsOwnLicense() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    // the same role and key: the same licensor, whatever its certificate's subject
    TestLicensor renamed = licensor.renamed(authority, "test licensor, renamed");
    ProvisionRequest renewal =
        renamed.provision(
            challenge(h, host), medium.id(), CONTENT, 4, contentKey, certificate(h, host));
    assertGood(out(h, host, Operation.PROVISION, renewal.encode()));
    assertEquals(
        new LicenseStatus(
            2, List.of(new LicenseStatus.Entry(CONTENT, "test licensor, renamed", 4))),
        status(h, host),
        "LICENSE STATUS shows the subject of the certificate that last issued the license");
  }

  /**
   * A secure area that a drive wrote in license state format 1 (no licensor per license), sealed
   * here with the independently computed secure-area key of {@link KnownAnswers}: it reads, its
   * license plays, the write of that play stores format 2 with the licensor not recorded, and a
   * licensor may then take the license over, which records that licensor.
   */
  @Test
  void aFormat1SecureAreaStillReadsAndIsUpgradedByTheNextWrite(@TempDir Path other)
      throws Exception {
    Authority katAuthority = KnownAnswers.authority(other);
    DriveKeys katDrive = KnownAnswers.drive(other, katAuthority);
    try (Harness kat = new Harness(other, "mo-640", katDrive, DriveNv.inMemory())) {
      Medium m = kat.create(KnownAnswers.MEDIUM_ID, "mo-640");
      m.writeSecureArea(
          sealSecureArea(KnownAnswers.LICENSE_STATE_FORMAT_1, m.readSecureArea().length));
      kat.firmware.insert(m);
      Nexus n = kat.nexus();
      kat.clearUnitAttentions(n);
      String title = KnownAnswers.CONTENT_ID;
      assertEquals(
          new LicenseStatus(7, List.of(new LicenseStatus.Entry(title, "", 3))),
          status(kat, n),
          "format 1 reads, the licensor not recorded");

      byte[] plain = Harness.pattern(3000, 5);
      assertGood(
          kat.run(
              n,
              new Write10(20, 3),
              TestLicensor.title(title, KnownAnswers.CONTENT_KEY, plain, BLOCK)));
      assertGood(out(kat, n, Operation.OPEN_PLAYBACK, new OpenPlayback(title, 20).encode()));
      assertArrayEquals(
          plain, Arrays.copyOf(assertGood(kat.run(n, new Read10(21, 2))).data(), plain.length));
      // the play was written in format 2: KnownAnswers.LICENSE_STATE at version 8 with 2 plays
      byte[] expected = KnownAnswers.LICENSE_STATE.clone();
      ByteBuffer.wrap(expected).putInt(5, 8).putInt(expected.length - 4, 2);
      assertEquals(
          HexFormat.of().formatHex(expected),
          HexFormat.of().formatHex(openSecureArea(m.readSecureArea())));

      // a license whose licensor is not recorded may be taken over, and then records its licensor
      TestLicensor katLicensor = new TestLicensor(katAuthority, "kat licensor");
      ProvisionRequest takeover =
          katLicensor.provision(
              challenge(kat, n), m.id(), title, 1, KnownAnswers.CONTENT_KEY, certificate(kat, n));
      assertGood(out(kat, n, Operation.PROVISION, takeover.encode()));
      assertEquals(
          new LicenseStatus(9, List.of(new LicenseStatus.Entry(title, "kat licensor", 1))),
          status(kat, n));
      TestLicensor namesake = new TestLicensor(katAuthority, "kat licensor");
      ProvisionRequest second =
          namesake.provision(
              challenge(kat, n), m.id(), title, 9, KnownAnswers.CONTENT_KEY, certificate(kat, n));
      assertRefused(out(kat, n, Operation.PROVISION, second.encode()), Reason.OTHER_LICENSOR);
      kat.firmware.remove(true);
    }
  }

  /** SDSA format 1 around {@code state}: nonce A1 x 12, AAD = the 9 header bytes | str8 ID. */
  private static byte[] sealSecureArea(byte[] state, int size) throws Exception {
    byte[] nonce = new byte[12];
    Arrays.fill(nonce, (byte) 0xA1);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(KnownAnswers.SECURE_AREA_KEY, "AES"),
        new GCMParameterSpec(128, nonce));
    ByteBuffer area = ByteBuffer.allocate(size);
    area.put("SDSA".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .putInt(12 + state.length + 16);
    gcm.updateAAD(Arrays.copyOf(area.array(), 9));
    gcm.updateAAD(str8(KnownAnswers.MEDIUM_ID));
    area.put(nonce).put(gcm.doFinal(state));
    return area.array();
  }

  private static byte[] openSecureArea(byte[] area) throws Exception {
    int length = ByteBuffer.wrap(area).getInt(5);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(KnownAnswers.SECURE_AREA_KEY, "AES"),
        new GCMParameterSpec(128, area, 9, 12));
    gcm.updateAAD(Arrays.copyOf(area, 9));
    gcm.updateAAD(str8(KnownAnswers.MEDIUM_ID));
    return gcm.doFinal(area, 9 + 12, length - 12);
  }

  private static byte[] str8(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[1 + bytes.length];
    out[0] = (byte) bytes.length;
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  @Test
  void aProvisionAfterTheSecureAreaIsErasedContinuesFromTheRecordedVersion() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] title = TestLicensor.title(CONTENT, contentKey, new byte[10], BLOCK);
    assertGood(h.run(host, new Write10(50, 2), title));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 50).encode()));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 50).encode()));
    byte[] backup = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    assertEquals(3, BackupBlob.decode(backup).licenseVersion());
    erase(h);
    assertEquals(0, status(h, host).version());
    assertGood(provision(h, host, medium.id(), "after-damage", 1));
    assertEquals(4, status(h, host).version(), "max(recorded 3) + 1, not 1");
    // so the older backup, although of a higher version than 1, cannot replace the new license
    assertGood(provision(h, host, medium.id(), "after-damage-2", 1));
    Result stale = out(h, host, Operation.RESTORE, RestoreRequest.inline(backup).encode());
    assertRefused(stale, Reason.STALE);
    assertInformation(stale.sense(), 5);
    assertEquals(2, status(h, host).entries().size());
  }

  @Test
  void aProvisionRefusedForAnotherMediumCanBeSentAgainToThatMedium() throws Exception {
    Medium second = h.create("MO-SEC-2", "mo-640");
    ProvisionRequest forSecond =
        licensor.provision(
            challenge(h, host), "MO-SEC-2", CONTENT, 1, contentKey, certificate(h, host));
    assertRefused(out(h, host, Operation.PROVISION, forSecond.encode()), Reason.OTHER_MEDIUM);
    h.firmware.remove(true);
    h.firmware.insert(second);
    h.clearUnitAttentions(host);
    assertGood(out(h, host, Operation.PROVISION, forSecond.encode()));
    assertEquals(1, status(h, host).entries().size());
  }

  @Test
  void aLicensorCertificateWithABadNameIsAnInvalidParameterNotAHardwareError() throws Exception {
    byte[] zero = new byte[32];
    for (byte[] name : List.of(new byte[] {' '}, new byte[] {(byte) 0xC3, (byte) 0x28})) {
      byte[] certificate =
          java.nio.ByteBuffer.allocate(4 + 2 + 1 + name.length + 32 + 32 + 64)
              .put("SDCT".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
              .put((byte) 1)
              .put((byte) 2)
              .put((byte) name.length)
              .put(name)
              .put(zero)
              .put(zero)
              .put(new byte[64])
              .array();
      ProvisionRequest request =
          new ProvisionRequest(
              challenge(h, host),
              medium.id(),
              CONTENT,
              1,
              zero,
              new byte[48],
              certificate,
              new byte[64]);
      SenseData sense =
          assertCheck(out(h, host, Operation.PROVISION, request.encode()), 0x05, 0x26, 0x00);
      assertFalse(sense.fieldPointer().inCdb());
    }
    assertEquals(0, status(h, host).entries().size());
  }

  @Test
  void onlyTheSixteenNewestChallengesAreKept() throws Exception {
    Certificate drive = certificate(h, host);
    byte[] oldest = challenge(h, host);
    for (int i = 0; i < 16; i++) {
      challenge(h, host);
    }
    ProvisionRequest request =
        licensor.provision(oldest, medium.id(), CONTENT, 1, contentKey, drive);
    assertRefused(out(h, host, Operation.PROVISION, request.encode()), Reason.REPLAY);
  }

  // ------------------------------------------------------------------ playback

  @Test
  void playbackDecryptsInsideTheDriveAndConsumesPlays() throws Exception {
    byte[] plain = Harness.pattern(5 * BLOCK + 100, 7);
    byte[] title = TestLicensor.title(CONTENT, contentKey, plain, BLOCK);
    long header = 10;
    assertGood(h.run(host, new Write10(header, title.length / BLOCK), title));
    assertGood(provision(h, host, medium.id(), CONTENT, 2));
    byte[] open = new OpenPlayback(CONTENT, header).encode();
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, open));
    assertEquals(1, status(h, host).entries().get(0).playsLeft());
    assertEquals(2, status(h, host).version(), "a play rewrites the secure area, version + 1");

    byte[] whole = assertGood(h.run(host, new Read10(header + 1, 6))).data();
    assertArrayEquals(plain, Arrays.copyOf(whole, plain.length));
    // a read in the middle of the title starts the counter at the right offset
    byte[] middle = assertGood(h.run(host, new Read16(header + 3, 2))).data();
    assertArrayEquals(Arrays.copyOfRange(plain, 2 * BLOCK, 4 * BLOCK), middle);
    // straddling the header: the header block reads as it is
    byte[] straddle = assertGood(h.run(host, new Read10(header, 2))).data();
    assertArrayEquals(Arrays.copyOf(title, BLOCK), Arrays.copyOf(straddle, BLOCK));
    assertArrayEquals(Arrays.copyOf(plain, BLOCK), Arrays.copyOfRange(straddle, BLOCK, 2 * BLOCK));

    // another nexus sees ciphertext
    Nexus other = h.nexus();
    assertArrayEquals(
        Arrays.copyOfRange(title, BLOCK, 2 * BLOCK),
        assertGood(h.run(other, new Read10(header + 1, 1))).data());
    // CLOSE PLAYBACK: ciphertext again
    assertGood(out(h, host, Operation.CLOSE_PLAYBACK, new byte[0]));
    assertArrayEquals(
        Arrays.copyOfRange(title, BLOCK, 2 * BLOCK),
        assertGood(h.run(host, new Read10(header + 1, 1))).data());

    assertGood(out(h, host, Operation.OPEN_PLAYBACK, open));
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.EXHAUSTED);
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback("unknown", header).encode()),
        Reason.NO_LICENSE);
  }

  @Test
  void playbackRefusesATitleOfAnotherKeyAndWriteProtectedLimitedPlays() throws Exception {
    byte[] title = TestLicensor.title(CONTENT, new byte[32], new byte[100], BLOCK);
    assertGood(h.run(host, new Write10(20, 2), title));
    assertGood(provision(h, host, medium.id(), CONTENT, 5));
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 20).encode()),
        Reason.WRONG_KEY);
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 30).encode()),
        Reason.INTEGRITY);
    byte[] good = TestLicensor.title(CONTENT, contentKey, new byte[100], BLOCK);
    assertGood(h.run(host, new Write10(40, 2), good));
    h.firmware.setWriteProtected(true);
    assertCheck(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 40).encode()),
        0x07,
        0x27,
        0x00);
  }

  @Test
  void noLicenseOnAnEmptyOrErasedSecureArea() throws Exception {
    byte[] open = new OpenPlayback(CONTENT, 5).encode();
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.NO_LICENSE);
    assertRefused(
        out(h, host, Operation.BACKUP, BackupRequest.toHost(Binding.MEDIUM).encode()),
        Reason.NO_LICENSE);
    assertRefused(in(h, host, Operation.BACKUP_DATA), Reason.NOTHING_PENDING);
  }

  // ------------------------------------------------------------------ backup / restore

  @ParameterizedTest
  @EnumSource(
      value = Binding.class,
      names = {"MEDIUM", "MEDIUM_THEN_DEVICE", "DEVICE_THEN_MEDIUM"})
  void backupToTheHostAndRestoreAfterTheSecureAreaIsDestroyed(Binding binding) throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    byte[] blob = backupToHost(h, host, BackupRequest.toHost(binding));
    BackupBlob decoded = BackupBlob.decode(blob);
    assertEquals(binding, decoded.binding());
    assertEquals(medium.id(), decoded.mediumId());
    assertEquals(before.version(), decoded.licenseVersion());
    erase(h);
    assertEquals(0, status(h, host).entries().size());
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()));
    assertEquals(before, status(h, host));
    // restoring the same version again is allowed
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()));
    // a flipped bit anywhere in the layers
    byte[] flipped = blob.clone();
    flipped[blob.length - 20] ^= 0x10;
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(flipped).encode()), Reason.INTEGRITY);
  }

  @Test
  void backupToTheUserAreaAndRestoreFromIt() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    assertGood(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()));
    byte[] onMedium = assertGood(h.run(host, new Read10(100, 1))).data();
    assertEquals("SDLB", new String(onMedium, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    erase(h);
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()));
    assertEquals(before, status(h, host));
    SenseData range =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                BackupRequest.toUserArea(Binding.MEDIUM, medium.blockCount() - 1 + 1).encode()),
            0x05,
            0x21,
            0x00);
    assertEquals(0, range.commandSpecific());
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(200).encode()),
        Reason.INTEGRITY);
    h.firmware.setWriteProtected(true);
    assertCheck(
        out(h, host, Operation.BACKUP, BackupRequest.toUserArea(Binding.MEDIUM, 300).encode()),
        0x07,
        0x27,
        0x00);
    assertCheck(
        out(h, host, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()),
        0x07,
        0x27,
        0x00);
  }

  @Test
  void aRefusedBackupToTheUserAreaBurnsNoCounterAndWritesNothing() throws Exception {
    // 40 licenses make a blob of two blocks
    for (int i = 0; i < 40; i++) {
      assertGood(provision(h, host, medium.id(), "title-" + i, 1));
    }
    long counter = nv.counter();
    byte[] before = assertGood(h.run(host, new Read10(100, 2))).data();
    // a blob that does not fit before the end of the medium
    assertCheck(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM, medium.blockCount() - 1).encode()),
        0x05,
        0x21,
        0x00);
    assertEquals(counter, nv.counter(), "a BACKUP refused for its size burns no counter value");
    // a write fault on the blob's second block: refused as a WRITE would be, nothing written
    h.firmware.faults().addWriteError(101);
    SenseData fault =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()),
            0x03,
            0x0C,
            0x00);
    assertInformation(fault, 101);
    assertEquals(counter, nv.counter(), "a BACKUP refused for a write fault burns no counter");
    assertArrayEquals(before, assertGood(h.run(host, new Read10(100, 2))).data());
    // a fault on blocks the blob does not reach stops nothing
    assertGood(
        out(h, host, Operation.BACKUP, BackupRequest.toUserArea(Binding.MEDIUM, 102).encode()));
    assertEquals(counter + 1, nv.counter());
  }

  @Test
  void aStaleBackupIsRefusedWithTheRecordedVersion() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] old = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    byte[] title = TestLicensor.title(CONTENT, contentKey, new byte[10], BLOCK);
    assertGood(h.run(host, new Write10(50, 2), title));
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 50).encode()));
    byte[] newer = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    assertEquals(2, BackupBlob.decode(newer).licenseVersion());
    erase(h); // even with the secure area gone, the drive remembers version 2
    Result stale = out(h, host, Operation.RESTORE, RestoreRequest.inline(old).encode());
    assertRefused(stale, Reason.STALE);
    assertInformation(stale.sense(), 2);
    assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(newer).encode()));
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(old).encode()), Reason.STALE);
    assertEquals(2, status(h, host).entries().get(0).playsLeft());
  }

  @Test
  void aBlobOfAnotherMediumIsRefused() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] blob = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    Medium first = h.firmware.remove(true);
    assertEquals(medium, first);
    Medium second = h.create("MO-SEC-2", "mo-640");
    h.firmware.insert(second);
    h.clearUnitAttentions(host);
    assertRefused(
        out(h, host, Operation.RESTORE, RestoreRequest.inline(blob).encode()), Reason.OTHER_MEDIUM);
  }

  @Test
  void aWholeMediumCopiedToAnotherMediumAndDriveHoldsNoLicense() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    assertGood(
        out(
            h,
            host,
            Operation.BACKUP,
            BackupRequest.toUserArea(Binding.MEDIUM_THEN_DEVICE, 100).encode()));
    byte[] secure = medium.readSecureArea();
    byte[] user = new byte[101 * BLOCK];
    medium.read(0, java.nio.ByteBuffer.wrap(user));
    // the copy: same bytes, on a blank medium (its own medium ID), in another drive
    try (Harness other =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      Medium copy = other.insert("MO-COPY-1", "mo-640");
      copy.writeSecureArea(secure);
      copy.write(0, java.nio.ByteBuffer.wrap(user));
      Nexus n = other.nexus();
      assertEquals(0, status(other, n).entries().size(), "the copied secure area does not open");
      assertRefused(
          out(other, n, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 1).encode()),
          Reason.NO_LICENSE);
      assertRefused(
          out(other, n, Operation.RESTORE, RestoreRequest.fromUserArea(100).encode()),
          Reason.OTHER_MEDIUM);
    }
  }

  @Test
  void aDeviceBoundBackupRestoresOnlyInItsDrive() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    byte[] bound = backupToHost(h, host, BackupRequest.toHost(Binding.DEVICE_THEN_MEDIUM));
    byte[] plain = backupToHost(h, host, BackupRequest.toHost(Binding.MEDIUM));
    Medium moved = h.firmware.remove(true);
    try (Harness other =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      other.firmware.insert(moved);
      Nexus n = other.nexus();
      assertRefused(
          out(other, n, Operation.RESTORE, RestoreRequest.inline(bound).encode()),
          Reason.OTHER_DRIVE);
      // a medium-bound backup travels with the medium
      assertGood(out(other, n, Operation.RESTORE, RestoreRequest.inline(plain).encode()));
      other.firmware.remove(true);
    }
  }

  @Test
  void sealedBackupGoesThroughTheSecondDrive() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    LicenseStatus before = status(h, host);
    try (Harness second =
        new Harness(
            directory.resolve("b"),
            "mo-640",
            DriveKeys.enroll("SDDSEC0002", authority),
            DriveNv.inMemory())) {
      second.insert("MO-SECOND", "mo-640");
      Nexus n2 = second.nexus();
      Certificate secondCertificate = certificate(second, n2);
      Certificate firstCertificate = certificate(h, host);
      // FIG. 14: backup sealed to the second drive
      byte[] sealed = backupToHost(h, host, BackupRequest.sealedToHost(secondCertificate));
      assertEquals("SDDSEC0002", BackupBlob.decode(sealed).deviceId());
      // the first drive cannot restore a blob sealed to the second
      erase(h);
      assertRefused(
          out(h, host, Operation.RESTORE, RestoreRequest.inline(sealed).encode()),
          Reason.OTHER_DRIVE);
      // the second drive stores it on the second medium's user area (the host writes it)
      byte[] padded = Arrays.copyOf(sealed, ((sealed.length + BLOCK - 1) / BLOCK) * BLOCK);
      assertGood(second.run(n2, new Write10(7, padded.length / BLOCK), padded));
      // FIG. 15: the second drive removes its layer and seals to the first drive
      assertGood(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.USER_AREA, 7, new byte[0], firstCertificate.encode())
                  .encode()));
      byte[] resealed =
          BackupData.decode(assertGood(in(second, n2, Operation.BACKUP_DATA)).data()).blob();
      assertEquals("SDDSEC0001", BackupBlob.decode(resealed).deviceId());
      // the second drive cannot reseal what is no longer sealed to it
      assertRefused(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.INLINE, 0, resealed, firstCertificate.encode())
                  .encode()),
          Reason.OTHER_DRIVE);
      // a recipient certificate of another authority
      Certificate foreign =
          Authority.create()
              .certify(
                  Certificate.unsigned(Certificate.Role.DRIVE, "X1", new byte[32], new byte[32]));
      assertRefused(
          out(
              second,
              n2,
              Operation.RESEAL,
              new ResealRequest(BlobSource.INLINE, 0, sealed, foreign.encode()).encode()),
          Reason.CERTIFICATE);
      // the first drive restores
      assertGood(out(h, host, Operation.RESTORE, RestoreRequest.inline(resealed).encode()));
      assertEquals(before, status(h, host));
    }
  }

  @Test
  void backupSealedToAnUncertifiedDriveIsRefused() throws Exception {
    assertGood(provision(h, host, medium.id(), CONTENT, 3));
    Certificate forged =
        Authority.create().certify(DriveKeys.enroll("SDDX", Authority.create()).certificate());
    assertRefused(
        out(h, host, Operation.BACKUP, BackupRequest.sealedToHost(forged).encode()),
        Reason.CERTIFICATE);
    Certificate licensorCertificate = licensor.certificate();
    SenseData wrongRole =
        assertCheck(
            out(
                h,
                host,
                Operation.BACKUP,
                new BackupRequest(
                        Binding.SEALED, BackupRequest.Target.HOST, 0, licensorCertificate.encode())
                    .encode()),
            0x05,
            0x6F,
            0x00);
    assertEquals(Reason.CERTIFICATE.code(), wrongRole.commandSpecific());
  }
}
