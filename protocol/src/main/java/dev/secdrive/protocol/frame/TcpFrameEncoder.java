package dev.secdrive.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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

  /**
   * The bytes of {@code frame} as {@link #encode} sends them, up to and including only the first
   * {@code dataBytes} of its data: what a peer receives of a frame whose connection drops in the
   * middle of its data (a fault script's disconnect). Takes none of the frame's references.
   */
  public static ByteBuf truncated(ByteBufAllocator alloc, Frame frame, long dataBytes) {
    int headerLength = FrameCodec.headerLength(frame);
    ByteBuf data = FrameCodec.data(frame);
    int part =
        data == null ? 0 : (int) Math.min(Math.max(dataBytes, 0), (long) data.readableBytes());
    ByteBuf out = alloc.buffer(TcpFrameDecoder.LENGTH_PREFIX + headerLength + part);
    out.writeInt(FrameCodec.bodyLength(frame));
    FrameCodec.writeHeader(frame, out);
    if (part > 0) {
      out.writeBytes(data, data.readerIndex(), part);
    }
    return out;
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
