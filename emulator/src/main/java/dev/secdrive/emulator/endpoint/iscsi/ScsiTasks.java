package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI tasks of one normal session (RFC 7143 sections 11.3 to 11.8), whichever of its
 * connections they came on: commands become frames for the session's {@link CommandHandler}; writes
 * collect their data first (immediate data, unsolicited Data-Out up to FirstBurstLength when
 * InitialR2T=No, then one R2T at a time for at most MaxBurstLength each); answers go back as
 * Data-In with the status in the last PDU (phase collapse, section 11.7.4) or as a SCSI Response.
 * Task management aborts tasks here: an aborted task gets no SCSI Response, a collecting write
 * releases its buffer. Each task keeps the connection its command came on: its R2Ts, Data-Out and
 * answer travel there (connection allegiance), with that connection's StatSN and
 * MaxRecvDataSegmentLength.
 *
 * <p>Not thread-safe: the session's event loop only.
 */
final class ScsiTasks {

  private static final Logger log = LoggerFactory.getLogger(ScsiTasks.class);

  /**
   * Writes a session may have collecting their data at once; another one is answered TASK SET FULL
   * (SAM-5), so an initiator cannot make the target hold many write buffers it never fills.
   */
  static final int MAXIMUM_COLLECTING_WRITES = 16;

  /** A command the drive has taken or will take: what its answer needs. */
  private record Task(
      IscsiConnection connection, long lunField, int lun, boolean read, long expectedLength) {}

  /** A write collecting its data-out before it executes. */
  private static final class Write {
    final IscsiConnection connection;
    final ScsiCommand command;
    final int lun;
    final ByteBuf buffer;
    final long length;
    boolean unsolicitedDone;
    long requested; // data asked for by R2T, or allowed unsolicited, so far
    int transferTag = IscsiPdu.RESERVED_TAG;
    int r2tSn;
    int nextDataSn; // within the current output sequence: the unsolicited one, or one R2T's
    boolean lost; // a Data-Out came out of order: the task ends once its sequence is in

    Write(IscsiConnection connection, ScsiCommand command, int lun, ByteBuf buffer) {
      this.connection = connection;
      this.command = command;
      this.lun = lun;
      this.buffer = buffer;
      this.length = command.expectedDataTransferLength();
    }
  }

  private final Portal portal;
  private final SessionParameters parameters;
  private final CommandWindow window;
  private final CommandHandler commands;
  private final Map<Integer, Task> tasks = new HashMap<>();
  private final Map<Integer, Write> writes = new HashMap<>();
  private final Map<Integer, Write> byTransferTag = new HashMap<>();
  private int nextTransferTag = 1;

  /**
   * @param parameters the session-wide ones: bursts, immediate data, InitialR2T
   */
  ScsiTasks(
      Portal portal, SessionParameters parameters, CommandWindow window, CommandHandler commands) {
    this.portal = portal;
    this.parameters = parameters;
    this.window = window;
    this.commands = commands;
  }

  /** Writes collecting their data. */
  int collecting() {
    return writes.size();
  }

  /** The connection ended: the collecting writes' buffers go. */
  void release() {
    for (Write write : writes.values()) {
      write.buffer.release();
    }
    writes.clear();
    byTransferTag.clear();
    tasks.clear();
  }

  void command(IscsiConnection connection, ScsiCommand command) {
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
          connection,
          itt,
          ScsiStatus.CHECK_CONDITION,
          command.expectedDataTransferLength(),
          false,
          sense,
          0);
      return;
    }
    if (tasks.containsKey(itt) || writes.containsKey(itt)) {
      // An overlapped command (SAM-5 5.10): the task with this ITT is aborted and the new command
      // answered CHECK CONDITION 0B/4E/00. A write still collecting data ends here; a command the
      // handler holds is aborted there, and the handler answers the new one.
      Write collecting = writes.remove(itt);
      if (collecting == null) {
        tasks.put(itt, new Task(connection, command.lun(), lun, false, 0));
        commands.receive(CommandFrame.dataIn(itt, lun, cdb(command), 0));
        return;
      }
      byTransferTag.remove(collecting.transferTag);
      collecting.buffer.release();
      byte[] sense =
          SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.OVERLAPPED_COMMANDS_ATTEMPTED)
              .encode();
      sendResponse(connection, itt, ScsiStatus.CHECK_CONDITION, 0, false, sense, 0);
      return;
    }
    if ((command.read() && command.write())
        || command.expectedDataTransferLength() > portal.maximumDataLength()) {
      // Bidirectional commands and transfers beyond the emulator's data limit are not served.
      connection.send(
          new ScsiResponse(
              false,
              false,
              false,
              false,
              ScsiResponse.TARGET_FAILURE,
              0,
              itt,
              0,
              connection.statSn().take(),
              window.expCmdSn(),
              window.maxCmdSn(),
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
      tasks.put(
          itt,
          new Task(connection, command.lun(), lun, command.read(), command.read() ? expected : 0));
      commands.receive(CommandFrame.dataIn(itt, lun, cdb, command.read() ? expected : 0));
      return;
    }
    if (writes.size() >= MAXIMUM_COLLECTING_WRITES) {
      // Each write holds a buffer of its whole length while its data comes in; bound them.
      sendResponse(connection, itt, ScsiStatus.TASK_SET_FULL, 0, false, new byte[0], 0);
      return;
    }
    int immediate = command.data().length();
    if (immediate > 0
        && (!parameters.immediateData() || immediate > parameters.firstBurstLength())) {
      connection.send(connection.reject(RejectReason.PROTOCOL_ERROR, connection.header(command)));
      return;
    }
    Write write =
        new Write(
            connection, command, lun, connection.alloc().buffer((int) expected, (int) expected));
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

  void dataOut(IscsiConnection connection, DataOut data) {
    Write write =
        data.targetTransferTag() == IscsiPdu.RESERVED_TAG
            ? writes.get(data.initiatorTaskTag())
            : byTransferTag.get(data.targetTransferTag());
    boolean unsolicited = data.targetTransferTag() == IscsiPdu.RESERVED_TAG;
    long end = data.bufferOffset() + data.data().length();
    if (write == null
        || write.connection != connection // a Data-Out comes on its command's connection
        || write.command.initiatorTaskTag() != data.initiatorTaskTag()
        || (unsolicited && write.unsolicitedDone)
        || end > write.requested) {
      connection.send(connection.reject(RejectReason.PROTOCOL_ERROR, connection.header(data)));
      return;
    }
    if (data.dataSn() != write.nextDataSn && !write.lost) {
      // Section 7.8: a DataSN out of order means an earlier Data-Out was lost to a digest error.
      // At ErrorRecoveryLevel 0 there is no recovery R2T, so the task ends (section 7.7 b) once
      // its sequence is in; the session goes on.
      log.debug(
          "{}: Data-Out DataSN {} where {} was due, task 0x{} fails",
          connection,
          data.dataSn(),
          write.nextDataSn,
          Integer.toHexString(data.initiatorTaskTag()));
      write.lost = true;
    }
    write.nextDataSn++;
    if (!write.lost) {
      data.data().copyTo(write.buffer, (int) data.bufferOffset());
    }
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
    if (write.lost) {
      // Section 11.4.7.3: ABORTED COMMAND, PROTOCOL SERVICE CRC ERROR; nothing was written.
      writes.remove(itt);
      write.buffer.release();
      byte[] sense =
          SenseData.of(SenseKey.ABORTED_COMMAND, AdditionalSense.PROTOCOL_SERVICE_CRC_ERROR)
              .encode();
      sendResponse(write.connection, itt, ScsiStatus.CHECK_CONDITION, 0, false, sense, 0);
      return;
    }
    if (write.requested >= write.length) {
      writes.remove(itt);
      tasks.put(
          itt, new Task(write.connection, write.command.lun(), write.lun, false, write.length));
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
    write.connection.send(
        new R2t(
            write.command.lun(),
            itt,
            ttt,
            write.connection.statSn().peek(),
            window.expCmdSn(),
            window.maxCmdSn(),
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
      IscsiConnection connection,
      int itt,
      ScsiStatus status,
      long residual,
      boolean overflow,
      byte[] sense,
      int expDataSn) {
    connection.send(
        new ScsiResponse(
            false,
            false,
            overflow && residual > 0,
            !overflow && residual > 0,
            ScsiResponse.COMPLETED,
            status.code(),
            itt,
            0,
            connection.statSn().take(),
            window.expCmdSn(),
            window.maxCmdSn(),
            expDataSn,
            0,
            residual,
            DataSegment.of(sense),
            DataSegment.EMPTY));
  }

  /**
   * Aborts this session's task {@code itt} if it is on {@code lun}: a write collecting its data
   * releases its buffer, a command queued or waiting for its drive time is dropped; no SCSI
   * Response goes out for it.
   */
  boolean abortTask(int itt, int lun) {
    Write write = writes.get(itt);
    if (write != null && write.lun == lun) {
      writes.remove(itt);
      if (write.transferTag != IscsiPdu.RESERVED_TAG) {
        byTransferTag.remove(write.transferTag);
      }
      write.buffer.release();
      return true;
    }
    Task task = tasks.get(itt);
    if (task != null && task.lun() == lun) {
      tasks.remove(itt);
      commands.abort(itt);
      return true;
    }
    return false;
  }

  /**
   * Ends, unanswered, every task whose command came on {@code connection}, which has ended (section
   * 11.14: implicit termination, ErrorRecoveryLevel 0); returns how many.
   */
  int abortConnection(IscsiConnection connection) {
    int aborted = 0;
    for (int itt : List.copyOf(writes.keySet())) {
      Write write = writes.get(itt);
      if (write.connection == connection && abortTask(itt, write.lun)) {
        aborted++;
      }
    }
    for (int itt : List.copyOf(tasks.keySet())) {
      Task task = tasks.get(itt);
      if (task.connection() == connection && abortTask(itt, task.lun())) {
        aborted++;
      }
    }
    return aborted;
  }

  /** Aborts every task of this session on {@code lun}, or on every LUN; returns how many. */
  int abortTasks(OptionalInt lun) {
    int aborted = 0;
    for (int itt : List.copyOf(writes.keySet())) {
      int on = writes.get(itt).lun;
      if ((lun.isEmpty() || lun.getAsInt() == on) && abortTask(itt, on)) {
        aborted++;
      }
    }
    for (int itt : List.copyOf(tasks.keySet())) {
      int on = tasks.get(itt).lun();
      if ((lun.isEmpty() || lun.getAsInt() == on) && abortTask(itt, on)) {
        aborted++;
      }
    }
    return aborted;
  }

  /**
   * Sends a command's answer: its data as Data-In PDUs of at most the initiator's
   * MaxRecvDataSegmentLength, the status in the last one; without data, a SCSI Response.
   */
  void answer(StatusFrame status) {
    answer(status, -1);
  }

  /**
   * Sends the Data-In PDUs of a read's first {@code dataBytes}, none with the status, then drops
   * the connection: a connection lost in the middle of the transfer (a fault script's disconnect).
   */
  void cut(StatusFrame status, long dataBytes) {
    Task task = tasks.get(status.tag());
    answer(status, Math.max(0, dataBytes));
    if (task != null) {
      task.connection().dropAfterWrites();
    }
  }

  private void answer(StatusFrame status, long cut) {
    try {
      Task task = tasks.remove(status.tag());
      if (task == null || !task.connection().live()) {
        return;
      }
      IscsiConnection connection = task.connection();
      ByteBuf data = status.dataIn();
      int total = cut < 0 ? data.readableBytes() : (int) Math.min(cut, data.readableBytes());
      if (cut >= 0 && (total == 0 || !task.read())) {
        return; // cut before any data: nothing goes out
      }
      if (status.status() != ScsiStatus.GOOD || !task.read() || total == 0) {
        // A read's residual, or a write's when its data-out differed from what its CDB names.
        sendResponse(
            connection,
            status.tag(),
            status.status(),
            status.residual(),
            status.overflow(),
            status.sense(),
            0);
        return;
      }
      int segment = connection.parameters().initiatorMaxRecvDataSegmentLength();
      int burst = parameters.maxBurstLength();
      int dataSn = 0;
      for (int offset = 0; offset < total; ) {
        int length = Math.min(segment, total - offset);
        int burstLeft = burst - offset % burst;
        length = Math.min(length, burstLeft);
        boolean last = cut < 0 && offset + length == total;
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
                  last ? connection.statSn().take() : 0,
                  window.expCmdSn(),
                  window.maxCmdSn(),
                  dataSn++,
                  offset,
                  residual,
                  slice);
        } catch (RuntimeException e) {
          slice.release();
          throw e;
        }
        connection.send(pdu);
        offset += length;
      }
    } finally {
      status.release();
    }
  }
}
