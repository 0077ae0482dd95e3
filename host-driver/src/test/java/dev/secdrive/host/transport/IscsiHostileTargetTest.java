package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.DriveUri;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.AsyncMessage;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.TaskFunction;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The initiator against a target that lies: crafted PDUs at the driver's network boundary. Each lie
 * fails the command it concerns with a {@link TransportException} naming the problem and closes the
 * connection; nothing hangs, nothing is read beyond the command's buffer.
 */
class IscsiHostileTargetTest {

  private static final byte[] INQUIRY = {0x12, 0, 0, 0, 96, 0};
  private static final byte[] WRITE_10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What the script declares: small enough that the driver's writes come in several PDUs. */
  private static final TextKeys ANSWERS = TextKeys.EMPTY;

  private static IscsiTransport connect(HostileTarget target, ManualScheduler time)
      throws Exception {
    CompletableFuture<Void> login = target.logInLater(ANSWERS);
    IscsiTransport transport =
        IscsiTransport.connect(DriveUri.parse(target.uri("?timeout=5s")), WAIT, time);
    login.get(30, TimeUnit.SECONDS);
    return transport;
  }

  /** Closing logs out: the Logout Request comes and, answered, the connection ends. */
  private static void closeWithLogout(HostileTarget target, IscsiTransport transport)
      throws Exception {
    CompletableFuture<Void> answered = target.answerLogoutLater();
    transport.close();
    answered.get(30, TimeUnit.SECONDS);
    assertFalse(transport.isOpen());
  }

  private static TransportException failure(CompletableFuture<StatusFrame> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(TransportException.class, e.getCause());
  }

  private static DataIn dataIn(ScsiCommand command, long offset, int length, boolean last) {
    return new DataIn(
        last,
        false,
        false,
        false,
        last,
        0,
        0,
        command.initiatorTaskTag(),
        IscsiPdu.RESERVED_TAG,
        0,
        command.cmdSn() + 1,
        command.cmdSn() + 32,
        (int) (offset / 64),
        offset,
        0,
        DataSegment.of(new byte[length]));
  }

  @Test
  void aGoodAnswerCompletesWithPhaseCollapse() throws Exception {
    ManualScheduler time = new ManualScheduler();
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, time)) {
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      assertTrue(command.read());
      assertEquals(96, command.expectedDataTransferLength());
      target.send(dataIn(command, 0, 36, true));
      StatusFrame status = inquiry.get(30, TimeUnit.SECONDS);
      try {
        assertEquals(ScsiStatus.GOOD, status.status());
        assertEquals(36, status.dataIn().readableBytes());
        assertTrue(status.underflow());
        assertEquals(60, status.residual());
      } finally {
        status.release();
      }
      // A ping from the target is answered with its TTT and data.
      target.send(
          new NopIn(
              0,
              IscsiPdu.RESERVED_TAG,
              0x1234,
              0,
              command.cmdSn() + 1,
              command.cmdSn() + 32,
              DataSegment.of(new byte[] {1, 2, 3})));
      NopOut pong = (NopOut) target.read();
      assertEquals(0x1234, pong.targetTransferTag());
      assertEquals(DataSegment.of(new byte[] {1, 2, 3}), pong.data());
      closeWithLogout(target, transport);
    }
  }

  @Test
  void dataInBeyondTheExpectedLength() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      target.send(dataIn(command, 0, 64, false));
      target.send(dataIn(command, 64, 64, true));
      TransportException e = failure(inquiry);
      assertEquals(
          "protocol error from "
              + transport.target()
              + ": Data-In beyond the expected length: 64 bytes at offset 64 of a 96-byte transfer"
              + " (INQUIRY did not complete)",
          e.getMessage());
      assertTrue(target.closedByInitiator());
      assertFalse(transport.isOpen());
    }
  }

  @Test
  void aTaskTagNeverIssued() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      target.send(
          new DataIn(
              true,
              false,
              false,
              false,
              true,
              0,
              0,
              command.initiatorTaskTag() + 77,
              IscsiPdu.RESERVED_TAG,
              0,
              command.cmdSn() + 1,
              command.cmdSn() + 32,
              0,
              0,
              0,
              DataSegment.of(new byte[8])));
      TransportException e = failure(inquiry);
      assertTrue(
          e.getMessage()
              .contains(
                  String.format(
                      "the target sent a Data-In for task 0x%08X, which it was never given",
                      command.initiatorTaskTag() + 77)),
          e::getMessage);
      assertTrue(target.closedByInitiator());
    }
  }

  @Test
  void anR2tForMoreThanTheCommandsData() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      // 512 bytes of data-out; the default login leaves InitialR2T=Yes, ImmediateData=Yes.
      CompletableFuture<StatusFrame> write =
          transport.submit(
              0,
              WRITE_10,
              0,
              Unpooled.wrappedBuffer(new byte[512]),
              "WRITE(10)",
              Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      assertTrue(command.write());
      assertEquals(512, command.data().length()); // all of it immediate
      target.send(
          new R2t(
              0,
              command.initiatorTaskTag(),
              7,
              0,
              command.cmdSn() + 1,
              command.cmdSn() + 32,
              0,
              256,
              1 << 20));
      TransportException e = failure(write);
      assertTrue(
          e.getMessage()
              .contains(
                  "R2T for 1048576 bytes at offset 256 beyond the 512 bytes of the command's"
                      + " data-out"),
          e::getMessage);
      assertTrue(target.closedByInitiator());
    }
  }

  @Test
  void aHugeDataSegmentLengthIsRefusedBeforeItIsRead() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      byte[] header =
          dev.secdrive.protocol.iscsi.PduCodec.encode(
              dataIn(command, 0, 4, true),
              new dev.secdrive.protocol.iscsi.PduCodec.Settings(
                  dev.secdrive.protocol.iscsi.Opcode.Sender.TARGET, 1 << 20, false, false));
      header[5] = (byte) 0xFF; // DataSegmentLength 16 MiB - 1, of which nothing follows
      header[6] = (byte) 0xFF;
      header[7] = (byte) 0xFF;
      target.sendRaw(java.util.Arrays.copyOf(header, 48));
      TransportException e = failure(inquiry);
      assertTrue(
          e.getMessage().contains("data segment of 16777215 bytes beyond MaxRecvDataSegmentLength"),
          e::getMessage);
      assertTrue(target.closedByInitiator());
    }
  }

  @Test
  void aTargetThatNeverAnswersTimesOutAndTheCommandIsAborted() throws Exception {
    ManualScheduler time = new ManualScheduler();
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, time)) {
      int before = time.pending();
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      time.awaitPending(before + 1, WAIT);
      time.advance(Duration.ofSeconds(5));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> inquiry.get(30, TimeUnit.SECONDS));
      assertInstanceOf(CommandTimeoutException.class, e.getCause());
      TaskManagementRequest abort = (TaskManagementRequest) target.read();
      assertEquals(TaskFunction.ABORT_TASK, abort.function());
      assertEquals(command.initiatorTaskTag(), abort.referencedTaskTag());
      // The late answer is dropped, not taken for another command.
      target.send(dataIn(command, 0, 36, true));
      assertTrue(transport.isOpen());
      closeWithLogout(target, transport);
    }
  }

  @Test
  void aLoginThatIsNeverAnsweredEnds() throws Exception {
    ManualScheduler time = new ManualScheduler();
    try (HostileTarget target = new HostileTarget()) {
      CompletableFuture<IscsiTransport> open =
          CompletableFuture.supplyAsync(
              () -> IscsiTransport.connect(DriveUri.parse(target.uri("?timeout=5s")), WAIT, time));
      target.accept();
      target.read(); // the Login Request, never answered
      time.awaitPending(1, WAIT);
      time.advance(Duration.ofSeconds(5));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> open.get(30, TimeUnit.SECONDS));
      TransportException t = assertInstanceOf(TransportException.class, e.getCause());
      assertTrue(t.getMessage().endsWith("failed: no answer within 5000 ms"), t::getMessage);
    }
  }

  @Test
  void aLogoutRequestFromTheTargetIsObeyed() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> inquiry =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      target.send(
          new AsyncMessage(
              0, 0, command.cmdSn() + 1, command.cmdSn() + 32, 1, 0, 0, 0, 2, DataSegment.EMPTY));
      TransportException e = failure(inquiry);
      assertTrue(e.getMessage().contains("asked the initiator to log out"), e::getMessage);
      LogoutRequest logout = (LogoutRequest) target.read();
      target.send(
          new LogoutResponse(
              0, logout.initiatorTaskTag(), 1, command.cmdSn() + 1, command.cmdSn() + 32, 0, 0));
      assertTrue(target.closedByInitiator());
    }
  }

  @Test
  void aRejectFailsTheCommandItNamesAndADroppedConnectionFailsTheRest() throws Exception {
    try (HostileTarget target = new HostileTarget();
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> rejected =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      byte[] header =
          java.util.Arrays.copyOf(
              dev.secdrive.protocol.iscsi.PduCodec.encode(
                  command,
                  new dev.secdrive.protocol.iscsi.PduCodec.Settings(
                      dev.secdrive.protocol.iscsi.Opcode.Sender.INITIATOR, 1 << 20, false, false)),
              48);
      target.send(
          new IscsiPdu.Reject(
              dev.secdrive.protocol.iscsi.RejectReason.INVALID_PDU_FIELD,
              0,
              command.cmdSn() + 1,
              command.cmdSn() + 32,
              0,
              DataSegment.of(header)));
      assertEquals(
          "the target rejected a PDU: invalid pdu field (INQUIRY did not complete)",
          failure(rejected).getMessage());
      assertTrue(transport.isOpen(), "a Reject ends only the command it names");

      CompletableFuture<StatusFrame> dropped =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand next = (ScsiCommand) target.read();
      target.send(
          new AsyncMessage(
              0, 0, next.cmdSn() + 1, next.cmdSn() + 32, 2, 0, 0, 2, 0, DataSegment.EMPTY));
      assertEquals(
          "the target at "
              + transport.target()
              + " is dropping the connection (Asynchronous Message 2) (INQUIRY did not complete)",
          failure(dropped).getMessage());
      assertTrue(target.closedByInitiator());
    }
  }

  @Test
  void aClosedCmdSnWindowQueuesCommands() throws Exception {
    HostileTarget script = new HostileTarget();
    script.window = 0; // login grants one command: MaxCmdSN = CmdSN
    try (HostileTarget target = script;
        IscsiTransport transport = connect(target, new ManualScheduler())) {
      CompletableFuture<StatusFrame> first =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      ScsiCommand command = (ScsiCommand) target.read();
      // Answer without granting more: MaxCmdSN stays, ExpCmdSN - 1 (section 4.2.2.1).
      target.send(
          new DataIn(
              true,
              false,
              false,
              false,
              true,
              0,
              0,
              command.initiatorTaskTag(),
              IscsiPdu.RESERVED_TAG,
              0,
              command.cmdSn() + 1,
              command.cmdSn(),
              0,
              0,
              0,
              DataSegment.of(new byte[36])));
      first.get(30, TimeUnit.SECONDS).release();
      CompletableFuture<StatusFrame> second =
          transport.submit(0, INQUIRY, 96, null, "INQUIRY", Duration.ofSeconds(5));
      // While the window stays closed, pings are answered and the command waits.
      for (int ping = 1; ping <= 2; ping++) {
        target.send(
            new NopIn(
                0,
                IscsiPdu.RESERVED_TAG,
                ping,
                0,
                command.cmdSn() + 1,
                command.cmdSn(),
                DataSegment.EMPTY));
        IscsiPdu answer = target.read();
        assertInstanceOf(NopOut.class, answer, "a command was sent into a closed CmdSN window");
        assertEquals(ping, ((NopOut) answer).targetTransferTag());
      }
      // Opening it with an unsolicited NOP-In lets the queued command go.
      target.send(
          new NopIn(
              0,
              IscsiPdu.RESERVED_TAG,
              IscsiPdu.RESERVED_TAG,
              0,
              command.cmdSn() + 1,
              command.cmdSn() + 8,
              DataSegment.EMPTY));
      ScsiCommand next = (ScsiCommand) target.read();
      assertEquals(command.cmdSn() + 1, next.cmdSn());
      target.send(dataIn(next, 0, 36, true));
      second.get(30, TimeUnit.SECONDS).release();
      closeWithLogout(target, transport);
    }
  }
}
