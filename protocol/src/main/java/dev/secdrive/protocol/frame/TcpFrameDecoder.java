package dev.secdrive.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TCP byte stream into frames: a four-byte big-endian body length, then the body. The
 * length is checked against the maximum before any byte of the body is buffered, so a peer cannot
 * make this end allocate more than one maximum frame.
 *
 * <p>After the first protocol error the decoder discards everything that follows: the stream is out
 * of step and the connection is about to be closed.
 */
public final class TcpFrameDecoder extends ByteToMessageDecoder {

  /** Size of the length prefix. */
  public static final int LENGTH_PREFIX = 4;

  private final int maximumFrameLength;
  private boolean failed;
  private long decoded;

  public TcpFrameDecoder(int maximumFrameLength) {
    if (maximumFrameLength < Frame.HEADER_LENGTH) {
      throw new IllegalArgumentException("maximum frame length too small: " + maximumFrameLength);
    }
    this.maximumFrameLength = maximumFrameLength;
  }

  /**
   * Bytes received and not yet decoded: more than zero while a frame is only partly in, which a
   * carrier times (a peer that starts a frame and never finishes it holds up to a maximum frame).
   */
  public int buffered() {
    return actualReadableBytes();
  }

  /** Frames decoded so far: a carrier that times frames starts a new frame's time when it moves. */
  public long decoded() {
    return decoded;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < LENGTH_PREFIX) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length > maximumFrameLength) {
      fail(in, "frame length " + length + " exceeds the maximum of " + maximumFrameLength);
    }
    if (in.readableBytes() < LENGTH_PREFIX + length) {
      return;
    }
    in.skipBytes(LENGTH_PREFIX);
    ByteBuf body = in.readSlice((int) length);
    decoded++;
    try {
      out.add(FrameCodec.decode(body));
    } catch (ProtocolException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private void fail(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    throw new ProtocolException(message);
  }
}
