package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Writes the target's PDUs with the settings the connection negotiated. Not shared: digests switch
 * on per connection when login ends, after the last Login Response has been encoded without them.
 *
 * <p>A PDU goes out as its header in a buffer of its own and, when its data segment holds a buffer
 * (Data-In with READ data), that buffer as it is, so the medium's bytes reach the socket without a
 * copy. The encoder owns the PDUs written to it: it releases their data segments once encoded.
 */
final class IscsiPduEncoder extends MessageToMessageEncoder<IscsiPdu> {

  private PduCodec.Settings settings = PduCodec.Settings.login(Opcode.Sender.TARGET);

  IscsiPduEncoder() {
    super(IscsiPdu.class);
  }

  void settings(PduCodec.Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, IscsiPdu pdu, List<Object> out) {
    try {
      PduCodec.encode(pdu, settings, ctx.alloc(), out);
    } finally {
      pdu.data().release();
    }
  }
}
