package dev.secdrive.host.flow;

import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.Sealing;

/**
 * The licensor side's KDF of secdrive's key hierarchy (PROTOCOL.md "Keys"): the labels of {@link
 * KeyLabels} over the kit's HKDF. The primitives are in {@code dev.secdrive.kit.crypto}.
 */
final class Crypto {

  /** Every key of the hierarchy, and every KDF output, is 32 bytes. */
  static final int KEY_LENGTH = 32;

  private Crypto() {}

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info. */
  static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return Sealing.kdf(ikm, label, context);
  }
}
