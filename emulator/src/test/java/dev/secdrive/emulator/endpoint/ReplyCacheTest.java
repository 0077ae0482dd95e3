package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import io.netty.buffer.Unpooled;
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

  /** Whether the cache lets {@code command} through to the firmware; releases it. */
  private static boolean executes(ReplyCache cache, CommandFrame command) {
    try {
      return !cache.isRetry(command);
    } finally {
      command.release();
    }
  }

  @Test
  void aRetriedCommandIsAnsweredFromTheCacheNotExecutedAgain() {
    ReplyCache cache = new ReplyCache();

    assertTrue(executes(cache, write(7, "block")), "the first arrival goes on to the firmware");

    // Retried while the first is still executing: dropped, its answer is coming.
    assertFalse(executes(cache, write(7, "block")));
    assertNull(cache.replyTo(7));

    StatusFrame reply = answer(7, "ok");
    cache.remember(reply);
    reply.release(); // sent

    // Retried after the answer: the same answer again, nothing reaches the firmware.
    assertFalse(executes(cache, write(7, "block")));
    StatusFrame again = cache.replyTo(7);
    assertEquals(7, again.tag());
    assertEquals("ok", again.dataIn().toString(StandardCharsets.US_ASCII));
    again.release();
    assertEquals(2, cache.hits());

    cache.release();
    assertEquals(0, reply.refCnt(), "the cached answer is released with the nexus");
  }

  @Test
  void aReusedTagWithOtherContentsIsANewCommand() {
    ReplyCache cache = new ReplyCache();
    assertTrue(executes(cache, write(3, "old session")));
    StatusFrame old = answer(3, "old");
    cache.remember(old);
    old.release();

    assertTrue(executes(cache, CommandFrame.dataIn(3, 0, READ_10, 2048)), "different contents");
    assertNull(cache.replyTo(3), "no stale answer for it");
    assertEquals(0, old.refCnt(), "the stale answer is released");
    cache.release();
  }

  @Test
  void oldAnswersAreEvictedAndReleased() {
    ReplyCache cache = new ReplyCache();
    StatusFrame firstAnswer = null;
    for (int tag = 0; tag < ReplyCache.MAXIMUM_ENTRIES + 10; tag++) {
      assertTrue(executes(cache, write(tag, "x" + tag)));
      StatusFrame reply = answer(tag, "r" + tag);
      if (tag == 0) {
        firstAnswer = reply;
      }
      cache.remember(reply);
      reply.release();
    }
    assertEquals(0, firstAnswer.refCnt(), "the oldest cached answer was released");
    // The oldest tag is forgotten: a retry of it executes (the host gave up on it long ago).
    assertTrue(executes(cache, write(0, "x0")));
    cache.release();
  }
}
