package dev.secdrive.emulator.endpoint.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.secure.Authority;
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
 * answered, a frame that never completes is closed at its deadline, and connections beyond the
 * bound are closed at once.
 */
class TcpEndpointIT {

  @TempDir Path media;
  @TempDir Path anchors;
  private Emulator emulator;
  private TcpEndpoint endpoint;
  private final List<Socket> held = new ArrayList<>();

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
    endpoint = new TcpEndpoint(new InetSocketAddress("127.0.0.1", 0), limits);
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
    start(new TcpEndpoint.Limits(1024, Duration.ofSeconds(30), null));
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
    start(new TcpEndpoint.Limits(1024, Duration.ofMillis(100), null));
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
    start(new TcpEndpoint.Limits(8, Duration.ofSeconds(30), Duration.ofMillis(100)));
    Socket host = open(testUnitReady(1));
    assertEquals(1, statusTag(host));
    assertTrue(closedUnanswered(host), "closed after the idle timeout");
  }

  @Test
  void connectionsBeyondTheBoundAreClosedAtOnce() throws IOException {
    start(new TcpEndpoint.Limits(2, Duration.ofSeconds(30), null));
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
}
