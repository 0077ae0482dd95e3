package dev.secdrive.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes frames for the TCP carrier: length prefix and header in one small buffer, followed by the
 * frame's data buffer itself, so bulk data is never copied on the way out.
 */
@Sharable
public final class TcpFrameEncoder extends MessageToMessageEncoder<Frame> {

  public static final TcpFrameEncoder INSTANCE = new TcpFrameEncoder();

  private TcpFrameEncoder() {
    super(Frame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
    int headerLength = FrameCodec.headerLength(frame);
    ByteBuf header = ctx.alloc().buffer(TcpFrameDecoder.LENGTH_PREFIX + headerLength);
    header.writeInt(FrameCodec.bodyLength(frame));
    FrameCodec.writeHeader(frame, header);
    out.add(header);
    ByteBuf data = FrameCodec.data(frame);
    if (data != null && data.isReadable()) {
      // The encoder releases the frame after encode(); the retain hands the data on.
      out.add(data.retain());
    }
  }
}
