package dev.secdrive.emulator.firmware;

import java.nio.ByteBuffer;

/**
 * Where a command puts its data-in bytes. The transport supplies a buffer from its pool, so a READ
 * goes from the image file straight into the buffer that is sent.
 */
@FunctionalInterface
public interface DataIn {

  /**
   * Returns a buffer with exactly {@code length} bytes remaining; call at most once per command.
   */
  ByteBuffer allocate(int length);

  /**
   * Returns {@code data} cut to the allocation length (SPC-4 4.2.5.6: the device stops at the
   * allocation length, it does not shorten what it would return); returns the bytes sent.
   */
  default int respond(byte[] data, long allocationLength) {
    int length = (int) Math.min(data.length, allocationLength);
    if (length > 0) {
      allocate(length).put(data, 0, length);
    }
    return length;
  }

  /** A heap-backed implementation for tests and in-process callers. */
  final class Heap implements DataIn {
    private ByteBuffer buffer;

    @Override
    public ByteBuffer allocate(int length) {
      if (buffer != null) {
        throw new IllegalStateException("data-in allocated twice");
      }
      buffer = ByteBuffer.allocate(length);
      return buffer;
    }

    /** The bytes the command returned. */
    public byte[] bytes(Response response) {
      byte[] out = new byte[response.dataInLength()];
      if (buffer != null) {
        buffer.duplicate().flip().get(out);
      }
      return out;
    }
  }
}
