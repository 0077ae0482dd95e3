package dev.secdrive.host.transport;

import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.DriveUri;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.SessionParameters;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The iSCSI carrier (RFC 7143): one session with one connection to a target, logged in with
 * AuthMethod None or CHAP (one-way or mutual), ErrorRecoveryLevel 0. Commands go as SCSI Command
 * PDUs within the target's CmdSN window (queued while it is closed), writes with immediate data,
 * unsolicited Data-Out and R2T-solicited Data-Out within the negotiated limits; their Data-In is
 * reassembled and their status (in the last Data-In or a SCSI Response) becomes a {@link
 * StatusFrame}, as on the TCP carrier. A command that times out fails with {@link
 * CommandTimeoutException} and is aborted (ABORT TASK); closing logs out. Shares the TCP carrier's
 * event loop.
 */
public final class IscsiTransport implements Transport {

  /** How long closing waits for the target's Logout Response before dropping the connection. */
  static final Duration LOGOUT_WAIT = Duration.ofSeconds(2);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(IscsiTransport.class);

  private final Channel channel;
  private final IscsiSession session;
  private final String target;
  private final ScheduledExecutorService timeouts;

  private IscsiTransport(
      Channel channel, IscsiSession session, String target, ScheduledExecutorService timeouts) {
    this.channel = channel;
    this.session = session;
    this.target = target;
    this.timeouts = timeouts != null ? timeouts : channel.eventLoop();
  }

  /**
   * Connects to the target of an {@code iscsi://} URI and logs in; the login may take the URI's
   * timeout. Command timeouts (and the login's) run on {@code timeouts} (a test's manual
   * scheduler), or on the connection's event loop when it is null.
   *
   * @throws TransportException naming the target and the reason when it cannot connect or the login
   *     fails, e.g. {@code iSCSI login to iqn... at 127.0.0.1:3260 failed: authentication failure
   *     (0201)}
   */
  public static IscsiTransport connect(
      DriveUri uri, Duration connectTimeout, ScheduledExecutorService timeouts) {
    if (!uri.isIscsi()) {
      throw new IllegalArgumentException("not an iscsi:// URI: " + uri);
    }
    String hostPort =
        (uri.host().contains(":") ? "[" + uri.host() + "]" : uri.host()) + ":" + uri.port();
    String target = "iscsi://" + hostPort + "/" + uri.iscsi().targetName();
    LoginExchange login =
        new LoginExchange(
            "iSCSI login to " + uri.iscsi().targetName() + " at " + hostPort, uri.iscsi(), RANDOM);
    TargetPduDecoder decoder = new TargetPduDecoder();
    IscsiSession session = new IscsiSession(target, login, decoder);
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
                    channel.pipeline().addLast("pdus", decoder).addLast("session", session);
                  }
                });
    ChannelFuture connect;
    try {
      connect = bootstrap.connect(uri.host(), uri.port()).awaitUninterruptibly();
    } catch (RuntimeException e) {
      throw new TransportException(
          "cannot connect to " + target + ": " + HostEventLoop.reason(e), e);
    }
    if (!connect.isSuccess()) {
      throw new TransportException(
          "cannot connect to " + target + ": " + HostEventLoop.reason(connect.cause()),
          connect.cause());
    }
    IscsiTransport transport = new IscsiTransport(connect.channel(), session, target, timeouts);
    transport.awaitLogin(uri.timeout());
    return transport;
  }

  private void awaitLogin(Duration timeout) {
    ScheduledFuture<?> limit =
        timeouts.schedule(
            () ->
                channel
                    .eventLoop()
                    .execute(
                        () -> {
                          if (!session.loggedIn.isDone()) {
                            session.closing(
                                "iSCSI login to "
                                    + target
                                    + " failed: no answer within "
                                    + timeout.toMillis()
                                    + " ms");
                            channel.close();
                          }
                        }),
            HostEventLoop.timeoutNanos(timeout),
            TimeUnit.NANOSECONDS);
    try {
      session.loggedIn.get();
    } catch (ExecutionException e) {
      channel.close().awaitUninterruptibly();
      Throwable cause = e.getCause();
      throw cause instanceof TransportException t
          ? new TransportException(t.getMessage(), t)
          : new TransportException("iSCSI login to " + target + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.close().awaitUninterruptibly();
      throw new TransportException("interrupted while logging in to " + target, e);
    } finally {
      limit.cancel(false);
    }
  }

  @Override
  public CompletableFuture<StatusFrame> submit(
      int lun,
      byte[] cdb,
      long expectedDataIn,
      ByteBuf dataOut,
      String description,
      Duration timeout) {
    if (lun < 0 || lun > Lun.MAXIMUM || expectedDataIn < 0 || expectedDataIn > Integer.MAX_VALUE) {
      if (dataOut != null) {
        dataOut.release();
      }
      return CompletableFuture.failedFuture(
          new TransportException(
              description + ": LUN " + lun + " or length " + expectedDataIn + " out of range"));
    }
    IscsiTask task = new IscsiTask(description, lun, cdb.clone(), expectedDataIn, dataOut, timeout);
    if (!channel.isActive()) {
      task.release();
      task.pending.future.completeExceptionally(
          new TransportException(
              "connection to " + target + " is closed (" + description + " did not complete)"));
      return task.pending.future;
    }
    task.pending.timeout =
        timeouts.schedule(
            () -> channel.eventLoop().execute(() -> session.timeOut(task)),
            HostEventLoop.timeoutNanos(timeout),
            TimeUnit.NANOSECONDS);
    channel.eventLoop().execute(() -> session.start(task));
    return task.pending.future;
  }

  /** The operational parameters login left: digests, lengths, bursts. */
  public SessionParameters parameters() {
    return session.parameters();
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

  /** Logs out (waiting up to {@link #LOGOUT_WAIT} for the target) and closes the connection. */
  @Override
  public void close() {
    if (channel.isActive()) {
      channel
          .eventLoop()
          .execute(
              () -> {
                session.closing("connection to " + target + " closed by the host");
                session.logout();
              });
      try {
        session.loggedOut.get(LOGOUT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        log.debug(
            "{}: no Logout Response within {} ms; closing anyway", target, LOGOUT_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channel.close().awaitUninterruptibly();
  }
}
