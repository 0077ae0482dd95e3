package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h INSTALL CONVERSION parameter list (PROTOCOL.md "Scheme 2"): the grant, where the converted
 * title goes on the target medium, its length, and the master's nonce for the title.
 */
public record InstallConversion(
    byte[] grant, long headerLba, long plaintextLength, byte[] masterNonce) {

  /** Where the grant starts in the list: after its bytes16 length. */
  public static final int GRANT_OFFSET = 2;

  public InstallConversion {
    grant = Fields.checkMax("grant", grant, 0xFFFF).clone();
    if (headerLba < 0 || plaintextLength < 0) {
      throw new IllegalArgumentException("LBA and length must not be negative");
    }
    masterNonce = Fields.checkLength("master nonce", masterNonce, TitleHeader.NONCE_LENGTH).clone();
  }

  @Override
  public byte[] grant() {
    return grant.clone();
  }

  @Override
  public byte[] masterNonce() {
    return masterNonce.clone();
  }

  /** Where the plaintext length lies in the encoded list: after the grant and the header LBA. */
  public int plaintextLengthOffset() {
    return GRANT_OFFSET + grant.length + 8;
  }

  public byte[] encode() {
    return new Fields.Writer()
        .bytes16(grant)
        .u64(headerLba)
        .u64(plaintextLength)
        .raw(masterNonce)
        .toByteArray();
  }

  public static InstallConversion decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "INSTALL CONVERSION parameter list");
    byte[] grant = r.bytes16("grant");
    int at = r.position();
    long lba = r.u64("header LBA");
    long length = r.u64("plaintext length");
    if (lba < 0 || length < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "header LBA or length beyond 2^63", at);
    }
    byte[] nonce = r.raw("master nonce", TitleHeader.NONCE_LENGTH);
    r.end();
    return new InstallConversion(grant, lba, length, nonce);
  }
}
