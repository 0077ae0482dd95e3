package dev.secdrive.emulator.endpoint;

import dev.secdrive.emulator.firmware.DataIn;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/** Hands the firmware a view of a pooled direct buffer, which then travels in the status frame. */
final class PooledDataIn implements DataIn {

  private final ByteBufAllocator allocator;
  private ByteBuf buffer;

  PooledDataIn(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public ByteBuffer allocate(int length) {
    if (buffer != null) {
      throw new IllegalStateException("data-in allocated twice");
    }
    buffer = allocator.ioBuffer(length, length);
    return buffer.nioBuffer(0, length);
  }

  /** Takes the buffer holding the first {@code length} bytes; the caller owns it. */
  ByteBuf take(int length) {
    if (buffer == null) {
      return Unpooled.EMPTY_BUFFER;
    }
    ByteBuf taken = buffer.writerIndex(length);
    buffer = null;
    return taken;
  }

  void release() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
  }
}
