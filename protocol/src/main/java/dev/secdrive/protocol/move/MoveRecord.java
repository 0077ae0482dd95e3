package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * The move record MOVE OUT writes after a package (S152): "SDMV" | u8 1 | bytes32 contents copy
 * certificate (SDCC), zero-padded to whole blocks.
 */
public record MoveRecord(ContentsCopyCertificate certificate) {

  public static final int VERSION = 1;
  static final String MAGIC = "SDMV";

  /** The longest certificate a move record carries. */
  public static final int CERTIFICATE_MAX = 1 << 16;

  /** Magic, version and the certificate's length: what a reader needs for {@link #length}. */
  public static final int PREFIX_LENGTH = 9;

  public MoveRecord {
    if (certificate == null) {
      throw new NullPointerException("certificate");
    }
  }

  public byte[] encode() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .bytes32(certificate.encode())
        .toByteArray();
  }

  /** The record zero-padded to whole blocks. */
  public byte[] blocks(int blockSize) {
    byte[] record = encode();
    byte[] out =
        new byte[Math.toIntExact(ContentPackage.blocks(record.length, blockSize) * blockSize)];
    System.arraycopy(record, 0, out, 0, record.length);
    return out;
  }

  /** The record's length as {@code prefix} declares it (at least {@link #PREFIX_LENGTH} bytes). */
  public static long length(byte[] prefix) throws ParameterException {
    Fields.Reader r = new Fields.Reader(prefix, "move record");
    r.magic(MAGIC);
    r.version(VERSION);
    long n = r.u32("certificate length");
    if (n > CERTIFICATE_MAX) {
      throw new ParameterException(
          Kind.LENGTH, "move record: certificate longer than " + CERTIFICATE_MAX, 5);
    }
    return PREFIX_LENGTH + n;
  }

  /**
   * Decodes the record at the start of {@code in}; the bytes after it, up to the end of {@code in}
   * (its padding), must be zero.
   */
  public static MoveRecord decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "move record");
    r.magic(MAGIC);
    r.version(VERSION);
    int at = r.position() + 4;
    byte[] bytes = r.bytes32("contents copy certificate", CERTIFICATE_MAX);
    ContentsCopyCertificate certificate;
    try {
      certificate = ContentsCopyCertificate.decode(bytes);
    } catch (ParameterException e) {
      throw e.within(at);
    }
    for (int i = r.position(); i < in.length; i++) {
      if (in[i] != 0) {
        throw new ParameterException(Kind.RESERVED, "move record padding is not zero", i);
      }
    }
    return new MoveRecord(certificate);
  }
}
