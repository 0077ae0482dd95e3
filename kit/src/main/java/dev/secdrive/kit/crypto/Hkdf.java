package dev.secdrive.kit.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF with HMAC-SHA256 (RFC 5869), extract and expand in one call. */
public final class Hkdf {

  private Hkdf() {}

  /**
   * RFC 5869 HKDF-SHA256: {@code length} bytes of output keying material from {@code ikm}; an empty
   * {@code salt} means HashLen zero bytes (RFC 5869 2.2).
   */
  public static byte[] sha256(byte[] salt, byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, salt, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }
}
