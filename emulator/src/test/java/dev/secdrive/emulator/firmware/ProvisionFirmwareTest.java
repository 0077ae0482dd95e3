package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertInformation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.KnownAnswers;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.RestoreRequest;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CHALLENGE, PROVISION and LICENSE STATUS and every refusal of theirs, through the firmware. */
class ProvisionFirmwareTest extends SecureLayerFixture {

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
      // secure.bin as drives left it before media kept a write counter: the area alone
      java.nio.file.Files.write(
          kat.store.directory().resolve(m.id()).resolve("secure.bin"),
          sealSecureArea(KnownAnswers.LICENSE_STATE_FORMAT_1, m.readSecureArea().length));
      assertEquals(0, m.secureAreaWriteCounter());
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

  /** Opens an SDSA format 2 area: magic, format, u64, str8 device ID, u64, u32 n, the layer. */
  private static byte[] openSecureArea(byte[] area) throws Exception {
    assertEquals(2, area[4], "written in format 2");
    int header = 14 + area[13] + 8 + 4;
    int length = ByteBuffer.wrap(area).getInt(header - 4);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(KnownAnswers.SECURE_AREA_KEY, "AES"),
        new GCMParameterSpec(128, area, header, 12));
    gcm.updateAAD(Arrays.copyOf(area, header));
    gcm.updateAAD(str8(KnownAnswers.MEDIUM_ID));
    return gcm.doFinal(area, header + 12, length - 12);
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
  void aChallengeIsKeptPerNexusSoAnotherNexusCanNeitherEvictNorSpendIt() throws Exception {
    Certificate drive = certificate(h, host);
    Nexus other = h.nexus();
    byte[] mine = challenge(h, host);
    for (int i = 0; i < 2 * SecureLayer.OUTSTANDING_CHALLENGES; i++) {
      challenge(h, other);
    }
    ProvisionRequest request = licensor.provision(mine, medium.id(), CONTENT, 1, contentKey, drive);
    assertRefused(out(h, other, Operation.PROVISION, request.encode()), Reason.REPLAY);
    assertGood(out(h, host, Operation.PROVISION, request.encode()));
    assertEquals(1, status(h, host).entries().size());
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
}
