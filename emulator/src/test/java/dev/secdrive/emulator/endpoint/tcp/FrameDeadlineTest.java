package dev.secdrive.emulator.endpoint.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The frame deadline on the channel's own clock: each frame has its time, a stream of frames is not
 * one frame.
 */
class FrameDeadlineTest {

  private static final Duration TIMEOUT = Duration.ofMillis(100);

  private final EmbeddedChannel channel = new EmbeddedChannel();

  FrameDeadlineTest() {
    channel.freezeTime();
    TcpFrameDecoder decoder = new TcpFrameDecoder(1 << 20);
    channel.pipeline().addLast(new TcpEndpoint.FrameDeadline(decoder, TIMEOUT)).addLast(decoder);
  }

  /** {@code count} TEST UNIT READY frames back to back, as their bytes on the wire. */
  private static byte[] frames(int count) {
    EmbeddedChannel encoder = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int tag = 0; tag < count; tag++) {
      encoder.writeOutbound(CommandFrame.dataIn(tag, 0, new TestUnitReady().encode(), 0));
      ByteBuf bytes = encoder.readOutbound();
      out.writeBytes(ByteBufUtil.getBytes(bytes));
      bytes.release();
    }
    return out.toByteArray();
  }

  private void send(byte[] bytes, int from, int to) {
    channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, from, to)));
  }

  private void elapse(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  private int framesRead() {
    int n = 0;
    for (Object frame; (frame = channel.readInbound()) != null; ) {
      assertTrue(frame instanceof Frame, String.valueOf(frame));
      io.netty.util.ReferenceCountUtil.release(frame); // a frame holds a slice of what was read
      n++;
    }
    return n;
  }

  @Test
  void aFrameThatStopsHalfWayIsClosedAtTheDeadline() {
    byte[] one = frames(1);
    send(one, 0, one.length / 2);
    elapse(TIMEOUT.toMillis() - 1);
    assertTrue(channel.isOpen(), "not yet");
    elapse(1);
    assertFalse(channel.isOpen(), "closed at the deadline");
  }

  @Test
  void framesStreamedBackToBackAreTimedEachOnItsOwn() {
    int count = 20;
    byte[] stream = frames(count);
    int frame = stream.length / count;
    // Every read ends half-way through a frame, for 20 times the deadline in all; each frame is
    // whole 60% of the deadline after its first byte.
    int at = 0;
    for (int i = 0; i < count; i++) {
      int end = Math.min(stream.length, (i + 1) * frame + frame / 2);
      send(stream, at, end);
      at = end;
      elapse(TIMEOUT.toMillis() * 6 / 10);
      assertTrue(channel.isOpen(), "frame " + i + " came in time");
    }
    assertEquals(count, framesRead());
    elapse(TIMEOUT.toMillis() * 10);
    assertTrue(channel.isOpen(), "a connection at a frame boundary is not timed");
  }
}
