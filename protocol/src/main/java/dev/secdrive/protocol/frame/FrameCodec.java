package dev.secdrive.protocol.frame;

import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes frame bodies, independent of the carrier (TCP adds a length prefix, the
 * serial line its own delimiting). Layouts are in {@code protocol/PROTOCOL.md}.
 */
public final class FrameCodec {

  // Offsets shared by command and status frames.
  private static final int OFFSET_MAGIC = 0;
  private static final int OFFSET_VERSION = 4;
  // Command frame.
  private static final int OFFSET_COMMAND_FLAGS = 5;
  private static final int OFFSET_LUN = 6;
  private static final int OFFSET_CDB_LENGTH = 7;
  private static final int OFFSET_TAG = 8;
  private static final int OFFSET_EXPECTED_DATA_IN = 12;
  private static final int OFFSET_DATA_OUT_LENGTH = 16;
  // Status frame.
  private static final int OFFSET_STATUS = 5;
  private static final int OFFSET_STATUS_FLAGS = 6;
  private static final int OFFSET_SENSE_LENGTH = 7;
  private static final int OFFSET_RESIDUAL = 12;
  private static final int OFFSET_DATA_IN_LENGTH = 16;
  // Protocol error frame.
  private static final int ERROR_HEADER_LENGTH = 8;
  private static final int OFFSET_MESSAGE_LENGTH = 6;

  private static final int COMMAND_FLAGS_DEFINED = Direction.FLAG_IN;
  private static final int STATUS_FLAGS_DEFINED =
      StatusFrame.FLAG_UNDERFLOW | StatusFrame.FLAG_OVERFLOW;

  private FrameCodec() {}

  /** Number of body bytes {@code frame} encodes to, data included. */
  public static int bodyLength(Frame frame) {
    ByteBuf data = data(frame);
    return headerLength(frame) + (data == null ? 0 : data.readableBytes());
  }

  /** Writes everything but the data phase bytes: header, then CDB, sense or message. */
  public static void writeHeader(Frame frame, ByteBuf out) {
    if (frame instanceof CommandFrame c) {
      out.writeInt(Frame.COMMAND_MAGIC);
      out.writeByte(Frame.VERSION);
      out.writeByte(c.direction().flags());
      out.writeByte(c.lun());
      out.writeByte(c.cdbBytes().length);
      out.writeInt(c.tag());
      out.writeInt((int) c.expectedDataInLength());
      out.writeInt(c.dataOut().readableBytes());
      out.writeBytes(c.cdbBytes());
    } else if (frame instanceof StatusFrame s) {
      out.writeInt(Frame.STATUS_MAGIC);
      out.writeByte(Frame.VERSION);
      out.writeByte(s.status().code());
      out.writeByte(s.flags());
      out.writeByte(s.senseBytes().length);
      out.writeInt(s.tag());
      out.writeInt((int) s.residual());
      out.writeInt(s.dataIn().readableBytes());
      out.writeBytes(s.senseBytes());
    } else {
      ProtocolErrorFrame e = (ProtocolErrorFrame) frame;
      byte[] message = e.message().getBytes(StandardCharsets.UTF_8);
      out.writeInt(Frame.ERROR_MAGIC);
      out.writeByte(Frame.VERSION);
      out.writeByte(0);
      out.writeShort(message.length);
      out.writeBytes(message);
    }
  }

  /** Header bytes {@link #writeHeader} writes. */
  public static int headerLength(Frame frame) {
    if (frame instanceof CommandFrame c) {
      return Frame.HEADER_LENGTH + c.cdbBytes().length;
    } else if (frame instanceof StatusFrame s) {
      return Frame.HEADER_LENGTH + s.senseBytes().length;
    }
    return ERROR_HEADER_LENGTH
        + ((ProtocolErrorFrame) frame).message().getBytes(StandardCharsets.UTF_8).length;
  }

  /** The data phase buffer of a frame, or {@code null} for a frame that has none. */
  public static ByteBuf data(Frame frame) {
    if (frame instanceof CommandFrame c) {
      return c.dataOut();
    } else if (frame instanceof StatusFrame s) {
      return s.dataIn();
    }
    return null;
  }

  /**
   * Decodes one whole frame body. The data phase of the result is a retained slice of {@code body};
   * the caller releases the frame.
   *
   * @throws ProtocolException if the bytes are not exactly one valid frame
   */
  public static Frame decode(ByteBuf body) {
    int start = body.readerIndex();
    int length = body.readableBytes();
    if (length < ERROR_HEADER_LENGTH) {
      throw new ProtocolException("frame of " + length + " bytes is shorter than any header");
    }
    int magic = body.getInt(start + OFFSET_MAGIC);
    int version = body.getUnsignedByte(start + OFFSET_VERSION);
    if (magic != Frame.COMMAND_MAGIC && magic != Frame.STATUS_MAGIC && magic != Frame.ERROR_MAGIC) {
      throw new ProtocolException(
          String.format("bad magic 0x%08X (expected SDCW, SDSW or SDER)", magic));
    }
    if (version != Frame.VERSION) {
      throw new ProtocolException(
          "unsupported frame version " + version + " (this end speaks " + Frame.VERSION + ")");
    }
    if (magic == Frame.ERROR_MAGIC) {
      return decodeError(body, start, length);
    }
    if (length < Frame.HEADER_LENGTH) {
      throw new ProtocolException(
          "frame of "
              + length
              + " bytes is shorter than the "
              + Frame.HEADER_LENGTH
              + "-byte header");
    }
    return magic == Frame.COMMAND_MAGIC
        ? decodeCommand(body, start, length)
        : decodeStatus(body, start, length);
  }

  private static CommandFrame decodeCommand(ByteBuf body, int start, int length) {
    int flags = body.getUnsignedByte(start + OFFSET_COMMAND_FLAGS);
    int lun = body.getUnsignedByte(start + OFFSET_LUN);
    int cdbLength = body.getUnsignedByte(start + OFFSET_CDB_LENGTH);
    int tag = body.getInt(start + OFFSET_TAG);
    long expectedDataIn = body.getUnsignedInt(start + OFFSET_EXPECTED_DATA_IN);
    long dataOutLength = body.getUnsignedInt(start + OFFSET_DATA_OUT_LENGTH);
    if ((flags & ~COMMAND_FLAGS_DEFINED) != 0) {
      throw new ProtocolException(String.format("reserved command flag bits set: 0x%02X", flags));
    }
    if (cdbLength < 1 || cdbLength > Frame.MAXIMUM_CDB_LENGTH) {
      throw new ProtocolException(
          "CDB length " + cdbLength + " outside 1.." + Frame.MAXIMUM_CDB_LENGTH);
    }
    checkLength(length, Frame.HEADER_LENGTH + cdbLength + dataOutLength, "CDB", "data-out");
    Direction direction = (flags & Direction.FLAG_IN) != 0 ? Direction.IN : Direction.OUT;
    if (direction == Direction.IN && dataOutLength != 0) {
      throw new ProtocolException(
          "data-in command carries " + dataOutLength + " bytes of data-out");
    }
    if (direction == Direction.OUT && expectedDataIn != 0) {
      throw new ProtocolException(
          "data-out command expects " + expectedDataIn + " bytes of data-in");
    }
    byte[] cdb = new byte[cdbLength];
    body.getBytes(start + Frame.HEADER_LENGTH, cdb);
    ByteBuf data = body.retainedSlice(start + Frame.HEADER_LENGTH + cdbLength, (int) dataOutLength);
    body.skipBytes(length);
    return new CommandFrame(tag, lun, direction, cdb, expectedDataIn, data);
  }

  private static StatusFrame decodeStatus(ByteBuf body, int start, int length) {
    int statusCode = body.getUnsignedByte(start + OFFSET_STATUS);
    int flags = body.getUnsignedByte(start + OFFSET_STATUS_FLAGS);
    int senseLength = body.getUnsignedByte(start + OFFSET_SENSE_LENGTH);
    int tag = body.getInt(start + OFFSET_TAG);
    long residual = body.getUnsignedInt(start + OFFSET_RESIDUAL);
    long dataInLength = body.getUnsignedInt(start + OFFSET_DATA_IN_LENGTH);
    ScsiStatus status =
        ScsiStatus.find(statusCode)
            .orElseThrow(
                () ->
                    new ProtocolException(String.format("unknown SCSI status 0x%02X", statusCode)));
    if ((flags & ~STATUS_FLAGS_DEFINED) != 0) {
      throw new ProtocolException(String.format("reserved status flag bits set: 0x%02X", flags));
    }
    if (flags == STATUS_FLAGS_DEFINED) {
      throw new ProtocolException("status frame flags both underflow and overflow");
    }
    if (senseLength > Frame.MAXIMUM_SENSE_LENGTH) {
      throw new ProtocolException(
          "sense length " + senseLength + " exceeds " + Frame.MAXIMUM_SENSE_LENGTH);
    }
    checkLength(length, Frame.HEADER_LENGTH + senseLength + dataInLength, "sense", "data-in");
    byte[] sense = new byte[senseLength];
    body.getBytes(start + Frame.HEADER_LENGTH, sense);
    ByteBuf data =
        body.retainedSlice(start + Frame.HEADER_LENGTH + senseLength, (int) dataInLength);
    body.skipBytes(length);
    return new StatusFrame(
        tag,
        status,
        residual,
        (flags & StatusFrame.FLAG_UNDERFLOW) != 0,
        (flags & StatusFrame.FLAG_OVERFLOW) != 0,
        sense,
        data);
  }

  private static ProtocolErrorFrame decodeError(ByteBuf body, int start, int length) {
    int messageLength = body.getUnsignedShort(start + OFFSET_MESSAGE_LENGTH);
    if (messageLength > ProtocolErrorFrame.MAXIMUM_MESSAGE_LENGTH) {
      throw new ProtocolException(
          "protocol error message of " + messageLength + " bytes is too long");
    }
    checkLength(length, ERROR_HEADER_LENGTH + messageLength, "message", null);
    String message =
        body.toString(start + ERROR_HEADER_LENGTH, messageLength, StandardCharsets.UTF_8);
    body.skipBytes(length);
    return new ProtocolErrorFrame(message);
  }

  private static void checkLength(int actual, long declared, String first, String second) {
    if (actual != declared) {
      throw new ProtocolException(
          "frame length "
              + actual
              + " does not match its header (header + "
              + first
              + (second == null ? "" : " + " + second)
              + " = "
              + declared
              + ")");
    }
  }
}
