package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.capture.CaptureTap;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.Negotiation;
import dev.secdrive.protocol.iscsi.PduCodec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An iSCSI portal (RFC 7143) serving the emulator's target: one target named {@link #targetName},
 * each drive a LUN, AuthMethod=None. A session is a discovery session answering SendTargets or a
 * normal session with one I_T nexus over up to {@link IscsiSession#MAXIMUM_CONNECTIONS} connections
 * (ErrorRecoveryLevel=0); at most {@link #MAXIMUM_CONNECTIONS} connections are open at once, a
 * newcomer beyond them is closed. A connection that has not logged in within {@link
 * #LOGIN_TIMEOUT}, or leaves a PDU unfinished for {@link #PDU_TIMEOUT}, is closed, so silent
 * connections do not hold the slots for long.
 */
public final class IscsiEndpoint implements Endpoint {

  /** The target's name unless the emulator is given another (RFC 3720 section 3.2.6.3.1). */
  public static final String DEFAULT_TARGET_NAME = "iqn.2026-12.dev.secdrive:emulator";

  /** Connections open at once, of all sessions. */
  public static final int MAXIMUM_CONNECTIONS = 64;

  /** Time a PDU, once begun, has to arrive whole before the connection is closed. */
  public static final Duration PDU_TIMEOUT = Duration.ofSeconds(30);

  /** Time from accepting a connection to the end of its login before it is closed. */
  public static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(30);

  /** Idle time after which the target pings an initiator with a NOP-In (RFC 7143 11.19). */
  public static final Duration NOP_IN_INTERVAL = Duration.ofSeconds(60);

  /** Time an initiator has to answer a NOP-In ping before its connection is closed. */
  public static final Duration NOP_IN_TIMEOUT = Duration.ofSeconds(30);

  /** Largest data segment this end receives: 64 KiB, as it declares in login. */
  static final int MAX_RECV_DATA_SEGMENT_LENGTH = 65536;

  /**
   * What the target accepts: no digests unless offered (None preferred only when the initiator
   * lists it first), AuthMethod=None, InitialR2T=No and ImmediateData=Yes unless the initiator asks
   * otherwise, bursts of 256 KiB.
   */
  static final Negotiation.Policy POLICY =
      new Negotiation.Policy(
          List.of(Negotiation.Policy.NONE, Negotiation.Policy.CRC32C),
          List.of(Negotiation.Policy.NONE, Negotiation.Policy.CRC32C),
          List.of(Negotiation.Policy.NONE),
          IscsiSession.MAXIMUM_CONNECTIONS,
          false,
          true,
          MAX_RECV_DATA_SEGMENT_LENGTH,
          262144,
          65536,
          2,
          0,
          1,
          true,
          true,
          0);

  /**
   * Sizes a PDU by its data: a joining connection's answers are written from its session's event
   * loop and wait in the channel's task queue as PDUs, not yet bytes, and the write buffer's
   * watermarks (so the session's back-pressure) must count them as what they will be.
   */
  private static final MessageSizeEstimator PDU_SIZES =
      new MessageSizeEstimator() {
        private final MessageSizeEstimator.Handle bytes =
            DefaultMessageSizeEstimator.DEFAULT.newHandle();
        private final MessageSizeEstimator.Handle handle =
            msg ->
                msg instanceof IscsiPdu pdu
                    ? PduCodec.BHS_LENGTH + pdu.data().length()
                    : bytes.size(msg);

        @Override
        public Handle newHandle() {
          return handle;
        }
      };

  private final InetSocketAddress requested;
  private final String targetName;
  private final Optional<Chap.Credentials> chap;
  private final Optional<Chap.Credentials> targetChap;
  private final boolean coldResets;
  private final Negotiation.Policy policy;
  private final AtomicInteger connections = new AtomicInteger();
  private final SessionTable sessions = new SessionTable();
  private Optional<NopPinger.Settings> pings =
      Optional.of(new NopPinger.Settings(NOP_IN_INTERVAL, NOP_IN_TIMEOUT, null));
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private Channel server;

  /** A portal on {@code address} (port 0 picks one) for the target {@link #DEFAULT_TARGET_NAME}. */
  public IscsiEndpoint(InetSocketAddress address) {
    this(address, DEFAULT_TARGET_NAME);
  }

  public IscsiEndpoint(InetSocketAddress address, String targetName) {
    this(address, targetName, Optional.empty());
  }

  /**
   * A portal that requires one-way CHAP (MD5) from its initiators when {@code chap} is given: the
   * initiator's CHAP name and secret; otherwise AuthMethod=None.
   */
  public IscsiEndpoint(
      InetSocketAddress address, String targetName, Optional<Chap.Credentials> chap) {
    this(address, targetName, chap, Optional.empty(), false);
  }

  /**
   * A portal as above that also authenticates itself to initiators that ask (mutual CHAP) with
   * {@code targetChap}, and lets initiators TARGET COLD RESET (which drops every session) only when
   * {@code coldResets}.
   *
   * @throws IllegalArgumentException when {@code targetChap} is given without {@code chap}, or both
   *     have the same secret (RFC 7143 section 12.1.3 forbids it)
   */
  public IscsiEndpoint(
      InetSocketAddress address,
      String targetName,
      Optional<Chap.Credentials> chap,
      Optional<Chap.Credentials> targetChap,
      boolean coldResets) {
    this.chap = Objects.requireNonNull(chap, "chap");
    this.targetChap = Objects.requireNonNull(targetChap, "targetChap");
    this.coldResets = coldResets;
    if (targetChap.isPresent() && chap.isEmpty()) {
      throw new IllegalArgumentException(
          "a target CHAP secret (mutual CHAP) needs the initiator's CHAP secret as well");
    }
    if (targetChap.isPresent()
        && java.security.MessageDigest.isEqual(targetChap.get().secret(), chap.get().secret())) {
      throw new IllegalArgumentException(
          "the target's CHAP secret must differ from the initiator's (RFC 7143 section 12.1.3)");
    }
    this.policy = chap.isPresent() ? POLICY.withAuthMethods(List.of(Chap.AUTH_METHOD)) : POLICY;
    this.requested = Objects.requireNonNull(address, "address");
    this.targetName = Objects.requireNonNull(targetName, "targetName");
    if (!targetName.matches(
        "(iqn\\.\\d{4}-\\d{2}\\.[a-z0-9.-]+(:[\\x21-\\x7e]+)?)|eui\\.[0-9A-F]{16}")) {
      throw new IllegalArgumentException(
          "not an iSCSI name (iqn.YYYY-MM.reversed.domain[:suffix] or eui. and 16 hex digits): "
              + targetName);
    }
  }

  /**
   * Pings idle initiators every {@code interval} and drops those that do not answer within {@code
   * timeout} (defaults {@link #NOP_IN_INTERVAL}, {@link #NOP_IN_TIMEOUT}); the timers run on {@code
   * scheduler}, or on each connection's event loop when it is {@code null}. Before {@link #start}.
   */
  public IscsiEndpoint nopPings(
      Duration interval,
      Duration timeout,
      java.util.concurrent.ScheduledExecutorService scheduler) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    this.pings = Optional.of(new NopPinger.Settings(interval, timeout, scheduler));
    return this;
  }

  /** The name initiators log in to. */
  public String targetName() {
    return targetName;
  }

  @Override
  public void start(Target target, Context context) {
    if (server != null) {
      throw new IllegalStateException("already listening on " + description());
    }
    Portal portal =
        new Portal(
            target,
            targetName,
            policy,
            context.maximumDataLength(),
            context.answerDelays(),
            chap,
            targetChap,
            sessions,
            coldResets,
            pings);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(context.boss(), context.workers())
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, PDU_SIZES)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (connections.incrementAndGet() > MAXIMUM_CONNECTIONS) {
                      connections.decrementAndGet();
                      channel.close();
                      return;
                    }
                    open.add(channel);
                    channel
                        .closeFuture()
                        .addListener(
                            f -> {
                              open.remove(channel);
                              connections.decrementAndGet();
                            });
                    IscsiPduDecoder decoder = new IscsiPduDecoder();
                    IscsiPduEncoder encoder = new IscsiPduEncoder();
                    IscsiConnection session = new IscsiConnection(portal, decoder, encoder);
                    channel
                        .pipeline()
                        .addLast(
                            "capture",
                            new CaptureTap(target.captures(), portalName(), "iSCSI (RFC 7143)"))
                        .addLast(
                            "deadline",
                            new PduDeadline(decoder, PDU_TIMEOUT, LOGIN_TIMEOUT, session::live))
                        .addLast("pduDecoder", decoder)
                        .addLast("pduEncoder", encoder)
                        .addLast("session", session);
                  }
                });
    server = Endpoint.bind(bootstrap, requested, "iSCSI");
  }

  /** {@code iscsi://HOST:PORT}: the portal, as captures and metrics name it. */
  private String portalName() {
    InetSocketAddress address = address();
    String host = address.getHostString();
    return "iscsi://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** The portal's address: after {@link #start}, with the port actually bound. */
  public InetSocketAddress address() {
    return server == null ? requested : (InetSocketAddress) server.localAddress();
  }

  /** {@code iscsi://HOST:PORT/IQN}, the target's URL without a LUN. */
  @Override
  public String description() {
    InetSocketAddress address = address();
    String host = address.getHostString();
    return "iscsi://"
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + address.getPort()
        + "/"
        + targetName;
  }

  /**
   * Stops listening and closes every connection; each logged-in session is first asked to log out
   * (Async Message, AsyncEvent 1), so an initiator learns the target is going, not that the network
   * broke.
   */
  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    for (IscsiSession session : sessions.all()) {
      session.run(session::requestLogout);
    }
    for (Channel channel : open) {
      ChannelFuture closed = channel.close();
      if (!channel.eventLoop().inEventLoop()) {
        closed.awaitUninterruptibly();
      }
    }
  }
}
