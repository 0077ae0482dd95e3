package dev.secdrive.protocol.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of a data segment, or of any other opaque run of bytes a PDU carries (a CDB, sense
 * data): immutable, compared by content. Length excludes the padding to four bytes, as
 * DataSegmentLength does (RFC 7143 section 11.2.1.5).
 *
 * <p>Most segments hold a byte array ({@link #of}). Bulk READ and WRITE data instead travels as a
 * {@link ByteBuf} ({@link #retainedSlice}): a segment made so owns one reference to its buffer, and
 * whoever owns the PDU gives it back with {@link #release()} once the PDU is encoded or its data
 * copied out (STYLE.md section 2). {@link PduCodec#encode(IscsiPdu, PduCodec.Settings,
 * io.netty.buffer.ByteBufAllocator, java.util.List)} hands such a buffer on to the channel without
 * copying it.
 */
public final class DataSegment {

  /** The largest DataSegmentLength a Basic Header Segment can express: 24 bits. */
  public static final int MAXIMUM_LENGTH = 0xFF_FFFF;

  public static final DataSegment EMPTY = new DataSegment(new byte[0], null);

  private final byte[] bytes; // null when the segment holds a buffer
  private final ByteBuf buffer; // a retained slice, or null

  private DataSegment(byte[] bytes, ByteBuf buffer) {
    this.bytes = bytes;
    this.buffer = buffer;
  }

  /** A copy of {@code bytes}. */
  public static DataSegment of(byte[] bytes) {
    checkLength(bytes.length);
    return bytes.length == 0 ? EMPTY : new DataSegment(bytes.clone(), null);
  }

  /** {@code bytes} without a copy, for the codec in this package, which made them. */
  static DataSegment wrap(byte[] bytes) {
    checkLength(bytes.length);
    return bytes.length == 0 ? EMPTY : new DataSegment(bytes, null);
  }

  /**
   * The {@code length} bytes of {@code buffer} from {@code index}, without a copy: the segment
   * holds a retained slice of them, which {@link #release()} gives back. {@code buffer} itself is
   * not released and stays its caller's. An empty run is {@link #EMPTY} and retains nothing.
   */
  public static DataSegment retainedSlice(ByteBuf buffer, int index, int length) {
    checkLength(length);
    if (index < 0 || length < 0 || index + length > buffer.writerIndex()) {
      throw new IndexOutOfBoundsException(
          "bytes " + index + ".." + (index + length) + " of a buffer of " + buffer.writerIndex());
    }
    return length == 0 ? EMPTY : new DataSegment(null, buffer.retainedSlice(index, length));
  }

  /**
   * A copy of {@code length} bytes of {@code buffer} from {@code index}, without moving its
   * indexes: a Data-Out's slice of the command's data-out buffer.
   */
  public static DataSegment of(ByteBuf buffer, int index, int length) {
    checkLength(length);
    if (length == 0) {
      return EMPTY;
    }
    byte[] bytes = new byte[length];
    buffer.getBytes(index, bytes);
    return new DataSegment(bytes, null);
  }

  private static void checkLength(int length) {
    if (length > MAXIMUM_LENGTH) {
      throw new IllegalArgumentException("data segment of " + length + " bytes is beyond 24 bits");
    }
  }

  public int length() {
    return buffer != null ? buffer.readableBytes() : bytes.length;
  }

  public boolean isEmpty() {
    return length() == 0;
  }

  /** Whether the segment holds a buffer that {@link #release()} must give back. */
  public boolean holdsBuffer() {
    return buffer != null;
  }

  /**
   * Gives back the buffer this segment holds, if it holds one; a segment of bytes ignores it. The
   * segment must not be read afterwards.
   */
  public void release() {
    if (buffer != null) {
      buffer.release();
    }
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return buffer != null ? ByteBufUtil.getBytes(buffer) : bytes.clone();
  }

  /** Copies the bytes into {@code destination} from {@code index}, leaving its indices alone. */
  public void copyTo(ByteBuf destination, int index) {
    if (buffer != null) {
      destination.setBytes(index, buffer, buffer.readerIndex(), buffer.readableBytes());
    } else {
      destination.setBytes(index, bytes);
    }
  }

  /** Writes the bytes to {@code out} without another copy: a Data-In into the command's buffer. */
  public void writeTo(ByteBuf out) {
    if (buffer != null) {
      out.writeBytes(buffer, buffer.readerIndex(), buffer.readableBytes());
    } else {
      out.writeBytes(bytes);
    }
  }

  /** The bytes without a copy where they are an array, for the codec in this package. */
  byte[] bytes() {
    return buffer != null ? ByteBufUtil.getBytes(buffer) : bytes;
  }

  /** The held buffer (not retained again), or null, for the codec in this package. */
  ByteBuf buffer() {
    return buffer;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof DataSegment d)) {
      return false;
    }
    if (buffer == null && d.buffer == null) {
      return Arrays.equals(d.bytes, bytes);
    }
    return Arrays.equals(toByteArray(), d.toByteArray());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(buffer != null ? toByteArray() : bytes);
  }

  @Override
  public String toString() {
    int length = length();
    return length <= 64 ? HexFormat.of().withUpperCase().formatHex(bytes()) : length + " bytes";
  }
}
