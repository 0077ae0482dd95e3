package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
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
import dev.secdrive.protocol.iscsi.SessionType;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection, which is one session (MaxConnections=1): login ({@link LoginExchange}),
 * then the full feature phase of a discovery or a normal session. Text goes to {@link
 * TextExchange}, task management to {@link TaskManager}, the sequence numbers live in {@link
 * CommandWindow}, SCSI Commands, Data-Out and Data-In in {@link ScsiTasks}; what stays here is the
 * PDU dispatch by phase and the connection's life. In a normal session SCSI Commands become command
 * frames for the shared {@link CommandHandler} (one I_T nexus per session), and its status frames
 * go back as Data-In with the status in the last one (phase collapse, section 11.7.4) or as a SCSI
 * Response.
 *
 * <p>Writes collect their data before they execute: immediate data, unsolicited Data-Out up to
 * FirstBurstLength when InitialR2T=No, then one R2T at a time (MaxOutstandingR2T=1) for at most
 * MaxBurstLength each.
 *
 * <p>Everything runs on the channel's event loop; the methods other sessions' task management and
 * the {@link SessionTable} call ({@link #abortTasks}, {@link #reinstated}) are run there too.
 */
final class IscsiConnection extends ChannelInboundHandlerAdapter implements CommandHandler.Carrier {

  /** Commands the initiator may have outstanding beyond ExpCmdSN: the command handler's queue. */
  static final int COMMAND_WINDOW = CommandWindow.SIZE;

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
  private final CommandWindow window = new CommandWindow();
  private final LoginExchange login;
  private final TextExchange text;
  private final TaskManager taskManager;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.LOGIN;
  private SessionParameters parameters = SessionParameters.defaults();
  private volatile String initiatorName = "";
  private volatile long isid;
  private int tsih;
  private CommandHandler commands;
  private ScsiTasks scsi;
  private NopPinger pinger;

  IscsiConnection(Portal portal, IscsiPduDecoder decoder, IscsiPduEncoder encoder) {
    this.portal = portal;
    this.decoder = decoder;
    this.encoder = encoder;
    this.login = new LoginExchange(portal, window);
    this.text = new TextExchange(portal, window);
    this.taskManager = new TaskManager(portal);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Whether login has reached the full feature phase. */
  boolean loggedIn() {
    return phase == Phase.FULL_FEATURE;
  }

  /** Commands received and not yet answered, writes still collecting data included. */
  int inFlight() {
    return (commands == null ? 0 : commands.inFlight()) + (scsi == null ? 0 : scsi.collecting());
  }

  Portal portal() {
    return portal;
  }

  CommandWindow window() {
    return window;
  }

  /** The InitiatorName this session logged in with; any thread. */
  String initiatorName() {
    return initiatorName;
  }

  /** The session's ISID; any thread. */
  long isid() {
    return isid;
  }

  /** The session's I_T nexus, once logged in to a normal session. */
  Nexus nexus() {
    return commands == null ? null : commands.nexus();
  }

  @Override
  public String toString() {
    return (ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress()))
        + " ("
        + initiatorName
        + ", TSIH "
        + tsih
        + ")";
  }

  // ------------------------------------------------------------------ inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (phase == Phase.CLOSING) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof IscsiPduDecoder.Unusable unusable) {
      log.warn("{}: rejecting a PDU: {}", ctx.channel().remoteAddress(), unusable.problem());
      if (phase == Phase.LOGIN) {
        close(); // section 6.2: no Reject during login; the connection ends
      } else {
        send(reject(unusable.reason(), unusable.header()));
      }
      return;
    }
    IscsiPdu pdu = (IscsiPdu) msg;
    if (phase == Phase.LOGIN) {
      if (pdu instanceof LoginRequest request) {
        login(request);
      } else {
        log.warn("{}: {} before login ended", ctx.channel().remoteAddress(), pdu.opcode());
        close();
      }
      return;
    }
    if (pinger != null) {
      pinger.heard();
    }
    boolean normal = parameters.sessionType() == SessionType.NORMAL;
    if (window.outside(pdu)) {
      // Section 4.2.2.1: a non-immediate command outside [ExpCmdSN, MaxCmdSN] is silently ignored.
      log.debug("{}: ignoring {} outside the CmdSN window", ctx.channel().remoteAddress(), pdu);
      return;
    }
    if (pdu instanceof ScsiCommand command && normal) {
      if (!command.immediate() && window.takeAborted(command.cmdSn())) {
        // An ABORT TASK named it before it arrived (section 11.5.1 b): it never executes.
        log.debug("{}: dropping command {} aborted before it arrived", this, command.cmdSn());
        return;
      }
      window.advance(command.immediate(), command.cmdSn());
      scsi.command(command);
    } else if (pdu instanceof DataOut data && normal) {
      scsi.dataOut(data);
    } else if (pdu instanceof NopOut nop) {
      if (pinger != null && nop.initiatorTaskTag() == IscsiPdu.RESERVED_TAG) {
        pinger.answered(nop); // the answer to a ping carries no CmdSN of its own
        return;
      }
      window.advance(nop.immediate(), nop.cmdSn());
      if (nop.initiatorTaskTag() != IscsiPdu.RESERVED_TAG) {
        send(
            new NopIn(
                nop.lun(),
                nop.initiatorTaskTag(),
                IscsiPdu.RESERVED_TAG,
                window.nextStatSn(),
                window.expCmdSn(),
                window.maxCmdSn(),
                nop.data()));
      }
    } else if (pdu instanceof TextRequest request) {
      window.advance(request.immediate(), request.cmdSn());
      TextExchange.Outcome outcome = text.handle(request, parameters, portalAddress());
      if (outcome instanceof TextExchange.Respond respond) {
        send(respond.response());
      } else if (outcome instanceof TextExchange.Refuse refuse) {
        log.warn("{}: {}", ctx.channel().remoteAddress(), refuse.problem());
        send(reject(refuse.reason(), header(request)));
      }
    } else if (pdu instanceof LogoutRequest logout) {
      window.advance(logout.immediate(), logout.cmdSn());
      phase = Phase.CLOSING;
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(
              new LogoutResponse(
                  LogoutResponse.CLOSED_SUCCESSFULLY,
                  logout.initiatorTaskTag(),
                  window.nextStatSn(),
                  window.expCmdSn(),
                  window.maxCmdSn(),
                  0,
                  0))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (pdu instanceof TaskManagementRequest request && normal) {
      window.advance(request.immediate(), request.cmdSn());
      taskManager.handle(
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
                    window.nextStatSn(),
                    window.expCmdSn(),
                    window.maxCmdSn()));
            ctx.flush();
          });
    } else {
      // A SCSI Command, Data-Out or TMF in a discovery session, a Login Request after login, ...
      send(reject(RejectReason.COMMAND_NOT_SUPPORTED, header(pdu)));
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (commands != null) {
      commands.writabilityChanged();
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

  private void end() {
    if (pinger != null) {
      pinger.stop();
    }
    if (tsih != 0) {
      portal.sessions().remove(tsih, this);
    }
    if (commands != null) {
      commands.disconnected();
    }
    if (scsi != null) {
      scsi.release();
    }
  }

  void close() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.flush();
    ctx.close();
  }

  /** Closes once what is written has gone out: after a TARGET COLD RESET's response. */
  void closeAfterFlush() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Another login took this session's place (reinstatement, section 6.3.5) or a TARGET COLD RESET
   * ends it: the connection closes, its tasks end unanswered. Any thread.
   */
  void reinstated() {
    EventExecutor loop = ctx.executor();
    if (loop.inEventLoop()) {
      log.info("{}: session closed: reinstated or reset", this);
      close();
    } else {
      loop.execute(this::reinstated);
    }
  }

  /**
   * Asks the initiator to log out (Async Message, AsyncEvent 1, section 11.9.1) because the
   * emulator shuts down: Parameter3 gives it {@link #LOGOUT_WAIT_SECONDS}; the shutdown closes the
   * connection after that or when the Logout has been answered.
   */
  void requestLogout() {
    if (phase != Phase.FULL_FEATURE) {
      return;
    }
    send(
        new AsyncMessage(
            0L,
            window.nextStatSn(),
            window.expCmdSn(),
            window.maxCmdSn(),
            ASYNC_EVENT_LOGOUT_REQUEST,
            0,
            0,
            0,
            LOGOUT_WAIT_SECONDS,
            DataSegment.EMPTY));
    ctx.flush();
  }

  // ------------------------------------------------------------------ login

  private void login(LoginRequest request) {
    LoginExchange.Step step =
        login.step(
            request,
            () -> {
              parameters = login.parameters();
              isid = login.isid();
              initiatorName = parameters.initiatorName();
              return parameters.sessionType() == SessionType.NORMAL
                  ? portal.sessions().register(this)
                  : portal.sessions().discoveryTsih();
            });
    if (step instanceof LoginExchange.Refused refused) {
      loginFailed(request, refused);
    } else if (step instanceof LoginExchange.Reply reply) {
      ctx.write(reply.response());
      if (reply.done()) {
        loggedIn(reply.response().tsih());
      }
    }
  }

  private void loggedIn(int tsih) {
    if (parameters.sessionType() == SessionType.NORMAL) {
      this.tsih = tsih;
    }
    // The last Login Response went out without digests; from here both ends use them.
    encoder.settings(parameters.sending(Opcode.Sender.TARGET));
    decoder.settings(parameters.receiving(Opcode.Sender.INITIATOR));
    phase = Phase.FULL_FEATURE;
    if (parameters.sessionType() == SessionType.NORMAL) {
      commands =
          new CommandHandler(
              portal.target(),
              new Nexus(parameters.initiatorName() + String.format(",i,0x%012x", isid)),
              this,
              null,
              portal.answerDelays());
      scsi = new ScsiTasks(this, parameters, window, commands);
    }
    portal.pings().ifPresent(settings -> startPings(settings));
    log.info(
        "{}: {} session of {} logged in, TSIH {}",
        ctx.channel().remoteAddress(),
        parameters.sessionType().text(),
        parameters.initiatorName(),
        tsih);
  }

  private void startPings(NopPinger.Settings settings) {
    pinger =
        new NopPinger(
            settings,
            new NopPinger.Pinged() {
              @Override
              public void onLoop(Runnable task) {
                ctx.executor().execute(task);
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
                        window.statSn(),
                        window.expCmdSn(),
                        window.maxCmdSn(),
                        DataSegment.EMPTY));
                ctx.flush();
              }

              @Override
              public void unanswered() {
                log.warn("{}: no answer to a NOP-In ping, closing", IscsiConnection.this);
                close();
              }
            },
            ctx.executor());
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

  // ------------------------------------------------------------------ task management

  /** As {@link ScsiTasks#abortTask}. */
  boolean abortTask(int itt, int lun) {
    return scsi != null && phase == Phase.FULL_FEATURE && scsi.abortTask(itt, lun);
  }

  /** As {@link ScsiTasks#abortTasks}; 0 for a session not (or no longer) in full feature. */
  int abortTasks(OptionalInt lun) {
    return scsi == null || phase != Phase.FULL_FEATURE ? 0 : scsi.abortTasks(lun);
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

  // ------------------------------------------------------------------ SCSI

  // ------------------------------------------------------------------ replies

  void send(IscsiPdu pdu) {
    ctx.write(pdu, ctx.voidPromise());
  }

  Reject reject(RejectReason reason, byte[] header) {
    return new Reject(
        reason, window.statSn(), window.expCmdSn(), window.maxCmdSn(), 0, DataSegment.of(header));
  }

  /** The Basic Header Segment of a PDU that decoded, for a Reject's data segment. */
  byte[] header(IscsiPdu pdu) {
    PduCodec.Settings settings =
        new PduCodec.Settings(Opcode.Sender.INITIATOR, DataSegment.MAXIMUM_LENGTH, false, false);
    byte[] encoded = PduCodec.encode(pdu, settings);
    return java.util.Arrays.copyOf(encoded, PduCodec.BHS_LENGTH);
  }

  // ------------------------------------------------------------------ carrier

  @Override
  public EventExecutor executor() {
    return ctx.executor();
  }

  @Override
  public ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void setReading(boolean reading) {
    if (phase != Phase.CLOSING && ctx.channel().config().isAutoRead() != reading) {
      ctx.channel().config().setAutoRead(reading);
    }
  }

  /** Sends a command's answer; see {@link ScsiTasks#answer}. */
  @Override
  public void write(StatusFrame status) {
    if (scsi == null || phase == Phase.CLOSING) {
      status.release();
      return;
    }
    scsi.answer(status);
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public void protocolError(ProtocolErrorFrame error) {
    log.warn("{}: closing: {}", ctx.channel().remoteAddress(), error);
    close();
  }

  @Override
  public void drop() {
    phase = Phase.CLOSING;
    ctx.channel().close();
  }
}
