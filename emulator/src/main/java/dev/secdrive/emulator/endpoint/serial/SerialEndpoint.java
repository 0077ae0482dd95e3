package dev.secdrive.emulator.endpoint.serial;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.endpoint.DevicePipeline;
import dev.secdrive.kit.serial.LineRunner;
import dev.secdrive.kit.serial.SerialPortLine;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
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
import io.netty.util.ReferenceCountUtil;
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
  private final ReliableLink link;
  private final LineRunner runner;
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
    this.link =
        new ReliableLink(
            ReliableLink.Config.forBaudRate(baud, Frame.maximumFrameLength(maximumDataLength)),
            System::nanoTime,
            this::fromHost);
    // The bridge must exist before the line delivers anything (a host may already be sending).
    this.bridge = connectBridge();
    this.runner =
        new LineRunner(
            "secdrive-serial " + device,
            line,
            link::receive,
            link::takeOutput,
            baud,
            paced,
            e -> log.error("serial port {} failed: {}", device, e.getMessage()));
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
              // Frames are checked before they reach the pipeline, so the device only closes the
              // nexus on an internal error; the wire is still there, so connect again — from
              // another thread, since connecting waits on this channel's event loop.
              if (!closed) {
                log.error("serial port {}: device pipeline closed, reconnecting", device);
                Thread reconnect =
                    new Thread(() -> bridge = connectBridge(), "secdrive-serial-reconnect");
                reconnect.setDaemon(true);
                reconnect.start();
              }
            });
    return channel;
  }

  /**
   * A message from the host: one frame. A frame that does not parse is answered with a protocol
   * error frame right here: on a serial line the link already delimits frames, so a bad one says
   * nothing about the next and must not end the nexus (and its reply cache).
   */
  private void fromHost(byte[] frame) {
    String problem = null;
    try {
      Frame decoded = FrameCodec.decode(Unpooled.wrappedBuffer(frame));
      if (!(decoded instanceof CommandFrame)) {
        problem = "a device accepts only command frames, got " + decoded.getClass().getSimpleName();
      }
      ReferenceCountUtil.release(decoded);
    } catch (ProtocolException e) {
      problem = e.getMessage();
    }
    if (problem != null) {
      log.warn("serial port {}: protocol error: {}", device, problem);
      ProtocolErrorFrame error = new ProtocolErrorFrame("protocol error: " + problem);
      ByteBuf encoded = Unpooled.buffer(FrameCodec.bodyLength(error));
      FrameCodec.writeHeader(error, encoded);
      link.send(ByteBufUtil.getBytes(encoded));
      return;
    }
    ByteBuf framed = Unpooled.buffer(TcpFrameDecoder.LENGTH_PREFIX + frame.length);
    framed.writeInt(frame.length).writeBytes(frame);
    bridge.writeAndFlush(framed);
  }

  /** Frames the device pipeline answers with go back over the link, one message each. */
  private final class ToHost extends SimpleChannelInboundHandler<ByteBuf> {
    /** The link message carrying the latest answer for each recent tag. */
    private final java.util.Map<Integer, Integer> answers =
        new java.util.LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(java.util.Map.Entry<Integer, Integer> eldest) {
            return size() > 1024;
          }
        };

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      boolean status =
          frame.readableBytes() >= Frame.HEADER_LENGTH
              && frame.getInt(frame.readerIndex()) == Frame.STATUS_MAGIC;
      if (status) {
        int tag = frame.getInt(frame.readerIndex() + STATUS_TAG_OFFSET);
        Integer previous = answers.get(tag);
        if (previous != null && link.delivery(previous) == ReliableLink.Delivery.PENDING) {
          return; // the reply cache answered a retry while the first answer is still on the line
        }
        answers.put(tag, link.send(ByteBufUtil.getBytes(frame)));
      } else {
        link.send(ByteBufUtil.getBytes(frame));
      }
    }
  }

  /** Offset of the tag in a status frame (PROTOCOL.md). */
  private static final int STATUS_TAG_OFFSET = 8;

  public String device() {
    return device;
  }

  public ReliableLink.Stats stats() {
    return link.stats();
  }

  @Override
  public void close() {
    closed = true;
    runner.close();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
