package dev.secdrive.protocol.link;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Link frames on the wire: {@code COBS(payload ‖ CRC-32C(payload)) ‖ 00}. The CRC is big-endian;
 * see PROTOCOL.md, "Serial".
 */
public final class LinkCodec {

  static final int CRC_LENGTH = 4;

  private LinkCodec() {}

  /** Encodes a frame, delimiter included. */
  public static byte[] encode(LinkFrame frame) {
    ByteBuffer payload;
    if (frame instanceof LinkFrame.Data d) {
      payload = ByteBuffer.allocate(LinkFrame.Data.HEADER_LENGTH + d.bytes().length + CRC_LENGTH);
      payload
          .put((byte) LinkFrame.TYPE_DATA)
          .putInt(d.session())
          .putInt(d.messageId())
          .putInt(d.totalLength())
          .putShort((short) d.chunkIndex())
          .put(d.bytes());
    } else {
      LinkFrame.Ack a = (LinkFrame.Ack) frame;
      payload = ByteBuffer.allocate(LinkFrame.Ack.LENGTH + CRC_LENGTH);
      payload
          .put((byte) LinkFrame.TYPE_ACK)
          .putInt(a.session())
          .putInt(a.messageId())
          .putShort((short) a.chunkIndex());
    }
    CRC32C crc = new CRC32C();
    crc.update(payload.array(), 0, payload.position());
    payload.putInt((int) crc.getValue());
    byte[] encoded = Cobs.encode(payload.array(), 0, payload.capacity());
    byte[] out = java.util.Arrays.copyOf(encoded, encoded.length + 1); // trailing 00 delimiter
    return out;
  }

  /**
   * Decodes one frame from its COBS block (the bytes between two delimiters).
   *
   * @return the frame, or {@code null} when the block is corrupt: bad COBS, CRC mismatch, or a
   *     payload that is not a frame
   */
  public static LinkFrame decode(byte[] block, int offset, int length) {
    byte[] payload = Cobs.decode(block, offset, length);
    if (payload == null || payload.length < 1 + CRC_LENGTH) {
      return null;
    }
    int bodyLength = payload.length - CRC_LENGTH;
    CRC32C crc = new CRC32C();
    crc.update(payload, 0, bodyLength);
    if ((int) crc.getValue() != ByteBuffer.wrap(payload, bodyLength, CRC_LENGTH).getInt()) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(payload, 0, bodyLength);
    int type = b.get() & 0xFF;
    if (type == LinkFrame.TYPE_DATA && bodyLength >= LinkFrame.Data.HEADER_LENGTH) {
      int session = b.getInt();
      int messageId = b.getInt();
      int totalLength = b.getInt();
      int chunkIndex = b.getShort() & 0xFFFF;
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return new LinkFrame.Data(session, messageId, totalLength, chunkIndex, bytes);
    }
    if (type == LinkFrame.TYPE_ACK && bodyLength == LinkFrame.Ack.LENGTH) {
      return new LinkFrame.Ack(b.getInt(), b.getInt(), b.getShort() & 0xFFFF);
    }
    return null;
  }

  /**
   * Splits a byte stream at delimiters and decodes what lies between. Corrupt blocks are dropped
   * and counted; a block longer than any valid frame is dropped up to the next delimiter, so noise
   * that ate a delimiter costs one frame, not the buffer.
   */
  public static final class StreamDecoder {
    private final byte[] block;
    private int length;
    private boolean overflowed;
    private long corrupt;

    public StreamDecoder(int maximumPayload) {
      this.block = new byte[Cobs.maximumEncodedLength(maximumPayload + CRC_LENGTH)];
    }

    public void feed(byte[] in, int offset, int count, Consumer<LinkFrame> out) {
      for (int i = offset; i < offset + count; i++) {
        byte b = in[i];
        if (b == 0) {
          if (overflowed) {
            corrupt++;
          } else if (length > 0) {
            LinkFrame frame = decode(block, 0, length);
            if (frame == null) {
              corrupt++;
            } else {
              out.accept(frame);
            }
          }
          length = 0;
          overflowed = false;
        } else if (length < block.length) {
          block[length++] = b;
        } else {
          overflowed = true;
        }
      }
    }

    /** Blocks dropped as corrupt so far. */
    public long corrupt() {
      return corrupt;
    }
  }
}
