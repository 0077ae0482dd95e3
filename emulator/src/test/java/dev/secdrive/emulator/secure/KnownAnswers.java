package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Fixed inputs and the outputs an independent implementation computed from PROTOCOL.md "Keys",
 * "Backup blobs", "Titles" and the PROVISION parameter list: Python 3 with {@code hashlib} / {@code
 * hmac} (HKDF-SHA256 per RFC 5869, written out, empty salt, info = 01h ‖ label ‖ 00h ‖ context) and
 * {@code cryptography} 48 (X25519, AES-256-GCM, AES-KWP per RFC 5649, AES-256-CTR). None of these
 * values came from running secdrive's code; the host driver's tests pin the same values.
 *
 * <p>The inputs are byte ramps so that anyone can recompute them: system secret 00..1F, device
 * secret 20..3F, backup ephemeral X25519 key 40..5F, the drive's X25519 key 60..7F, content key
 * A0..BF, the licensor's PROVISION ephemeral key 11..30, challenge C0..DF.
 */
public final class KnownAnswers {

  private static final HexFormat HEX = HexFormat.of();

  public static final String MEDIUM_ID = "MO-KAT-1";
  public static final String DEVICE_ID = "SDDKAT";
  public static final String CONTENT_ID = "kat-title";

  public static final byte[] SYSTEM_SECRET = ramp(0x00);
  public static final byte[] DEVICE_SECRET = ramp(0x20);
  public static final byte[] BACKUP_EPHEMERAL = ramp(0x40);
  public static final byte[] DRIVE_X25519 = ramp(0x60);
  public static final byte[] CONTENT_KEY = ramp(0xA0);
  public static final byte[] PROVISION_EPHEMERAL = ramp(0x11);
  public static final byte[] CHALLENGE = ramp(0xC0);

  /** Not pinned by any vector (Ed25519 keys only sign); fixed so the drive is reproducible. */
  static final byte[] DRIVE_ED25519 = ramp(0xE0);

  static final byte[] AUTHORITY_SIGNING_KEY = ramp(0x80);

  // ---------------------------------------------------------------- key derivations

  /** KDF(system secret, "medium", "MO-KAT-1"). */
  public static final byte[] KM =
      hex("badd8c5f9c40fae1411d4272b7ba5410b4b846ab5cb79f646756fbd61868f8c8");

  /** KDF(Km, "secure-area", ""). */
  public static final byte[] SECURE_AREA_KEY =
      hex("dd597b64b1ed0a77c54b54c3b3ddc39b786555104119067b82ff8ea348ea8a02");

  /** KDF(Km, "content-key", ""). */
  public static final byte[] CONTENT_KEY_WRAP_KEY =
      hex("5c48c3169b41a53bad39b713a52c1ed1a00cf53e887f18843b13a0ae77802d5e");

  /** KDF(Km, "backup-medium", ""). */
  public static final byte[] BACKUP_MEDIUM_KEY =
      hex("77c989a2d231d02d6f68fbfbcccdb48f01d0e5e127df5adce2d1ea02292b0f76");

  /** KDF(device secret, "backup-device", "MO-KAT-1"). */
  public static final byte[] BACKUP_DEVICE_KEY =
      hex("3eb62feb236392479ed95187acc844ce6f8344940a294c3704129be05fc136b7");

  /** X25519(60..7F, base point). */
  public static final byte[] DRIVE_X25519_PUBLIC =
      hex("675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f");

  /** X25519(40..5F, base point). */
  public static final byte[] BACKUP_EPHEMERAL_PUBLIC =
      hex("79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a");

  /** X25519(40..5F, drive public). */
  public static final byte[] BACKUP_SHARED =
      hex("d6fb939511b2381bc8599b4b8edc5968829450dfd7a87aebe78a703cd04cd54e");

  /** KDF(shared, "backup-seal", ephemeral public ‖ drive public). */
  public static final byte[] BACKUP_SEAL_KEY =
      hex("24149904afeb38e16f4e286183b1145db8a2189c2bd1b725bd53a7fac7535f71");

  /** AES-KWP(content-key wrap key, content key). */
  public static final byte[] WRAPPED_CONTENT_KEY =
      hex("247314b2b6c6c1bbe7c033f2d57c3d4bb8b2adbdb95d495bcb6c810f84d684809dbe69b6c076c654");

  // ---------------------------------------------------------------- sealed structures

  /**
   * SDLS format 2, license version 7, one license: "kat-title", no licensor recorded (an empty
   * subject and role 0, so no key), the wrapped content key, 3 plays.
   */
  public static final byte[] LICENSE_STATE =
      hex(
          "53444c5302000000070001096b61742d7469746c65000028247314b2b6c6c1bbe7c033f2d57c3d4bb8b2ad"
              + "bdb95d495bcb6c810f84d684809dbe69b6c076c65400000003");

  /** {@link #LICENSE_STATE} in format 1, as drives wrote it before licenses named licensors. */
  public static final byte[] LICENSE_STATE_FORMAT_1 =
      hex(
          "53444c5301000000070001096b61742d7469746c6528247314b2b6c6c1bbe7c033f2d57c3d4bb8b2adbdb9"
              + "5d495bcb6c810f84d684809dbe69b6c076c65400000003");

  /**
   * The secure area holding {@link #LICENSE_STATE}, format 2: sealed at medium write 5 by SDDKAT at
   * its counter 42, nonce A1 x 12 (unpadded).
   */
  public static final byte[] SECURE_AREA =
      hex(
          "53445341020000000000000005065344444b4154000000000000002a00000060a1a1a1a1a1a1a1a1a1a1a1"
              + "a1760bbf57bee4779897789c868c5fff4108cc21997f133afa7850c5fc9d9b8d696dc45a9e03474b094cd6"
              + "4aea85067861e3ba9eaa1f126653899011c697f651251d6b88efef9333601b90f9d85c0f680be7b41c56");

  /**
   * The secure area holding {@link #LICENSE_STATE}, nonce A1 x 12 (unpadded), format 1, as drives
   * wrote it before the medium write counter.
   */
  public static final byte[] SECURE_AREA_FORMAT_1 =
      hex(
          "534453410100000060a1a1a1a1a1a1a1a1a1a1a1a1760bbf57bee4779897789c868c5fff4108cc21997f13"
              + "3afa7850c5fc9d9b8d696dc45a9e03474b094cd64aea85067861e3ba9eaa1f126653899011c697f651251d"
              + "6b88efec3ab9cdd3a2b0d3df2de55b262b19ee");

  /**
   * Backup blobs of {@link #LICENSE_STATE} for "MO-KAT-1", format 2, medium write 5, counter 42, by
   * binding code: inner layer nonce B1 x 12, outer layer nonce B2 x 12; bindings 1 and 2 bound to
   * SDDKAT, binding 3 sealed to SDDKAT with the backup ephemeral key.
   */
  public static final byte[][] BLOBS = {
    hex(
        "53444c4202000000084d4f2d4b41542d31000000070000000000000005000000000000002a0000000060b1"
            + "b1b1b1b1b1b1b1b1b1b1b110c9a929e512de77202002957fd572ca1cf56cd75383a2cccea9ec09c920a42b"
            + "d2947d29bf279a7ef59551c4937eed245338b2aa498dd90e62fed1f19f2f78e65b1ea2b2a9334c64805f43"
            + "fffe944579ea7909a4"),
    hex(
        "53444c4202010000084d4f2d4b41542d31000000070000000000000005000000000000002a065344444b41"
            + "540000007cb2b2b2b2b2b2b2b2b2b2b2b29a8d3e9341787e3b06b1d335acebf229c8245a8888dcaa2fe929"
            + "88439dd46bbbce2bfa462ce8194e0e1f74096ce20b93dbf30361c578aee6dd5647fbfa9938f603f0dbe9b3"
            + "ad40f69df46bb774179f07521e9f3444824c62ba252ab4ed355a4af976274c9ead6ed47a2f489f62540f71"),
    hex(
        "53444c4202020000084d4f2d4b41542d31000000070000000000000005000000000000002a065344444b41"
            + "540000007cb2b2b2b2b2b2b2b2b2b2b2b2577b20e1cc27ae7938a3684ea3f411808cb2e7809c77c9817288"
            + "46b0dfe4cae6f94fa13f642f9c63ec8d44d77e9f861bbac543d32e3b8887846a58d8cbb859b4d14fe5d054"
            + "90cb19185bf81242d8b810e25148c57f5a476c79b6d084c9e41e02af1e70cede11e9bae96d868adadade27"),
    hex(
        "53444c4202030000084d4f2d4b41542d31000000070000000000000005000000000000002a065344444b41"
            + "5479a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a0000007cb2b2b2b2b2b2"
            + "b2b2b2b2b2b26de6870e049783611bb96ca7eee5341186295aa90ce6deab353cdcf40d273b177db8e3004c"
            + "cc421813e877870aecc97790ff89c852b576496d399e9a93bdd3a5478aa6ed6896f96139ba26780188b911"
            + "abbc2636911712d117c4280fc09560f29e0037a8be0305d6d062f458a9deea66"),
  };

  /**
   * Backup blobs of {@link #LICENSE_STATE} for "MO-KAT-1", format 1 (no medium write counter),
   * counter 42, by binding code: inner layer nonce B1 x 12, outer layer nonce B2 x 12; bindings 1
   * and 2 bound to SDDKAT, binding 3 sealed to SDDKAT with the backup ephemeral key.
   */
  public static final byte[][] BLOBS_FORMAT_1 = {
    hex(
        "53444c4201000000084d4f2d4b41542d3100000007000000000000002a0000000060b1b1b1b1b1b1b1b1b1"
            + "b1b1b110c9a929e512de77202002957fd572ca1cf56cd75383a2cccea9ec09c920a42bd2947d29bf279a7e"
            + "f59551c4937eed245338b2aa498dd90e62fed1f19f2f78e65b1ea2b2d3c1feea915a876380ab8264068497"
            + "a8"),
    hex(
        "53444c4201010000084d4f2d4b41542d3100000007000000000000002a065344444b41540000007cb2b2b2"
            + "b2b2b2b2b2b2b2b2b29a8d3e9341787e3b06b1d335acebf229c8245a8888dcaa2fe92988439dd46bbbce2b"
            + "fa462ce8194e0e1f74096ce20b93dbf30361c578aee6dd5647fbfa9938f603f0dbe9b3ad40f69df46bb774"
            + "179f070763782c04f067b5e6c60f44c87a8ba34a21f9676c3592b9f363759c709bdbbb"),
    hex(
        "53444c4201020000084d4f2d4b41542d3100000007000000000000002a065344444b41540000007cb2b2b2"
            + "b2b2b2b2b2b2b2b2b2577b20e1cc27ae7938a3684ea3f411808cb2e7809c77c981728846b0dfe4cae6f94f"
            + "a13f642f9c63ec8d44d77e9f861bbac543d32e3b8887846a58d8cbb859b4d14fe5d05490cb19185bf81242"
            + "d8b8107c5387b956f24c3c294ffcacab729aa14fa443b22ce42fe9dd23f0bb72078f7d"),
    hex(
        "53444c4201030000084d4f2d4b41542d3100000007000000000000002a065344444b415479a631eede1bf9"
            + "c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a0000007cb2b2b2b2b2b2b2b2b2b2b2b26de6"
            + "870e049783611bb96ca7eee5341186295aa90ce6deab353cdcf40d273b177db8e3004ccc421813e877870a"
            + "ecc97790ff89c852b576496d399e9a93bdd3a5478aa6ed6896f96139ba26780188b911d14e94b88012d64d"
            + "69fbef122c68fefe36a7ea7f664eb2dfa3aa2b1ad38f65a6"),
  };

  // ---------------------------------------------------------------- PROVISION and titles

  /** X25519(11..30, base point). */
  public static final byte[] PROVISION_EPHEMERAL_PUBLIC =
      hex("4d27bcee3135c4944b28d27dd809b07be10c35160d20131caa7e85575498d07c");

  /** KDF(X25519(11..30, drive public), "provision", ephemeral public ‖ drive public). */
  public static final byte[] PROVISION_KEY =
      hex("e44e9ac98c920f92c18561a5da074b83a83d9e8831e8325a913bd7e7f0588762");

  /**
   * The content key sealed: AES-256-GCM under the provision key, zero nonce, AAD = challenge ‖ str8
   * "MO-KAT-1" ‖ str8 "kat-title".
   */
  public static final byte[] SEALED_CONTENT_KEY =
      hex(
          "7312cbf95ff2df577cbe3f1b5eb754c265e2094b0c1498e240eea879cb3bacda07c6607a8cfb08b06fd17e40"
              + "92aa1efc");

  /** KDF(content key, "title-check", ""). */
  public static final byte[] TITLE_CHECK_KEY =
      hex("7a6d2692f001c168232a37ef345f9d42126000265503df54abe03b683e235428");

  /** The title header (before its zero padding): "kat-title", nonce 01..08, 5000 bytes. */
  public static final byte[] TITLE_HEADER =
      hex(
          "5344544901096b61742d7469746c65010203040506070800000000000013885f147292c2ba91f5ad70526d1feb3945");

  public static final byte[] TITLE_NONCE = {1, 2, 3, 4, 5, 6, 7, 8};
  public static final long TITLE_LENGTH = 5000;

  /** The first 32 bytes of AES-256-CTR(content key, nonce ‖ 0) over bytes i % 251. */
  public static final byte[] TITLE_CIPHERTEXT_START =
      hex("03eb5277f2bf769622389ae4c549d8a5d9ee7ff43daf6c1aed0debbe968faf8d");

  private KnownAnswers() {}

  /** The plaintext the title ciphertext vector encrypts: byte i is i % 251. */
  public static byte[] titlePlaintext(int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (i % 251);
    }
    return out;
  }

  /** An authority whose system secret is {@link #SYSTEM_SECRET}, stored in and loaded from dir. */
  public static Authority authority(Path dir) {
    Path file = dir.resolve("kat-authority.json");
    try {
      KeyFiles.write(
          file,
          new Authority.Stored(
              1,
              HEX.formatHex(SYSTEM_SECRET),
              HEX.formatHex(AUTHORITY_SIGNING_KEY),
              HEX.formatHex(Ed25519.publicKey(AUTHORITY_SIGNING_KEY))),
          dev.secdrive.emulator.media.WriteSteps.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Authority.load(file);
  }

  /** Drive SDDKAT with {@link #DEVICE_SECRET} and {@link #DRIVE_X25519}, loaded from dir. */
  public static DriveKeys drive(Path dir, Authority authority) {
    Certificate certificate =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.DRIVE,
                DEVICE_ID,
                X25519.publicKey(DRIVE_X25519),
                Ed25519.publicKey(DRIVE_ED25519)));
    DriveKeys.Stored stored = new DriveKeys.Stored();
    stored.format = DriveKeys.FORMAT;
    stored.deviceId = DEVICE_ID;
    stored.deviceSecret = HEX.formatHex(DEVICE_SECRET);
    stored.x25519PrivateKey = HEX.formatHex(DRIVE_X25519);
    stored.ed25519PrivateKey = HEX.formatHex(DRIVE_ED25519);
    stored.certificate = HEX.formatHex(certificate.encode());
    stored.systemSecret = HEX.formatHex(authority.systemSecret());
    stored.authorityPublicKey = HEX.formatHex(authority.publicKey());
    Path file = dir.resolve("kat-drive.json");
    try {
      KeyFiles.write(file, stored, dev.secdrive.emulator.media.WriteSteps.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return DriveKeys.load(file, DEVICE_ID);
  }

  private static byte[] ramp(int first) {
    byte[] out = new byte[32];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }

  private static byte[] hex(String hex) {
    return HEX.parseHex(hex);
  }
}
