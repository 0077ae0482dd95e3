package dev.secdrive.kit.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESWrapPadEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES key wrap with padding (RFC 5649) from Bouncy Castle: a key under a key-encryption key, with
 * an integrity check and no nonce, so the same key wraps to the same bytes.
 */
public final class AesKeyWrap {

  private AesKeyWrap() {}

  public static byte[] wrap(byte[] kek, byte[] key) {
    AESWrapPadEngine engine = new AESWrapPadEngine();
    engine.init(true, new KeyParameter(kek));
    return engine.wrap(key, 0, key.length);
  }

  /**
   * @throws AuthenticationException if {@code wrapped} was not wrapped under {@code kek}
   */
  public static byte[] unwrap(byte[] kek, byte[] wrapped) throws AuthenticationException {
    AESWrapPadEngine engine = new AESWrapPadEngine();
    engine.init(false, new KeyParameter(kek));
    try {
      return engine.unwrap(wrapped, 0, wrapped.length);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new AuthenticationException("wrapped key does not unwrap");
    }
  }
}
