package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Frames the initiator's byte stream into {@link IscsiPdu}s: waits for the 48-byte Basic Header
 * Segment, reads from it how long the PDU is (AHS, digests and padding included, with the settings
 * login negotiated), refuses a data segment beyond this end's MaxRecvDataSegmentLength before
 * buffering it, and decodes the PDU once it is whole.
 *
 * <p>A PDU whose framing holds but whose fields do not (a reserved opcode, SNACK, a bad field)
 * comes out as {@link Unusable}, for the connection to answer with a Reject (section 11.17) and go
 * on; a header digest error, a data segment too long or a broken stream throws, and the connection
 * closes (section 7.8: a header that cannot be trusted gives no next PDU).
 *
 * <p>One per connection: its {@link #settings} change when login reaches the full feature phase.
 */
final class IscsiPduDecoder extends ByteToMessageDecoder {

  /**
   * A whole PDU that could not be decoded.
   *
   * @param header its Basic Header Segment, for the Reject's data segment
   * @param reason the Reject reason
   * @param problem what was wrong, for the log
   */
  record Unusable(byte[] header, RejectReason reason, String problem) {
    Unusable {
      Objects.requireNonNull(reason, "reason");
      header = header.clone();
    }
  }

  private volatile PduCodec.Settings settings = PduCodec.Settings.login(Opcode.Sender.INITIATOR);
  private long decoded;
  private boolean failed;

  /** The settings the next PDU is read with. */
  void settings(PduCodec.Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  PduCodec.Settings settings() {
    return settings;
  }

  /** PDUs framed so far, usable or not. */
  long decoded() {
    return decoded;
  }

  /** Bytes of a PDU begun and not yet whole. */
  int buffered() {
    return actualReadableBytes();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws PduException {
    if (failed) {
      in.skipBytes(in.readableBytes()); // the stream lost its framing; the connection is closing
      return;
    }
    PduCodec.Settings current = settings;
    int length;
    try {
      length = PduCodec.pduLength(in, current);
    } catch (PduException e) {
      failed = true; // a data segment too long: refused before it is buffered
      throw e;
    }
    if (length < 0 || in.readableBytes() < length) {
      return;
    }
    decoded++;
    try {
      out.add(PduCodec.decode(in, current));
    } catch (PduException e) {
      if (e.rejectReason().isEmpty()) {
        failed = true;
        throw e; // a header digest error: nothing after it can be trusted
      }
      byte[] header = ByteBufUtil.getBytes(in, in.readerIndex(), PduCodec.BHS_LENGTH);
      in.skipBytes(length);
      out.add(new Unusable(header, e.rejectReason().get(), e.getMessage()));
    }
  }
}
