package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/** F0h CHALLENGE data-in: a 32-byte single-use nonce the drive will accept once. */
public record Challenge(byte[] nonce) {

  public static final int NONCE_LENGTH = 32;

  public Challenge {
    nonce = Fields.checkLength("nonce", nonce, NONCE_LENGTH).clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  public byte[] encode() {
    return AvailableLength.wrap(nonce);
  }

  public static Challenge decode(byte[] in) throws ParameterException {
    byte[] body = AvailableLength.unwrap(in, "challenge");
    if (body.length != NONCE_LENGTH) {
      throw new ParameterException(
          Kind.LENGTH, "challenge is " + body.length + " bytes, not 32", 0);
    }
    return new Challenge(body);
  }
}
