package dev.secdrive.emulator.endpoint.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Since when a connection has been quiet: from its acceptance, busy while a frame is partly in or
 * an answer is unwritten, and quiet again from the moment its answer is written.
 */
class QuietTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final AtomicLong clock = new AtomicLong();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final TcpEndpoint.Quiet quiet;

  QuietTest() {
    Firmware drive =
        new Firmware(
            0, ProfileCatalog.builtIn().get("mo-640"), "DEV", TimingMode.FAST, System::nanoTime);
    TcpFrameDecoder decoder = new TcpFrameDecoder(1 << 20);
    CommandHandler.OnChannel commands = new CommandHandler.OnChannel(new Target(List.of(drive)));
    quiet = new TcpEndpoint.Quiet(decoder, commands, clock::get);
    channel
        .pipeline()
        .addLast(quiet)
        .addLast(decoder)
        .addLast(TcpFrameEncoder.INSTANCE)
        .addLast(commands);
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static byte[] testUnitReady() {
    EmbeddedChannel encoder = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    encoder.writeOutbound(CommandFrame.dataIn(1, 0, new TestUnitReady().encode(), 0));
    ByteBuf bytes = encoder.readOutbound();
    try {
      return ByteBufUtil.getBytes(bytes);
    } finally {
      bytes.release();
      encoder.finishAndReleaseAll();
    }
  }

  @Test
  void quietFromAcceptance() {
    assertEquals(30 * SECOND, quiet.quietFor(30 * SECOND));
  }

  @Test
  void busyWhileAFrameIsPartlyInAndQuietFromItsWrittenAnswer() {
    byte[] frame = testUnitReady();
    clock.set(10 * SECOND);
    channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(frame, 6)));
    assertTrue(quiet.quietFor(60 * SECOND) < 0, "a frame begun");

    clock.set(20 * SECOND);
    channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(frame, 6, frame.length)));
    ByteBuf answer = channel.readOutbound();
    assertTrue(answer.readableBytes() > 0, "the command was answered");
    answer.release();
    assertEquals(15 * SECOND, quiet.quietFor(35 * SECOND), "quiet since the answer was written");
  }

  @Test
  void busyWhileAnAnswerIsUnwritten() {
    clock.set(5 * SECOND);
    channel.write(Unpooled.wrappedBuffer(new byte[] {1}));
    assertTrue(quiet.quietFor(60 * SECOND) < 0, "an answer not yet written");

    clock.set(7 * SECOND);
    channel.flush();
    assertEquals(3 * SECOND, quiet.quietFor(10 * SECOND));
    ((ByteBuf) channel.readOutbound()).release();
  }
}
