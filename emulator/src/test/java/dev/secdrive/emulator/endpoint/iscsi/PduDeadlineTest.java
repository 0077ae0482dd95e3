package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The PDU and login deadlines on the channel's own clock. */
class PduDeadlineTest {

  private static final Duration PDU = Duration.ofMillis(100);
  private static final Duration LOGIN = Duration.ofMillis(1000);

  private final AtomicBoolean loggedIn = new AtomicBoolean();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  PduDeadlineTest() {
    channel.freezeTime();
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    channel
        .pipeline()
        .addLast(new PduDeadline(decoder, PDU, LOGIN, loggedIn::get))
        .addLast(decoder);
  }

  private void elapse(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aHeaderThatStopsHalfWayIsClosedAtTheDeadline() {
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[20]));
    elapse(PDU.toMillis() - 1);
    assertTrue(channel.isOpen(), "not yet");
    elapse(1);
    assertFalse(channel.isOpen(), "closed at the PDU deadline");
  }

  @Test
  void aConnectionThatNeverLogsInIsClosedAtTheLoginDeadline() {
    elapse(LOGIN.toMillis() - 1);
    assertTrue(channel.isOpen(), "not yet");
    elapse(1);
    assertFalse(channel.isOpen(), "closed at the login deadline");
  }

  @Test
  void aLoggedInConnectionStaysOpenWhileIdle() {
    loggedIn.set(true);
    elapse(LOGIN.toMillis() * 10);
    assertTrue(channel.isOpen());
  }
}
