package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 (RFC 2104) from the JCA. */
public final class Hmac {

  private Hmac() {}

  public static byte[] sha256(byte[] key, byte[] data) {
    return sha256(key).doFinal(data);
  }

  /** An HMAC-SHA256 under {@code key} to feed data in any pieces. */
  public static Mac sha256(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of Java 17", e);
    }
  }
}
