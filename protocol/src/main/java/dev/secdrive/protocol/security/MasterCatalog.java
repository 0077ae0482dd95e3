package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The catalog at LBA 0 of a pressed master (PROTOCOL.md "Master catalog"): the titles it holds,
 * where their encrypted data lies, and by which scheme they may be copied.
 */
public record MasterCatalog(List<Entry> titles) {

  public static final int VERSION = 2;
  public static final int DIGEST_LENGTH = 32;
  public static final int SCHEME_CERTIFICATE = 1;
  public static final int SCHEME_CONVERSION = 2;
  private static final String MAGIC = "SDMC";
  private static final int PREFIX = 9; // magic, version, length

  /**
   * One title of the master; {@code digest} is HMAC-SHA256 of its plaintext under KDF(title key,
   * "title-digest", ""), which the run path checks, so a copy that broke off or was damaged is
   * refused rather than run. Keyed, so that the catalog of a master anyone may read confirms no
   * guess of a title's plaintext.
   */
  public record Entry(
      String titleId,
      String name,
      int scheme,
      long firstLba,
      long plaintextLength,
      byte[] nonce,
      byte[] digest) {

    public Entry {
      Fields.checkId("title ID", titleId, 64);
      if (name == null || name.isBlank() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("title name must be 1..255 bytes of UTF-8");
      }
      if (scheme != SCHEME_CERTIFICATE && scheme != SCHEME_CONVERSION) {
        throw new IllegalArgumentException("scheme must be 1 or 2, not " + scheme);
      }
      if (firstLba < 0 || plaintextLength < 0) {
        throw new IllegalArgumentException("LBA and length must not be negative");
      }
      nonce = Fields.checkLength("nonce", nonce, TitleHeader.NONCE_LENGTH).clone();
      digest = Fields.checkLength("digest", digest, DIGEST_LENGTH).clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && titleId.equals(e.titleId)
          && name.equals(e.name)
          && scheme == e.scheme
          && firstLba == e.firstLba
          && plaintextLength == e.plaintextLength
          && java.util.Arrays.equals(nonce, e.nonce)
          && java.util.Arrays.equals(digest, e.digest);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(titleId, firstLba, plaintextLength);
    }

    /** Data blocks of {@code blockSize} bytes the title occupies. */
    public long dataBlocks(int blockSize) {
      return (plaintextLength + blockSize - 1) / blockSize;
    }
  }

  public MasterCatalog {
    titles = List.copyOf(titles);
    if (titles.size() > 0xFFFF) {
      throw new IllegalArgumentException("more than 65535 titles");
    }
    for (int i = 0; i < titles.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (titles.get(i).titleId().equals(titles.get(j).titleId())) {
          throw new IllegalArgumentException("title " + titles.get(i).titleId() + " listed twice");
        }
      }
    }
  }

  public Optional<Entry> find(String titleId) {
    return titles.stream().filter(e -> e.titleId().equals(titleId)).findFirst();
  }

  public byte[] encode() {
    Fields.Writer body = new Fields.Writer().u16(titles.size());
    for (Entry e : titles) {
      body.str8(e.titleId())
          .str8(e.name())
          .u8(e.scheme())
          .u64(e.firstLba())
          .u64(e.plaintextLength())
          .raw(e.nonce)
          .raw(e.digest);
    }
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .bytes32(body.toByteArray())
        .toByteArray();
  }

  /** Decodes the catalog at the start of {@code in}; bytes after it (block padding) are ignored. */
  public static MasterCatalog decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "master catalog");
    r.magic(MAGIC);
    r.version(VERSION);
    long length = r.u32("catalog length");
    if (length > in.length - PREFIX) {
      throw new ParameterException(
          Kind.TRUNCATED,
          "master catalog of " + length + " bytes, only " + (in.length - PREFIX) + " present",
          5);
    }
    int count = r.u16("title count");
    List<Entry> titles = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int at = r.position();
      String id = r.id("title ID");
      String name = r.name("title name");
      int schemeAt = r.position();
      int scheme = r.u8("scheme");
      if (scheme != SCHEME_CERTIFICATE && scheme != SCHEME_CONVERSION) {
        throw new ParameterException(
            Kind.INVALID_VALUE, "master catalog: unknown scheme " + scheme, schemeAt);
      }
      long lba = r.u64("first LBA");
      long plaintext = r.u64("plaintext length");
      byte[] nonce = r.raw("nonce", TitleHeader.NONCE_LENGTH);
      byte[] digest = r.raw("digest", DIGEST_LENGTH);
      try {
        titles.add(new Entry(id, name, scheme, lba, plaintext, nonce, digest));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(Kind.INVALID_VALUE, "master catalog: " + e.getMessage(), at);
      }
    }
    if (r.position() != PREFIX + length) {
      throw new ParameterException(
          Kind.LENGTH, "master catalog length does not match its titles", 5);
    }
    try {
      return new MasterCatalog(titles);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(Kind.INVALID_VALUE, "master catalog: " + e.getMessage(), PREFIX);
    }
  }

  /** The catalog's encoded length from its first bytes, or -1 if fewer than nine arrived. */
  public static long encodedLength(byte[] prefix) throws ParameterException {
    if (prefix.length < PREFIX) {
      return -1;
    }
    Fields.Reader r = new Fields.Reader(prefix, "master catalog");
    r.magic(MAGIC);
    r.version(VERSION);
    return PREFIX + r.u32("catalog length");
  }
}
