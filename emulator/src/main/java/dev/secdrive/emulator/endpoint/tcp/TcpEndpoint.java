package dev.secdrive.emulator.endpoint.tcp;

import dev.secdrive.emulator.capture.FrameTap;
import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener serving a target: one connection per host, one I_T nexus per connection. The
 * pipeline is length-prefixed framing in front of the shared {@link CommandHandler}.
 *
 * <p>Reads never block a thread, so an idle connection costs only its socket; what a connection can
 * hold is bounded by {@link Limits}: at most {@link Limits#maxConnections} connections, and a frame
 * that has begun must arrive whole within {@link Limits#frameTimeout}, so hosts that send part of a
 * frame and stop cannot pile up buffered frames. An idle host keeps its connection (a nexus holds
 * unit attentions and PREVENT state, as a SCSI initiator does), unless {@link Limits#idleTimeout}
 * says otherwise, for as long as there is room.
 *
 * <p>A connection is <em>quiet</em> while no frame is partly in, no command is queued, executing or
 * waiting for its drive time, and no answer is still being written; it has been quiet since the
 * later of its acceptance and the moment its last answer was written. When a connection arrives and
 * {@link Limits#maxConnections} are open, the one quiet longest is closed to make room, provided it
 * has been quiet at least {@link Limits#evictableAfter}; if none has, the newcomer is closed. So
 * connections that hold a slot and say nothing lock no host out for longer than {@code
 * evictableAfter}, and a busy connection is never closed for another.
 */
public final class TcpEndpoint implements Endpoint {

  /**
   * What the connections of one endpoint may hold.
   *
   * @param maxConnections connections open at once
   * @param frameTimeout time a begun frame has to arrive whole before the connection is closed
   * @param idleTimeout time without a byte either way before the connection is closed; null for
   *     never
   * @param evictableAfter time a connection must have been quiet before a new one may take its
   *     place when {@code maxConnections} are open; null for never (the newcomer is closed)
   */
  public record Limits(
      int maxConnections, Duration frameTimeout, Duration idleTimeout, Duration evictableAfter) {

    /**
     * 64 connections, 30 s to finish a frame, no idle timeout, and a connection quiet for 30 s
     * gives way to a new one when all 64 are open.
     */
    public static final Limits DEFAULT =
        new Limits(64, Duration.ofSeconds(30), null, Duration.ofSeconds(30));

    public Limits {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections must be at least 1, got " + maxConnections);
      }
      requirePositive("frameTimeout", Objects.requireNonNull(frameTimeout, "frameTimeout"));
      if (idleTimeout != null) {
        requirePositive("idleTimeout", idleTimeout);
      }
      if (evictableAfter != null) {
        requirePositive("evictableAfter", evictableAfter);
      }
    }

    private static void requirePositive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
    }
  }

  /** How often a newcomer looks for a connection to take the place of, when it loses a race. */
  private static final int ADMISSION_ATTEMPTS = 3;

  private static final Logger log = LoggerFactory.getLogger(TcpEndpoint.class);

  private final InetSocketAddress requested;
  private final Limits limits;
  private final LongSupplier clock;

  /** Slots taken: admitted connections, each counted once until it closes or gives way. */
  private final AtomicInteger connections = new AtomicInteger();

  /** The admitted connections; a connection that gives way leaves here before it closes. */
  private final ConcurrentHashMap<Channel, Quiet> admitted = new ConcurrentHashMap<>();

  private Channel server;

  /** A listener on {@code address} with the {@link Limits#DEFAULT} limits; port 0 picks one. */
  public TcpEndpoint(InetSocketAddress address) {
    this(address, Limits.DEFAULT);
  }

  /** A listener on {@code address} with {@code limits}; port 0 picks a free one. */
  public TcpEndpoint(InetSocketAddress address, Limits limits) {
    this(address, limits, System::nanoTime);
  }

  /**
   * As {@link #TcpEndpoint(InetSocketAddress, Limits)}, timing quiet connections by {@code
   * nanoClock} (a test moves it; frame and idle timeouts stay on the event loops' time).
   */
  public TcpEndpoint(InetSocketAddress address, Limits limits, LongSupplier nanoClock) {
    this.requested = address;
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
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
                    // Not reading until admitted: a newcomer may wait for another to give way.
                    channel.config().setAutoRead(false);
                    TcpFrameDecoder decoder = new TcpFrameDecoder(maximumFrame);
                    CommandHandler.OnChannel commands =
                        new CommandHandler.OnChannel(target, context.answerDelays(), description());
                    Quiet quiet = new Quiet(decoder, commands, clock);
                    channel.pipeline().addLast("quiet", quiet);
                    if (limits.idleTimeout() != null) {
                      channel
                          .pipeline()
                          .addLast(
                              "idle",
                              new IdleStateHandler(
                                  0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                          .addLast("idleClose", IdleClose.INSTANCE);
                    }
                    channel
                        .pipeline()
                        .addLast("frameDeadline", new FrameDeadline(decoder, limits.frameTimeout()))
                        .addLast("frameDecoder", decoder)
                        .addLast("frameEncoder", TcpFrameEncoder.INSTANCE)
                        .addLast("capture", new FrameTap(target.captures(), description()))
                        .addLast("commands", commands);
                    admit(channel, quiet, ADMISSION_ATTEMPTS);
                  }
                });
    server = Endpoint.bind(bootstrap, requested, "");
  }

  /**
   * Admits {@code channel} into a free slot, or into the slot of the connection quiet longest if
   * that one may give way, or closes it. Runs on the newcomer's event loop; whether the other
   * connection is still quiet is decided on its own loop, where its reads run, so one that has just
   * received a frame is not closed.
   */
  private void admit(Channel channel, Quiet quiet, int attempts) {
    if (connections.incrementAndGet() <= limits.maxConnections()) {
      enter(channel, quiet);
      return;
    }
    connections.decrementAndGet();
    Map.Entry<Channel, Quiet> longest = attempts > 0 ? quietLongest(clock.getAsLong()) : null;
    if (longest == null) {
      channel.close();
      return;
    }
    Channel other = longest.getKey();
    Quiet otherQuiet = longest.getValue();
    other
        .eventLoop()
        .execute(
            () -> {
              long now = clock.getAsLong();
              long quietNanos = otherQuiet.quietFor(now);
              boolean gaveWay =
                  quietNanos >= limits.evictableAfter().toNanos()
                      && admitted.remove(other, otherQuiet);
              if (gaveWay) {
                log.info(
                    "{}: closing a connection quiet for {} ms to admit {}: {} connections are open",
                    other.remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(quietNanos),
                    channel.remoteAddress(),
                    limits.maxConnections());
                other.close();
              }
              channel
                  .eventLoop()
                  .execute(
                      () -> {
                        if (gaveWay) {
                          enter(channel, quiet); // into the slot the other one left
                        } else {
                          admit(channel, quiet, attempts - 1);
                        }
                      });
            });
  }

  /** Takes up a counted slot: it is freed when the channel closes, unless it gave way before. */
  private void enter(Channel channel, Quiet quiet) {
    admitted.put(channel, quiet);
    channel
        .closeFuture()
        .addListener(
            f -> {
              if (admitted.remove(channel, quiet)) {
                connections.decrementAndGet();
              }
            });
    channel.config().setAutoRead(true);
  }

  /**
   * The admitted connection quiet longest, if quiet at least {@link Limits#evictableAfter} as its
   * loop last saw it, or null.
   */
  private Map.Entry<Channel, Quiet> quietLongest(long now) {
    if (limits.evictableAfter() == null) {
      return null;
    }
    Map.Entry<Channel, Quiet> longest = null;
    long longestNanos = limits.evictableAfter().toNanos() - 1;
    for (Map.Entry<Channel, Quiet> entry : admitted.entrySet()) {
      long nanos = entry.getValue().quietFor(now);
      if (nanos > longestNanos) {
        longest = entry;
        longestNanos = nanos;
      }
    }
    return longest;
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

  /**
   * Stops listening and closes the connections, waiting for each while its event loop still runs,
   * so that each ends its nexus and frees what it buffered before the loops shut down.
   */
  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    for (Channel channel : admitted.keySet()) {
      ChannelFuture closed = channel.close();
      if (!channel.eventLoop().inEventLoop()) {
        closed.awaitUninterruptibly();
      }
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

  /**
   * Tracks since when a connection has been quiet: no frame partly in, no command in flight, no
   * answer still being written. First in the pipeline, so it sees every byte read and every frame
   * written. Updated on the channel's event loop; {@link #quietFor} may be read from any thread, as
   * a hint, and exactly on that loop.
   */
  static final class Quiet extends ChannelDuplexHandler {
    private static final long BUSY = Long.MIN_VALUE;

    private final TcpFrameDecoder decoder;
    private final CommandHandler.OnChannel commands;
    private final LongSupplier clock;
    private int unwritten;
    private volatile long quietSince;

    Quiet(TcpFrameDecoder decoder, CommandHandler.OnChannel commands, LongSupplier clock) {
      this.decoder = decoder;
      this.commands = commands;
      this.clock = clock;
      this.quietSince = clock.getAsLong();
    }

    /** Nanoseconds quiet at {@code now}, or a negative number while busy. */
    long quietFor(long now) {
      long since = quietSince;
      return since == BUSY ? -1 : now - since;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      quietSince = BUSY;
      ctx.fireChannelRead(msg);
      settle();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      quietSince = BUSY;
      unwritten++;
      ChannelPromise tracked =
          promise.isVoid()
              ? ctx.newPromise().addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE)
              : promise;
      tracked.addListener(
          f -> {
            unwritten--;
            settle();
          });
      ctx.write(msg, tracked);
    }

    private void settle() {
      boolean quiet = unwritten == 0 && decoder.buffered() == 0 && commands.inFlight() == 0;
      if (!quiet) {
        quietSince = BUSY;
      } else if (quietSince == BUSY) {
        quietSince = clock.getAsLong();
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
