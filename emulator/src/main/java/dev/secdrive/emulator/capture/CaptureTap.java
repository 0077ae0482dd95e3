package dev.secdrive.emulator.capture;

import dev.secdrive.kit.capture.PcapngWriter;
import dev.secdrive.kit.capture.TcpSegments;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.LoggerFactory;

/**
 * First in a TCP or iSCSI connection's pipeline: copies the bytes read and written, while a capture
 * is on, into it as TCP segments of this connection. Costs one volatile read per buffer while no
 * capture is on.
 */
public final class CaptureTap extends ChannelDuplexHandler {

  private final Captures captures;
  private final String endpoint;
  private final String description;
  private Captures.Session session;
  private TcpSegments segments;
  private int iface;

  /**
   * @param endpoint the endpoint's name, the capture's interface ({@code tcp://127.0.0.1:7140})
   * @param description what its packets hold, for the interface's description
   */
  public CaptureTap(Captures captures, String endpoint, String description) {
    this.captures = captures;
    this.endpoint = endpoint;
    this.description = description;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      record(ctx, true, bytes, null);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      record(ctx, false, bytes, null);
    }
    ctx.write(msg, promise);
  }

  /** Marks this point of the connection with {@code comment}: a segment with no bytes. */
  public void annotate(ChannelHandlerContext ctx, String comment) {
    record(ctx, false, null, comment);
  }

  private void record(ChannelHandlerContext ctx, boolean inbound, ByteBuf bytes, String comment) {
    try {
      capture(ctx, inbound, bytes, comment);
    } catch (RuntimeException e) { // a capture never stops the connection it watches
      LoggerFactory.getLogger(CaptureTap.class).warn("capture of {}: {}", endpoint, e.toString());
    }
  }

  private void capture(ChannelHandlerContext ctx, boolean inbound, ByteBuf bytes, String comment) {
    Captures.Session current = captures.session();
    if (current == null) {
      return;
    }
    if (current != session) {
      if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress client)
          || !(ctx.channel().localAddress() instanceof InetSocketAddress server)) {
        return;
      }
      session = current;
      segments = new TcpSegments(client, server);
      iface = current.iface(endpoint, PcapngWriter.LINKTYPE_RAW, description);
    }
    ByteBuffer payload =
        bytes == null
            ? ByteBuffer.allocate(0)
            : bytes.nioBufferCount() == 1
                ? bytes.nioBuffer()
                : ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(bytes));
    segments.segments(
        inbound, payload, datagram -> session.packet(iface, inbound, datagram, comment));
  }
}
