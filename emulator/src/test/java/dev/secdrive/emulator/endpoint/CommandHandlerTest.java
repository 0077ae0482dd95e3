package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Reserve6;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Direction;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command handler takes on queued commands only as the connection can take answers. */
class CommandHandlerTest {

  private static final DriveProfile MO640 = ProfileCatalog.builtIn().get("mo-640");

  @TempDir Path media;

  /** An MO-640 medium in the test's store, open. */
  private Medium mo640Medium() {
    MediumType type = MO640.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "Q", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    return store.open("Q");
  }

  @Test
  void commandsBeyondTheWriteBufferWaitTheirTurnAndAllAreAnswered() throws Exception {
    Firmware drive = new Firmware(0, MO640, "DEV", TimingMode.FAST, System::nanoTime);
    try (Medium medium = mo640Medium()) {
      drive.insert(medium);
      EmbeddedChannel channel = new EmbeddedChannel();
      channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
      // Records, for every answer, whether the connection could take it when it was written.
      List<Boolean> writableAtWrite = new java.util.ArrayList<>();
      channel
          .pipeline()
          .addLast(
              new io.netty.channel.ChannelOutboundHandlerAdapter() {
                @Override
                public void write(
                    io.netty.channel.ChannelHandlerContext ctx,
                    Object msg,
                    io.netty.channel.ChannelPromise promise) {
                  writableAtWrite.add(ctx.channel().isWritable());
                  ctx.write(msg, promise);
                }
              });
      channel.pipeline().addLast(new CommandHandler.OnChannel(new Target(List.of(drive))));

      // The first command of a new nexus meets the power-on unit attention; then three 4 KiB
      // reads in one burst: each answer alone fills the write buffer past its high mark.
      CommandFrame[] burst = new CommandFrame[4];
      for (int tag = 0; tag < 4; tag++) {
        // A real (empty) buffer, not EMPTY_BUFFER, so that its release can be checked.
        burst[tag] =
            new CommandFrame(
                tag, 0, Direction.IN, new Read10(tag * 2L, 2).encode(), 4096, Unpooled.buffer(0));
      }
      channel.writeInbound((Object[]) burst);
      channel.runPendingTasks();

      for (int tag = 0; tag < 4; tag++) {
        StatusFrame status = channel.readOutbound();
        assertEquals(tag, status.tag(), "answered in order");
        assertEquals(tag == 0 ? ScsiStatus.CHECK_CONDITION : ScsiStatus.GOOD, status.status());
        assertEquals(tag == 0 ? 0 : 4096, status.dataIn().readableBytes());
        status.release();
      }
      assertNull(channel.readOutbound());
      assertEquals(
          List.of(true, true, true, true), writableAtWrite, "no answer written into a full buffer");
      assertTrue(channel.config().isAutoRead(), "reading resumes once the queue is empty");
      for (CommandFrame frame : burst) {
        assertEquals(0, frame.refCnt(), "every command released");
      }
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void aWriteGivenOtherThanItsCdbsLengthIsAnsweredWithTheDataOutResidual() throws Exception {
    Firmware drive = new Firmware(0, MO640, "DEV", TimingMode.FAST, System::nanoTime);
    try (Medium medium = mo640Medium()) {
      drive.insert(medium);
      EmbeddedChannel channel =
          new EmbeddedChannel(new CommandHandler.OnChannel(new Target(List.of(drive))));
      int block = medium.blockSize();
      CommandFrame[] writes = {
        CommandFrame.dataIn(0, 0, new TestUnitReady().encode(), 0), // the power-on attention
        CommandFrame.dataOut(
            1, 0, new Write10(0, 1).encode(), Unpooled.buffer().writeZero(3 * block)),
        CommandFrame.dataOut(2, 0, new Write10(0, 2).encode(), Unpooled.buffer().writeZero(block)),
        CommandFrame.dataOut(3, 0, new Write10(0, 2).encode(), Unpooled.buffer().writeZero(100)),
        CommandFrame.dataOut(
            4, 0, new Write10(0, 2).encode(), Unpooled.buffer().writeZero(2 * block))
      };
      channel.writeInbound((Object[]) writes);
      channel.runPendingTasks();
      channel.<StatusFrame>readOutbound().release();

      StatusFrame more = channel.readOutbound();
      assertEquals(ScsiStatus.GOOD, more.status());
      assertTrue(more.underflow(), "the host sent more than the CDB names");
      assertEquals(2L * block, more.residual());
      StatusFrame less = channel.readOutbound();
      assertEquals(ScsiStatus.GOOD, less.status());
      assertTrue(less.overflow(), "the CDB names more than the host sent");
      assertEquals(block, less.residual());
      StatusFrame cut = channel.readOutbound();
      assertEquals(ScsiStatus.CHECK_CONDITION, cut.status());
      assertEquals(0x0E, cut.sense()[12] & 0xFF, "INVALID FIELD IN COMMAND INFORMATION UNIT");
      assertTrue(cut.overflow());
      assertEquals(2L * block - 100, cut.residual());
      StatusFrame exact = channel.readOutbound();
      assertEquals(ScsiStatus.GOOD, exact.status());
      assertEquals(0, exact.residual());
      assertTrue(!exact.underflow() && !exact.overflow());
      assertNull(channel.readOutbound());
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void anotherConnectionsCommandsMeetTheReservationAsRESERVATIONCONFLICTWithoutSense()
      throws Exception {
    Firmware drive = new Firmware(0, MO640, "DEV", TimingMode.FAST, System::nanoTime);
    Target target = new Target(List.of(drive));
    EmbeddedChannel holder = new EmbeddedChannel(new CommandHandler.OnChannel(target));
    EmbeddedChannel other = new EmbeddedChannel(new CommandHandler.OnChannel(target));
    holder.writeInbound(
        CommandFrame.dataIn(0, 0, new TestUnitReady().encode(), 0), // the power-on attention
        CommandFrame.dataIn(1, 0, new Reserve6().encode(), 0));
    holder.runPendingTasks();
    holder.<StatusFrame>readOutbound().release();
    assertEquals(ScsiStatus.GOOD, holder.<StatusFrame>readOutbound().status());

    other.writeInbound(
        CommandFrame.dataIn(6, 0, new TestUnitReady().encode(), 0), // its own power-on attention
        CommandFrame.dataIn(7, 0, new Read10(0, 1).encode(), 2048));
    other.runPendingTasks();
    other.<StatusFrame>readOutbound().release();
    StatusFrame conflict = other.readOutbound();
    assertEquals(7, conflict.tag());
    assertEquals(ScsiStatus.RESERVATION_CONFLICT, conflict.status());
    assertEquals(0, conflict.sense().length);
    assertEquals(0, conflict.dataIn().readableBytes());
    assertTrue(conflict.underflow());
    assertEquals(2048, conflict.residual());

    holder.close(); // the holder's connection ends: its nexus, and the reservation, with it
    other.writeInbound(CommandFrame.dataIn(8, 0, new Reserve6().encode(), 0));
    other.runPendingTasks();
    StatusFrame reserved = other.readOutbound();
    assertEquals(ScsiStatus.GOOD, reserved.status(), "the reservation went with the nexus");
    other.finishAndReleaseAll();
    holder.finishAndReleaseAll();
  }
}
