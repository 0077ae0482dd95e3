package dev.secdrive.host.transport;

import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP carrier: one connection, many commands in flight, matched by tag. Connections share one
 * daemon event loop per process.
 */
public final class TcpTransport implements Transport {

  private static final int MAXIMUM_FRAME =
      Frame.maximumFrameLength(Frame.DEFAULT_MAXIMUM_DATA_LENGTH);

  private final Channel channel;
  private final ResponseHandler handler;
  private final String target;
  private final AtomicInteger tags = new AtomicInteger();
  private final ScheduledExecutorService timeouts;

  private TcpTransport(
      Channel channel, ResponseHandler handler, String target, ScheduledExecutorService timeouts) {
    this.channel = channel;
    this.handler = handler;
    this.target = target;
    this.timeouts = timeouts != null ? timeouts : channel.eventLoop();
  }

  /**
   * Connects to a device.
   *
   * @throws TransportException naming the address and the reason when it cannot connect
   */
  public static TcpTransport connect(String host, int port, Duration connectTimeout) {
    return connect(host, port, connectTimeout, null);
  }

  /**
   * Connects to a device; command timeouts run on {@code timeouts} (a test's manual scheduler), or
   * on the connection's event loop when it is null.
   */
  public static TcpTransport connect(
      String host, int port, Duration connectTimeout, ScheduledExecutorService timeouts) {
    String target = "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    ResponseHandler handler = new ResponseHandler(target);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(HostEventLoop.GROUP)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .option(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(512, 64 << 10, 1 << 20))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast("frameDecoder", new TcpFrameDecoder(MAXIMUM_FRAME))
                        .addLast("frameEncoder", TcpFrameEncoder.INSTANCE)
                        .addLast("responses", handler);
                  }
                });
    ChannelFuture connect;
    try {
      connect = bootstrap.connect(host, port).awaitUninterruptibly();
    } catch (RuntimeException e) {
      throw new TransportException("cannot connect to " + target + ": " + reason(e), e);
    }
    if (!connect.isSuccess()) {
      throw new TransportException(
          "cannot connect to " + target + ": " + reason(connect.cause()), connect.cause());
    }
    return new TcpTransport(connect.channel(), handler, target, timeouts);
  }

  private static String reason(Throwable cause) {
    return HostEventLoop.reason(cause);
  }

  @Override
  public CompletableFuture<StatusFrame> submit(
      int lun,
      byte[] cdb,
      long expectedDataIn,
      ByteBuf dataOut,
      String description,
      Duration timeout) {
    ResponseHandler.Pending waiting = new ResponseHandler.Pending(description);
    if (!channel.isActive()) {
      // Not registered: the inactive event of a closing channel must not fail it another way.
      if (dataOut != null) {
        dataOut.release();
      }
      waiting.future.completeExceptionally(
          new TransportException(
              "connection to " + target + " is closed (" + description + " did not complete)"));
      return waiting.future;
    }
    int tag = nextTag();
    handler.pending.put(tag, waiting);
    CommandFrame frame =
        dataOut == null
            ? CommandFrame.dataIn(tag, lun, cdb, expectedDataIn)
            : CommandFrame.dataOut(tag, lun, cdb, dataOut);
    waiting.timeout =
        timeouts.schedule(
            () -> {
              if (handler.pending.remove(tag, waiting)) {
                waiting.future.completeExceptionally(
                    new CommandTimeoutException(description, timeout, target));
              }
            },
            HostEventLoop.timeoutNanos(timeout),
            TimeUnit.NANOSECONDS);
    channel
        .writeAndFlush(frame)
        .addListener(
            f -> {
              if (!f.isSuccess() && handler.pending.remove(tag, waiting)) {
                waiting.timeout.cancel(false);
                String reason =
                    channel.isActive()
                        ? "sending " + description + " to " + target + " failed: " + f.cause()
                        : "connection to " + target + " lost (" + description + " not sent)";
                waiting.future.completeExceptionally(new TransportException(reason, f.cause()));
              }
            });
    return waiting.future;
  }

  /** The next tag not in use; tags wrap at 2^32 and skip any still outstanding. */
  private int nextTag() {
    int tag;
    do {
      tag = tags.getAndIncrement();
    } while (handler.pending.containsKey(tag));
    return tag;
  }

  @Override
  public String target() {
    return target;
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public boolean isIoThread() {
    return channel.eventLoop().inEventLoop();
  }

  @Override
  public void close() {
    handler.closing("connection to " + target + " closed by the host");
    channel.close().awaitUninterruptibly();
  }
}
