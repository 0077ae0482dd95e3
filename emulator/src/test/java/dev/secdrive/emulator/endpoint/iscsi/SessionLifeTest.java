package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.AsyncMessage;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextResponse;
import dev.secdrive.protocol.iscsi.TextKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session's life beyond commands, on a manual clock: NOP-In pings of an idle initiator (RFC 7143
 * 11.19), the connection dropped when a ping goes unanswered, and the logout request (Async
 * Message, AsyncEvent 1) a shutdown sends.
 */
class SessionLifeTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ManualScheduler clock = new ManualScheduler();
  private RawInitiator initiator;

  @BeforeEach
  void login() throws Exception {
    Portal portal =
        new Portal(
            new Target(List.of()),
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            IscsiEndpoint.POLICY,
            1 << 20,
            null,
            Optional.empty(),
            Optional.empty(),
            new SessionTable(),
            true,
            Optional.of(new NopPinger.Settings(INTERVAL, TIMEOUT, clock)));
    initiator = new RawInitiator(portal);
    initiator.login("iqn.2026-12.dev.secdrive:idle", 1, 0);
  }

  @AfterEach
  void release() {
    initiator.channel.finishAndReleaseAll();
  }

  private void after(Duration duration) {
    clock.advance(duration);
    initiator.pump();
  }

  private NopIn ping() throws Exception {
    NopIn ping = assertInstanceOf(NopIn.class, initiator.receive());
    assertEquals(IscsiPdu.RESERVED_TAG, ping.initiatorTaskTag());
    assertNotEquals(IscsiPdu.RESERVED_TAG, ping.targetTransferTag());
    assertEquals(initiator.expStatSn, ping.statSn(), "a ping does not take a StatSN");
    return ping;
  }

  private void answer(NopIn ping) {
    initiator.send(
        new NopOut(
            true,
            0L,
            IscsiPdu.RESERVED_TAG,
            ping.targetTransferTag(),
            initiator.cmdSn,
            initiator.expStatSn,
            DataSegment.EMPTY));
  }

  @Test
  void anIdleInitiatorIsPingedAndKeptWhileItAnswers() throws Exception {
    after(INTERVAL.minusSeconds(1));
    assertNull(initiator.receive(), "not idle long enough");
    after(Duration.ofSeconds(1));
    answer(ping());
    after(TIMEOUT);
    assertTrue(initiator.channel.isOpen());
    after(INTERVAL.minus(TIMEOUT)); // an interval after the answer
    NopIn second = ping();
    after(TIMEOUT.minusSeconds(1));
    assertTrue(initiator.channel.isOpen());
    after(Duration.ofSeconds(1));
    assertFalse(initiator.channel.isOpen(), "an unanswered ping drops the connection");
    assertNotEquals(IscsiPdu.RESERVED_TAG, second.targetTransferTag());
  }

  @Test
  void aBusyInitiatorIsNotPinged() throws Exception {
    after(Duration.ofSeconds(5));
    initiator.send(initiator.command(1, new byte[6], false, 0));
    initiator.expStatSn = assertInstanceOf(ScsiResponse.class, initiator.receive()).statSn() + 1;
    after(Duration.ofSeconds(5));
    assertNull(initiator.receive(), "it spoke within the interval");
    after(INTERVAL);
    ping();
  }

  private TextResponse text(boolean last, int ttt, String keys) throws Exception {
    initiator.send(
        new TextRequest(
            true,
            last,
            !last,
            0L,
            9,
            ttt,
            initiator.cmdSn,
            initiator.expStatSn,
            DataSegment.of(keys.getBytes(StandardCharsets.UTF_8))));
    TextResponse response = assertInstanceOf(TextResponse.class, initiator.receive());
    assertEquals(9, response.initiatorTaskTag());
    assertEquals(initiator.expStatSn, response.statSn());
    initiator.expStatSn++;
    return response;
  }

  @Test
  void textTravelsInSeveralPdusBothWays() throws Exception {
    RawInitiator small = initiator;
    small.channel.finishAndReleaseAll();
    initiator = new RawInitiator(portalWithoutPings());
    initiator.maxRecvDataSegmentLength = "512";
    initiator.login("iqn.2026-12.dev.secdrive:text", 2, 0);
    StringBuilder first = new StringBuilder();
    StringBuilder second = new StringBuilder();
    for (int k = 0; k < 40; k++) {
      (k < 20 ? first : second).append("X-secdrive-key-").append(k).append("=1\0");
    }
    // The request in two PDUs: the first (C=1) is answered empty, with a tag to continue with.
    TextResponse more = text(false, IscsiPdu.RESERVED_TAG, first.toString());
    assertFalse(more.finalPdu());
    assertFalse(more.continues());
    assertEquals(0, more.data().length());
    assertNotEquals(IscsiPdu.RESERVED_TAG, more.targetTransferTag());
    // The answer, 40 keys NotUnderstood, is longer than the initiator's 512 bytes: in parts.
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    TextResponse part = text(true, more.targetTransferTag(), second.toString());
    int parts = 1;
    while (part.continues()) {
      assertFalse(part.finalPdu());
      assertEquals(512, part.data().length());
      answer.writeBytes(part.data().toByteArray());
      part = text(true, part.targetTransferTag(), "");
      parts++;
    }
    assertTrue(part.finalPdu());
    assertEquals(IscsiPdu.RESERVED_TAG, part.targetTransferTag());
    answer.writeBytes(part.data().toByteArray());
    assertTrue(parts >= 2, "split into " + parts + " parts");
    TextKeys keys = TextKeys.parse(answer.toByteArray(), 65536);
    for (int k = 0; k < 40; k++) {
      assertEquals("NotUnderstood", keys.get("X-secdrive-key-" + k).orElseThrow());
    }
  }

  private static Portal portalWithoutPings() {
    return new Portal(
        new Target(List.of()),
        IscsiEndpoint.DEFAULT_TARGET_NAME,
        IscsiEndpoint.POLICY,
        1 << 20,
        null,
        Optional.empty(),
        Optional.empty(),
        new SessionTable(),
        true,
        Optional.empty());
  }

  @Test
  void aShutdownAsksTheInitiatorToLogOut() throws Exception {
    initiator.connection.session().requestLogout();
    AsyncMessage message = assertInstanceOf(AsyncMessage.class, initiator.receive());
    assertEquals(IscsiConnection.ASYNC_EVENT_LOGOUT_REQUEST, message.asyncEvent());
    assertEquals(IscsiConnection.LOGOUT_WAIT_SECONDS, message.parameter3());
    assertEquals(initiator.expStatSn, message.statSn());
  }
}
