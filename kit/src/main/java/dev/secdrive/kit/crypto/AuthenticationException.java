package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;

/**
 * A refused cryptographic check: a GCM tag, a wrapped key or an X25519 key agreement that does not
 * verify. Checked, because every caller holds input an attacker may have chosen; a {@link
 * GeneralSecurityException} so that code catching the JCA's failures catches this one too. It
 * carries no stack trace: it is an expected answer to hostile input, not a bug, and a fuzzer may
 * raise millions of them.
 */
public final class AuthenticationException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
