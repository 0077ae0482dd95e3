package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The header block of a title (PROTOCOL.md "Titles"): the content it holds, the AES-256-CTR nonce
 * of its data blocks, the plaintext length, and a check value under the content key, so that the
 * drive opens a title only with the key it was written with.
 */
public record TitleHeader(String contentId, byte[] nonce, long plaintextLength, byte[] check) {

  public static final int NONCE_LENGTH = 8;
  public static final int CHECK_LENGTH = 16;
  public static final int VERSION = 1;
  private static final String MAGIC = "SDTI";

  public TitleHeader {
    Fields.checkId("content ID", contentId, 64);
    nonce = Fields.checkLength("nonce", nonce, NONCE_LENGTH).clone();
    if (plaintextLength < 0) {
      throw new IllegalArgumentException("plaintext length must not be negative");
    }
    check = Fields.checkLength("check", check, CHECK_LENGTH).clone();
  }

  /** A header whose check is still to be computed (16 zero bytes). */
  public static TitleHeader unchecked(String contentId, byte[] nonce, long plaintextLength) {
    return new TitleHeader(contentId, nonce, plaintextLength, new byte[CHECK_LENGTH]);
  }

  public TitleHeader withCheck(byte[] check) {
    return new TitleHeader(contentId, nonce, plaintextLength, check);
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] check() {
    return check.clone();
  }

  /** The header bytes the check covers: every byte before it. */
  public byte[] checkedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(contentId)
        .raw(nonce)
        .u64(plaintextLength)
        .toByteArray();
  }

  /** The header as one block of {@code blockSize} bytes, zero padded. */
  public byte[] encode(int blockSize) {
    byte[] bytes = new Fields.Writer().raw(checkedBytes()).raw(check).toByteArray();
    if (bytes.length > blockSize) {
      throw new IllegalArgumentException(
          "title header of " + bytes.length + " bytes does not fit a " + blockSize + "-byte block");
    }
    return Arrays.copyOf(bytes, blockSize);
  }

  /** Decodes the header at the start of {@code block}; the rest of the block is ignored. */
  public static TitleHeader decode(byte[] block) throws ParameterException {
    Fields.Reader r = new Fields.Reader(block, "title header");
    r.magic(MAGIC);
    r.version(VERSION);
    int at = r.position();
    String contentId = r.id("content ID");
    if (contentId.length() > 64) {
      throw new ParameterException(Kind.INVALID_VALUE, "content ID longer than 64 characters", at);
    }
    byte[] nonce = r.raw("nonce", NONCE_LENGTH);
    int lengthAt = r.position();
    long length = r.u64("plaintext length");
    if (length < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "plaintext length beyond 2^63", lengthAt);
    }
    byte[] check = r.raw("check", CHECK_LENGTH);
    return new TitleHeader(contentId, nonce, length, check);
  }

  /** The number of data blocks after the header. */
  public long dataBlocks(int blockSize) {
    return (plaintextLength + blockSize - 1) / blockSize;
  }

  /**
   * The AES-CTR counter block for the data byte at {@code byteOffset}: nonce ‖ u64 (offset / 16).
   */
  public static byte[] counterBlock(byte[] nonce, long byteOffset) {
    if (byteOffset % 16 != 0 || byteOffset < 0) {
      throw new IllegalArgumentException("byte offset must be a multiple of 16: " + byteOffset);
    }
    return new Fields.Writer()
        .raw(Fields.checkLength("nonce", nonce, NONCE_LENGTH))
        .u64(byteOffset / 16)
        .toByteArray();
  }
}
