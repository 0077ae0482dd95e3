package dev.secdrive.emulator.endpoint.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many idle connections and half-sent frames against a real TCP endpoint: other hosts are still
 * answered, a frame that never completes is closed at its deadline, and when the bound is reached
 * the connection quiet longest gives way to a new one if it has been quiet long enough, else the
 * new one is closed. How long a connection has been quiet is measured on a clock the test moves.
 */
class TcpEndpointIT {

  @TempDir Path media;
  @TempDir Path anchors;
  private Emulator emulator;
  private TcpEndpoint endpoint;
  private final List<Socket> held = new ArrayList<>();

  /** The endpoint's clock for quiet connections; frame deadlines stay on the event loop's. */
  private final ManualScheduler quietClock = new ManualScheduler();

  /** The drive's clock and answer delays, under realistic timing only. */
  private final ManualScheduler driveClock = new ManualScheduler();

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : held) {
      socket.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  private void start(TcpEndpoint.Limits limits) {
    endpoint = new TcpEndpoint(new InetSocketAddress("127.0.0.1", 0), limits, quietClock::nanoTime);
    emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(anchors)
            .enrol(Authority.create())
            .drive(new DriveConfig(0, "mo-640", "TCP0", null))
            .endpoint(endpoint)
            .ioThreads(1)
            .start();
  }

  /**
   * A drive with a medium under realistic timing on {@link #driveClock}, which runs past the load
   * time: a READ then waits for its seek and transfer until the test moves that clock again.
   */
  private void startWithMedium(TcpEndpoint.Limits limits) throws IOException {
    MediumType type = ProfileCatalog.builtIn().mediumType("mo-640").orElseThrow();
    MediumStore.openOrCreate(media)
        .create(
            new MediumStore.Spec(
                "M", "mo-640", type.blockSize(), type.blockCount(), 4096, false, "", null));
    endpoint = new TcpEndpoint(new InetSocketAddress("127.0.0.1", 0), limits, quietClock::nanoTime);
    emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(anchors)
            .enrol(Authority.create())
            .drive(new DriveConfig(0, "mo-640", "TCP0", "M"))
            .timing(TimingMode.REALISTIC)
            .clock(driveClock::nanoTime)
            .answerDelays(driveClock)
            .endpoint(endpoint)
            .ioThreads(1)
            .start();
    driveClock.advance(Duration.ofMinutes(1));
  }

  private static TcpEndpoint.Limits limits(int maxConnections) {
    return new TcpEndpoint.Limits(
        maxConnections, Duration.ofSeconds(30), null, Duration.ofSeconds(30));
  }

  /** TEST UNIT READY with {@code tag} on LUN 0, as its bytes on the wire. */
  private static byte[] testUnitReady(int tag) {
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(CommandFrame.dataIn(tag, 0, new TestUnitReady().encode(), 0));
    ByteBuf bytes = channel.readOutbound();
    try {
      return ByteBufUtil.getBytes(bytes);
    } finally {
      bytes.release();
      channel.finishAndReleaseAll();
    }
  }

  /** READ(10) of one block at LBA 0 with {@code tag}, as its bytes on the wire. */
  private static byte[] read(int tag) {
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    channel.writeOutbound(CommandFrame.dataIn(tag, 0, new Read10(0, 1).encode(), 2048));
    ByteBuf bytes = channel.readOutbound();
    try {
      return ByteBufUtil.getBytes(bytes);
    } finally {
      bytes.release();
      channel.finishAndReleaseAll();
    }
  }

  /** A frame whose length prefix promises {@code length} body bytes, of which few are sent. */
  private static byte[] halfSent(int length) {
    byte[] whole = testUnitReady(7);
    ByteBuffer.wrap(whole).putInt(0, length);
    return Arrays.copyOf(whole, 12);
  }

  private Socket open(byte[] bytes) throws IOException {
    Socket socket = new Socket("127.0.0.1", endpoint.address().getPort());
    socket.setSoTimeout(60_000); // a bound on a failure only
    held.add(socket);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  /** The tag of the status frame answered on {@code socket}. */
  private static int statusTag(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] body = new byte[in.readInt()];
    in.readFully(body);
    ByteBuffer b = ByteBuffer.wrap(body);
    assertEquals(Frame.STATUS_MAGIC, b.getInt(0));
    return b.getInt(8);
  }

  private static boolean closedUnanswered(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  void idleAndHalfSentConnectionsDoNotStallAnotherHost() throws IOException {
    start(limits(1024));
    for (int i = 0; i < 600; i++) {
      open(i % 2 == 0 ? new byte[0] : halfSent(Frame.DEFAULT_MAXIMUM_DATA_LENGTH));
    }
    Socket host = open(testUnitReady(42));
    assertEquals(42, statusTag(host));
    // Accepted in order: every held connection was open when the host was answered.
    assertEquals(601, endpoint.connections());
  }

  @Test
  void aFrameThatDoesNotCompleteInTimeClosesItsConnection() throws IOException {
    start(new TcpEndpoint.Limits(1024, Duration.ofMillis(100), null, Duration.ofSeconds(30)));
    List<Socket> halfSent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      halfSent.add(open(halfSent(4096)));
    }
    Socket idle = open(new byte[0]);
    Socket host = open(testUnitReady(1));
    assertEquals(1, statusTag(host));
    for (Socket socket : halfSent) {
      assertTrue(closedUnanswered(socket), "closed at the frame deadline");
    }
    // Whole frames and silence cost nothing: the host and the idle connection stay.
    host.getOutputStream().write(testUnitReady(2));
    assertEquals(2, statusTag(host));
    assertEquals(2, endpoint.connections());
    assertTrue(idle.isConnected());
  }

  @Test
  void anIdleTimeoutClosesASilentConnection() throws IOException {
    start(new TcpEndpoint.Limits(8, Duration.ofSeconds(30), Duration.ofMillis(100), null));
    Socket host = open(testUnitReady(1));
    assertEquals(1, statusTag(host));
    assertTrue(closedUnanswered(host), "closed after the idle timeout");
  }

  @Test
  void connectionsBeyondTheBoundAreClosedAtOnceWhileNoneHasBeenQuietLongEnough()
      throws IOException {
    start(limits(2));
    Socket first = open(testUnitReady(1));
    Socket second = open(testUnitReady(2));
    assertEquals(1, statusTag(first));
    assertEquals(2, statusTag(second));
    Socket third = open(testUnitReady(3));
    assertTrue(closedUnanswered(third), "the third host is turned away");
    assertEquals(2, endpoint.connections());
    first.getOutputStream().write(testUnitReady(4));
    assertEquals(4, statusTag(first), "the admitted hosts are served on");
  }

  @Test
  void sixtyFourSilentConnectionsGiveWayToNewHostsOnceQuietLongEnough() throws IOException {
    start(
        new TcpEndpoint.Limits(
            64,
            TcpEndpoint.Limits.DEFAULT.frameTimeout(),
            TcpEndpoint.Limits.DEFAULT.idleTimeout(),
            TcpEndpoint.Limits.DEFAULT.evictableAfter()));
    for (int i = 0; i < 64; i++) {
      open(new byte[0]);
    }
    Socket early = open(testUnitReady(1));
    assertTrue(closedUnanswered(early), "turned away: no connection has been quiet 30 s");

    quietClock.advance(Duration.ofSeconds(30));
    Socket host = open(testUnitReady(2));
    assertEquals(2, statusTag(host), "a silent connection gave way");
    Socket another = open(testUnitReady(3));
    assertEquals(3, statusTag(another), "and another");
    assertEquals(64, endpoint.connections());
    host.getOutputStream().write(testUnitReady(4));
    assertEquals(4, statusTag(host), "the admitted host is served on");
  }

  @Test
  void theConnectionQuietLongestGivesWay() throws IOException {
    start(limits(2));
    Socket silent = open(new byte[0]);
    Socket host = open(testUnitReady(1));
    assertEquals(1, statusTag(host));
    quietClock.advance(Duration.ofSeconds(10));
    host.getOutputStream().write(testUnitReady(2));
    assertEquals(2, statusTag(host)); // quiet from here on, 10 s after the silent one

    quietClock.advance(Duration.ofSeconds(30));
    Socket newcomer = open(testUnitReady(3));
    assertEquals(3, statusTag(newcomer));
    assertTrue(closedUnanswered(silent), "the connection silent for 40 s gave way");
    host.getOutputStream().write(testUnitReady(4));
    assertEquals(4, statusTag(host), "the host quiet for 30 s stays");
    assertEquals(2, endpoint.connections());
  }

  @Test
  void busyConnectionsNeverGiveWay() throws IOException, InterruptedException {
    startWithMedium(limits(2));
    Socket halfSent = open(halfSent(4096)); // a frame begun
    Socket reading = open(testUnitReady(1));
    assertEquals(1, statusTag(reading)); // the power-on unit attention
    int before = driveClock.pending();
    reading.getOutputStream().write(read(2)); // waits for its seek on the drive's clock

    quietClock.advance(Duration.ofHours(1));
    Socket newcomer = open(testUnitReady(3));
    assertTrue(closedUnanswered(newcomer), "turned away: both connections are busy");
    assertEquals(2, endpoint.connections());

    driveClock.awaitPending(
        before + 1, Duration.ofSeconds(60)); // the READ's seek, once the drive has it
    driveClock.advance(Duration.ofSeconds(10));
    assertEquals(2, statusTag(reading), "the READ in flight is answered");
    assertTrue(halfSent.isConnected());
  }

  @Test
  void withRoomAnIdleHostStays() throws IOException {
    start(limits(2));
    Socket idle = open(testUnitReady(1));
    assertEquals(1, statusTag(idle));
    quietClock.advance(Duration.ofHours(1));
    Socket host = open(testUnitReady(2));
    assertEquals(2, statusTag(host));
    idle.getOutputStream().write(testUnitReady(3));
    assertEquals(3, statusTag(idle), "the host idle for an hour is served on");
    assertEquals(2, endpoint.connections());
  }
}
