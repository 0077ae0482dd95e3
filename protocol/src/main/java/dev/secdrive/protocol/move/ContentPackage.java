package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.AesCtr;
import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.security.Sealing;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * A content package (SDCP, FIG. 9, S34-S37): a header, then the content encrypted with AES-256-CTR
 * under its content key Kc, counter block of byte offset o = nonce ‖ u64(o / 16), the title cipher
 * of PROTOCOL.md "Titles". On a medium at LBA P: the header zero-padded to whole blocks, the data
 * zero-padded to whole blocks, then (after MOVE OUT) the move record.
 */
public final class ContentPackage {

  public static final int VERSION = 1;
  public static final int NONCE_LENGTH = TitleHeader.NONCE_LENGTH;
  public static final int KEY_LENGTH = 32;
  public static final int WRAPPED_KEY_LENGTH = 40;
  public static final int CHECK_LENGTH = 16;

  /** The largest EKB a header carries. */
  public static final int EKB_MAX = 1 << 20;

  /** The largest header: what a drive reads at most from a medium before parsing it. */
  public static final int HEADER_MAX = EKB_MAX + 4096;

  static final String MAGIC = "SDCP";

  /** Where the header length lies: after the magic and the format version. */
  public static final int HEADER_LENGTH_OFFSET = 5;

  private ContentPackage() {}

  /**
   * The package header: "SDCP" | u8 1 | u32 header length | str8 content ID | str8 codec | str8
   * license ID | str8 distributor | u64 plaintext length | 8-byte nonce | bytes32 EKB (SDEK) |
   * bytes16 Kc wrapped under the EKB's root key KR (AES-KWP, 40 bytes) | 16-byte check = the first
   * 16 bytes of HMAC-SHA256(KDF(Kc, "content-check", ""), every header byte before it).
   */
  public record Header(
      String contentId,
      String codec,
      String licenseId,
      String distributor,
      long plaintextLength,
      byte[] nonce,
      byte[] ekb,
      byte[] wrappedKey,
      byte[] check) {

    public Header {
      Fields.checkId("content ID", contentId, License.ID_MAX);
      Fields.checkId("codec", codec, License.ID_MAX);
      Fields.checkId("license ID", licenseId, License.ID_MAX);
      ServiceData.checkName(distributor);
      if (plaintextLength < 0) {
        throw new IllegalArgumentException("plaintext length beyond 2^63-1");
      }
      nonce = Fields.checkLength("nonce", nonce, NONCE_LENGTH).clone();
      ekb = Fields.checkMax("EKB", ekb, EKB_MAX).clone();
      wrappedKey = Fields.checkLength("wrapped key", wrappedKey, WRAPPED_KEY_LENGTH).clone();
      check = Fields.checkLength("check", check, CHECK_LENGTH).clone();
    }

    /** A header for content key {@code kc}, wrapped under the EKB's root key {@code kr}. */
    public static Header create(
        String contentId,
        String codec,
        String licenseId,
        String distributor,
        long plaintextLength,
        byte[] nonce,
        byte[] ekb,
        byte[] kc,
        byte[] kr) {
      Fields.checkLength("content key", kc, KEY_LENGTH);
      Header unchecked =
          new Header(
              contentId,
              codec,
              licenseId,
              distributor,
              plaintextLength,
              nonce,
              ekb,
              AesKeyWrap.wrap(kr, kc),
              new byte[CHECK_LENGTH]);
      return unchecked.withCheck(checkOf(kc, unchecked.checkedBytes()));
    }

    public Header withCheck(byte[] check) {
      return new Header(
          contentId, codec, licenseId, distributor, plaintextLength, nonce, ekb, wrappedKey, check);
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] ekb() {
      return ekb.clone();
    }

    @Override
    public byte[] wrappedKey() {
      return wrappedKey.clone();
    }

    @Override
    public byte[] check() {
      return check.clone();
    }

    /** All header bytes: what {@link #encode()} gives, and its declared header length. */
    public int length() {
      return checkedLength() + CHECK_LENGTH;
    }

    private int checkedLength() {
      return 4
          + 1
          + 4
          + 1
          + contentId.length()
          + 1
          + codec.length()
          + 1
          + licenseId.length()
          + 1
          + distributor.getBytes(StandardCharsets.UTF_8).length
          + 8
          + NONCE_LENGTH
          + 4
          + ekb.length
          + 2
          + WRAPPED_KEY_LENGTH;
    }

    /** Every header byte before the check. */
    public byte[] checkedBytes() {
      return new Fields.Writer()
          .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
          .u8(VERSION)
          .u32(length())
          .str8(contentId)
          .str8(codec)
          .str8(licenseId)
          .str8(distributor)
          .u64(plaintextLength)
          .raw(nonce)
          .bytes32(ekb)
          .bytes16(wrappedKey)
          .toByteArray();
    }

    public byte[] encode() {
      return new Fields.Writer().raw(checkedBytes()).raw(check).toByteArray();
    }

    /** Kc, unwrapped with the EKB's root key (refusal 05h if this throws). */
    public byte[] unwrapContentKey(byte[] kr) throws AuthenticationException {
      byte[] kc = AesKeyWrap.unwrap(kr, wrappedKey);
      if (kc.length != KEY_LENGTH) {
        throw new AuthenticationException("the wrapped content key is not 32 bytes");
      }
      return kc;
    }

    /** Whether the check matches {@code kc} (refusal 0Ch if not). */
    public boolean checks(byte[] kc) {
      return MessageDigest.isEqual(checkOf(kc, checkedBytes()), check);
    }

    /** Header blocks on a medium of {@code blockSize}: h. */
    public long headerBlocks(int blockSize) {
      return blocks(length(), blockSize);
    }

    /** Data blocks on a medium of {@code blockSize}: d. */
    public long dataBlocks(int blockSize) {
      return blocks(plaintextLength, blockSize);
    }

    /** The first data block of a package at {@code packageLba}: P + h. */
    public long dataLba(long packageLba, int blockSize) {
      return packageLba + headerBlocks(blockSize);
    }

    /** Where the move record of a package at {@code packageLba} lies: P + h + d. */
    public long moveRecordLba(long packageLba, int blockSize) {
      return packageLba + headerBlocks(blockSize) + dataBlocks(blockSize);
    }

    /**
     * Decodes the header at the start of {@code in}, which may go on (data, padding) after the
     * header length.
     */
    public static Header decode(byte[] in) throws ParameterException {
      long declared = declaredLength(in);
      if (declared > in.length) {
        throw new ParameterException(
            Kind.TRUNCATED,
            "package header of " + declared + " bytes, " + in.length + " given",
            in.length);
      }
      Fields.Reader r = new Fields.Reader(Arrays.copyOf(in, (int) declared), "package header");
      r.magic(MAGIC);
      r.version(VERSION);
      r.u32("header length");
      String contentId = r.id("content ID", License.ID_MAX);
      String codec = r.id("codec", License.ID_MAX);
      String licenseId = r.id("license ID", License.ID_MAX);
      String distributor = r.name("distributor");
      int at = r.position();
      long length = r.u64("plaintext length");
      if (length < 0) {
        throw new ParameterException(Kind.INVALID_VALUE, "plaintext length beyond 2^63-1", at);
      }
      byte[] nonce = r.raw("nonce", NONCE_LENGTH);
      byte[] ekb = r.bytes32("EKB", EKB_MAX);
      at = r.position();
      byte[] wrapped = r.bytes16("wrapped key");
      if (wrapped.length != WRAPPED_KEY_LENGTH) {
        throw new ParameterException(
            Kind.LENGTH, "wrapped key of " + wrapped.length + " bytes, not 40", at);
      }
      byte[] check = r.raw("check", CHECK_LENGTH);
      r.end();
      return new Header(
          contentId, codec, licenseId, distributor, length, nonce, ekb, wrapped, check);
    }

    /**
     * The header length {@code prefix} declares: how many bytes a reader needs before {@link
     * #decode}.
     */
    public static long declaredLength(byte[] prefix) throws ParameterException {
      Fields.Reader r = new Fields.Reader(prefix, "package header");
      r.magic(MAGIC);
      r.version(VERSION);
      long length = r.u32("header length");
      if (length < HEADER_LENGTH_OFFSET + 4 || length > HEADER_MAX) {
        throw new ParameterException(
            Kind.LENGTH,
            "package header length " + length + " not " + 9 + ".." + HEADER_MAX,
            HEADER_LENGTH_OFFSET);
      }
      return length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Header h && Arrays.equals(encode(), h.encode());
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
      return "ContentPackage.Header["
          + contentId
          + " ("
          + codec
          + ", "
          + plaintextLength
          + " bytes), license "
          + licenseId
          + " of "
          + distributor
          + "]";
    }
  }

  /** The check of a header: the first 16 bytes of HMAC-SHA256(KDF(Kc, "content-check", "")). */
  static byte[] checkOf(byte[] kc, byte[] checked) {
    byte[] key = Sealing.kdf(kc, KeyLabels.CONTENT_CHECK, new byte[0]);
    try {
      return Arrays.copyOf(Hmac.sha256(key, checked), CHECK_LENGTH);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Encrypts (or decrypts) {@code data} that starts at byte 0 of the content. */
  public static byte[] crypt(byte[] kc, byte[] nonce, byte[] data) {
    Cipher cipher = AesCtr.cipher(kc, TitleHeader.counterBlock(nonce, 0));
    try {
      return cipher.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed", e);
    }
  }

  /** A host file: the header immediately followed by the encrypted data. */
  public static byte[] file(Header header, byte[] ciphertext) {
    if (ciphertext.length != header.plaintextLength()) {
      throw new IllegalArgumentException("data length differs from the header's");
    }
    return new Fields.Writer().raw(header.encode()).raw(ciphertext).toByteArray();
  }

  /**
   * The blocks a host writes at the package LBA: the header zero-padded to whole blocks, then the
   * data zero-padded to whole blocks.
   */
  public static byte[] blocks(Header header, byte[] ciphertext, int blockSize) {
    if (ciphertext.length != header.plaintextLength()) {
      throw new IllegalArgumentException("data length differs from the header's");
    }
    long h = header.headerBlocks(blockSize);
    long d = header.dataBlocks(blockSize);
    byte[] out = new byte[Math.toIntExact((h + d) * blockSize)];
    byte[] head = header.encode();
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(ciphertext, 0, out, (int) (h * blockSize), ciphertext.length);
    return out;
  }

  static long blocks(long bytes, int blockSize) {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("block size must be positive");
    }
    return (bytes + blockSize - 1) / blockSize;
  }
}
