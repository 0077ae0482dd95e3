package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h INSTALL COPY parameter list (PROTOCOL.md "Scheme 1"): the copy certificate, where the title's
 * header goes on the target medium (the master's ciphertext already lies in the blocks after it),
 * and the title's length, nonce and digest from the master's catalog.
 */
public record InstallCopy(
    byte[] copyCertificate, long headerLba, long plaintextLength, byte[] nonce, byte[] digest) {

  /** Where the copy certificate starts in the list: after its bytes16 length. */
  public static final int CERTIFICATE_OFFSET = 2;

  public InstallCopy {
    copyCertificate = Fields.checkMax("copy certificate", copyCertificate, 0xFFFF).clone();
    if (headerLba < 0 || plaintextLength < 0) {
      throw new IllegalArgumentException("LBA and length must not be negative");
    }
    nonce = Fields.checkLength("nonce", nonce, TitleHeader.NONCE_LENGTH).clone();
    digest = Fields.checkLength("digest", digest, MasterCatalog.DIGEST_LENGTH).clone();
  }

  @Override
  public byte[] copyCertificate() {
    return copyCertificate.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  /** Where the plaintext length lies in the encoded list: after the certificate and the LBA. */
  public int plaintextLengthOffset() {
    return CERTIFICATE_OFFSET + copyCertificate.length + 8;
  }

  public byte[] encode() {
    return new Fields.Writer()
        .bytes16(copyCertificate)
        .u64(headerLba)
        .u64(plaintextLength)
        .raw(nonce)
        .raw(digest)
        .toByteArray();
  }

  public static InstallCopy decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "INSTALL COPY parameter list");
    byte[] certificate = r.bytes16("copy certificate");
    int at = r.position();
    long lba = r.u64("header LBA");
    long length = r.u64("plaintext length");
    if (lba < 0 || length < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "header LBA or length beyond 2^63", at);
    }
    byte[] nonce = r.raw("nonce", TitleHeader.NONCE_LENGTH);
    byte[] digest = r.raw("digest", MasterCatalog.DIGEST_LENGTH);
    r.end();
    return new InstallCopy(certificate, lba, length, nonce, digest);
  }
}
