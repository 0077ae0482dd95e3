package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.ChapException;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Negotiation;
import dev.secdrive.protocol.iscsi.NegotiationException;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.SessionType;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextException;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection, which is one session (MaxConnections=1): login, then the full feature phase
 * of a discovery or a normal session. In a normal session SCSI Commands become command frames for
 * the shared {@link CommandHandler} (one I_T nexus per session, as one per TCP connection), and its
 * status frames go back as Data-In with the status in the last one (phase collapse, section 11.7.4)
 * or as a SCSI Response.
 *
 * <p>Writes collect their data before they execute: immediate data, unsolicited Data-Out up to
 * FirstBurstLength when InitialR2T=No, then one R2T at a time (MaxOutstandingR2T=1) for at most
 * MaxBurstLength each.
 *
 * <p>Everything runs on the channel's event loop.
 */
final class IscsiConnection extends ChannelInboundHandlerAdapter implements CommandHandler.Carrier {

  /** Commands the initiator may have outstanding beyond ExpCmdSN: the command handler's queue. */
  static final int COMMAND_WINDOW = 64;

  /**
   * Writes a session may have collecting their data at once; another one is answered TASK SET FULL
   * (SAM-5), so an initiator cannot make the target hold many write buffers it never fills.
   */
  static final int MAXIMUM_COLLECTING_WRITES = 16;

  /** The target portal group every portal of the emulator belongs to. */
  static final int PORTAL_GROUP_TAG = 1;

  private static final Logger log = LoggerFactory.getLogger(IscsiConnection.class);

  private enum Phase {
    LOGIN,
    FULL_FEATURE,
    CLOSING
  }

  /** A command the drive has taken or will take: what its answer needs. */
  private record Task(long lunField, boolean read, long expectedLength) {}

  /** A write collecting its data-out before it executes. */
  private static final class Write {
    final ScsiCommand command;
    final int lun;
    final ByteBuf buffer;
    final long length;
    boolean unsolicitedDone;
    long requested; // data asked for by R2T, or allowed unsolicited, so far
    int transferTag = IscsiPdu.RESERVED_TAG;
    int r2tSn;
    int nextDataSn; // within the current output sequence: the unsolicited one, or one R2T's

    Write(ScsiCommand command, int lun, ByteBuf buffer) {
      this.command = command;
      this.lun = lun;
      this.buffer = buffer;
      this.length = command.expectedDataTransferLength();
    }
  }

  private final Target target;
  private final String targetName;
  private final Negotiation.Policy policy;
  private final IscsiPduDecoder decoder;
  private final IscsiPduEncoder encoder;
  private final IntSupplier tsihs;
  private final int maximumDataLength;
  private final java.util.concurrent.ScheduledExecutorService answerDelays;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Optional<Chap.Credentials> chap;
  private Chap.Challenge challenge;
  private boolean authenticated;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.LOGIN;
  private boolean firstLogin = true;
  private SessionParameters parameters = SessionParameters.defaults();
  private long isid;
  private int tsih;
  private int statSn;
  private int expCmdSn;
  private CommandHandler commands;
  private final Map<Integer, Task> tasks = new HashMap<>();
  private final Map<Integer, Write> writes = new HashMap<>();
  private final Map<Integer, Write> byTransferTag = new HashMap<>();
  private int nextTransferTag = 1;

  IscsiConnection(
      Target target,
      String targetName,
      Negotiation.Policy policy,
      IscsiPduDecoder decoder,
      IscsiPduEncoder encoder,
      IntSupplier tsihs,
      int maximumDataLength,
      java.util.concurrent.ScheduledExecutorService answerDelays,
      Optional<Chap.Credentials> chap) {
    this.chap = chap;
    this.target = target;
    this.targetName = targetName;
    this.policy = policy;
    this.decoder = decoder;
    this.encoder = encoder;
    this.tsihs = tsihs;
    this.maximumDataLength = maximumDataLength;
    this.answerDelays = answerDelays;
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
    return (commands == null ? 0 : commands.inFlight()) + writes.size();
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
      if (pdu instanceof LoginRequest login) {
        login(login);
      } else {
        log.warn("{}: {} before login ended", ctx.channel().remoteAddress(), pdu.opcode());
        close();
      }
      return;
    }
    boolean normal = parameters.sessionType() == SessionType.NORMAL;
    if (outsideWindow(pdu)) {
      // Section 4.2.2.1: a non-immediate command outside [ExpCmdSN, MaxCmdSN] is silently ignored.
      log.debug("{}: ignoring {} outside the CmdSN window", ctx.channel().remoteAddress(), pdu);
      return;
    }
    if (pdu instanceof ScsiCommand command && normal) {
      advanceCmdSn(command.immediate(), command.cmdSn());
      command(command);
    } else if (pdu instanceof DataOut data && normal) {
      dataOut(data);
    } else if (pdu instanceof NopOut nop) {
      advanceCmdSn(nop.immediate(), nop.cmdSn());
      if (nop.initiatorTaskTag() != IscsiPdu.RESERVED_TAG) {
        send(
            new NopIn(
                nop.lun(),
                nop.initiatorTaskTag(),
                IscsiPdu.RESERVED_TAG,
                statSn++,
                expCmdSn,
                maxCmdSn(),
                nop.data()));
      }
    } else if (pdu instanceof TextRequest text) {
      advanceCmdSn(text.immediate(), text.cmdSn());
      text(text);
    } else if (pdu instanceof LogoutRequest logout) {
      advanceCmdSn(logout.immediate(), logout.cmdSn());
      phase = Phase.CLOSING;
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(
              new LogoutResponse(
                  LogoutResponse.CLOSED_SUCCESSFULLY,
                  logout.initiatorTaskTag(),
                  statSn++,
                  expCmdSn,
                  maxCmdSn(),
                  0,
                  0))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (pdu instanceof TaskManagementRequest request) {
      advanceCmdSn(request.immediate(), request.cmdSn());
      // Tasks are not aborted yet: the firmware runs each command to its end on this loop.
      send(
          new TaskManagementResponse(
              TaskManagementResponse.FUNCTION_NOT_SUPPORTED,
              request.initiatorTaskTag(),
              statSn++,
              expCmdSn,
              maxCmdSn()));
    } else {
      // A SCSI Command or Data-Out in a discovery session, a Login Request after login, ...
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
    if (commands != null) {
      commands.disconnected();
    }
    for (Write write : writes.values()) {
      write.buffer.release();
    }
    writes.clear();
    byTransferTag.clear();
    tasks.clear();
  }

  private void close() {
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.flush();
    ctx.close();
  }

  // ------------------------------------------------------------------ login

  private void login(LoginRequest request) {
    if (request.continues()) {
      loginFailed(request, LoginStatus.INITIATOR_ERROR, "login text across PDUs (C bit)");
      return;
    }
    if (request.versionMin() > 0) {
      loginFailed(request, LoginStatus.UNSUPPORTED_VERSION, "Version-min " + request.versionMin());
      return;
    }
    TextKeys keys;
    try {
      keys =
          TextKeys.parse(request.data().toByteArray(), decoder.settings().maxDataSegmentLength());
    } catch (TextException e) {
      loginFailed(request, LoginStatus.INITIATOR_ERROR, e.getMessage());
      return;
    }
    Negotiation.Result result;
    try {
      if (firstLogin) {
        Negotiation.checkLeading(keys);
        if (request.tsih() != 0) {
          // Adding a connection to a session (MC/S) or reinstating one: neither is supported.
          loginFailed(request, LoginStatus.SESSION_DOES_NOT_EXIST, "TSIH " + request.tsih());
          return;
        }
        isid = request.isid();
      } else if (request.isid() != isid) {
        loginFailed(request, LoginStatus.INITIATOR_ERROR, "the ISID changed during login");
        return;
      }
      result =
          Negotiation.respond(
              policy, Opcode.Sender.TARGET, request.currentStage(), parameters, keys);
    } catch (NegotiationException e) {
      loginFailed(request, e.loginStatus(), e.getMessage());
      return;
    }
    SessionParameters next = result.parameters();
    if (next.sessionType() == SessionType.NORMAL && !next.targetName().equals(targetName)) {
      loginFailed(request, LoginStatus.NOT_FOUND, "no target named " + next.targetName());
      return;
    }
    TextKeys chapAnswer = TextKeys.EMPTY;
    if (chap.isEmpty()) {
      if (!result.authentication().isEmpty() || next.authMethod().equals(Chap.AUTH_METHOD)) {
        loginFailed(request, LoginStatus.AUTHENTICATION_FAILURE, "CHAP is not configured");
        return;
      }
    } else {
      try {
        chapAnswer = chap(request, result.authentication());
      } catch (ChapException e) {
        loginFailed(request, LoginStatus.AUTHENTICATION_FAILURE, e.getMessage());
        return;
      }
      if (!authenticated && request.currentStage() != Stage.SECURITY_NEGOTIATION) {
        // Section 12: a target that requires authentication does not skip the security stage.
        loginFailed(request, LoginStatus.AUTHENTICATION_FAILURE, "CHAP is required");
        return;
      }
    }
    if (request.currentStage() == Stage.SECURITY_NEGOTIATION
        && keys.get("AuthMethod").map(TextKeys.REJECT::equals).orElse(false)) {
      loginFailed(request, LoginStatus.AUTHENTICATION_FAILURE, "no AuthMethod in common");
      return;
    }
    if (result.answer().get("AuthMethod").map(TextKeys.REJECT::equals).orElse(false)) {
      loginFailed(request, LoginStatus.AUTHENTICATION_FAILURE, "no AuthMethod in common");
      return;
    }
    parameters = next;
    TextKeys answer = result.answer().with(chapAnswer);
    // With CHAP required, the security stage is left only once the initiator has answered.
    boolean transit = request.transit() && (chap.isEmpty() || authenticated);
    if (firstLogin) {
      answer = answer.with(TextKeys.of("TargetPortalGroupTag", Integer.toString(PORTAL_GROUP_TAG)));
      statSn = request.expStatSn();
      firstLogin = false;
    }
    expCmdSn = request.cmdSn();
    boolean done = transit && request.nextStage() == Stage.FULL_FEATURE_PHASE;
    if (done) {
      tsih = tsihs.getAsInt();
    }
    ctx.write(
        new LoginResponse(
            transit,
            false,
            request.currentStage(),
            transit ? request.nextStage() : request.currentStage(),
            0,
            0,
            isid,
            done ? tsih : 0,
            request.initiatorTaskTag(),
            statSn++,
            expCmdSn,
            maxCmdSn(),
            LoginStatus.SUCCESS.statusClass(),
            LoginStatus.SUCCESS.statusDetail(),
            DataSegment.of(answer.encode())));
    if (done) {
      // The last Login Response went out without digests; from here both ends use them.
      encoder.settings(parameters.sending(Opcode.Sender.TARGET));
      decoder.settings(parameters.receiving(Opcode.Sender.INITIATOR));
      phase = Phase.FULL_FEATURE;
      if (parameters.sessionType() == SessionType.NORMAL) {
        commands =
            new CommandHandler(
                target,
                new Nexus(parameters.initiatorName() + String.format(",i,0x%012x", isid)),
                this,
                null,
                answerDelays);
      }
      log.info(
          "{}: {} session of {} logged in, TSIH {}",
          ctx.channel().remoteAddress(),
          parameters.sessionType().text(),
          parameters.initiatorName(),
          tsih);
    }
  }

  /**
   * One step of CHAP (section 12.1.3) in the security stage: the challenge for the initiator's
   * CHAP_A, then the check of its CHAP_N and CHAP_R. Mutual CHAP is not configured: an initiator
   * that asks for it fails the login.
   */
  private TextKeys chap(LoginRequest request, TextKeys keys) throws ChapException {
    if (keys.isEmpty() || request.currentStage() != Stage.SECURITY_NEGOTIATION) {
      return TextKeys.EMPTY;
    }
    if (keys.get(Chap.CHAP_A).isPresent() && challenge == null && !authenticated) {
      challenge = Chap.Challenge.random(RANDOM);
      return Chap.targetChallenge(keys, challenge);
    }
    if (keys.get(Chap.CHAP_R).isPresent() && challenge != null && !authenticated) {
      Chap.Credentials credentials = chap.get();
      TextKeys answer =
          Chap.verifyInitiator(
              keys,
              challenge,
              name ->
                  name.equals(credentials.name())
                      ? Optional.of(credentials.secret())
                      : Optional.empty(),
              Optional.empty());
      authenticated = true;
      return answer;
    }
    throw new ChapException(
        ChapException.Kind.MISSING_KEY, null, "CHAP keys out of order: " + keys.asMap().keySet());
  }

  private void loginFailed(LoginRequest request, LoginStatus status, String problem) {
    log.warn("{}: login refused ({}): {}", ctx.channel().remoteAddress(), status, problem);
    phase = Phase.CLOSING;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(
            new LoginResponse(
                false,
                false,
                request.currentStage(),
                request.currentStage(),
                0,
                0,
                request.isid(),
                0,
                request.initiatorTaskTag(),
                statSn,
                request.cmdSn(),
                request.cmdSn(),
                status.statusClass(),
                status.statusDetail(),
                DataSegment.EMPTY))
        .addListener(ChannelFutureListener.CLOSE);
  }

  // ------------------------------------------------------------------ text

  private void text(TextRequest request) {
    if (request.continues() || request.targetTransferTag() != IscsiPdu.RESERVED_TAG) {
      send(reject(RejectReason.COMMAND_NOT_SUPPORTED, header(request)));
      return;
    }
    TextKeys answer;
    try {
      TextKeys keys =
          TextKeys.parse(request.data().toByteArray(), decoder.settings().maxDataSegmentLength());
      Negotiation.Result result =
          Negotiation.respond(
              policy, Opcode.Sender.TARGET, Stage.FULL_FEATURE_PHASE, parameters, keys);
      answer = result.answer();
      Optional<String> sendTargets = result.sendTargets();
      if (sendTargets.isPresent()) {
        String which = sendTargets.get();
        boolean all = which.equals("All") && parameters.sessionType() == SessionType.DISCOVERY;
        if (all || which.equals(targetName) || which.isEmpty()) {
          answer =
              answer.with(TextKeys.of("TargetName", targetName, "TargetAddress", portalAddress()));
        }
      }
    } catch (TextException | NegotiationException e) {
      log.warn("{}: bad Text Request: {}", ctx.channel().remoteAddress(), e.getMessage());
      send(reject(RejectReason.INVALID_PDU_FIELD, header(request)));
      return;
    }
    send(
        new TextResponse(
            true,
            false,
            request.lun(),
            request.initiatorTaskTag(),
            IscsiPdu.RESERVED_TAG,
            statSn++,
            expCmdSn,
            maxCmdSn(),
            DataSegment.of(answer.encode())));
  }

  /** This portal as SendTargets names it: the address the initiator reached, and the group. */
  private String portalAddress() {
    if (!(ctx.channel().localAddress() instanceof InetSocketAddress local)) {
      return ctx.channel().localAddress() + "," + PORTAL_GROUP_TAG;
    }
    String host = local.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return host + ":" + local.getPort() + "," + PORTAL_GROUP_TAG;
  }

  // ------------------------------------------------------------------ SCSI

  private void command(ScsiCommand command) {
    int itt = command.initiatorTaskTag();
    int lun;
    try {
      lun = Lun.decode(command.lun());
    } catch (PduException e) {
      lun = -1;
    }
    if (lun < 0 || lun > 0xFF) {
      byte[] sense =
          SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED)
              .encode();
      sendResponse(
          itt, ScsiStatus.CHECK_CONDITION, command.expectedDataTransferLength(), false, sense, 0);
      return;
    }
    if (tasks.containsKey(itt) || writes.containsKey(itt)) {
      send(reject(RejectReason.TASK_IN_PROGRESS, header(command)));
      return;
    }
    if ((command.read() && command.write())
        || command.expectedDataTransferLength() > maximumDataLength) {
      // Bidirectional commands and transfers beyond the emulator's data limit are not served.
      send(
          new ScsiResponse(
              false,
              false,
              false,
              false,
              ScsiResponse.TARGET_FAILURE,
              0,
              itt,
              0,
              statSn++,
              expCmdSn,
              maxCmdSn(),
              0,
              0,
              0,
              DataSegment.EMPTY,
              DataSegment.EMPTY));
      return;
    }
    byte[] cdb = cdb(command);
    long expected = command.expectedDataTransferLength();
    if (!command.write() || expected == 0) {
      tasks.put(itt, new Task(command.lun(), command.read(), command.read() ? expected : 0));
      commands.receive(CommandFrame.dataIn(itt, lun, cdb, command.read() ? expected : 0));
      return;
    }
    if (writes.size() >= MAXIMUM_COLLECTING_WRITES) {
      // Each write holds a buffer of its whole length while its data comes in; bound them.
      sendResponse(itt, ScsiStatus.TASK_SET_FULL, 0, false, new byte[0], 0);
      return;
    }
    int immediate = command.data().length();
    if (immediate > 0
        && (!parameters.immediateData() || immediate > parameters.firstBurstLength())) {
      send(reject(RejectReason.PROTOCOL_ERROR, header(command)));
      return;
    }
    Write write = new Write(command, lun, ctx.alloc().buffer((int) expected, (int) expected));
    write.buffer.writerIndex((int) expected);
    command.data().copyTo(write.buffer, 0);
    write.unsolicitedDone = command.finalPdu();
    write.requested =
        parameters.initialR2T()
            ? immediate
            : Math.min(expected, Math.max(immediate, parameters.firstBurstLength()));
    if (write.unsolicitedDone) {
      write.requested = immediate;
    }
    writes.put(itt, write);
    advance(write);
  }

  private void dataOut(DataOut data) {
    Write write =
        data.targetTransferTag() == IscsiPdu.RESERVED_TAG
            ? writes.get(data.initiatorTaskTag())
            : byTransferTag.get(data.targetTransferTag());
    boolean unsolicited = data.targetTransferTag() == IscsiPdu.RESERVED_TAG;
    long end = data.bufferOffset() + data.data().length();
    if (write == null
        || write.command.initiatorTaskTag() != data.initiatorTaskTag()
        || (unsolicited && write.unsolicitedDone)
        || end > write.requested) {
      send(reject(RejectReason.PROTOCOL_ERROR, header(data)));
      return;
    }
    if (data.dataSn() != write.nextDataSn) {
      // Section 11.7.5: at ErrorRecoveryLevel 0 a lost Data-Out cannot be recovered; the
      // connection, and with it the session, ends (section 7.1.1).
      log.warn(
          "{}: Data-Out DataSN {} where {} was due, closing",
          ctx.channel().remoteAddress(),
          data.dataSn(),
          write.nextDataSn);
      close();
      return;
    }
    write.nextDataSn++;
    data.data().copyTo(write.buffer, (int) data.bufferOffset());
    if (data.finalPdu()) {
      if (unsolicited) {
        write.unsolicitedDone = true;
        write.requested = Math.max(end, write.command.data().length());
      } else {
        byTransferTag.remove(write.transferTag);
        write.transferTag = IscsiPdu.RESERVED_TAG;
      }
      advance(write);
    }
  }

  /** Asks for the next burst, or executes the write once all its data is in. */
  private void advance(Write write) {
    if (!write.unsolicitedDone || write.transferTag != IscsiPdu.RESERVED_TAG) {
      return;
    }
    int itt = write.command.initiatorTaskTag();
    if (write.requested >= write.length) {
      writes.remove(itt);
      tasks.put(itt, new Task(write.command.lun(), false, write.length));
      commands.receive(CommandFrame.dataOut(itt, write.lun, cdb(write.command), write.buffer));
      return;
    }
    long burst = Math.min(parameters.maxBurstLength(), write.length - write.requested);
    int ttt = nextTransferTag++;
    if (nextTransferTag == IscsiPdu.RESERVED_TAG) {
      nextTransferTag = 1;
    }
    write.transferTag = ttt;
    write.nextDataSn = 0;
    byTransferTag.put(ttt, write);
    send(
        new R2t(
            write.command.lun(),
            itt,
            ttt,
            statSn,
            expCmdSn,
            maxCmdSn(),
            write.r2tSn++,
            write.requested,
            burst));
    write.requested += burst;
  }

  /**
   * The CDB as long as its operation code says: the header's CDB field is 16 bytes whatever the
   * command (section 11.3.5), and the firmware checks a CDB's length as the TCP frame gives it.
   */
  static byte[] cdb(ScsiCommand command) {
    byte[] field = command.cdb().toByteArray();
    int implied = dev.secdrive.protocol.cdb.Opcode.cdbLength(field[0] & 0xFF);
    if (field.length > 16 || implied == 0) {
      return field; // an extended CDB carries its own length; reserved groups keep all 16
    }
    return java.util.Arrays.copyOf(field, implied);
  }

  private void sendResponse(
      int itt, ScsiStatus status, long residual, boolean overflow, byte[] sense, int expDataSn) {
    send(
        new ScsiResponse(
            false,
            false,
            overflow && residual > 0,
            !overflow && residual > 0,
            ScsiResponse.COMPLETED,
            status.code(),
            itt,
            0,
            statSn++,
            expCmdSn,
            maxCmdSn(),
            expDataSn,
            0,
            residual,
            DataSegment.of(sense),
            DataSegment.EMPTY));
  }

  // ------------------------------------------------------------------ sequence numbers

  private void advanceCmdSn(boolean immediate, int cmdSn) {
    if (!immediate && cmdSn == expCmdSn) {
      expCmdSn++;
    }
  }

  /** Whether {@code pdu} is a non-immediate command whose CmdSN lies outside the window. */
  private boolean outsideWindow(IscsiPdu pdu) {
    int cmdSn;
    if (pdu instanceof ScsiCommand c && !c.immediate()) {
      cmdSn = c.cmdSn();
    } else if (pdu instanceof NopOut n && !n.immediate()) {
      cmdSn = n.cmdSn();
    } else if (pdu instanceof TextRequest t && !t.immediate()) {
      cmdSn = t.cmdSn();
    } else if (pdu instanceof TaskManagementRequest m && !m.immediate()) {
      cmdSn = m.cmdSn();
    } else if (pdu instanceof LogoutRequest l && !l.immediate()) {
      cmdSn = l.cmdSn();
    } else {
      return false;
    }
    // Serial number arithmetic (RFC 1982): the differences are taken modulo 2^32.
    return cmdSn - expCmdSn < 0 || maxCmdSn() - cmdSn < 0;
  }

  private int maxCmdSn() {
    return expCmdSn + COMMAND_WINDOW - 1;
  }

  private void send(IscsiPdu pdu) {
    ctx.write(pdu, ctx.voidPromise());
  }

  private Reject reject(RejectReason reason, byte[] header) {
    return new Reject(reason, statSn, expCmdSn, maxCmdSn(), 0, DataSegment.of(header));
  }

  /** The Basic Header Segment of a PDU that decoded, for a Reject's data segment. */
  private byte[] header(IscsiPdu pdu) {
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

  /**
   * Sends a command's answer: its data as Data-In PDUs of at most the initiator's
   * MaxRecvDataSegmentLength, the status in the last one; without data, a SCSI Response.
   */
  @Override
  public void write(StatusFrame status) {
    try {
      Task task = tasks.remove(status.tag());
      if (task == null || phase == Phase.CLOSING) {
        return;
      }
      ByteBuf data = status.dataIn();
      int total = data.readableBytes();
      if (status.status() != ScsiStatus.GOOD || !task.read() || total == 0) {
        long residual = task.read() ? status.residual() : 0;
        sendResponse(status.tag(), status.status(), residual, status.overflow(), status.sense(), 0);
        return;
      }
      int segment = parameters.initiatorMaxRecvDataSegmentLength();
      int burst = parameters.maxBurstLength();
      int dataSn = 0;
      for (int offset = 0; offset < total; ) {
        int length = Math.min(segment, total - offset);
        int burstLeft = burst - offset % burst;
        length = Math.min(length, burstLeft);
        boolean last = offset + length == total;
        boolean sequenceEnd = last || length == burstLeft;
        long residual = last ? status.residual() : 0;
        // The segment holds a retained slice of the READ's buffer; the encoder releases it.
        DataSegment slice = DataSegment.retainedSlice(data, data.readerIndex() + offset, length);
        DataIn pdu;
        try {
          pdu =
              new DataIn(
                  sequenceEnd,
                  false,
                  last && status.overflow() && residual > 0,
                  last && status.underflow() && residual > 0,
                  last,
                  last ? status.status().code() : 0,
                  task.lunField(),
                  status.tag(),
                  IscsiPdu.RESERVED_TAG,
                  last ? statSn++ : 0,
                  expCmdSn,
                  maxCmdSn(),
                  dataSn++,
                  offset,
                  residual,
                  slice);
        } catch (RuntimeException e) {
          slice.release();
          throw e;
        }
        send(pdu);
        offset += length;
      }
    } finally {
      status.release();
    }
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
