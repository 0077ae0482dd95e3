package dev.secdrive.emulator.endpoint;

import dev.secdrive.emulator.capture.FrameTap;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.observe.Instruments;
import dev.secdrive.emulator.observe.Instruments.DriveMeters;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes decoded command frames for one I_T nexus and answers each with a status frame, whatever
 * carries them: TCP, a serial link, later iSCSI. What a carrier differs in — how frames are framed,
 * whether a broken frame ends the connection, whether reading can stop — is behind {@link Carrier};
 * what they all need is here, once:
 *
 * <ul>
 *   <li>Backpressure: a command is taken on only while the carrier can take its answer and fewer
 *       than {@link #MAXIMUM_PENDING} answers wait for their drive time; the rest queue as decoded
 *       frames (a READ's frame is a few bytes; its data is read only when it executes), and the
 *       carrier is asked to stop reading. So a host that floods large READs is slowed down, not
 *       answered into memory.
 *   <li>Service delays: with realistic timing the firmware's {@link Response#delayNanos()} holds
 *       the answer back on the carrier's executor, so answers may leave out of order.
 *   <li>The reply cache, where the carrier needs one (a host on a serial line retries with the same
 *       tag): a retried command is answered again, never executed twice.
 *   <li>Overlapped commands (SAM-5 5.10): a command whose tag is still in flight on this nexus —
 *       queued, or executed and waiting for its drive time — and is not a retry the reply cache
 *       recognises aborts the command(s) with that tag (never answered) and is itself answered
 *       CHECK CONDITION, ABORTED COMMAND, OVERLAPPED COMMANDS ATTEMPTED (0B/4E/00). Tags are per
 *       nexus: another connection's tags are never looked at.
 *   <li>Protocol errors: a frame that breaks the protocol is answered with a protocol error frame;
 *       the carrier decides whether the connection survives it.
 *   <li>The nexus: its unit attentions and PREVENT end with {@link #disconnected()}.
 *   <li>Instruments: every command a drive answers is counted, timed and, at the drive's level,
 *       logged by the target's {@link Instruments} as its status leaves.
 * </ul>
 *
 * <p>Everything runs on {@link Carrier#executor()}; the handler is not thread-safe. From the frame
 * to the medium a command goes through this class, the unit's {@link Firmware#execute} and the
 * command set behind it; LUNs are routed here, and only what no unit answers (REPORT LUNS, an
 * absent LUN) goes to {@link Target}.
 */
public final class CommandHandler {

  /** Delayed answers a nexus may have pending before commands queue and reading stops. */
  static final int MAXIMUM_PENDING = 64;

  private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

  /** SAM-5 5.10: the answer to a command that reuses a tag in flight. */
  private static final SenseData OVERLAPPED =
      SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.OVERLAPPED_COMMANDS_ATTEMPTED);

  /** What a carrier lends the handler. Every method is called on {@link #executor()}. */
  public interface Carrier {

    /** Where commands execute and delayed answers are scheduled. */
    EventExecutor executor();

    /** Where data-in buffers come from; they travel in the status frame. */
    ByteBufAllocator alloc();

    /** Whether the carrier can take another answer now; if not, it calls back when it can. */
    boolean isWritable();

    /** Pauses or resumes reading commands; a carrier that cannot stop reading ignores it. */
    void setReading(boolean reading);

    /** Sends a status frame; the carrier owns it from here. */
    void write(StatusFrame status);

    /** Pushes out what {@link #write} buffered. */
    void flush();

    /**
     * Answers a frame that broke the protocol. A stream carrier has lost its framing and closes
     * after it; a carrier whose frames are delimited below (a serial link) carries on.
     */
    void protocolError(ProtocolErrorFrame error);

    /** A pulled plug: the host gets no answer, only a dropped connection. */
    void drop();

    /**
     * A connection lost in the middle of a transfer (a fault script's disconnect): sends {@code
     * status} with only its first {@code dataBytes} of data-in, and no status, then drops the
     * connection. The carrier owns {@code status} from here. A carrier without connections (a
     * serial port) sends nothing, as a line that lost the answer: the host's retry of the tag gets
     * it from the reply cache.
     */
    default void cut(StatusFrame status, long dataBytes) {
      status.release();
      drop();
    }

    /** Marks this point of the carrier's capture, if one is on, with {@code comment}. */
    default void annotate(String comment) {}
  }

  private final Target target;
  private final Nexus nexus;
  private final Carrier carrier;
  private final ReplyCache replyCache;
  private final ScheduledExecutorService answerDelays;
  private final ArrayDeque<CommandFrame> queued = new ArrayDeque<>();
  private final Set<StatusFrame> delayed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Instruments instruments;

  /** The meters of each LUN this nexus addresses, looked up once. */
  private final Map<Integer, DriveMeters> meters = new HashMap<>();

  private boolean disconnected;

  /**
   * @param replyCache answers retried tags, or {@code null} on a carrier whose hosts never retry
   */
  public CommandHandler(Target target, Nexus nexus, Carrier carrier, ReplyCache replyCache) {
    this(target, nexus, carrier, replyCache, null);
  }

  /**
   * @param answerDelays where an answer waits out the drive's service time before it goes back to
   *     the carrier's executor, or {@code null} to wait on that executor itself
   */
  public CommandHandler(
      Target target,
      Nexus nexus,
      Carrier carrier,
      ReplyCache replyCache,
      ScheduledExecutorService answerDelays) {
    this.target = target;
    this.nexus = nexus;
    this.carrier = carrier;
    this.replyCache = replyCache;
    this.answerDelays = answerDelays;
    this.instruments = target.instruments();
  }

  public Nexus nexus() {
    return nexus;
  }

  /** Takes a decoded frame from the host, and ownership of it. */
  public void receive(Frame frame) {
    if (disconnected) {
      ReferenceCountUtil.release(frame);
      return;
    }
    if (!(frame instanceof CommandFrame command)) {
      String kind = frame.getClass().getSimpleName();
      ReferenceCountUtil.release(frame);
      protocolError("a device accepts only command frames, got " + kind);
      return;
    }
    if (replyCache != null && replyCache.isRetry(command)) {
      StatusFrame again = replyCache.replyTo(command.tag());
      command.release();
      if (again != null) {
        carrier.write(again);
        carrier.flush();
      }
      return; // without a reply the first arrival is still executing, and its answer is coming
    }
    if (abortOverlapped(command.tag())) {
      StatusFrame overlapped =
          StatusFrame.checkCondition(
              command.tag(), command.expectedDataInLength(), OVERLAPPED.encode());
      command.release();
      send(overlapped);
      carrier.flush();
      drain();
      return;
    }
    if (!queued.isEmpty() || !canExecute()) {
      queued.add(command);
      updateReading();
      return;
    }
    executeAndRelease(command);
  }

  /**
   * Aborts the commands of this nexus that carry {@code tag} and are not yet answered: a queued one
   * is dropped unexecuted, an executed one's answer is never sent (SAM-5 5.10; what an aborted
   * command did to the medium stays done, as SAM-5 allows).
   *
   * @return whether any was in flight
   */
  private boolean abortOverlapped(int tag) {
    boolean found = drop(tag);
    if (found) {
      log.warn("{}: overlapped command: tag {} was still in flight; aborted", nexus, tag);
    }
    return found;
  }

  /** Drops the queued commands and the waiting answers that carry {@code tag}. */
  private boolean drop(int tag) {
    boolean found = false;
    for (Iterator<CommandFrame> it = queued.iterator(); it.hasNext(); ) {
      CommandFrame waiting = it.next();
      if (waiting.tag() == tag) {
        it.remove();
        waiting.release();
        found = true;
      }
    }
    for (Iterator<StatusFrame> it = delayed.iterator(); it.hasNext(); ) {
      StatusFrame answer = it.next();
      if (answer.tag() == tag) {
        it.remove();
        answer.release();
        found = true;
      }
    }
    return found;
  }

  /** The carrier could not decode a frame: {@code problem} says why. */
  public void protocolError(String problem) {
    log.warn("{}: protocol error: {}", nexus, problem);
    carrier.protocolError(new ProtocolErrorFrame("protocol error: " + problem));
  }

  /** The carrier can take answers again. */
  public void writabilityChanged() {
    drain();
  }

  /**
   * The host is gone: its nexus ends (PREVENT, unit attentions), and answers still queued or
   * waiting for their drive time are released. Safe to call more than once.
   */
  public void disconnected() {
    if (disconnected) {
      return;
    }
    disconnected = true;
    target.disconnect(nexus);
    for (StatusFrame status : delayed) {
      status.release();
    }
    delayed.clear();
    for (CommandFrame command : queued) {
      command.release();
    }
    queued.clear();
    if (replyCache != null) {
      replyCache.release();
    }
  }

  /**
   * Aborts the command with {@code tag} (a task management function, SAM-5 7.1): queued, it never
   * executes; executed and waiting for its drive time, its answer is dropped (what it did to the
   * medium stays done). Either way the carrier gets no status for it.
   *
   * @return whether a command with that tag was queued or waiting
   */
  public boolean abort(int tag) {
    boolean found = drop(tag);
    if (found && !disconnected) {
      drain();
    }
    return found;
  }

  /**
   * Commands received and not yet answered: queued, or executed and waiting for their drive time.
   */
  public int inFlight() {
    return queued.size() + delayed.size();
  }

  /** Commands received and not yet executed. */
  int queuedCommands() {
    return queued.size();
  }

  /** Answers waiting for their drive time. */
  int pendingAnswers() {
    return delayed.size();
  }

  private boolean canExecute() {
    return delayed.size() < MAXIMUM_PENDING && carrier.isWritable();
  }

  private void updateReading() {
    carrier.setReading(queued.isEmpty() && canExecute());
  }

  /** Executes queued commands while the carrier can take their answers. */
  private void drain() {
    boolean ran = false;
    while (!disconnected && !queued.isEmpty() && canExecute()) {
      executeAndRelease(queued.poll());
      ran = true;
    }
    if (ran) {
      carrier.flush();
    }
    if (!disconnected) {
      updateReading();
    }
  }

  private void executeAndRelease(CommandFrame command) {
    try {
      execute(command);
    } finally {
      command.release();
    }
  }

  private void execute(CommandFrame command) {
    PooledDataIn dataIn = new PooledDataIn(carrier.alloc());
    long started = instruments.now();
    byte[] cdb = command.cdb();
    Response response;
    try {
      response = dispatch(command, cdb, dataIn);
    } catch (PowerLoss e) {
      dataIn.release();
      Firmware unit = target.unit(command.lun());
      String fired = unit == null ? null : unit.faults().takeFired();
      instruments.lost(meters(command.lun()), nexus, command.tag(), cdb, fired);
      carrier.drop();
      return;
    } catch (RuntimeException e) {
      dataIn.release();
      log.error(
          "{}: unexpected error executing CDB {}", nexus, ByteBufUtil.hexDump(command.cdb()), e);
      protocolError("internal error: " + e);
      return;
    }
    StatusFrame status = statusFrame(command, response, dataIn);
    if (response.fault() != null) {
      carrier.annotate("secdrive fault: " + response.fault());
    }
    if (response.cutAfter() >= 0) {
      instruments.lost(meters(command.lun()), nexus, command.tag(), cdb, response.fault());
      if (replyCache != null) {
        replyCache.remember(status); // a line that lost the answer: the host's retry gets it
      }
      carrier.cut(status, response.cutAfter());
      return;
    }
    Runnable answered = answered(command, cdb, response, status, started);
    if (response.delayNanos() <= 0) {
      send(status);
      answered.run();
      return;
    }
    delayed.add(status);
    updateReading();
    Runnable answer =
        () -> {
          if (delayed.remove(status)) {
            send(status);
            answered.run();
            carrier.flush();
            drain();
          }
        };
    if (answerDelays == null) {
      carrier.executor().schedule(answer, response.delayNanos(), TimeUnit.NANOSECONDS);
    } else {
      answerDelays.schedule(
          () -> carrier.executor().execute(answer), response.delayNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** What counts and logs {@code command} once its status has gone; reads nothing it releases. */
  private Runnable answered(
      CommandFrame command, byte[] cdb, Response response, StatusFrame status, long started) {
    DriveMeters drive = meters(command.lun());
    int tag = command.tag();
    long in = status.content().readableBytes();
    long out = command.dataOut().readableBytes();
    return () -> instruments.answered(drive, nexus, tag, cdb, response, in, out, started);
  }

  private DriveMeters meters(int lun) {
    DriveMeters drive = meters.get(lun);
    if (drive == null) {
      drive = instruments.meters(lun, nexus.endpoint());
      meters.put(lun, drive);
    }
    return drive;
  }

  /**
   * Sends an answer as it leaves the drive; only then does the reply cache know it, so a retry
   * during the service delay waits for the first answer instead of overtaking it.
   */
  private void send(StatusFrame status) {
    if (replyCache != null) {
      replyCache.remember(status);
    }
    carrier.write(status);
  }

  /**
   * Routes the command to its logical unit. REPORT LUNS is the target's whatever LUN it names
   * (SPC-4 6.33), and so is a LUN no unit answers to.
   */
  private Response dispatch(CommandFrame command, byte[] cdb, PooledDataIn dataIn) {
    Firmware unit = target.unit(command.lun());
    boolean reportLuns = cdb.length > 0 && (cdb[0] & 0xFF) == Opcode.REPORT_LUNS.code();
    if (unit == null || reportLuns) {
      return target.execute(nexus, command.lun(), cdb, command.dataOut().nioBuffer(), dataIn);
    }
    return unit.execute(nexus, cdb, command.dataOut().nioBuffer(), dataIn);
  }

  private static StatusFrame statusFrame(
      CommandFrame command, Response response, PooledDataIn dataIn) {
    long expected = command.expectedDataInLength();
    long sent = command.dataOut().readableBytes();
    long called = response.dataOutLength() == Response.AS_SENT ? sent : response.dataOutLength();
    if (sent != called) {
      // A write given more or less data-out than its CDB names (PROTOCOL.md "Residuals").
      dataIn.release();
      byte[] sense = response.sense() == null ? new byte[0] : response.sense().encode();
      return new StatusFrame(
          command.tag(),
          response.status(),
          Math.abs(sent - called),
          sent > called,
          sent < called,
          sense,
          Unpooled.EMPTY_BUFFER);
    }
    if (response.status() == ScsiStatus.CHECK_CONDITION) {
      dataIn.release();
      return StatusFrame.checkCondition(command.tag(), expected, response.sense().encode());
    }
    if (response.status() != ScsiStatus.GOOD) {
      dataIn.release(); // RESERVATION CONFLICT: no sense, no data
      return new StatusFrame(
          command.tag(),
          response.status(),
          expected,
          expected > 0,
          false,
          new byte[0],
          Unpooled.EMPTY_BUFFER);
    }
    ByteBuf data = dataIn.take(response.dataInLength());
    long actual = data.readableBytes();
    if (actual > expected) {
      // More than the host asked for: send what fits and report the overflow (PROTOCOL.md).
      data.writerIndex(data.readerIndex() + (int) expected);
      return new StatusFrame(
          command.tag(), ScsiStatus.GOOD, actual - expected, false, true, new byte[0], data);
    }
    return StatusFrame.good(command.tag(), expected, data);
  }

  /**
   * The carrier for a Netty channel whose pipeline decodes frames in front of it (TCP; iSCSI after
   * its own PDU codec): one nexus per channel, reading paused through auto-read, answers flushed
   * once per socket read, and a broken frame answered and the channel closed, since a byte stream
   * that lost its framing cannot find the next frame.
   */
  public static final class OnChannel extends ChannelInboundHandlerAdapter implements Carrier {

    private final Target target;
    private final ScheduledExecutorService answerDelays;
    private final String endpoint;
    private ChannelHandlerContext ctx;
    private CommandHandler commands;

    public OnChannel(Target target) {
      this(target, null, "local");
    }

    /**
     * @param answerDelays as for {@link CommandHandler}, or {@code null}
     * @param endpoint the endpoint's name for metrics ({@link Nexus#endpoint()})
     */
    public OnChannel(Target target, ScheduledExecutorService answerDelays, String endpoint) {
      this.target = target;
      this.answerDelays = answerDelays;
      this.endpoint = endpoint;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
      this.commands =
          new CommandHandler(
              target,
              new Nexus(String.valueOf(ctx.channel().remoteAddress()), endpoint),
              this,
              null,
              answerDelays);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      commands.disconnected();
    }

    /** As {@link CommandHandler#inFlight()}; on the channel's event loop. */
    public int inFlight() {
      return commands.inFlight();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      commands.disconnected();
      ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Frame frame) {
        commands.receive(frame);
      } else {
        String kind = msg.getClass().getSimpleName();
        ReferenceCountUtil.release(msg);
        commands.protocolError("a device accepts only frames, got " + kind);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
      ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      commands.writabilityChanged();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
        commands.protocolError(p.getMessage());
      } else if (cause instanceof IOException) {
        log.debug("{}: connection error: {}", commands.nexus(), cause.toString());
        ctx.close();
      } else {
        log.error("{}: unexpected error, closing the connection", commands.nexus(), cause);
        commands.protocolError("internal error: " + cause);
      }
    }

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
      if (ctx.channel().config().isAutoRead() != reading) {
        ctx.channel().config().setAutoRead(reading);
      }
    }

    @Override
    public void write(StatusFrame status) {
      ctx.write(status, ctx.voidPromise());
    }

    @Override
    public void flush() {
      ctx.flush();
    }

    @Override
    public void protocolError(ProtocolErrorFrame error) {
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void drop() {
      ctx.channel().close();
    }

    @Override
    public void annotate(String comment) {
      FrameTap tap = ctx.pipeline().get(FrameTap.class);
      if (tap != null) {
        tap.annotate(ctx.pipeline().context(tap), comment);
      }
    }

    @Override
    public void cut(StatusFrame status, long dataBytes) {
      ByteBuf part = TcpFrameEncoder.truncated(ctx.alloc(), status, dataBytes);
      status.release();
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(part).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
