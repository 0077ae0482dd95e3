package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.TransportException;
import dev.secdrive.kit.serial.LineRunner;
import dev.secdrive.kit.serial.MemoryLine;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.link.ReliableLink;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The serial transport against a scripted device on an in-memory line: the device runs a real link
 * layer, parses the host's command frames by hand from {@code PROTOCOL.md} and answers with
 * scripted bytes, as {@link ScriptedPeer} does over TCP. Timeouts and retries run on a clock the
 * test advances.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerialTransportTest {

  private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0};
  private static final byte[] WRITE_10 = {0x2A, 0, 0, 0, 0, 9, 0, 0, 1, 0};
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final MemoryLine[] line = MemoryLine.pair();
  private final Device device = new Device(line[1]);
  private final SerialTransport transport = SerialTransport.over("test", line[0], 0, false);

  /** The device's end: a link, and frames parsed and built field by field. */
  static final class Device implements AutoCloseable {
    final BlockingQueue<ScriptedPeer.Command> commands = new LinkedBlockingQueue<>();
    final ReliableLink link =
        new ReliableLink(ReliableLink.Config.forBaudRate(0, 1 << 20), System::nanoTime, this::got);
    final LineRunner runner;

    Device(MemoryLine line) {
      runner = new LineRunner("device", line, link::receive, link::takeOutput, 0, false, e -> {});
    }

    private void got(byte[] body) {
      ByteBuffer b = ByteBuffer.wrap(body);
      assertEquals(ScriptedPeer.COMMAND_MAGIC, b.getInt(0), "magic SDCW");
      assertEquals(1, b.get(4), "version");
      int flags = b.get(5) & 0xFF;
      int lun = b.get(6) & 0xFF;
      int cdbLength = b.get(7) & 0xFF;
      int tag = b.getInt(8);
      long expectedDataIn = b.getInt(12) & 0xFFFF_FFFFL;
      long dataOutLength = b.getInt(16) & 0xFFFF_FFFFL;
      assertEquals(20 + cdbLength + dataOutLength, body.length, "one frame per link message");
      byte[] cdb = Arrays.copyOfRange(body, 20, 20 + cdbLength);
      byte[] dataOut = Arrays.copyOfRange(body, 20 + cdbLength, body.length);
      commands.add(new ScriptedPeer.Command(body, flags, lun, tag, expectedDataIn, cdb, dataOut));
    }

    ScriptedPeer.Command read() throws InterruptedException {
      ScriptedPeer.Command command = commands.poll(20, TimeUnit.SECONDS);
      assertNotNull(command, "no command arrived");
      return command;
    }

    void good(ScriptedPeer.Command command, byte[] data) {
      send(ScriptedPeer.statusFrame(command.tag(), ScriptedPeer.GOOD, 0, 0, new byte[0], data));
    }

    /** Sends a frame built with its TCP length prefix, without it: the link delimits. */
    void send(byte[] prefixed) {
      link.send(Arrays.copyOfRange(prefixed, 4, prefixed.length));
    }

    void protocolError(String message) {
      byte[] text = message.getBytes(StandardCharsets.UTF_8);
      link.send(
          ByteBuffer.allocate(8 + text.length)
              .putInt(ScriptedPeer.ERROR_MAGIC)
              .put((byte) 1)
              .put((byte) 0)
              .putShort((short) text.length)
              .put(text)
              .array());
    }

    @Override
    public void close() {
      runner.close();
    }
  }

  @AfterEach
  void close() {
    transport.close();
    device.close();
  }

  private CompletableFuture<StatusFrame> read(int lun) {
    return transport.submit(lun, READ_10, 2048, null, "READ(10) lba=8 blocks=1", TIMEOUT);
  }

  private static StatusFrame await(CompletableFuture<StatusFrame> future) throws Exception {
    return future.get(20, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<StatusFrame> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(future));
    return e.getCause();
  }

  @Test
  void aCommandGoesOutAsOneFrameAndItsAnswerFindsIt() throws Exception {
    CompletableFuture<StatusFrame> future = read(1);
    ScriptedPeer.Command command = device.read();
    assertEquals(0x80, command.flags(), "data-in");
    assertEquals(1, command.lun());
    assertEquals(2048, command.expectedDataIn());
    assertArrayEquals(READ_10, command.cdb());
    byte[] block = ScriptedPeer.filled(2048, 0x5A);
    device.good(command, block);
    StatusFrame status = await(future);
    assertEquals(command.tag(), status.tag());
    assertArrayEquals(block, ByteBufUtil.getBytes(status.dataIn()));
    status.release();
  }

  @Test
  void dataOutTravelsInTheFrame() throws Exception {
    byte[] data = ScriptedPeer.filled(2048, 0x3C);
    CompletableFuture<StatusFrame> future =
        transport.submit(
            0, WRITE_10, 0, Unpooled.wrappedBuffer(data), "WRITE(10) lba=9 blocks=1", TIMEOUT);
    ScriptedPeer.Command command = device.read();
    assertEquals(0, command.flags(), "data-out");
    assertArrayEquals(data, command.dataOut());
    device.good(command, new byte[0]);
    await(future).release();
  }

  @Test
  void answersOutOfOrderCompleteTheirOwnCommands() throws Exception {
    CompletableFuture<StatusFrame> first = read(0);
    CompletableFuture<StatusFrame> second = read(0);
    ScriptedPeer.Command a = device.read();
    ScriptedPeer.Command b = device.read();
    assertFalse(a.tag() == b.tag(), "one tag per command");
    device.good(b, ScriptedPeer.filled(2048, 2));
    device.good(a, ScriptedPeer.filled(2048, 1));
    StatusFrame one = await(first);
    StatusFrame two = await(second);
    assertEquals(1, one.dataIn().getByte(0));
    assertEquals(2, two.dataIn().getByte(0));
    one.release();
    two.release();
  }

  @Test
  void aProtocolErrorFromTheDeviceFailsWhatIsPendingAndTheLineServesOn() throws Exception {
    CompletableFuture<StatusFrame> future = read(0);
    device.read();
    device.protocolError("protocol error: bad magic 0x12345678");
    Throwable cause = failure(future);
    assertInstanceOf(TransportException.class, cause);
    assertTrue(
        cause.getMessage().contains("device reported: protocol error: bad magic"),
        cause.getMessage());
    assertTrue(transport.isOpen(), "the link delimits frames: the next one is fine");

    CompletableFuture<StatusFrame> next = read(0);
    device.good(device.read(), ScriptedPeer.filled(2048, 7));
    await(next).release();
  }

  @Test
  void bytesThatAreNoFrameCloseTheTransport() throws Exception {
    CompletableFuture<StatusFrame> future = read(0);
    device.read();
    device.link.send("not a frame at all".getBytes(StandardCharsets.US_ASCII));
    Throwable cause = failure(future);
    assertInstanceOf(TransportException.class, cause);
    assertTrue(cause.getMessage().contains("protocol error from device"), cause.getMessage());
    assertFalse(transport.isOpen());
    Throwable refused = failure(read(0));
    assertTrue(refused.getMessage().contains("not sent"), refused.getMessage());
  }

  @Test
  void closingFailsWhatIsPendingAndClosesTheLine() throws Exception {
    CompletableFuture<StatusFrame> future = read(0);
    device.read();
    transport.close();
    Throwable cause = failure(future);
    assertInstanceOf(TransportException.class, cause);
    assertTrue(cause.getMessage().contains("closed by the host"), cause.getMessage());
    assertTrue(line[0].closed(), "the port is released");
    assertFalse(transport.isOpen());
  }

  /** A transport whose timeouts and retries run on a clock the test advances. */
  private static final class Clocked implements AutoCloseable {
    final ManualScheduler time = new ManualScheduler();
    final MemoryLine[] line = MemoryLine.pair();
    final Device device = new Device(line[1]);
    final SerialTransport transport =
        SerialTransport.over("clocked", line[0], 0, false, time::nanoTime, time);

    @Override
    public void close() {
      transport.close();
      device.close();
    }
  }

  @Test
  void anOverdueAnswerIsAskedForAgainWithTheSameTag() throws Exception {
    try (Clocked rig = new Clocked()) {
      CompletableFuture<StatusFrame> future =
          rig.transport.submit(0, READ_10, 2048, null, "READ(10) lba=8 blocks=1", TIMEOUT);
      ScriptedPeer.Command first = rig.device.read();
      // The device has the command (its link acknowledged it) but its answer never comes: once
      // the give-up time has passed on the transport's clock, the command goes again.
      ScriptedPeer.Command again = null;
      while (again == null) {
        rig.time.advance(Duration.ofSeconds(1));
        again = rig.device.commands.poll(50, TimeUnit.MILLISECONDS);
      }
      assertEquals(first.tag(), again.tag(), "the same tag, for the device's reply cache");
      assertArrayEquals(first.wire(), again.wire(), "the same command");
      long giveUp = ReliableLink.Config.forBaudRate(0, 1 << 20).giveUpNanos();
      assertTrue(
          rig.time.nanoTime() > giveUp, "not before the give-up time on the transport's clock");
      rig.device.good(again, ScriptedPeer.filled(2048, 9));
      StatusFrame status = await(future);
      assertEquals(first.tag(), status.tag());
      status.release();
    }
  }

  @Test
  void aCommandTimesOutOnTheTransportsClock() throws Exception {
    try (Clocked rig = new Clocked()) {
      CompletableFuture<StatusFrame> future =
          rig.transport.submit(
              0, READ_10, 2048, null, "READ(10) lba=8 blocks=1", Duration.ofSeconds(3));
      rig.device.read();
      assertFalse(future.isDone());
      rig.time.advance(Duration.ofSeconds(3));
      Throwable cause = failure(future);
      assertInstanceOf(dev.secdrive.host.api.CommandTimeoutException.class, cause);
      assertTrue(rig.transport.isOpen(), "a timeout is the command's, not the line's");
    }
  }
}
