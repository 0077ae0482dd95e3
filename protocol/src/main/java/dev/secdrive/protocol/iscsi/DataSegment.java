package dev.secdrive.protocol.iscsi;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of a data segment, or of any other opaque run of bytes a PDU carries (a CDB, sense
 * data): immutable, compared by content. Length excludes the padding to four bytes, as
 * DataSegmentLength does (RFC 7143 section 11.2.1.5).
 */
public final class DataSegment {

  /** The largest DataSegmentLength a Basic Header Segment can express: 24 bits. */
  public static final int MAXIMUM_LENGTH = 0xFF_FFFF;

  public static final DataSegment EMPTY = new DataSegment(new byte[0]);

  private final byte[] bytes;

  private DataSegment(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}. */
  public static DataSegment of(byte[] bytes) {
    if (bytes.length > MAXIMUM_LENGTH) {
      throw new IllegalArgumentException(
          "data segment of " + bytes.length + " bytes is beyond 24 bits");
    }
    return bytes.length == 0 ? EMPTY : new DataSegment(bytes.clone());
  }

  /**
   * A copy of {@code length} bytes of {@code buffer} from {@code index}, without moving its
   * indexes: a Data-Out's slice of the command's data-out buffer.
   */
  public static DataSegment of(ByteBuf buffer, int index, int length) {
    if (length > MAXIMUM_LENGTH) {
      throw new IllegalArgumentException("data segment of " + length + " bytes is beyond 24 bits");
    }
    if (length == 0) {
      return EMPTY;
    }
    byte[] bytes = new byte[length];
    buffer.getBytes(index, bytes);
    return new DataSegment(bytes);
  }

  /** Writes the bytes to {@code out} without another copy: a Data-In into the command's buffer. */
  public void writeTo(ByteBuf out) {
    out.writeBytes(bytes);
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The bytes without a copy, for the codec in this package. */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DataSegment d && Arrays.equals(d.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return bytes.length <= 64
        ? HexFormat.of().withUpperCase().formatHex(bytes)
        : bytes.length + " bytes";
  }
}
