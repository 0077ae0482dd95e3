package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TaskFunction;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;

/**
 * One initiator's connection to a {@link Portal}, PDU by PDU through the connection's real pipeline
 * on an {@link EmbeddedChannel}; several share a portal (its session table and target). {@link
 * #receive()} first runs what other sessions posted to this one's event loop.
 */
final class RawInitiator {

  static final long LUN0 = Lun.encode(0);
  static final PduCodec.Settings FROM_INITIATOR = PduCodec.Settings.login(Opcode.Sender.INITIATOR);
  static final PduCodec.Settings TO_INITIATOR =
      new PduCodec.Settings(Opcode.Sender.TARGET, 65536, false, false);

  final EmbeddedChannel channel;
  final IscsiConnection connection;
  int cmdSn = 1;
  int expStatSn;
  String maxRecvDataSegmentLength = "65536";
  int cid;
  TextKeys moreKeys = TextKeys.EMPTY; // offered after the names and MaxRecvDataSegmentLength
  private List<RawInitiator> peers = List.of();

  RawInitiator(Portal portal) {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    connection = new IscsiConnection(portal, decoder, encoder);
    channel = new EmbeddedChannel(decoder, encoder, connection);
  }

  /** The other initiators whose event loops {@link #receive()} runs too. */
  void peers(List<RawInitiator> peers) {
    this.peers = peers;
  }

  void send(IscsiPdu pdu) {
    channel.writeInbound(Unpooled.wrappedBuffer(PduCodec.encode(pdu, FROM_INITIATOR)));
  }

  /** Runs every peer's pending tasks, then this one's. */
  void pump() {
    for (int round = 0; round < 3; round++) {
      for (RawInitiator peer : peers) {
        peer.channel.runPendingTasks();
      }
      channel.runPendingTasks();
    }
  }

  IscsiPdu receive() throws Exception {
    pump();
    return readPdu(channel);
  }

  /**
   * The next PDU the target wrote to {@code channel}, or null: the encoder writes a PDU as its
   * header, then its data buffer as it is, so a PDU may come in several writes, and none may
   * straddle two PDUs.
   */
  static IscsiPdu readPdu(EmbeddedChannel channel) throws Exception {
    ByteBuf first = channel.readOutbound();
    if (first == null) {
      return null;
    }
    CompositeByteBuf out = Unpooled.compositeBuffer();
    try {
      out.addComponent(true, first);
      int length;
      while ((length = PduCodec.pduLength(out, TO_INITIATOR)) < 0 || out.readableBytes() < length) {
        ByteBuf next = channel.readOutbound();
        assertNotNull(next, "a PDU left unfinished");
        out.addComponent(true, next);
      }
      IscsiPdu pdu = PduCodec.decode(out, TO_INITIATOR);
      assertEquals(0, out.readableBytes(), "writes end where PDUs end");
      return pdu;
    } finally {
      out.release();
    }
  }

  LoginResponse login(String initiatorName, long isid, int tsih) throws Exception {
    TextKeys offer =
        TextKeys.of(
                "InitiatorName",
                initiatorName,
                "TargetName",
                IscsiEndpoint.DEFAULT_TARGET_NAME,
                "MaxRecvDataSegmentLength",
                maxRecvDataSegmentLength)
            .with(moreKeys);
    send(
        new LoginRequest(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            isid,
            tsih,
            0x1000,
            cid,
            cmdSn,
            0,
            DataSegment.of(offer.encode())));
    LoginResponse response = assertInstanceOf(LoginResponse.class, receive());
    expStatSn = response.statSn() + 1;
    return response;
  }

  /** Logs in and clears the power-on unit attention with a TEST UNIT READY. */
  RawInitiator loggedIn(String initiatorName, long isid) throws Exception {
    assertEquals(LoginStatus.SUCCESS, login(initiatorName, isid, 0).status());
    send(command(0x2000, new byte[6], false, 0));
    ScsiResponse attention = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), attention.status());
    return this;
  }

  ScsiCommand command(int itt, byte[] cdb, boolean read, long length) {
    return command(itt, cdb, read, false, length, true);
  }

  ScsiCommand command(
      int itt, byte[] cdb, boolean read, boolean write, long length, boolean finalPdu) {
    return new ScsiCommand(
        false,
        finalPdu,
        read,
        write,
        TaskAttribute.SIMPLE,
        LUN0,
        itt,
        length,
        cmdSn++,
        expStatSn,
        DataSegment.of(cdb),
        ScsiCommand.NO_BIDIRECTIONAL,
        DataSegment.EMPTY);
  }

  /** Sends an immediate task management request and returns the response's code. */
  int manage(TaskFunction function, long lun, int referencedTag, int refCmdSn) throws Exception {
    send(tmf(true, function, lun, referencedTag, refCmdSn, cmdSn));
    TaskManagementResponse response = assertInstanceOf(TaskManagementResponse.class, receive());
    assertEquals(0x3000, response.initiatorTaskTag());
    return response.response();
  }

  TaskManagementRequest tmf(
      boolean immediate, TaskFunction function, long lun, int referencedTag, int refCmdSn, int sn) {
    return new TaskManagementRequest(
        immediate, function, lun, 0x3000, referencedTag, sn, expStatSn, refCmdSn, 0);
  }

  /** The sense key, ASC and ASCQ of a CHECK CONDITION answer. */
  static int[] sense(ScsiResponse response) {
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), response.status());
    byte[] sense = response.sense().toByteArray();
    return new int[] {sense[2] & 0x0F, sense[12] & 0xFF, sense[13] & 0xFF};
  }
}
