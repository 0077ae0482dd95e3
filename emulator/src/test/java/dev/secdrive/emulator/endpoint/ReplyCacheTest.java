package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reply cache in front of the commands: retried tags are answered, never executed twice. */
class ReplyCacheTest {

  private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0};
  private static final byte[] WRITE_10 = {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0};

  private static CommandFrame write(int tag, String data) {
    return CommandFrame.dataOut(
        tag, 0, WRITE_10, Unpooled.copiedBuffer(data, StandardCharsets.US_ASCII));
  }

  private static StatusFrame answer(int tag, String data) {
    return StatusFrame.good(
        tag, data.length(), Unpooled.copiedBuffer(data, StandardCharsets.US_ASCII));
  }

  @Test
  void aRetriedCommandIsAnsweredFromTheCacheNotExecutedAgain() {
    ReplyCache cache = new ReplyCache();
    EmbeddedChannel channel = new EmbeddedChannel(cache);

    CommandFrame first = write(7, "block");
    channel.writeInbound(first);
    CommandFrame executed = channel.readInbound();
    assertSame(first, executed, "the first arrival goes on to the firmware");
    executed.release();

    // Retried while the first is still executing: dropped, its answer is coming.
    channel.writeInbound(write(7, "block"));
    assertNull(channel.readInbound());
    assertNull(channel.readOutbound());

    StatusFrame reply = answer(7, "ok");
    channel.writeOutbound(reply);
    StatusFrame sent = channel.readOutbound();
    sent.release();

    // Retried after the answer: the same answer again, nothing reaches the firmware.
    channel.writeInbound(write(7, "block"));
    assertNull(channel.readInbound());
    StatusFrame again = channel.readOutbound();
    assertEquals(7, again.tag());
    assertEquals("ok", again.dataIn().toString(StandardCharsets.US_ASCII));
    again.release();
    assertEquals(2, cache.hits());

    channel.finishAndReleaseAll();
    assertEquals(0, reply.refCnt(), "the cached answer is released with the channel");
  }

  @Test
  void aReusedTagWithOtherContentsIsANewCommand() {
    EmbeddedChannel channel = new EmbeddedChannel(new ReplyCache());
    channel.writeInbound(write(3, "old session"));
    ((CommandFrame) channel.readInbound()).release();
    channel.writeOutbound(answer(3, "old"));
    ((StatusFrame) channel.readOutbound()).release();

    CommandFrame fresh = CommandFrame.dataIn(3, 0, READ_10, 2048);
    channel.writeInbound(fresh);
    assertSame(fresh, channel.readInbound(), "different contents: executed");
    assertNull(channel.readOutbound(), "no stale answer for it");
    channel.finishAndReleaseAll();
  }

  @Test
  void oldAnswersAreEvictedAndReleased() {
    EmbeddedChannel channel = new EmbeddedChannel(new ReplyCache());
    StatusFrame firstAnswer = null;
    for (int tag = 0; tag < ReplyCache.MAXIMUM_ENTRIES + 10; tag++) {
      channel.writeInbound(write(tag, "x" + tag));
      ((CommandFrame) channel.readInbound()).release();
      StatusFrame reply = answer(tag, "r" + tag);
      if (tag == 0) {
        firstAnswer = reply;
      }
      channel.writeOutbound(reply);
      ((StatusFrame) channel.readOutbound()).release();
    }
    assertEquals(0, firstAnswer.refCnt(), "the oldest cached answer was released");
    // The oldest tag is forgotten: a retry of it executes (the host gave up on it long ago).
    CommandFrame retry = write(0, "x0");
    channel.writeInbound(retry);
    ByteBuf data = ((CommandFrame) channel.readInbound()).dataOut();
    assertEquals("x0", data.toString(StandardCharsets.US_ASCII));
    retry.release();
    channel.finishAndReleaseAll();
  }
}
