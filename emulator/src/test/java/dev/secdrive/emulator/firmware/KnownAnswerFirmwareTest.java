package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.KnownAnswers;
import dev.secdrive.emulator.secure.LicenseState;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ProvisionRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drive's secure layer against the independently computed values of {@link KnownAnswers}, end
 * to end through the firmware: a PROVISION sealed with the independent provision key (not with the
 * drive's code) is accepted, the secure area it writes peels with the independent secure-area key
 * and holds the independently wrapped content key, and a title whose header and data were built
 * from the independent vectors plays back as its plaintext. The host driver's KnownAnswerTest pins
 * the same values on the licensor side, so host and drive agree.
 */
class KnownAnswerFirmwareTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final int BLOCK = 2048;
  private static final long HEADER_LBA = 10;

  @TempDir Path directory;

  @Test
  void provisionAndPlaybackAgreeWithTheIndependentVectors() throws Exception {
    Authority authority = KnownAnswers.authority(directory);
    DriveKeys keys = KnownAnswers.drive(directory, authority);
    TestLicensor licensor = new TestLicensor(authority, "kat licensor");
    try (Harness h = new Harness(directory, "mo-640", keys, DriveNv.inMemory())) {
      Medium medium = h.insert(KnownAnswers.MEDIUM_ID, "mo-640");
      Nexus host = h.nexus();

      // PROVISION: the drive's challenge is fresh, so the seal is made here with the pinned key.
      byte[] challenge =
          Challenge.decode(assertGood(SecureLayerFixture.in(h, host, Operation.CHALLENGE)).data())
              .nonce();
      byte[] aad =
          ProvisionRequest.sealedKeyAad(challenge, KnownAnswers.MEDIUM_ID, KnownAnswers.CONTENT_ID);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(KnownAnswers.PROVISION_KEY, "AES"),
          new GCMParameterSpec(128, new byte[12]));
      gcm.updateAAD(aad);
      byte[] sealed = gcm.doFinal(KnownAnswers.CONTENT_KEY);
      ProvisionRequest request =
          licensor.sign(
              new ProvisionRequest(
                  challenge,
                  KnownAnswers.MEDIUM_ID,
                  KnownAnswers.CONTENT_ID,
                  3,
                  KnownAnswers.PROVISION_EPHEMERAL_PUBLIC,
                  sealed,
                  licensor.certificate().encode(),
                  new byte[64]));
      assertGood(SecureLayerFixture.out(h, host, Operation.PROVISION, request.encode()));

      // The secure area: SDSA ‖ 02 ‖ u64 medium write ‖ str8 device ID ‖ u64 drive counter ‖ u32 n
      // ‖ nonce ‖ ciphertext ‖ tag, AAD = the header ‖ str8 medium ID.
      byte[] area = medium.readSecureArea();
      ByteBuffer fields = ByteBuffer.wrap(area);
      assertEquals(2, area[4], "format");
      assertEquals(medium.secureAreaWriteCounter(), fields.getLong(5), "the medium's write");
      int device = area[13];
      assertEquals(KnownAnswers.DEVICE_ID, new String(area, 14, device, StandardCharsets.US_ASCII));
      int header = 14 + device + 8 + 4;
      int length = fields.getInt(header - 4);
      byte[] id = KnownAnswers.MEDIUM_ID.getBytes(StandardCharsets.US_ASCII);
      byte[] areaAad = Arrays.copyOf(area, header + 1 + id.length);
      areaAad[header] = (byte) id.length;
      System.arraycopy(id, 0, areaAad, header + 1, id.length);
      Cipher open = Cipher.getInstance("AES/GCM/NoPadding");
      open.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(KnownAnswers.SECURE_AREA_KEY, "AES"),
          new GCMParameterSpec(128, area, header, 12));
      open.updateAAD(areaAad);
      LicenseState state = LicenseState.decode(open.doFinal(area, header + 12, length - 12));
      LicenseState.License license = state.find(KnownAnswers.CONTENT_ID).orElseThrow();
      assertEquals(
          HEX.formatHex(KnownAnswers.WRAPPED_CONTENT_KEY),
          HEX.formatHex(license.wrappedKey()),
          "content key wrapped under KDF(Km, content-key)");
      assertEquals(3, license.playsLeft());

      // A title made of the pinned header and AES-256-CTR data.
      byte[] plain = KnownAnswers.titlePlaintext((int) KnownAnswers.TITLE_LENGTH);
      Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
      ctr.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(KnownAnswers.CONTENT_KEY, "AES"),
          new IvParameterSpec(Arrays.copyOf(KnownAnswers.TITLE_NONCE, 16)));
      byte[] data = ctr.doFinal(Arrays.copyOf(plain, 3 * BLOCK));
      assertArrayEquals(KnownAnswers.TITLE_CIPHERTEXT_START, Arrays.copyOf(data, 32));
      byte[] title = new byte[4 * BLOCK];
      System.arraycopy(KnownAnswers.TITLE_HEADER, 0, title, 0, KnownAnswers.TITLE_HEADER.length);
      System.arraycopy(data, 0, title, BLOCK, data.length);
      assertGood(h.run(host, new Write10(HEADER_LBA, 4), title));

      byte[] openPlayback = new OpenPlayback(KnownAnswers.CONTENT_ID, HEADER_LBA).encode();
      assertGood(SecureLayerFixture.out(h, host, Operation.OPEN_PLAYBACK, openPlayback));
      byte[] read = assertGood(h.run(host, new Read10(HEADER_LBA + 1, 3))).data();
      assertArrayEquals(plain, Arrays.copyOf(read, plain.length), "decrypted in the drive");
    }
  }
}
