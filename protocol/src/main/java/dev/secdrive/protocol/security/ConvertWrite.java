package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.ByteBuffer;

/**
 * F0h CONVERT WRITE parameter list (PROTOCOL.md "Scheme 2"): a u64 byte offset in the title, then
 * master ciphertext blocks. The blocks can be megabytes, so they are never copied into a record:
 * the host sends {@link #header} followed by its buffer, the drive reads {@link #offset} and
 * converts the rest of the buffer in place.
 */
public final class ConvertWrite {

  /** Bytes before the data. */
  public static final int HEADER_LENGTH = 8;

  private ConvertWrite() {}

  public static byte[] header(long byteOffset) {
    if (byteOffset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + byteOffset);
    }
    return new Fields.Writer().u64(byteOffset).toByteArray();
  }

  /**
   * The offset at the start of {@code parameters}; its position is not moved.
   *
   * @throws ParameterException if the list is shorter than the header or the offset is beyond 2^63
   */
  public static long offset(ByteBuffer parameters) throws ParameterException {
    if (parameters.remaining() < HEADER_LENGTH) {
      throw new ParameterException(
          Kind.TRUNCATED,
          "CONVERT WRITE parameter list ends inside the offset ("
              + parameters.remaining()
              + " bytes)",
          0);
    }
    long offset = parameters.getLong(parameters.position());
    if (offset < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "CONVERT WRITE offset beyond 2^63", 0);
    }
    return offset;
  }
}
