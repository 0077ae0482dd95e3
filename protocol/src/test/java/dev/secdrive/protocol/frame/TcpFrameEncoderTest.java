package dev.secdrive.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import dev.secdrive.protocol.testing.GoldenVectors;
import dev.secdrive.protocol.testing.GoldenVectors.Vector;
import dev.secdrive.protocol.testing.Hex;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link TcpFrameEncoder}: length prefix, header, and the data buffer passed on uncopied. */
class TcpFrameEncoderTest {

  private static final byte[] WRITE_10 = {0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0};

  @AfterAll
  static void noLeaks() {
    LeakRecorder.assertNoLeaks();
  }

  @Test
  void writesTheLengthPrefixThenTheBodyOfEveryGoldenFrame() {
    for (Vector vector : GoldenVectors.load("frames.json")) {
      byte[] body = vector.bytes();
      ByteBuf buffer = Unpooled.wrappedBuffer(body);
      Frame frame = FrameCodec.decode(buffer);
      byte[] written = writeAndCollect(frame);
      assertEquals(body.length + 4, written.length, vector.toString());
      assertEquals(
          body.length, Unpooled.wrappedBuffer(written).getInt(0), "length prefix of " + vector);
      assertEquals(Hex.format(FrameSupport.prefixed(body)), Hex.format(written), vector.toString());
      // The frame's data was a retained slice of the body; the encoder released it.
      assertEquals(1, buffer.refCnt(), "frame released by the encoder: " + vector);
      buffer.release();
    }
  }

  @Test
  void dataBufferIsPassedOnNotCopied() {
    ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(4096).writeZero(4096);
    CommandFrame frame = CommandFrame.dataOut(1, 0, WRITE_10, data);
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    assertTrue(channel.writeOutbound(frame));

    ByteBuf header = channel.readOutbound();
    ByteBuf second = channel.readOutbound();
    assertNull(channel.readOutbound(), "exactly two buffers");
    try {
      assertEquals(4 + 20 + WRITE_10.length, header.readableBytes(), "prefix, header and CDB only");
      assertEquals(20 + WRITE_10.length + 4096, header.getInt(0), "length prefix counts the data");
      assertSame(data, second, "the data buffer itself goes out");
      // The encoder released the frame (one reference) and retained the data for the write.
      assertEquals(1, data.refCnt());
    } finally {
      header.release();
      second.release();
    }
    assertEquals(0, data.refCnt(), "whoever writes the data releases the last reference");
    assertFalse(channel.finish());
  }

  @Test
  void statusFrameDataIsPassedOnToo() {
    ByteBuf data = Unpooled.buffer(36).writeZero(36);
    byte[] sense = SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT).encode();
    StatusFrame frame = StatusFrame.good(5, 36, data);
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(frame);
    ByteBuf header = channel.readOutbound();
    ByteBuf second = channel.readOutbound();
    assertSame(data, second);
    assertEquals(4 + 20, header.readableBytes());
    header.release();
    second.release();
    assertEquals(0, data.refCnt());

    // A CHECK CONDITION has no data: one buffer with prefix, header and sense.
    channel.writeOutbound(StatusFrame.checkCondition(6, 36, sense));
    ByteBuf only = channel.readOutbound();
    assertNull(channel.readOutbound());
    assertEquals(4 + 20 + 18, only.readableBytes());
    assertEquals(20 + 18, only.getInt(0));
    only.release();
    assertFalse(channel.finish());
  }

  @Test
  void aFrameWithEmptyDataIsReleased() {
    ByteBuf empty = PooledByteBufAllocator.DEFAULT.buffer(16);
    StatusFrame frame = StatusFrame.good(1, 0, empty);
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(frame);
    ByteBuf header = channel.readOutbound();
    assertNull(channel.readOutbound(), "no buffer for an empty data phase");
    header.release();
    assertEquals(0, empty.refCnt(), "the encoder releases the frame and its unsent buffer");
    assertFalse(channel.finish());
  }

  @Test
  void theEncoderConsumesExactlyOneReference() {
    ByteBuf data = Unpooled.buffer(8).writeLong(0x0011_2233_4455_6677L);
    CommandFrame frame = CommandFrame.dataOut(2, 3, WRITE_10, data);
    frame.retain(); // the caller keeps a reference of its own
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(frame);
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ReferenceCountUtil.release(out);
    }
    assertEquals(1, data.refCnt());
    assertEquals(0x0011_2233_4455_6677L, data.getLong(0), "data untouched");
    frame.release();
    assertEquals(0, data.refCnt());
    assertFalse(channel.finish());
  }

  @Test
  void encoderIsSharable() {
    assertTrue(TcpFrameEncoder.INSTANCE.isSharable());
    EmbeddedChannel first = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    EmbeddedChannel second = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    first.writeOutbound(new ProtocolErrorFrame("one"));
    second.writeOutbound(new ProtocolErrorFrame("two"));
    assertArrayEquals(
        FrameSupport.prefixed(Hex.parse("53 44 45 52 01 00 00 03 6F 6E 65")),
        FrameSupport.bytes(first.readOutbound()));
    assertArrayEquals(
        FrameSupport.prefixed(Hex.parse("53 44 45 52 01 00 00 03 74 77 6F")),
        FrameSupport.bytes(second.readOutbound()));
    assertFalse(first.finish());
    assertFalse(second.finish());
  }

  /** Writes {@code frame} through the encoder; returns the bytes and releases the buffers. */
  private static byte[] writeAndCollect(Frame frame) {
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(frame);
    List<byte[]> parts = new ArrayList<>();
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ByteBuf buffer = (ByteBuf) out;
      parts.add(ByteBufUtil.getBytes(buffer));
      buffer.release();
    }
    assertFalse(channel.finish());
    int length = parts.stream().mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, offset, part.length);
      offset += part.length;
    }
    return all;
  }
}
