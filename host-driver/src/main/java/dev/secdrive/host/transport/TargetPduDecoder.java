package dev.secdrive.host.transport;

import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a target's byte stream into PDUs: waits for the Basic Header Segment, refuses a data
 * segment beyond this initiator's MaxRecvDataSegmentLength before buffering any of it, and decodes
 * the PDU once whole. An initiator has no Reject to answer with, so any PDU that does not decode
 * throws and the connection closes (ErrorRecoveryLevel 0).
 */
final class TargetPduDecoder extends ByteToMessageDecoder {

  private volatile PduCodec.Settings settings = PduCodec.Settings.login(Opcode.Sender.TARGET);
  private boolean failed;

  /** The settings the next PDU is read with: set when login reaches the full feature phase. */
  void settings(PduCodec.Settings settings) {
    this.settings = settings;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws PduException {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    PduCodec.Settings current = settings;
    try {
      int length = PduCodec.pduLength(in, current);
      if (length < 0 || in.readableBytes() < length) {
        return;
      }
      out.add(PduCodec.decode(in, current));
    } catch (PduException e) {
      failed = true;
      throw e;
    }
  }
}
