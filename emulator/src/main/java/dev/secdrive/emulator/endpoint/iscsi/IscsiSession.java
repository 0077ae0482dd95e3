package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.SessionType;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session (RFC 7143 sections 4.3, 6.3): its connections, at most the negotiated
 * MaxConnections, each with its CID and its own StatSNs; the command window they share; and for a
 * normal session its one I_T nexus, the {@link CommandHandler} and the {@link ScsiTasks}.
 *
 * <ul>
 *   <li>Commands reach the drive in CmdSN order across connections (section 4.2.2.1): a
 *       non-immediate SCSI Command, task management request, Text, NOP-Out or Logout that arrives
 *       ahead of one still on its way on another connection is held, a command with the unsolicited
 *       Data-Out that follows it, until the gap fills. Holding is bounded by the window (64
 *       commands) and FirstBurstLength each.
 *   <li>A task answers on the connection its command came on (connection allegiance, ErrorRecovery
 *       Level 0); its Data-Out must come there too. Task management from any connection reaches
 *       every task of the session.
 *   <li>A connection that ends, by Logout "close the connection" or by failing, takes its tasks
 *       with it (section 11.14, implicit termination at ErrorRecoveryLevel 0); the session and its
 *       nexus live on while it has a connection. The last one ends the session.
 * </ul>
 *
 * <p>Everything of the session runs on one event loop, its leading connection's. A connection that
 * joins later keeps its own loop for reading and decoding, and hands each PDU to the session's
 * ({@link #run}). Joining and leaving are synchronized, since a joining login completes on the
 * joining connection's loop.
 */
final class IscsiSession implements CommandHandler.Carrier {

  /** Connections a session may have: what the target answers a MaxConnections offer with. */
  static final int MAXIMUM_CONNECTIONS = 4;

  /** Unsolicited Data-Out PDUs that may wait with one held command. */
  static final int MAXIMUM_HELD_DATA_OUT = 64;

  private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);

  /**
   * A non-immediate PDU that came ahead of its turn: what it does, and for a SCSI Command ({@code
   * command} not null) the unsolicited data that followed it.
   */
  private record Held(
      IscsiConnection connection, ScsiCommand command, Runnable action, List<DataOut> data) {}

  private final Portal portal;
  private final EventExecutor loop;
  private final ByteBufAllocator alloc;
  private final SessionParameters parameters;
  private final long isid;
  private final CommandWindow window;
  private final CommandHandler commands; // null in a discovery session
  private final ScsiTasks scsi;
  private final TaskManager taskManager;
  private final Map<Integer, Held> held = new HashMap<>(); // by CmdSN
  private final Map<Integer, IscsiConnection> connections = new LinkedHashMap<>(); // by CID
  private volatile List<IscsiConnection> live = List.of(); // connections' values, for the hot path
  private boolean ended; // with connections, guarded by this: no connection may join any more
  private volatile int tsih;

  /**
   * The session a leading login completed on {@code leading}, on its event loop.
   *
   * @param window the command window the leading login started
   */
  IscsiSession(
      Portal portal,
      IscsiConnection leading,
      SessionParameters parameters,
      long isid,
      CommandWindow window) {
    this.portal = portal;
    this.loop = leading.executor();
    this.alloc = leading.alloc();
    this.parameters = parameters;
    this.isid = isid;
    this.window = window;
    this.taskManager = new TaskManager(portal);
    if (parameters.sessionType() == SessionType.NORMAL) {
      commands =
          new CommandHandler(
              portal.target(),
              new Nexus(
                  parameters.initiatorName() + String.format(",i,0x%012x", isid),
                  leading.endpoint()),
              this,
              null,
              portal.answerDelays());
      scsi = new ScsiTasks(portal, parameters, window, commands);
    } else {
      commands = null;
      scsi = null;
    }
  }

  /** Enters the session in the portal's table (a normal one) and gives it its TSIH. */
  int register() {
    tsih = normal() ? portal.sessions().register(this) : portal.sessions().discoveryTsih();
    return tsih;
  }

  boolean normal() {
    return commands != null;
  }

  int tsih() {
    return tsih;
  }

  /** The ISID; any thread. */
  long isid() {
    return isid;
  }

  /** The InitiatorName the session logged in with; any thread. */
  String initiatorName() {
    return parameters.initiatorName();
  }

  /** The session-wide parameters, as the leading login left them; any thread. */
  SessionParameters parameters() {
    return parameters;
  }

  Portal portal() {
    return portal;
  }

  CommandWindow window() {
    return window;
  }

  TaskManager taskManager() {
    return taskManager;
  }

  /** The session's I_T nexus; {@code null} for a discovery session. */
  Nexus nexus() {
    return commands == null ? null : commands.nexus();
  }

  /** Commands received and not yet answered: held, collecting data or with the drive. */
  int inFlight() {
    return commands == null ? 0 : commands.inFlight() + scsi.collecting() + held.size();
  }

  @Override
  public String toString() {
    return initiatorName() + String.format(" (ISID 0x%012x, TSIH %d)", isid, tsih);
  }

  /** Runs {@code task} on the session's event loop: now if called there. */
  void run(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return;
    }
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      task.run(); // the loop is gone, and nothing else runs the session's work: clean up here
    }
  }

  // ------------------------------------------------------------------ connections

  /**
   * Checks that a connection with {@code cid} may join: the session is not closing, and there is
   * room or the connection replaces its namesake.
   *
   * @throws LoginExchange.Refusal 02/0A for a session that is closing, 02/06 for one that is full
   */
  synchronized void checkRoomFor(int cid) throws LoginExchange.Refusal {
    if (ended) {
      throw new LoginExchange.Refusal(
          LoginStatus.SESSION_DOES_NOT_EXIST, "TSIH " + tsih + " ends or has ended");
    }
    if (!connections.containsKey(cid) && connections.size() >= parameters.maxConnections()) {
      throw new LoginExchange.Refusal(
          LoginStatus.TOO_MANY_CONNECTIONS,
          "TSIH "
              + tsih
              + " has its MaxConnections="
              + parameters.maxConnections()
              + " connections");
    }
  }

  /**
   * Enters {@code connection}, whose login with {@code cid} completes. A live connection with the
   * same CID is closed first (connection reinstatement, section 6.3.4), its tasks ending with it.
   */
  synchronized void join(IscsiConnection connection, int cid) throws LoginExchange.Refusal {
    checkRoomFor(cid); // again: the session may have filled or closed since the login began
    IscsiConnection old = connections.put(cid, connection);
    live = List.copyOf(connections.values());
    if (old != null) {
      // Section 6.3.4 at ErrorRecoveryLevel 0: the old connection takes no more PDUs and its tasks
      // end before anything of the new one runs on the session's loop.
      log.info("{}: connection {} reinstated", this, cid);
      old.stopReading();
      run(() -> leave(old));
      old.reinstated();
    }
  }

  /** The live connection with {@code cid}, or {@code null}. */
  synchronized IscsiConnection connection(int cid) {
    return connections.get(cid);
  }

  /** The live connections, a snapshot; any thread. */
  List<IscsiConnection> connections() {
    return live;
  }

  /**
   * {@code connection} leaves the session: it ended, or it is logged out (section 11.14), in which
   * case it leaves before its response goes out, so a login that follows the response finds the
   * session as the Logout left it. Its held commands and tasks end unanswered; the session ends
   * with its last connection. On the session's event loop; again for the same connection, nothing.
   */
  void leave(IscsiConnection connection) {
    if (normal()) {
      held.values().removeIf(h -> h.connection() == connection);
      scsi.abortConnection(connection);
    }
    synchronized (this) {
      if (!connections.remove(connection.cid(), connection)) {
        return;
      }
      live = List.copyOf(connections.values());
      if (!connections.isEmpty()) {
        return;
      }
      ended = true;
    }
    end();
  }

  private void end() {
    portal.sessions().remove(tsih, this);
    if (normal()) {
      commands.disconnected();
      scsi.release();
    }
  }

  /** From now on no connection may join: the session is being closed. */
  private synchronized void closing() {
    ended = true;
  }

  /** Closes every connection: a protocol error, a Logout "close the session", a reset. */
  void close() {
    closing();
    for (IscsiConnection connection : connections()) {
      connection.close();
    }
  }

  /**
   * Logout "close the session": every connection leaves, and closes, {@code requester}'s once its
   * response has gone out.
   */
  void logout(IscsiConnection requester) {
    closing();
    List<IscsiConnection> all = connections();
    for (IscsiConnection connection : all) {
      leave(connection);
    }
    for (IscsiConnection connection : all) {
      if (connection == requester) {
        connection.closeAfterFlush();
      } else {
        connection.close();
      }
    }
  }

  /** Closes every connection, {@code requester}'s once what is written to it has gone out. */
  void closeAfterFlush(IscsiConnection requester) {
    closing();
    for (IscsiConnection connection : connections()) {
      if (connection == requester) {
        connection.closeAfterFlush();
      } else {
        connection.close();
      }
    }
  }

  /** Another login took this session's place, or a TARGET COLD RESET ends it. Any thread. */
  void reinstated() {
    closing();
    for (IscsiConnection connection : connections()) {
      connection.reinstated();
    }
  }

  /** Asks every connection's initiator to log out: the emulator shuts down. */
  void requestLogout() {
    for (IscsiConnection connection : connections()) {
      connection.requestLogout();
    }
    flush();
  }

  // ------------------------------------------------------------------ commands in CmdSN order

  /**
   * A SCSI Command from {@code connection}, to the drive when its turn comes ({@link #ordered}).
   */
  void command(IscsiConnection connection, ScsiCommand command) {
    ordered(
        connection,
        command,
        command.immediate(),
        command.cmdSn(),
        () -> scsi.command(connection, command));
  }

  /**
   * Runs {@code action} for {@code pdu} from {@code connection} when its turn comes: an immediate
   * one now; a non-immediate one when its CmdSN is the one the window expects, else it is held
   * until the PDUs before it have come (section 4.2.2.1), on whichever connection. Taking a PDU
   * moves the window past it; the held PDUs the move made due then run, in CmdSN order.
   */
  void ordered(
      IscsiConnection connection, IscsiPdu pdu, boolean immediate, int cmdSn, Runnable action) {
    if (immediate) {
      action.run();
      return;
    }
    if (cmdSn != window.expCmdSn()) {
      if (held.containsKey(cmdSn)) {
        connection.send(connection.reject(RejectReason.PROTOCOL_ERROR, connection.header(pdu)));
        return;
      }
      log.debug("{}: holding CmdSN {} until {} has come", this, cmdSn, window.expCmdSn());
      window.advance(false, cmdSn);
      ScsiCommand command = pdu instanceof ScsiCommand c ? c : null;
      held.put(cmdSn, new Held(connection, command, action, new ArrayList<>()));
      return;
    }
    int before = window.expCmdSn();
    window.advance(false, cmdSn);
    action.run();
    for (int due = before; due - window.expCmdSn() < 0 && !held.isEmpty(); due++) {
      Held next = held.remove(due);
      if (next != null) {
        next.action().run();
        for (DataOut data : next.data()) {
          scsi.dataOut(next.connection(), data);
        }
      }
    }
  }

  /** A Data-Out from {@code connection}: for a held command it waits with it. */
  void dataOut(IscsiConnection connection, DataOut data) {
    if (data.targetTransferTag() == IscsiPdu.RESERVED_TAG && !held.isEmpty()) {
      for (Held waiting : held.values()) {
        if (waiting.command() == null
            || waiting.command().initiatorTaskTag() != data.initiatorTaskTag()) {
          continue;
        }
        if (waiting.connection() != connection || !mayFollow(waiting, data)) {
          connection.send(connection.reject(RejectReason.PROTOCOL_ERROR, connection.header(data)));
        } else {
          waiting.data().add(data);
        }
        return;
      }
    }
    scsi.dataOut(connection, data);
  }

  /**
   * Whether {@code data} may wait with the held command: unsolicited data of a command that said
   * more would follow (F clear), before the Data-Out that ended it, at most FirstBurstLength in all
   * with the immediate data, and at most {@link #MAXIMUM_HELD_DATA_OUT} PDUs.
   */
  private boolean mayFollow(Held waiting, DataOut data) {
    List<DataOut> before = waiting.data();
    long bytes = waiting.command().data().length() + data.data().length();
    for (DataOut earlier : before) {
      bytes += earlier.data().length();
    }
    return !waiting.command().finalPdu()
        && (before.isEmpty() || !before.get(before.size() - 1).finalPdu())
        && before.size() < MAXIMUM_HELD_DATA_OUT
        && bytes <= parameters.firstBurstLength()
        && data.bufferOffset() + data.data().length() <= parameters.firstBurstLength();
  }

  // ------------------------------------------------------------------ task management

  /** As {@link ScsiTasks#abortTask}, a held command included. */
  boolean abortTask(int itt, int lun) {
    if (!normal()) {
      return false;
    }
    for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
      Held waiting = it.next();
      if (waiting.command() != null
          && waiting.command().initiatorTaskTag() == itt
          && lunOf(waiting.command()) == lun) {
        it.remove();
        return true;
      }
    }
    return scsi.abortTask(itt, lun);
  }

  /** As {@link ScsiTasks#abortTasks}, held commands included; 0 for a discovery session. */
  int abortTasks(OptionalInt lun) {
    if (!normal()) {
      return 0;
    }
    int before = held.size();
    held.values()
        .removeIf(
            h -> h.command() != null && (lun.isEmpty() || lunOf(h.command()) == lun.getAsInt()));
    return before - held.size() + scsi.abortTasks(lun);
  }

  private static int lunOf(ScsiCommand command) {
    try {
      return Lun.decode(command.lun());
    } catch (PduException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ carrier

  @Override
  public EventExecutor executor() {
    return loop;
  }

  @Override
  public ByteBufAllocator alloc() {
    return alloc;
  }

  /** Whether every connection can take more: one slow reader holds the whole nexus back. */
  @Override
  public boolean isWritable() {
    for (IscsiConnection connection : connections()) {
      if (!connection.isWritable()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void setReading(boolean reading) {
    for (IscsiConnection connection : connections()) {
      connection.setReading(reading);
    }
  }

  /** A connection's writability changed; on its own event loop. */
  void writabilityChanged() {
    run(
        () -> {
          if (commands != null) {
            commands.writabilityChanged();
          }
        });
  }

  /** Sends a command's answer on the connection its command came on; see {@link ScsiTasks}. */
  @Override
  public void write(StatusFrame status) {
    if (scsi == null) {
      status.release();
      return;
    }
    scsi.answer(status);
  }

  /** Pushes out what was sent on any connection. */
  @Override
  public void flush() {
    for (IscsiConnection connection : connections()) {
      connection.flushIfWritten();
    }
  }

  @Override
  public void protocolError(ProtocolErrorFrame error) {
    log.warn("{}: closing: {}", this, error);
    close();
  }

  @Override
  public void drop() {
    for (IscsiConnection connection : connections()) {
      connection.drop();
    }
  }

  /** Marks the captures of this session's connections with {@code comment}. */
  @Override
  public void annotate(String comment) {
    for (IscsiConnection connection : connections()) {
      connection.annotate(comment);
    }
  }

  /** Sends the first {@code dataBytes} of the answer's Data-In, then drops its connection. */
  @Override
  public void cut(StatusFrame status, long dataBytes) {
    if (scsi == null) {
      status.release();
      return;
    }
    scsi.cut(status, dataBytes);
  }
}
