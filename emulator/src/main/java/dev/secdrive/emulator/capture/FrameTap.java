package dev.secdrive.emulator.capture;

import dev.secdrive.kit.capture.PcapngWriter;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import org.slf4j.LoggerFactory;

/**
 * Between a TCP connection's frame codec and its command handler: copies each frame, while a
 * capture is on, into it as one LINKTYPE_USER0 packet (the frame without its TCP length prefix), on
 * an interface of the connection's own ({@code tcp://127.0.0.1:7140 from /127.0.0.1:52114}). Whole
 * frames, not the stream's segments: a reader needs no reassembly, so Wireshark's iSCSI and SCSI
 * dissectors can be handed each one. A frame cut short by a fault script's disconnect is written as
 * far as it went.
 */
public final class FrameTap extends ChannelDuplexHandler {

  private final Captures captures;
  private final String endpoint;
  private Captures.Session session;
  private int iface;

  /**
   * @param endpoint the endpoint's name ({@code tcp://127.0.0.1:7140})
   */
  public FrameTap(Captures captures, String endpoint) {
    this.captures = captures;
    this.endpoint = endpoint;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame) {
      record(ctx, true, frame, null);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof Frame frame) {
      record(ctx, false, frame, null);
    } else if (msg instanceof ByteBuf cut && cut.readableBytes() >= TcpFrameDecoder.LENGTH_PREFIX) {
      // a frame cut in its data, with its length prefix, as a disconnect leaves it
      ByteBuffer bytes =
          cut.nioBuffer(
              cut.readerIndex() + TcpFrameDecoder.LENGTH_PREFIX,
              cut.readableBytes() - TcpFrameDecoder.LENGTH_PREFIX);
      write(ctx, false, bytes, null, null);
    }
    ctx.write(msg, promise);
  }

  /** Marks this point of the connection with {@code comment}: a packet with no bytes. */
  public void annotate(ChannelHandlerContext ctx, String comment) {
    write(ctx, false, ByteBuffer.allocate(0), null, comment);
  }

  private void record(ChannelHandlerContext ctx, boolean inbound, Frame frame, String comment) {
    if (captures.session() == null) {
      return;
    }
    ByteBuf header = ctx.alloc().heapBuffer(FrameCodec.headerLength(frame));
    try {
      FrameCodec.writeHeader(frame, header);
      ByteBuf data = FrameCodec.data(frame);
      write(
          ctx,
          inbound,
          header.nioBuffer(),
          data == null || !data.isReadable() ? null : data.nioBuffer(),
          comment);
    } finally {
      header.release();
    }
  }

  private void write(
      ChannelHandlerContext ctx,
      boolean inbound,
      ByteBuffer head,
      ByteBuffer body,
      String comment) {
    try {
      capture(ctx, inbound, head, body, comment);
    } catch (RuntimeException e) { // a capture never stops the connection it watches
      LoggerFactory.getLogger(FrameTap.class).warn("capture of {}: {}", endpoint, e.toString());
    }
  }

  private void capture(
      ChannelHandlerContext ctx,
      boolean inbound,
      ByteBuffer head,
      ByteBuffer body,
      String comment) {
    Captures.Session current = captures.session();
    if (current == null) {
      return;
    }
    if (current != session) {
      session = current;
      iface =
          current.iface(
              endpoint + " from " + ctx.channel().remoteAddress(),
              PcapngWriter.LINKTYPE_USER0,
              "secdrive frames over TCP (tools/wireshark/secdrive.lua)");
    }
    current.packet(iface, inbound, body == null ? head : concat(head, body), comment);
  }

  private static ByteBuffer concat(ByteBuffer head, ByteBuffer body) {
    ByteBuffer both = ByteBuffer.allocate(head.remaining() + body.remaining());
    return both.put(head.duplicate()).put(body.duplicate()).flip();
  }
}
