package dev.secdrive.host.transport;

import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.AsyncMessage;
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
import dev.secdrive.protocol.iscsi.LogoutReason;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TaskFunction;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session on one connection, the initiator's side (RFC 7143): login through {@link
 * LoginExchange}, then SCSI commands with their Data-In, R2T and Data-Out, the CmdSN window, NOP-In
 * pings, Asynchronous Messages, Reject, ABORT TASK for a command that timed out, and Logout. All
 * state is confined to the channel's event loop.
 *
 * <p>Any PDU that breaks the protocol (a Data-In beyond the command's expected length or out of
 * order, an R2T beyond its data, a task tag never issued) fails the command it names with the
 * problem and closes the connection: at ErrorRecoveryLevel 0 nothing else can be trusted.
 */
final class IscsiSession extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);

  private enum State {
    LOGIN,
    FULL,
    LOGGING_OUT,
    CLOSED
  }

  private final String target;
  private final LoginExchange login;
  private final TargetPduDecoder decoder;
  final CompletableFuture<Void> loggedIn = new CompletableFuture<>();
  final CompletableFuture<Void> loggedOut = new CompletableFuture<>();
  private ChannelHandlerContext ctx;
  private State state = State.LOGIN;
  private PduCodec.Settings sending = PduCodec.Settings.login(Sender.INITIATOR);
  private SessionParameters parameters;
  private final SequenceNumbers sn = new SequenceNumbers();
  private int nextItt = 1;
  private final Map<Integer, IscsiTask> active = new HashMap<>();
  private final ArrayDeque<IscsiTask> queued = new ArrayDeque<>();

  /** ABORT TASK requests in flight: their ITT to the ITT of the task they abort. */
  private final Map<Integer, Integer> aborting = new HashMap<>();

  private String closeReason;

  IscsiSession(String target, LoginExchange login, TargetPduDecoder decoder) {
    this.target = target;
    this.login = login;
    this.decoder = decoder;
  }

  // ------------------------------------------------------------------ channel events

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    write(login.first());
    ctx.flush();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof IscsiPdu pdu)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.LOGIN) {
      onLogin(pdu);
    } else {
      onFullFeature(pdu);
    }
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof PduException p) {
      fail("protocol error from " + target + ": " + p.getMessage());
    } else {
      fail("connection to " + target + " failed: " + cause.getMessage());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    String reason = closeReason != null ? closeReason : "connection to " + target + " lost";
    state = State.CLOSED;
    failAll(reason);
    loggedIn.completeExceptionally(new TransportException(reason));
    loggedOut.complete(null);
    ctx.fireChannelInactive();
  }

  // ------------------------------------------------------------------ login

  private void onLogin(IscsiPdu pdu) {
    if (!(pdu instanceof LoginResponse response)) {
      fail(
          "iSCSI login to "
              + target
              + " failed: the target sent a "
              + pdu.opcode()
              + " during login");
      return;
    }
    Object next;
    try {
      next = login.next(response);
    } catch (LoginExchange.LoginFailedException e) {
      fail(e.getMessage());
      return;
    }
    if (next instanceof LoginRequest request) {
      write(request);
      return;
    }
    LoginExchange.Result result = (LoginExchange.Result) next;
    parameters = result.parameters();
    sending = parameters.sending(Sender.INITIATOR);
    decoder.settings(parameters.receiving(Sender.TARGET));
    sn.cmdSn = result.cmdSn();
    sn.expCmdSn = result.expCmdSn();
    sn.maxCmdSn = result.maxCmdSn();
    sn.expStatSn = result.statSn() + 1;
    state = State.FULL;
    log.debug("{}: logged in, TSIH {}, {}", target, result.tsih(), parameters);
    loggedIn.complete(null);
    drain();
  }

  SessionParameters parameters() {
    return parameters;
  }

  // ------------------------------------------------------------------ commands

  /** Starts {@code task}: on the event loop. */
  void start(IscsiTask task) {
    if (state != State.FULL) {
      task.release();
      task.pending.future.completeExceptionally(
          new TransportException(
              (closeReason != null ? closeReason : "session with " + target + " is closed")
                  + " ("
                  + task.description()
                  + " did not complete)"));
      cancelTimeout(task);
      return;
    }
    queued.add(task);
    drain();
    ctx.flush();
  }

  /** Sends queued commands while the CmdSN window is open (section 4.2.2.1). */
  private void drain() {
    while (state == State.FULL && !queued.isEmpty() && sn.open()) {
      send(queued.poll());
    }
  }

  private void send(IscsiTask task) {
    task.itt = nextTag();
    task.cmdSn = sn.cmdSn++;
    active.put(task.itt, task);
    long length = task.dataOut != null ? task.writeLength() : task.expectedIn;
    boolean write = task.dataOut != null && length > 0;
    boolean read = task.dataOut == null && length > 0;
    int immediate =
        write && parameters.immediateData()
            ? (int)
                Math.min(
                    length, Math.min(parameters.firstBurstLength(), sending.maxDataSegmentLength()))
            : 0;
    long unsolicited =
        write && !parameters.initialR2T()
            ? Math.min(length, parameters.firstBurstLength())
            : immediate;
    ByteBuf out = task.dataOut;
    write(
        new ScsiCommand(
            false,
            unsolicited == immediate,
            read,
            write,
            TaskAttribute.SIMPLE,
            Lun.encode(task.lun),
            task.itt,
            length,
            task.cmdSn,
            sn.expStatSn,
            DataSegment.of(task.cdb),
            ScsiCommand.NO_BIDIRECTIONAL,
            immediate == 0
                ? DataSegment.EMPTY
                : DataSegment.of(out, out.readerIndex(), immediate)));
    if (unsolicited > immediate) {
      dataOut(task, IscsiPdu.RESERVED_TAG, immediate, unsolicited - immediate);
    }
  }

  /** Data-Out PDUs for {@code length} bytes at {@code offset}, in pieces the target accepts. */
  private void dataOut(IscsiTask task, int ttt, long offset, long length) {
    int piece = sending.maxDataSegmentLength();
    int dataSn = 0;
    ByteBuf out = task.dataOut;
    for (long done = 0; done < length; done += piece) {
      int size = (int) Math.min(piece, length - done);
      write(
          new DataOut(
              done + size == length,
              Lun.encode(task.lun),
              task.itt,
              ttt,
              sn.expStatSn,
              dataSn++,
              offset + done,
              DataSegment.of(out, out.readerIndex() + (int) (offset + done), size)));
    }
  }

  private int nextTag() {
    int tag;
    do {
      tag = nextItt++;
    } while (tag == IscsiPdu.RESERVED_TAG
        || active.containsKey(tag)
        || aborting.containsKey(tag)
        || aborting.containsValue(tag));
    return tag;
  }

  /** A command's timeout: on the event loop. Sends ABORT TASK for one the target has. */
  void timeOut(IscsiTask task) {
    if (queued.remove(task)) {
      task.release();
      task.pending.future.completeExceptionally(
          new CommandTimeoutException(task.description(), task.timeout, target));
      return;
    }
    if (active.get(task.itt) != task) {
      return; // completed meanwhile
    }
    active.remove(task.itt);
    task.release();
    if (state == State.FULL) {
      int tmf = nextTag();
      aborting.put(tmf, task.itt);
      write(
          new TaskManagementRequest(
              true,
              TaskFunction.ABORT_TASK,
              Lun.encode(task.lun),
              tmf,
              task.itt,
              sn.cmdSn,
              sn.expStatSn,
              task.cmdSn,
              task.nextDataSn));
      ctx.flush();
    }
    task.pending.future.completeExceptionally(
        new CommandTimeoutException(task.description(), task.timeout, target));
  }

  // ------------------------------------------------------------------ full feature phase

  private void onFullFeature(IscsiPdu pdu) {
    if (pdu instanceof DataIn in) {
      sn.window(in.expCmdSn(), in.maxCmdSn());
      if (in.hasStatus()) {
        sn.statSn(in.statSn());
      }
      onDataIn(in);
    } else if (pdu instanceof ScsiResponse response) {
      sn.window(response.expCmdSn(), response.maxCmdSn());
      sn.statSn(response.statSn());
      onResponse(response);
    } else if (pdu instanceof R2t r2t) {
      sn.window(r2t.expCmdSn(), r2t.maxCmdSn());
      onR2t(r2t);
    } else if (pdu instanceof NopIn nop) {
      sn.window(nop.expCmdSn(), nop.maxCmdSn());
      if (nop.targetTransferTag() != IscsiPdu.RESERVED_TAG) {
        // A ping from the target (section 11.19): answer with its TTT and data, immediately.
        DataSegment echo =
            nop.data().length() <= sending.maxDataSegmentLength() ? nop.data() : DataSegment.EMPTY;
        write(
            new NopOut(
                true,
                nop.lun(),
                IscsiPdu.RESERVED_TAG,
                nop.targetTransferTag(),
                sn.cmdSn,
                sn.expStatSn,
                echo));
      }
    } else if (pdu instanceof TaskManagementResponse tmf) {
      sn.window(tmf.expCmdSn(), tmf.maxCmdSn());
      sn.statSn(tmf.statSn());
      Integer aborted = aborting.remove(tmf.initiatorTaskTag());
      if (aborted == null) {
        protocolError("the target answered a task management request it was never sent", null);
      }
    } else if (pdu instanceof AsyncMessage async) {
      sn.window(async.expCmdSn(), async.maxCmdSn());
      onAsync(async);
    } else if (pdu instanceof Reject reject) {
      sn.window(reject.expCmdSn(), reject.maxCmdSn());
      onReject(reject);
    } else if (pdu instanceof LogoutResponse logout) {
      sn.window(logout.expCmdSn(), logout.maxCmdSn());
      sn.statSn(logout.statSn());
      if (state != State.LOGGING_OUT) {
        protocolError("the target sent a Logout Response to no Logout Request", null);
        return;
      }
      loggedOut.complete(null);
      closeReason = closeReason != null ? closeReason : "session with " + target + " logged out";
      ctx.close();
    } else {
      protocolError("the target sent a " + pdu.opcode() + " in the full feature phase", null);
    }
    drain();
  }

  private void onDataIn(DataIn in) {
    IscsiTask task = taskFor(in.initiatorTaskTag(), "Data-In");
    if (task == null) {
      return;
    }
    int length = in.data().length();
    if (length > 0) {
      if (task.dataOut != null) {
        protocolError("the target sent Data-In for a write", task);
        return;
      }
      if (in.dataSn() != task.nextDataSn) {
        protocolError(
            "Data-In DataSN "
                + Integer.toUnsignedString(in.dataSn())
                + " where "
                + task.nextDataSn
                + " was next",
            task);
        return;
      }
      if (in.bufferOffset() != task.received) {
        protocolError(
            "Data-In at buffer offset "
                + in.bufferOffset()
                + " where "
                + task.received
                + " was next",
            task);
        return;
      }
      if (in.bufferOffset() + length > task.expectedIn) {
        protocolError(
            "Data-In beyond the expected length: "
                + length
                + " bytes at offset "
                + in.bufferOffset()
                + " of a "
                + task.expectedIn
                + "-byte transfer",
            task);
        return;
      }
      if (task.dataIn == null) {
        task.dataIn =
            ctx.alloc().buffer((int) Math.min(task.expectedIn, 1 << 16), (int) task.expectedIn);
      }
      in.data().writeTo(task.dataIn);
      task.received += length;
      task.nextDataSn++;
    }
    if (in.hasStatus()) {
      ScsiStatus status = ScsiStatus.find(in.status()).orElse(null);
      if (status == null) {
        protocolError(String.format("unknown SCSI status 0x%02X", in.status()), task);
        return;
      }
      complete(task, status, in.overflow(), in.underflow(), in.residual(), new byte[0]);
    }
  }

  private void onResponse(ScsiResponse response) {
    IscsiTask task = taskFor(response.initiatorTaskTag(), "SCSI Response");
    if (task == null) {
      return;
    }
    if (response.response() != ScsiResponse.COMPLETED) {
      protocolError(
          String.format(
              "the target failed the command (iSCSI response 0x%02X)", response.response()),
          task);
      return;
    }
    ScsiStatus status = ScsiStatus.find(response.status()).orElse(null);
    if (status == null) {
      protocolError(String.format("unknown SCSI status 0x%02X", response.status()), task);
      return;
    }
    byte[] sense = response.sense().toByteArray();
    if (sense.length > Frame.MAXIMUM_SENSE_LENGTH) {
      sense = java.util.Arrays.copyOf(sense, Frame.MAXIMUM_SENSE_LENGTH); // SPC-4 allows truncation
    }
    complete(task, status, response.overflow(), response.underflow(), response.residual(), sense);
  }

  private void onR2t(R2t r2t) {
    IscsiTask task = taskFor(r2t.initiatorTaskTag(), "R2T");
    if (task == null) {
      return;
    }
    long end = r2t.bufferOffset() + r2t.desiredDataTransferLength();
    if (task.dataOut == null || end > task.writeLength()) {
      protocolError(
          "R2T for "
              + r2t.desiredDataTransferLength()
              + " bytes at offset "
              + r2t.bufferOffset()
              + " beyond the "
              + task.writeLength()
              + " bytes of the command's data-out",
          task);
      return;
    }
    if (r2t.desiredDataTransferLength() > parameters.maxBurstLength()) {
      protocolError(
          "R2T for "
              + r2t.desiredDataTransferLength()
              + " bytes, beyond MaxBurstLength "
              + parameters.maxBurstLength(),
          task);
      return;
    }
    dataOut(task, r2t.targetTransferTag(), r2t.bufferOffset(), r2t.desiredDataTransferLength());
  }

  private void onAsync(AsyncMessage async) {
    switch (async.asyncEvent()) {
      case 1 -> {
        // The target asks for a logout (section 11.9.1): outstanding commands cannot finish.
        closeReason = "the target at " + target + " asked the initiator to log out";
        failAll(closeReason);
        logout();
      }
      case 2, 3 -> {
        closeReason =
            "the target at "
                + target
                + " is dropping the connection (Asynchronous Message "
                + async.asyncEvent()
                + ")";
        ctx.close();
      }
      default -> log.debug("{}: Asynchronous Message event {} ignored", target, async.asyncEvent());
    }
  }

  private void onReject(Reject reject) {
    byte[] header = reject.data().toByteArray();
    if (header.length < PduCodec.BHS_LENGTH) {
      protocolError("the target sent a Reject without the rejected header", null);
      return;
    }
    int itt = Unpooled.wrappedBuffer(header).getInt(16);
    IscsiTask task = active.get(itt);
    String why =
        "the target rejected a PDU: "
            + reject.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    if (task == null) {
      log.warn("{}: {} (ITT 0x{})", target, why, Integer.toHexString(itt));
      return;
    }
    active.remove(itt);
    task.release();
    cancelTimeout(task);
    task.pending.future.completeExceptionally(
        new TransportException(why + " (" + task.description() + " did not complete)"));
  }

  /** The active task {@code itt} names; null (dropped, or a protocol error) otherwise. */
  private IscsiTask taskFor(int itt, String what) {
    IscsiTask task = active.get(itt);
    if (task != null) {
      return task;
    }
    if (aborting.containsValue(itt)) {
      return null; // the answer to a command that timed out, before its ABORT TASK was answered
    }
    protocolError(
        String.format("the target sent a %s for task 0x%08X, which it was never given", what, itt),
        null);
    return null;
  }

  private void complete(
      IscsiTask task,
      ScsiStatus status,
      boolean overflow,
      boolean underflow,
      long residual,
      byte[] sense) {
    active.remove(task.itt);
    cancelTimeout(task);
    ByteBuf data = task.dataIn != null ? task.dataIn : Unpooled.EMPTY_BUFFER;
    task.dataIn = null;
    if (task.dataOut == null) {
      // As the TCP carrier does: the residual is what the host expected minus what came.
      long missing = task.expectedIn - task.received;
      underflow = !overflow && missing > 0;
      residual = overflow ? residual : missing;
    }
    task.release();
    StatusFrame frame =
        new StatusFrame(task.itt, status, residual, underflow, overflow, sense, data);
    if (!task.pending.future.complete(frame)) {
      frame.release();
    }
  }

  // ------------------------------------------------------------------ ending

  /** Sends a Logout Request (close the session); on the event loop. */
  void logout() {
    if (state != State.FULL) {
      if (state == State.LOGIN) {
        ctx.close();
      }
      return;
    }
    state = State.LOGGING_OUT;
    write(
        new LogoutRequest(true, LogoutReason.CLOSE_SESSION, nextTag(), 0, sn.cmdSn, sn.expStatSn));
    ctx.flush();
  }

  /** Fails what is waiting with {@code reason}: the host closes. */
  void closing(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    failAll(reason);
  }

  private void protocolError(String problem, IscsiTask task) {
    String reason = "protocol error from " + target + ": " + problem;
    if (task != null) {
      active.remove(task.itt);
      task.release();
      cancelTimeout(task);
      task.pending.future.completeExceptionally(
          new TransportException(reason + " (" + task.description() + " did not complete)"));
    }
    fail(reason);
  }

  private void fail(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    loggedIn.completeExceptionally(new TransportException(reason));
    state = State.CLOSED;
    failAll(closeReason);
    ctx.close();
  }

  private void failAll(String reason) {
    for (Iterator<IscsiTask> it = active.values().iterator(); it.hasNext(); ) {
      IscsiTask task = it.next();
      it.remove();
      failOne(task, reason);
    }
    IscsiTask task;
    while ((task = queued.poll()) != null) {
      failOne(task, reason);
    }
  }

  private static void failOne(IscsiTask task, String reason) {
    task.release();
    cancelTimeout(task);
    task.pending.future.completeExceptionally(
        new TransportException(reason + " (" + task.description() + " did not complete)"));
  }

  private static void cancelTimeout(IscsiTask task) {
    if (task.pending.timeout != null) {
      task.pending.timeout.cancel(false);
    }
  }

  private void write(IscsiPdu pdu) {
    ByteBuf out = ctx.alloc().buffer(PduCodec.BHS_LENGTH + pdu.data().length() + 16);
    try {
      PduCodec.encode(pdu, sending, out);
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
    ctx.write(out, ctx.voidPromise());
  }
}
