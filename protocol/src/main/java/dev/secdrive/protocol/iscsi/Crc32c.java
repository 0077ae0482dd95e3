package dev.secdrive.protocol.iscsi;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;

/**
 * The header and data digests of RFC 7143 section 13.1: CRC32C (Castagnoli, RFC 3385) of the header
 * segments, or of the data segment with its padding, sent least significant byte first (appendix
 * B.4 lists the digest of 32 zero bytes as {@code aa 36 91 8a}, the value {@code 8A9136AAh}).
 */
public final class Crc32c {

  /** Bytes a digest takes on the wire. */
  public static final int LENGTH = 4;

  private Crc32c() {}

  /** The CRC32C of {@code length} bytes of {@code buffer} from {@code index}. */
  public static int of(ByteBuf buffer, int index, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.nioBuffer(index, length));
    return (int) crc.getValue();
  }

  /**
   * The CRC32C of {@code length} bytes of {@code buffer} from {@code index}, then {@code zeros}
   * zero bytes (a data segment's padding).
   */
  public static int of(ByteBuf buffer, int index, int length, int zeros) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.nioBuffer(index, length));
    crc.update(new byte[zeros]);
    return (int) crc.getValue();
  }

  /** The CRC32C of {@code bytes}. */
  public static int of(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
