package dev.secdrive.emulator.transport.serial;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.transport.DevicePipeline;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.link.LinkRunner;
import dev.secdrive.protocol.link.ReliableLink;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drive target served on a serial port. The link layer runs on the port; each message it delivers
 * is a frame, handed through a local channel to the same device pipeline TCP uses (with a reply
 * cache), and each frame the pipeline answers goes back as a message. The serial port is one I_T
 * nexus for as long as the endpoint runs: a host that closes and reopens its end is still the same
 * initiator on the same wire, so retried commands find their answers.
 */
public final class SerialEndpoint implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SerialEndpoint.class);

  private final String device;
  private final EventLoopGroup group;
  private final Channel server;
  private final LinkRunner runner;
  private final int maximumDataLength;
  private volatile Channel bridge;
  private volatile boolean closed;

  private SerialEndpoint(
      String device,
      EventLoopGroup group,
      Channel server,
      SerialPortLine line,
      int baud,
      boolean paced,
      int maximumDataLength) {
    this.device = device;
    this.group = group;
    this.server = server;
    this.maximumDataLength = maximumDataLength;
    ReliableLink link =
        new ReliableLink(
            ReliableLink.Config.forBaudRate(baud, Frame.maximumFrameLength(maximumDataLength)),
            System::nanoTime,
            this::fromHost);
    this.runner =
        new LinkRunner(
            "secdrive-serial " + device,
            line,
            link,
            baud,
            paced,
            e -> log.error("serial port {} failed: {}", device, e.getMessage()));
    this.bridge = connectBridge();
  }

  /**
   * Opens {@code device} and serves {@code target} on it.
   *
   * @param paced hold output to the baud rate (realistic timing; a pty would go faster)
   * @throws UncheckedIOException naming the port and the problem
   */
  public static SerialEndpoint start(
      Target target, String device, int baud, boolean paced, int maximumDataLength) {
    SerialPortLine line;
    try {
      line = SerialPortLine.open(device, baud);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("secdrive-serial", true), LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress("secdrive-serial-" + device);
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(LocalServerChannel.class)
            .childHandler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel channel) {
                    DevicePipeline.initialize(channel.pipeline(), target, maximumDataLength, true);
                  }
                })
            .bind(address)
            .syncUninterruptibly()
            .channel();
    return new SerialEndpoint(device, group, server, line, baud, paced, maximumDataLength);
  }

  /** The local channel that carries frames between the link and the device pipeline. */
  private Channel connectBridge() {
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel channel) {
                    int maximumFrame = Frame.maximumFrameLength(maximumDataLength);
                    channel
                        .pipeline()
                        .addLast(
                            new LengthFieldBasedFrameDecoder(
                                maximumFrame + TcpFrameDecoder.LENGTH_PREFIX,
                                0,
                                TcpFrameDecoder.LENGTH_PREFIX,
                                0,
                                TcpFrameDecoder.LENGTH_PREFIX))
                        .addLast(new ToHost());
                  }
                })
            .connect(server.localAddress())
            .syncUninterruptibly()
            .channel();
    channel
        .closeFuture()
        .addListener(
            f -> {
              // The device closed the nexus after a protocol error; the wire is still there.
              if (!closed) {
                bridge = connectBridge();
              }
            });
    return channel;
  }

  /** A message from the host: one frame, passed to the device pipeline with its length prefix. */
  private void fromHost(byte[] frame) {
    ByteBuf framed = Unpooled.buffer(TcpFrameDecoder.LENGTH_PREFIX + frame.length);
    framed.writeInt(frame.length).writeBytes(frame);
    bridge.writeAndFlush(framed);
  }

  /** Frames the device pipeline answers with go back over the link, one message each. */
  private final class ToHost extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      runner.link().send(ByteBufUtil.getBytes(frame));
    }
  }

  public String device() {
    return device;
  }

  public ReliableLink.Stats stats() {
    return runner.link().stats();
  }

  @Override
  public void close() {
    closed = true;
    runner.close();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
