package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.Objects;

/**
 * Writes the target's PDUs with the settings the connection negotiated. Not shared: digests switch
 * on per connection when login ends, after the last Login Response has been encoded without them.
 */
final class IscsiPduEncoder extends MessageToByteEncoder<IscsiPdu> {

  private PduCodec.Settings settings = PduCodec.Settings.login(Opcode.Sender.TARGET);

  IscsiPduEncoder() {
    super(IscsiPdu.class);
  }

  void settings(PduCodec.Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, IscsiPdu pdu, ByteBuf out) {
    PduCodec.encode(pdu, settings, out);
  }
}
