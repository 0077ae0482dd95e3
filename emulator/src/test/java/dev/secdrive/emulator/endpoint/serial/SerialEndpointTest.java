package dev.secdrive.emulator.endpoint.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.kit.serial.LineRunner;
import dev.secdrive.kit.serial.MemoryLine;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.link.ReliableLink;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serial endpoint on an in-memory line, with a host that speaks the link layer and frames
 * directly: the link's messages reach the shared handler as frames, and its answers come back as
 * messages.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerialEndpointTest {

  @TempDir Path media;

  private final MemoryLine[] line = MemoryLine.pair();
  private final BlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
  private final ReliableLink host =
      new ReliableLink(ReliableLink.Config.forBaudRate(0, 1 << 20), System::nanoTime, answers::add);
  private LineRunner hostRunner;
  private SerialEndpoint endpoint;
  private Medium medium;

  @BeforeEach
  void start() throws Exception {
    DriveProfile profile = ProfileCatalog.builtIn().get("mo-640");
    MediumType type = profile.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "S", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    Firmware drive = new Firmware(0, profile, "DEV", TimingMode.FAST, System::nanoTime);
    medium = store.open("S");
    drive.insert(medium);
    endpoint = new SerialEndpoint("memory", 921600, false);
    endpoint.start(
        new Target(List.of(drive)),
        new Endpoint.Context(null, null, Frame.DEFAULT_MAXIMUM_DATA_LENGTH, TimingMode.FAST, null),
        line[1]);
    hostRunner =
        new LineRunner("host", line[0], host::receive, host::takeOutput, 0, false, e -> {});
  }

  @AfterEach
  void stop() throws Exception {
    hostRunner.close();
    endpoint.close();
    medium.close();
  }

  private void send(CommandFrame command) {
    ByteBuf encoded = Unpooled.buffer(FrameCodec.bodyLength(command));
    FrameCodec.writeHeader(command, encoded);
    encoded.writeBytes(
        command.dataOut(), command.dataOut().readerIndex(), command.dataOut().readableBytes());
    command.release();
    host.send(ByteBufUtil.getBytes(encoded));
  }

  private Frame answer() throws InterruptedException {
    byte[] message = answers.poll(20, TimeUnit.SECONDS);
    assertNotNull(message, "no answer");
    ByteBuf body = Unpooled.wrappedBuffer(message);
    try {
      return FrameCodec.decode(body);
    } finally {
      body.release();
    }
  }

  private StatusFrame status() throws InterruptedException {
    return assertInstanceOf(StatusFrame.class, answer());
  }

  private static CommandFrame testUnitReady(int tag) {
    return CommandFrame.dataIn(tag, 0, new TestUnitReady().encode(), 0);
  }

  @Test
  void aCommandSentTwiceExecutesOnce() throws Exception {
    // The nexus's first command meets its unit attention, which only one execution reports.
    send(testUnitReady(1));
    send(testUnitReady(1));
    send(testUnitReady(2));
    List<StatusFrame> forOne = new ArrayList<>();
    StatusFrame status;
    while ((status = status()).tag() != 2) {
      forOne.add(status);
    }
    assertEquals(ScsiStatus.GOOD, status.status(), "the attention is gone by the third command");
    status.release();
    assertTrue(!forOne.isEmpty());
    for (StatusFrame one : forOne) {
      assertEquals(ScsiStatus.CHECK_CONDITION, one.status(), "never executed a second time");
      one.release();
    }
  }

  @Test
  void aMessageThatIsNoFrameIsAnsweredAndTheNexusCarriesOn() throws Exception {
    send(testUnitReady(1));
    status().release(); // the unit attention
    host.send("not a frame at all, just bytes".getBytes(StandardCharsets.US_ASCII));
    ProtocolErrorFrame error = assertInstanceOf(ProtocolErrorFrame.class, answer());
    assertTrue(error.message().startsWith("protocol error: bad magic"), error.message());

    send(testUnitReady(2));
    StatusFrame next = status();
    assertEquals(2, next.tag());
    assertEquals(ScsiStatus.GOOD, next.status(), "the same nexus: no second unit attention");
    next.release();
  }

  @Test
  void dataOutAndDataInCrossTheLine() throws Exception {
    send(testUnitReady(1));
    status().release();
    byte[] block = new byte[2048];
    java.util.Arrays.fill(block, (byte) 0x6B);
    send(CommandFrame.dataOut(2, 0, new Write10(5, 1).encode(), Unpooled.wrappedBuffer(block)));
    StatusFrame written = status();
    assertEquals(ScsiStatus.GOOD, written.status());
    written.release();
    send(CommandFrame.dataIn(3, 0, new Read10(5, 1).encode(), 2048));
    StatusFrame read = status();
    assertEquals(3, read.tag());
    assertArrayEquals(block, ByteBufUtil.getBytes(read.dataIn()));
    read.release();
  }
}
