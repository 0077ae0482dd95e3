package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * What the terminal writes on the target medium in the first scheme (PROTOCOL.md "Scheme 1"): the
 * copy certificate, where the installed title's header lies (its data blocks follow it), and the
 * title's nonce, length and digest from the master's catalog, so that the copy can be installed in
 * the drive again from the medium alone.
 */
public record CopyRecord(
    byte[] copyCertificate, byte[] nonce, long plaintextLength, byte[] digest, long headerLba) {

  /** Version 2 carried Kd sealed to the user key; version 3 carries no key at all. */
  public static final int VERSION = 3;

  private static final String MAGIC = "SDCR";

  public CopyRecord {
    copyCertificate = Fields.checkMax("copy certificate", copyCertificate, 0xFFFF).clone();
    nonce = Fields.checkLength("nonce", nonce, TitleHeader.NONCE_LENGTH).clone();
    digest = Fields.checkLength("digest", digest, MasterCatalog.DIGEST_LENGTH).clone();
    if (plaintextLength < 0 || headerLba < 0) {
      throw new IllegalArgumentException("length and LBA must not be negative");
    }
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

  /** The encoded length of a record holding a copy certificate of {@code certificateLength}. */
  public static int encodedLength(int certificateLength) {
    return MAGIC.length() + 1 + 2 + certificateLength + TitleHeader.NONCE_LENGTH + 8 + 32 + 8;
  }

  public byte[] encode() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .bytes16(copyCertificate)
        .raw(nonce)
        .u64(plaintextLength)
        .raw(digest)
        .u64(headerLba)
        .toByteArray();
  }

  /** Decodes the record at the start of {@code in}; the rest of its blocks is ignored. */
  public static CopyRecord decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "copy record");
    r.magic(MAGIC);
    r.version(VERSION);
    byte[] certificate = r.bytes16("copy certificate");
    byte[] nonce = r.raw("nonce", TitleHeader.NONCE_LENGTH);
    int at = r.position();
    long length = r.u64("plaintext length");
    byte[] digest = r.raw("digest", MasterCatalog.DIGEST_LENGTH);
    long lba = r.u64("header LBA");
    if (length < 0 || lba < 0) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "copy record: length or LBA beyond 2^63", at);
    }
    return new CopyRecord(certificate, nonce, length, digest, lba);
  }
}
