package dev.secdrive.emulator.endpoint.tcp;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener serving a target: one connection per host, one I_T nexus per connection. The
 * pipeline is length-prefixed framing in front of the shared {@link CommandHandler}.
 *
 * <p>Reads never block a thread, so an idle connection costs only its socket; what a connection can
 * hold is bounded by {@link Limits}: at most {@link Limits#maxConnections} connections (the next
 * ones are closed as soon as they are accepted), and a frame that has begun must arrive whole
 * within {@link Limits#frameTimeout}, so hosts that send part of a frame and stop cannot pile up
 * buffered frames. An idle host keeps its connection (a nexus holds unit attentions and PREVENT
 * state, as a SCSI initiator does), unless {@link Limits#idleTimeout} says otherwise.
 */
public final class TcpEndpoint implements Endpoint {

  /**
   * What the connections of one endpoint may hold.
   *
   * @param maxConnections connections open at once; the next ones are closed at once
   * @param frameTimeout time a begun frame has to arrive whole before the connection is closed
   * @param idleTimeout time without a byte either way before the connection is closed; null for
   *     never
   */
  public record Limits(int maxConnections, Duration frameTimeout, Duration idleTimeout) {

    /** 64 connections, 30 s to finish a frame, no idle timeout. */
    public static final Limits DEFAULT = new Limits(64, Duration.ofSeconds(30), null);

    public Limits {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections must be at least 1, got " + maxConnections);
      }
      if (frameTimeout.isNegative() || frameTimeout.isZero()) {
        throw new IllegalArgumentException("frameTimeout must be positive, got " + frameTimeout);
      }
      if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
        throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
      }
    }
  }

  private final InetSocketAddress requested;
  private final Limits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private Channel server;

  /** A listener on {@code address} with the {@link Limits#DEFAULT} limits; port 0 picks one. */
  public TcpEndpoint(InetSocketAddress address) {
    this(address, Limits.DEFAULT);
  }

  /** A listener on {@code address} with {@code limits}; port 0 picks a free one. */
  public TcpEndpoint(InetSocketAddress address, Limits limits) {
    this.requested = address;
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Hosts connected now. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void start(Target target, Context context) {
    if (server != null) {
      throw new IllegalStateException("already listening on " + description());
    }
    int maximumFrame = Frame.maximumFrameLength(context.maximumDataLength());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(context.boss(), context.workers())
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(512, 64 << 10, 1 << 20))
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (connections.incrementAndGet() > limits.maxConnections()) {
                      connections.decrementAndGet();
                      channel.close();
                      return;
                    }
                    channel.closeFuture().addListener(f -> connections.decrementAndGet());
                    if (limits.idleTimeout() != null) {
                      channel
                          .pipeline()
                          .addLast(
                              "idle",
                              new IdleStateHandler(
                                  0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                          .addLast("idleClose", IdleClose.INSTANCE);
                    }
                    TcpFrameDecoder decoder = new TcpFrameDecoder(maximumFrame);
                    channel
                        .pipeline()
                        .addLast("frameDeadline", new FrameDeadline(decoder, limits.frameTimeout()))
                        .addLast("frameDecoder", decoder)
                        .addLast("frameEncoder", TcpFrameEncoder.INSTANCE)
                        .addLast(
                            "commands",
                            new CommandHandler.OnChannel(target, context.answerDelays()));
                  }
                });
    try {
      server = bootstrap.bind(requested).syncUninterruptibly().channel();
    } catch (Exception e) {
      String reason = e instanceof BindException ? e.getMessage() : e.toString();
      throw new UncheckedIOException(
          new IOException(
              "cannot listen on "
                  + requested.getHostString()
                  + ":"
                  + requested.getPort()
                  + ": "
                  + reason,
              e));
    }
  }

  /** The address hosts connect to: after {@link #start}, with the port actually bound. */
  public InetSocketAddress address() {
    return server == null ? requested : (InetSocketAddress) server.localAddress();
  }

  @Override
  public String description() {
    InetSocketAddress address = address();
    String host = address.getHostString();
    return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
  }

  /**
   * Closes a connection whose frame, once begun, is not whole in time. Each frame has its own time:
   * a host streaming frames back to back, its reads seldom ending on a frame boundary, is timed per
   * frame, not per stream.
   */
  static final class FrameDeadline extends ChannelInboundHandlerAdapter {
    private final TcpFrameDecoder decoder;
    private final long timeoutNanos;
    private ScheduledFuture<?> deadline;

    FrameDeadline(TcpFrameDecoder decoder, Duration timeout) {
      this.decoder = decoder;
      this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long before = decoder.decoded();
      ctx.fireChannelRead(msg); // the decoder takes what is whole
      if (decoder.buffered() == 0 || decoder.decoded() != before) {
        cancel(); // no frame begun, or a new one begun in this read
      }
      if (decoder.buffered() > 0 && deadline == null) {
        deadline = ctx.executor().schedule(() -> ctx.close(), timeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel();
      ctx.fireChannelInactive();
    }

    private void cancel() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }

  /** Closes a connection on the idle event of its {@link IdleStateHandler}. */
  @ChannelHandler.Sharable
  private static final class IdleClose extends ChannelInboundHandlerAdapter {
    static final IdleClose INSTANCE = new IdleClose();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(event);
      }
    }
  }
}
