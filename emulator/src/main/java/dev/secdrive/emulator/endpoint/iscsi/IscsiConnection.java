package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.capture.CaptureTap;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.AsyncMessage;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.SessionParameters;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection: its login ({@link LoginExchange}), then its part in the full feature phase
 * of its {@link IscsiSession}, a discovery or a normal session, which it leads or joins (section
 * 6.3.3). What is the connection's own stays here: the PDU dispatch by phase, its StatSNs, its
 * negotiated digests and segment lengths, Text ({@link TextExchange}), NOP-Out and NOP-In pings,
 * Logout, and its life. What the session's connections share goes to the session: SCSI Commands and
 * Data-Out in CmdSN order, task management ({@link TaskManager}), the command window.
 *
 * <p>Login runs on the channel's event loop. From the full feature phase on, every PDU is handled
 * on the session's event loop, which is this one's for the leading connection; a joining
 * connection's PDUs are handed there in the order they arrived. {@link #close}, {@link #reinstated}
 * and the carrier's channel methods may be called from any thread.
 */
final class IscsiConnection extends ChannelInboundHandlerAdapter {

  /** AsyncEvent 1: the target requests a Logout (section 11.9.1). */
  static final int ASYNC_EVENT_LOGOUT_REQUEST = 1;

  /** Seconds an initiator is given to log out when the emulator shuts down. */
  static final int LOGOUT_WAIT_SECONDS = 1;

  private static final Logger log = LoggerFactory.getLogger(IscsiConnection.class);

  private enum Phase {
    LOGIN,
    FULL_FEATURE,
    CLOSING
  }

  private final Portal portal;
  private final IscsiPduDecoder decoder;
  private final IscsiPduEncoder encoder;
  private final StatSn statSn = new StatSn();
  private final LoginExchange login;
  private ChannelHandlerContext ctx;
  private volatile Phase phase = Phase.LOGIN;

  private static final AtomicReferenceFieldUpdater<IscsiConnection, Phase> PHASE =
      AtomicReferenceFieldUpdater.newUpdater(IscsiConnection.class, Phase.class, "phase");
  private SessionParameters parameters = SessionParameters.defaults();
  private volatile IscsiSession session;
  private int cid;
  private TextExchange text;
  private NopPinger pinger;
  private boolean written; // sent on the session's loop since the last flush
  private boolean ended;

  IscsiConnection(Portal portal, IscsiPduDecoder decoder, IscsiPduEncoder encoder) {
    this.portal = portal;
    this.decoder = decoder;
    this.encoder = encoder;
    this.login = new LoginExchange(portal, statSn);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Whether the connection is in the full feature phase and not closing; any thread. */
  boolean live() {
    return phase == Phase.FULL_FEATURE;
  }

  /** The session this connection belongs to once its login completed, else {@code null}. */
  IscsiSession session() {
    return session;
  }

  /** Commands of its session received and not yet answered; 0 before login. */
  int inFlight() {
    IscsiSession current = session;
    return current == null ? 0 : current.inFlight();
  }

  int cid() {
    return cid;
  }

  StatSn statSn() {
    return statSn;
  }

  /** This connection's parameters: the session's, with its own digests and segment lengths. */
  SessionParameters parameters() {
    return parameters;
  }

  /** Marks this point of the connection's capture, if one is on, with {@code comment}. */
  void annotate(String comment) {
    if (ctx == null) {
      return;
    }
    CaptureTap tap = ctx.pipeline().get(CaptureTap.class);
    if (tap != null) {
      // on the connection's own loop, where its bytes are captured: at once when on it already,
      // so the comment comes before the answer it is about
      Runnable mark = () -> tap.annotate(ctx.pipeline().context(tap), comment);
      if (ctx.executor().inEventLoop()) {
        mark.run();
      } else {
        ctx.executor().execute(mark);
      }
    }
  }

  /** The portal this connection came in on, as the metrics label it: {@code iscsi://HOST:PORT}. */
  String endpoint() {
    if (ctx == null || !(ctx.channel().localAddress() instanceof InetSocketAddress local)) {
      return "iscsi";
    }
    String host = local.getHostString();
    return "iscsi://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + local.getPort();
  }

  @Override
  public String toString() {
    IscsiSession current = session;
    return (ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress()))
        + " ("
        + (current == null ? "logging in" : current + ", CID " + cid)
        + ")";
  }

  // ------------------------------------------------------------------ inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (phase == Phase.CLOSING) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (phase == Phase.LOGIN) {
      if (msg instanceof LoginRequest request) {
        login(request);
      } else {
        // Section 6.2: no Reject during login; the connection ends.
        log.warn("{}: {} before login ended", ctx.channel().remoteAddress(), describe(msg));
        ReferenceCountUtil.release(msg);
        close();
      }
      return;
    }
    IscsiSession current = session;
    if (current.executor().inEventLoop()) {
      fullFeature(msg);
    } else {
      current.run(
          () -> {
            fullFeature(msg);
            current.flush();
          });
    }
  }

  private static String describe(Object msg) {
    return msg instanceof IscsiPduDecoder.Unusable unusable
        ? "an unusable PDU (" + unusable.problem() + ")"
        : String.valueOf(((IscsiPdu) msg).opcode());
  }

  /** A PDU in the full feature phase, on the session's event loop. */
  private void fullFeature(Object msg) {
    if (phase == Phase.CLOSING) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof IscsiPduDecoder.Unusable unusable) {
      log.warn("{}: rejecting a PDU: {}", this, unusable.problem());
      send(reject(unusable.reason(), unusable.header()));
      return;
    }
    IscsiPdu pdu = (IscsiPdu) msg;
    if (pinger != null) {
      pinger.heard();
    }
    CommandWindow window = session.window();
    boolean normal = session.normal();
    if (window.outside(pdu)) {
      // Section 4.2.2.1: a non-immediate command outside [ExpCmdSN, MaxCmdSN] is silently ignored.
      log.debug("{}: ignoring {} outside the CmdSN window", this, pdu);
      return;
    }
    if (pdu instanceof ScsiCommand command && normal) {
      if (!command.immediate() && window.takeAborted(command.cmdSn())) {
        // An ABORT TASK named it before it arrived (section 11.5.1 b): it never executes.
        log.debug("{}: dropping command {} aborted before it arrived", this, command.cmdSn());
        return;
      }
      session.command(this, command);
    } else if (pdu instanceof DataOut data && normal) {
      session.dataOut(this, data);
    } else if (pdu instanceof NopOut nop) {
      if (pinger != null && nop.initiatorTaskTag() == IscsiPdu.RESERVED_TAG) {
        pinger.answered(nop); // the answer to a ping carries no CmdSN of its own
        return;
      }
      session.ordered(this, nop, nop.immediate(), nop.cmdSn(), () -> nopIn(nop));
    } else if (pdu instanceof TextRequest request) {
      session.ordered(this, request, request.immediate(), request.cmdSn(), () -> text(request));
    } else if (pdu instanceof LogoutRequest logout) {
      session.ordered(this, logout, logout.immediate(), logout.cmdSn(), () -> logout(logout));
    } else if (pdu instanceof TaskManagementRequest request && normal) {
      session.ordered(this, request, request.immediate(), request.cmdSn(), () -> manage(request));
    } else {
      // A SCSI Command, Data-Out or TMF in a discovery session, a Login Request after login, ...
      send(reject(RejectReason.COMMAND_NOT_SUPPORTED, header(pdu)));
    }
  }

  private void nopIn(NopOut nop) {
    if (nop.initiatorTaskTag() != IscsiPdu.RESERVED_TAG) {
      send(
          new NopIn(
              nop.lun(),
              nop.initiatorTaskTag(),
              IscsiPdu.RESERVED_TAG,
              statSn.take(),
              session.window().expCmdSn(),
              session.window().maxCmdSn(),
              nop.data()));
    }
  }

  private void text(TextRequest request) {
    TextExchange.Outcome outcome = text.handle(request, parameters, portalAddress());
    if (outcome instanceof TextExchange.Respond respond) {
      send(respond.response());
    } else if (outcome instanceof TextExchange.Refuse refuse) {
      log.warn("{}: {}", this, refuse.problem());
      send(reject(refuse.reason(), header(request)));
    }
  }

  /**
   * Logout (section 11.14): "close the session" ends every connection of the session; "close the
   * connection" ends the one its CID names, this one or another (whose tasks end with it), or is
   * answered "CID not found"; "remove the connection for recovery" needs ErrorRecoveryLevel 2 and
   * is answered "connection recovery is not supported". A connection that closes does so once the
   * response is out.
   */
  private void logout(LogoutRequest logout) {
    switch (logout.reason()) {
      case CLOSE_SESSION -> {
        logoutResponse(logout, LogoutResponse.CLOSED_SUCCESSFULLY);
        session.logout(this);
      }
      case CLOSE_CONNECTION -> {
        IscsiConnection named = session.connection(logout.cid());
        if (named == null) {
          logoutResponse(logout, LogoutResponse.CID_NOT_FOUND);
        } else if (named == this) {
          logoutResponse(logout, LogoutResponse.CLOSED_SUCCESSFULLY);
          session.leave(this);
          closeAfterFlush();
        } else {
          log.info("{}: logs out connection {} of its session", this, logout.cid());
          session.leave(named);
          named.close();
          logoutResponse(logout, LogoutResponse.CLOSED_SUCCESSFULLY);
        }
      }
      case REMOVE_CONNECTION_FOR_RECOVERY ->
          logoutResponse(logout, LogoutResponse.RECOVERY_NOT_SUPPORTED);
    }
  }

  private void logoutResponse(LogoutRequest logout, int response) {
    send(
        new LogoutResponse(
            response,
            logout.initiatorTaskTag(),
            statSn.take(),
            session.window().expCmdSn(),
            session.window().maxCmdSn(),
            0,
            0));
  }

  private void manage(TaskManagementRequest request) {
    IscsiSession current = session;
    current
        .taskManager()
        .handle(
            current,
            this,
            request,
            response -> {
              if (phase == Phase.CLOSING) {
                return;
              }
              send(
                  new TaskManagementResponse(
                      response,
                      request.initiatorTaskTag(),
                      statSn.take(),
                      current.window().expCmdSn(),
                      current.window().maxCmdSn()));
              flushIfWritten();
            });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    IscsiSession current = session;
    if (current != null && current.executor().inEventLoop()) {
      current.flush(); // what this connection's PDUs made the session send on any connection
    }
    ctx.flush(); // login responses
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    IscsiSession current = session;
    if (current != null) {
      current.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    end();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof PduException p) {
      log.warn("{}: closing: {}", ctx.channel().remoteAddress(), p.getMessage());
    } else if (cause instanceof IOException) {
      log.debug("{}: connection error: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.error(
          "{}: unexpected error, closing the connection", ctx.channel().remoteAddress(), cause);
    }
    close();
  }

  /** The channel closed: the session hears of it on its loop. Once, on the channel's loop. */
  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    phase = Phase.CLOSING;
    IscsiSession current = session;
    if (current != null) {
      current.run(
          () -> {
            if (pinger != null) {
              pinger.stop();
            }
            current.leave(this);
          });
    }
  }

  /** The connection takes no more PDUs; it closes on its own loop ({@link #reinstated}). */
  void stopReading() {
    phase = Phase.CLOSING;
  }

  /** Closes the connection; any thread. */
  void close() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.flush();
    ctx.close();
  }

  /** Closes once what is written has gone out: after a Logout or TARGET COLD RESET response. */
  void closeAfterFlush() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Another login took this connection's or its session's place (reinstatement, sections 6.3.4 and
   * 6.3.5) or a TARGET COLD RESET ends it: the connection closes, its tasks end unanswered. Any
   * thread.
   */
  void reinstated() {
    EventExecutor loop = ctx.executor();
    if (loop.inEventLoop()) {
      log.info("{}: connection closed: reinstated or reset", this);
      close();
    } else {
      loop.execute(this::reinstated);
    }
  }

  /**
   * Asks the initiator to log out (Async Message, AsyncEvent 1, section 11.9.1) because the
   * emulator shuts down: Parameter3 gives it {@link #LOGOUT_WAIT_SECONDS}; the shutdown closes the
   * connection after that or when the Logout has been answered. On the session's event loop.
   */
  void requestLogout() {
    if (phase != Phase.FULL_FEATURE) {
      return;
    }
    send(
        new AsyncMessage(
            0L,
            statSn.take(),
            session.window().expCmdSn(),
            session.window().maxCmdSn(),
            ASYNC_EVENT_LOGOUT_REQUEST,
            0,
            0,
            0,
            LOGOUT_WAIT_SECONDS,
            DataSegment.EMPTY));
  }

  // ------------------------------------------------------------------ login

  private void login(LoginRequest request) {
    LoginExchange.Step step = login.step(request, this::admit);
    if (step instanceof LoginExchange.Refused refused) {
      loginFailed(request, refused);
    } else if (step instanceof LoginExchange.Reply reply) {
      ctx.write(reply.response());
      if (reply.done()) {
        loggedIn(reply.response().tsih());
      }
    }
  }

  /**
   * The login completes: a leading login makes its session, a joining one enters the session its
   * TSIH names. Everything of this connection the session may touch is set before it is entered.
   */
  private int admit() throws LoginExchange.Refusal {
    parameters = login.parameters();
    cid = login.cid();
    IscsiSession joining = login.joining();
    IscsiSession entered =
        joining != null
            ? joining
            : new IscsiSession(portal, this, parameters, login.isid(), login.window());
    text = new TextExchange(portal, statSn, entered.window());
    entered.join(this, cid);
    session = entered;
    return joining != null ? joining.tsih() : entered.register();
  }

  private void loggedIn(int tsih) {
    // The last Login Response went out without digests; from here both ends use them.
    encoder.settings(parameters.sending(Opcode.Sender.TARGET));
    decoder.settings(parameters.receiving(Opcode.Sender.INITIATOR));
    if (!PHASE.compareAndSet(this, Phase.LOGIN, Phase.FULL_FEATURE)) {
      return; // its session closed it between the admission and this
    }
    portal.pings().ifPresent(settings -> startPings(settings));
    log.info(
        "{}: {} session of {} logged in, TSIH {}, CID {}{}",
        ctx.channel().remoteAddress(),
        parameters.sessionType().text(),
        parameters.initiatorName(),
        tsih,
        cid,
        login.joining() == null ? "" : " (a further connection)");
  }

  private void startPings(NopPinger.Settings settings) {
    IscsiSession current = session;
    pinger =
        new NopPinger(
            settings,
            new NopPinger.Pinged() {
              @Override
              public void onLoop(Runnable task) {
                current.run(task);
              }

              @Override
              public boolean live() {
                return phase == Phase.FULL_FEATURE;
              }

              @Override
              public void ping(int targetTransferTag) {
                // Section 11.19: a ping carries the next StatSN without taking it.
                send(
                    new NopIn(
                        0L,
                        IscsiPdu.RESERVED_TAG,
                        targetTransferTag,
                        statSn.peek(),
                        current.window().expCmdSn(),
                        current.window().maxCmdSn(),
                        DataSegment.EMPTY));
                flushIfWritten();
              }

              @Override
              public void unanswered() {
                log.warn("{}: no answer to a NOP-In ping, closing", IscsiConnection.this);
                close();
              }
            },
            current.executor());
    pinger.start();
  }

  private void loginFailed(LoginRequest request, LoginExchange.Refused refused) {
    log.warn(
        "{}: login refused ({}): {}",
        ctx.channel().remoteAddress(),
        refused.status(),
        refused.problem());
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(login.refusal(request, refused.status()))
        .addListener(ChannelFutureListener.CLOSE);
  }

  // ------------------------------------------------------------------ text

  /** This portal as SendTargets names it: the address the initiator reached, and the group. */
  private String portalAddress() {
    if (!(ctx.channel().localAddress() instanceof InetSocketAddress local)) {
      return ctx.channel().localAddress() + "," + LoginExchange.PORTAL_GROUP_TAG;
    }
    String host = local.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return host + ":" + local.getPort() + "," + LoginExchange.PORTAL_GROUP_TAG;
  }

  // ------------------------------------------------------------------ replies

  /** Writes {@code pdu}; the session's {@link IscsiSession#flush} sends it. Session loop. */
  void send(IscsiPdu pdu) {
    written = true;
    ctx.write(pdu, ctx.voidPromise());
  }

  /** Flushes what {@link #send} wrote since the last flush. Session loop. */
  void flushIfWritten() {
    if (written) {
      written = false;
      ctx.flush();
    }
  }

  Reject reject(RejectReason reason, byte[] header) {
    CommandWindow window = session.window();
    return new Reject(
        reason, statSn.peek(), window.expCmdSn(), window.maxCmdSn(), 0, DataSegment.of(header));
  }

  /** The Basic Header Segment of a PDU that decoded, for a Reject's data segment. */
  byte[] header(IscsiPdu pdu) {
    PduCodec.Settings settings =
        new PduCodec.Settings(Opcode.Sender.INITIATOR, DataSegment.MAXIMUM_LENGTH, false, false);
    byte[] encoded = PduCodec.encode(pdu, settings);
    return java.util.Arrays.copyOf(encoded, PduCodec.BHS_LENGTH);
  }

  // ------------------------------------------------------------------ channel, for the session

  EventExecutor executor() {
    return ctx.executor();
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  boolean isWritable() {
    return ctx.channel().isWritable();
  }

  void setReading(boolean reading) {
    if (phase != Phase.CLOSING && ctx.channel().config().isAutoRead() != reading) {
      ctx.channel().config().setAutoRead(reading);
    }
  }

  /** A pulled plug: no answer, the connection drops. */
  void drop() {
    phase = Phase.CLOSING;
    ctx.channel().close();
  }

  /** Closes once what was written has gone to the socket: a cut in the middle of a transfer. */
  void dropAfterWrites() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }
}
