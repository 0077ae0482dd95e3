package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * What the terminal writes on the target medium in the first scheme (PROTOCOL.md "Scheme 1"): the
 * copy certificate, Kd sealed to the user key, where the title's ciphertext lies, and its
 * plaintext's digest from the master's catalog, which the run path checks.
 */
public record CopyRecord(
    byte[] copyCertificate,
    byte[] sealedKey,
    byte[] nonce,
    long plaintextLength,
    byte[] digest,
    long dataLba) {

  public static final int VERSION = 2;
  private static final String MAGIC = "SDCR";

  public CopyRecord {
    copyCertificate = Fields.checkMax("copy certificate", copyCertificate, 0xFFFF).clone();
    sealedKey = Fields.checkMax("sealed key", sealedKey, 0xFFFF).clone();
    nonce = Fields.checkLength("nonce", nonce, TitleHeader.NONCE_LENGTH).clone();
    digest = Fields.checkLength("digest", digest, MasterCatalog.DIGEST_LENGTH).clone();
    if (plaintextLength < 0 || dataLba < 0) {
      throw new IllegalArgumentException("length and LBA must not be negative");
    }
  }

  @Override
  public byte[] copyCertificate() {
    return copyCertificate.clone();
  }

  @Override
  public byte[] sealedKey() {
    return sealedKey.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  public byte[] encode() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .bytes16(copyCertificate)
        .bytes16(sealedKey)
        .raw(nonce)
        .u64(plaintextLength)
        .raw(digest)
        .u64(dataLba)
        .toByteArray();
  }

  /** Decodes the record at the start of {@code in}; the rest of its blocks is ignored. */
  public static CopyRecord decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "copy record");
    r.magic(MAGIC);
    r.version(VERSION);
    byte[] certificate = r.bytes16("copy certificate");
    byte[] sealed = r.bytes16("sealed key");
    byte[] nonce = r.raw("nonce", TitleHeader.NONCE_LENGTH);
    int at = r.position();
    long length = r.u64("plaintext length");
    byte[] digest = r.raw("digest", MasterCatalog.DIGEST_LENGTH);
    long lba = r.u64("data LBA");
    if (length < 0 || lba < 0) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "copy record: length or LBA beyond 2^63", at);
    }
    return new CopyRecord(certificate, sealed, nonce, length, digest, lba);
  }
}
