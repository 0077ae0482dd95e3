package dev.secdrive.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Frames and byte streams for the frame codec tests. */
final class FrameSupport {

  private FrameSupport() {}

  /** Four-byte big-endian length prefix followed by {@code body}. */
  static byte[] prefixed(byte[] body) {
    return prefixed(body.length, body);
  }

  static byte[] prefixed(long length, byte[] body) {
    ByteBuf out = Unpooled.buffer(4 + body.length);
    out.writeInt((int) length).writeBytes(body);
    return bytes(out);
  }

  /** Reads and releases {@code buffer}. */
  static byte[] bytes(ByteBuf buffer) {
    try {
      return ByteBufUtil.getBytes(buffer);
    } finally {
      buffer.release();
    }
  }

  /**
   * The TCP byte stream for {@code frames}, written by {@link TcpFrameEncoder}. The frames stay
   * owned by the caller: the encoder gets (and releases) retained duplicates.
   */
  static byte[] tcpStream(List<Frame> frames) {
    EmbeddedChannel channel = new EmbeddedChannel(TcpFrameEncoder.INSTANCE);
    for (Frame frame : frames) {
      channel.writeOutbound(retainedDuplicate(frame));
    }
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (Object out; (out = channel.readOutbound()) != null; ) {
      stream.writeBytes(bytes((ByteBuf) out));
    }
    assertEquals(false, channel.finish(), "encoder left messages behind");
    return stream.toByteArray();
  }

  static Frame retainedDuplicate(Frame frame) {
    if (frame instanceof CommandFrame c) {
      return c.retainedDuplicate();
    } else if (frame instanceof StatusFrame s) {
      return s.retainedDuplicate();
    }
    return frame;
  }

  static void releaseAll(List<? extends Frame> frames) {
    frames.forEach(ReferenceCountUtil::release);
  }

  /** Splits {@code stream} at random points; some chunks are empty, some large. */
  static List<byte[]> randomSplit(byte[] stream, Random random) {
    List<byte[]> chunks = new ArrayList<>();
    int offset = 0;
    while (offset < stream.length) {
      int size =
          switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 1 + random.nextInt(3);
            case 2 -> 1 + random.nextInt(stream.length);
            default -> 1 + random.nextInt(64);
          };
      size = Math.min(size, stream.length - offset);
      chunks.add(java.util.Arrays.copyOfRange(stream, offset, offset + size));
      offset += size;
    }
    return chunks;
  }

  static List<byte[]> byteByByte(byte[] stream) {
    List<byte[]> chunks = new ArrayList<>(stream.length);
    for (byte b : stream) {
      chunks.add(new byte[] {b});
    }
    return chunks;
  }

  /** A valid frame of any kind with random fields and data on unpooled heap buffers. */
  static Frame randomFrame(Random random) {
    int tag = random.nextInt();
    switch (random.nextInt(5)) {
      case 0:
        return CommandFrame.dataIn(
            tag,
            random.nextInt(256),
            randomBytes(random, 1 + random.nextInt(16)),
            random.nextLong() & 0xFFFF_FFFFL);
      case 1:
        return CommandFrame.dataOut(
            tag,
            random.nextInt(256),
            randomBytes(random, 1 + random.nextInt(16)),
            Unpooled.wrappedBuffer(randomBytes(random, random.nextInt(1500))));
      case 2:
        {
          ScsiStatus[] statuses = ScsiStatus.values();
          int residualKind = random.nextInt(3);
          int senseLength =
              switch (random.nextInt(3)) {
                case 0 -> 0;
                case 1 -> 18;
                default -> random.nextInt(Frame.MAXIMUM_SENSE_LENGTH + 1);
              };
          return new StatusFrame(
              tag,
              statuses[random.nextInt(statuses.length)],
              residualKind == 0 ? 0 : random.nextLong() & 0xFFFF_FFFFL,
              residualKind == 1,
              residualKind == 2,
              randomBytes(random, senseLength),
              Unpooled.wrappedBuffer(randomBytes(random, random.nextInt(1500))));
        }
      case 3:
        return StatusFrame.good(
            tag, 36, Unpooled.wrappedBuffer(randomBytes(random, random.nextInt(40))));
      default:
        {
          StringBuilder message = new StringBuilder();
          int length = random.nextInt(80);
          for (int i = 0; i < length; i++) {
            // mostly ASCII, sometimes a two- or three-byte UTF-8 character
            message.append(
                switch (random.nextInt(10)) {
                  case 0 -> '\u00e9';
                  case 1 -> '\u20ac';
                  default -> (char) (' ' + random.nextInt(95));
                });
          }
          return new ProtocolErrorFrame(message.toString());
        }
    }
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
