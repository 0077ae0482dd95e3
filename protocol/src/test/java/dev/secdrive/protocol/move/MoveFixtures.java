package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;

/** Fixed keys and values for the content move's records: every vector is reproducible. */
final class MoveFixtures {

  static final RawKeyPair AUTHORITY = ed(0x01);
  static final RawKeyPair DISTRIBUTOR_KEY = ed(0x21);
  static final RawKeyPair CLIENT_KEY = ed(0x41);
  static final RawKeyPair DRIVE_X = x(0x61);
  static final RawKeyPair EPHEMERAL = x(0x81);
  static final Certificate DISTRIBUTOR = distributor("Distributor A", DISTRIBUTOR_KEY);

  static final byte[] LICENSE_SERIAL = filled(16, 0xA0);
  static final byte[] CERTIFICATE_SERIAL = filled(16, 0xB0);
  static final byte[] KC = filled(32, 0xC0);
  static final byte[] KR = filled(32, 0xE0);
  static final byte[] NONCE = filled(8, 0x10);

  static final UseConditions CONDITIONS =
      new UseConditions(1_700_000_000L, 1_800_000_000L, 3, 2, 1);

  private MoveFixtures() {}

  static byte[] filled(int n, int from) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  static RawKeyPair ed(int from) {
    byte[] seed = filled(32, from);
    return new RawKeyPair(seed, Ed25519.publicKey(seed));
  }

  static RawKeyPair x(int from) {
    byte[] scalar = filled(32, from);
    return new RawKeyPair(scalar, X25519.publicKey(scalar));
  }

  static Certificate distributor(String name, RawKeyPair key) {
    Certificate unsigned =
        Certificate.unsigned(Certificate.Role.DISTRIBUTOR, name, new byte[32], key.publicKey());
    return unsigned.withSignature(Ed25519.sign(AUTHORITY.privateKey(), unsigned.signedBytes()));
  }

  static License license(long leaf) {
    return License.sign(
        LICENSE_SERIAL, "lic-1", "song-1", leaf, CONDITIONS, DISTRIBUTOR, DISTRIBUTOR_KEY);
  }

  static ContentsCopyCertificate certificate() {
    License forB =
        License.sign(
            filled(16, 0xD0),
            "lic-1",
            "song-1",
            9,
            CERTIFICATE_SERIAL,
            new UseConditions(1_700_000_000L, UseConditions.NO_END, UseConditions.UNLIMITED, 0, 0),
            DISTRIBUTOR,
            DISTRIBUTOR_KEY);
    return ContentsCopyCertificate.sign(
        CERTIFICATE_SERIAL, "song-1", 5, 9, forB, DISTRIBUTOR, DISTRIBUTOR_KEY);
  }

  static ServiceData serviceData() throws Exception {
    return ServiceData.seal(
        EPHEMERAL,
        "Distributor A",
        "client-a",
        "drive-0001",
        5,
        4,
        CLIENT_KEY.publicKey(),
        new ServiceData.Secrets(CLIENT_KEY.privateKey(), filled(12, 0x30)),
        DRIVE_X.publicKey(),
        DISTRIBUTOR,
        DISTRIBUTOR_KEY);
  }

  static ContentPackage.Header header() {
    return ContentPackage.Header.create(
        "song-1", "audio/wav", "lic-1", "Distributor A", 40, NONCE, filled(6, 0x50), KC, KR);
  }
}
