package dev.secdrive.protocol.frame;

import static dev.secdrive.protocol.frame.FrameSupport.byteByByte;
import static dev.secdrive.protocol.frame.FrameSupport.prefixed;
import static dev.secdrive.protocol.frame.FrameSupport.randomFrame;
import static dev.secdrive.protocol.frame.FrameSupport.randomSplit;
import static dev.secdrive.protocol.frame.FrameSupport.releaseAll;
import static dev.secdrive.protocol.frame.FrameSupport.tcpStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.testing.Hex;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TcpFrameDecoder} in an {@link EmbeddedChannel}: frames arrive whole, byte by byte and in
 * random pieces; oversized frames are refused from the length prefix alone; every framing error
 * {@code PROTOCOL.md} lists that a codec can see is reported with its message; and every buffer is
 * released.
 */
class TcpFrameDecoderTest {

  /** The default maximum: header, longest sense, 8 MiB of data. */
  private static final int DEFAULT_MAX =
      Frame.maximumFrameLength(Frame.DEFAULT_MAXIMUM_DATA_LENGTH);

  /** A small maximum for the boundary and error tests. */
  private static final int MAX = 4096;

  @AfterAll
  static void noLeaks() {
    LeakRecorder.assertNoLeaks();
  }

  // ------------------------------------------------------------------ well-formed streams

  @Test
  void decodesAWholeFrame() {
    Frame frame =
        CommandFrame.dataOut(
            7,
            1,
            new byte[] {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0},
            Unpooled.wrappedBuffer(new byte[512]));
    assertDecodes(List.of(frame), List.of(tcpStream(List.of(frame))), DEFAULT_MAX);
  }

  @Test
  void decodesFramesFedByteByByte() {
    Random random = new Random(1);
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      frames.add(randomFrame(random));
    }
    assertDecodes(frames, byteByByte(tcpStream(frames)), DEFAULT_MAX);
  }

  @Test
  void decodesSeveralFramesInOneBuffer() {
    Random random = new Random(2);
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      frames.add(randomFrame(random));
    }
    assertDecodes(frames, List.of(tcpStream(frames)), DEFAULT_MAX);
  }

  @Test
  void decodesFramesSplitAtRandomPoints() {
    Random random = new Random(0x5EC_D21E);
    for (int iteration = 0; iteration < 400; iteration++) {
      List<Frame> frames = new ArrayList<>();
      int count = 1 + random.nextInt(6);
      for (int i = 0; i < count; i++) {
        frames.add(randomFrame(random));
      }
      assertDecodes(frames, randomSplit(tcpStream(frames), random), DEFAULT_MAX);
    }
  }

  @Test
  void aLengthPrefixSplitAcrossReadsWaitsForTheRest() {
    Frame frame = new ProtocolErrorFrame("bye");
    byte[] stream = tcpStream(List.of(frame));
    assertDecodes(
        List.of(frame),
        List.of(
            Arrays.copyOfRange(stream, 0, 3),
            Arrays.copyOfRange(stream, 3, 5),
            Arrays.copyOfRange(stream, 5, stream.length)),
        MAX);
  }

  // ------------------------------------------------------------------ the maximum frame length

  @Test
  void framesUpToTheMaximumAreDecodedAndLongerOnesRefusedFromThePrefix() {
    for (int length = MAX - 3; length <= MAX + 3; length++) {
      // A WRITE(10) command frame: 20-byte header, 10-byte CDB, the rest data-out.
      Frame frame =
          CommandFrame.dataOut(
              length,
              0,
              new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0},
              Unpooled.wrappedBuffer(new byte[length - 30]));
      assertEquals(length, FrameCodec.bodyLength(frame));
      if (length <= MAX) {
        assertDecodes(List.of(frame), List.of(tcpStream(List.of(frame))), MAX);
      } else {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(MAX));
        // Only the length prefix: the decoder must refuse before any body byte arrives.
        ByteBuf prefix = Unpooled.buffer(4).writeInt(length);
        assertProtocolError(
            channel, prefix, "frame length " + length + " exceeds the maximum of " + MAX);
        assertEquals(0, prefix.refCnt());
        assertDiscardsEverythingAfterwards(channel);
        FrameSupport.releaseAll(List.of(frame));
      }
    }
  }

  @Test
  void theLengthPrefixIsUnsigned() {
    EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(MAX));
    assertProtocolError(
        channel,
        Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}),
        "frame length 4294967295 exceeds the maximum of " + MAX);
    assertDiscardsEverythingAfterwards(channel);
  }

  @Test
  void theDefaultMaximumAdmitsTheLargestFrame() {
    assertEquals(20 + 252 + 8 * 1024 * 1024, DEFAULT_MAX);
    // A status frame with the longest sense and 8 MiB of data is exactly the default maximum.
    StatusFrame largest =
        new StatusFrame(
            1,
            ScsiStatus.GOOD,
            0,
            false,
            false,
            new byte[252],
            Unpooled.wrappedBuffer(new byte[Frame.DEFAULT_MAXIMUM_DATA_LENGTH]));
    assertEquals(DEFAULT_MAX, FrameCodec.bodyLength(largest));
    assertDecodes(List.of(largest), List.of(tcpStream(List.of(largest))), DEFAULT_MAX);
  }

  @Test
  void maximumBelowTheHeaderLengthIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TcpFrameDecoder(19));
    assertEquals("maximum frame length too small: 19", e.getMessage());
  }

  // ------------------------------------------------------------------ protocol errors

  /** A command frame body built field by field, as PROTOCOL.md lays it out. */
  private static byte[] command(
      int magic,
      int version,
      int flags,
      int lun,
      int cdbLength,
      long expected,
      long dataOutLength,
      int cdbBytes,
      int dataBytes) {
    ByteBuf body = Unpooled.buffer();
    body.writeInt(magic).writeByte(version).writeByte(flags).writeByte(lun).writeByte(cdbLength);
    body.writeInt(0x0102_0304).writeInt((int) expected).writeInt((int) dataOutLength);
    body.writeZero(cdbBytes + dataBytes);
    return FrameSupport.bytes(body);
  }

  private static byte[] command(
      int flags, int cdbLength, long expected, long dataOutLength, int cdbBytes, int dataBytes) {
    return command(
        Frame.COMMAND_MAGIC, 1, flags, 0, cdbLength, expected, dataOutLength, cdbBytes, dataBytes);
  }

  private static byte[] status(
      int status, int flags, int senseLength, long dataInLength, int senseBytes, int dataBytes) {
    ByteBuf body = Unpooled.buffer();
    body.writeInt(Frame.STATUS_MAGIC)
        .writeByte(1)
        .writeByte(status)
        .writeByte(flags)
        .writeByte(senseLength);
    body.writeInt(9).writeInt(0).writeInt((int) dataInLength);
    body.writeZero(senseBytes + dataBytes);
    return FrameSupport.bytes(body);
  }

  private static byte[] error(int messageLength, int messageBytes) {
    ByteBuf body = Unpooled.buffer();
    body.writeInt(Frame.ERROR_MAGIC).writeByte(1).writeByte(0).writeShort(messageLength);
    body.writeBytes("x".repeat(messageBytes).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return FrameSupport.bytes(body);
  }

  static Stream<Arguments> protocolErrors() {
    return Stream.of(
        // frame length too short for a header
        Arguments.of("empty body", new byte[0], "frame of 0 bytes is shorter than any header"),
        Arguments.of(
            "7-byte body",
            Arrays.copyOf(Hex.parse("53 44 43 57 01 00 00"), 7),
            "frame of 7 bytes is shorter than any header"),
        Arguments.of(
            "command header cut short",
            Arrays.copyOf(command(0x80, 6, 36, 0, 6, 0), 19),
            "frame of 19 bytes is shorter than the 20-byte header"),
        Arguments.of(
            "status header cut short",
            Arrays.copyOf(status(0, 0, 0, 0, 0, 0), 12),
            "frame of 12 bytes is shorter than the 20-byte header"),
        // unknown magic, or a version other than 1
        Arguments.of(
            "bad magic",
            command(0x1234_5678, 1, 0x80, 0, 6, 36, 0, 6, 0),
            "bad magic 0x12345678 (expected SDCW, SDSW or SDER)"),
        Arguments.of(
            "USB CBW magic",
            command(0x5553_4243, 1, 0x80, 0, 6, 36, 0, 6, 0),
            "bad magic 0x55534243 (expected SDCW, SDSW or SDER)"),
        Arguments.of(
            "version 2",
            command(Frame.COMMAND_MAGIC, 2, 0x80, 0, 6, 36, 0, 6, 0),
            "unsupported frame version 2 (this end speaks 1)"),
        Arguments.of(
            "version 0",
            command(Frame.COMMAND_MAGIC, 0, 0x80, 0, 6, 36, 0, 6, 0),
            "unsupported frame version 0 (this end speaks 1)"),
        Arguments.of(
            "error frame version 2",
            Hex.parse("53 44 45 52 02 00 00 00"),
            "unsupported frame version 2 (this end speaks 1)"),
        // reserved flag bits set; both underflow and overflow set
        Arguments.of(
            "reserved command flag bit 0",
            command(0x81, 6, 36, 0, 6, 0),
            "reserved command flag bits set: 0x81"),
        Arguments.of(
            "reserved command flag bit 6",
            command(0x40, 6, 0, 0, 6, 0),
            "reserved command flag bits set: 0x40"),
        Arguments.of(
            "reserved status flag bit 2",
            status(0, 0x04, 0, 0, 0, 0),
            "reserved status flag bits set: 0x04"),
        Arguments.of(
            "reserved status flag bit 7",
            status(0, 0x81, 0, 0, 0, 0),
            "reserved status flag bits set: 0x81"),
        Arguments.of(
            "underflow and overflow",
            status(0, 0x03, 0, 0, 0, 0),
            "status frame flags both underflow and overflow"),
        // CDB length outside 1..16; sense length above 252
        Arguments.of("CDB length 0", command(0x80, 0, 36, 0, 0, 0), "CDB length 0 outside 1..16"),
        Arguments.of(
            "CDB length 17", command(0x80, 17, 36, 0, 17, 0), "CDB length 17 outside 1..16"),
        Arguments.of(
            "CDB length 255", command(0x80, 255, 36, 0, 255, 0), "CDB length 255 outside 1..16"),
        Arguments.of(
            "sense length 253", status(2, 0, 253, 0, 253, 0), "sense length 253 exceeds 252"),
        // a data-in command with data-out bytes, or a data-out command expecting data-in
        Arguments.of(
            "data-in command with data-out",
            command(0x80, 6, 36, 4, 6, 4),
            "data-in command carries 4 bytes of data-out"),
        Arguments.of(
            "data-out command expecting data-in",
            command(0x00, 10, 36, 512, 10, 512),
            "data-out command expects 36 bytes of data-in"),
        // a length prefix that disagrees with the header
        Arguments.of(
            "command body shorter than its header says",
            command(0x00, 10, 0, 8, 10, 4),
            "frame length 34 does not match its header (header + CDB + data-out = 38)"),
        Arguments.of(
            "command body longer than its header says",
            command(0x80, 6, 36, 0, 6, 1),
            "frame length 27 does not match its header (header + CDB + data-out = 26)"),
        Arguments.of(
            "command with a 4 GiB data-out length",
            command(0x00, 6, 0, 0xFFFF_FFFFL, 6, 0),
            "frame length 26 does not match its header (header + CDB + data-out = 4294967321)"),
        Arguments.of(
            "status body shorter than its header says",
            status(2, 0, 18, 0, 0, 0),
            "frame length 20 does not match its header (header + sense + data-in = 38)"),
        Arguments.of(
            "status body longer than its header says",
            status(0, 0, 0, 4, 0, 5),
            "frame length 25 does not match its header (header + sense + data-in = 24)"),
        Arguments.of(
            "error frame shorter than its message length",
            error(5, 2),
            "frame length 10 does not match its header (header + message = 13)"),
        Arguments.of(
            "error frame longer than its message length",
            error(0, 1),
            "frame length 9 does not match its header (header + message = 8)"),
        Arguments.of(
            "error message above 1024 bytes",
            error(1025, 1025),
            "protocol error message of 1025 bytes is too long"),
        // an unknown SCSI status byte (host side)
        Arguments.of("status 01h", status(0x01, 0, 0, 0, 0, 0), "unknown SCSI status 0x01"),
        Arguments.of("status FFh", status(0xFF, 0, 0, 0, 0, 0), "unknown SCSI status 0xFF"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolErrors")
  void frameCodecRejects(String name, byte[] body, String message) {
    ByteBuf buffer = Unpooled.wrappedBuffer(body);
    ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.decode(buffer));
    assertEquals(message, e.getMessage());
    assertEquals(1, buffer.refCnt(), "a rejected body is not retained");
    buffer.release();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolErrors")
  void tcpFrameDecoderRejectsAndThenDiscards(String name, byte[] body, String message) {
    EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(MAX));
    ByteBuf input = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(prefixed(body));
    assertProtocolError(channel, input, message);
    assertEquals(0, input.refCnt(), "the rejected input is released");
    assertDiscardsEverythingAfterwards(channel);
  }

  @Test
  void framesBeforeTheErrorInTheSameReadAreStillDelivered() {
    Frame good = new ProtocolErrorFrame("first");
    byte[] stream = tcpStream(List.of(good));
    byte[] bad = prefixed(command(0x81, 6, 36, 0, 6, 0));
    ByteBuf input = Unpooled.buffer().writeBytes(stream).writeBytes(bad);
    EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(MAX));
    assertProtocolError(channel, input, "reserved command flag bits set: 0x81");
    assertEquals(good, channel.readInbound());
    assertDiscardsEverythingAfterwards(channel);
  }

  @Test
  void roleIsNotTheCodecsConcern() {
    // PROTOCOL.md makes a status frame sent to a device a protocol error; the decoder cannot know
    // which end it serves, so it decodes both kinds and the connection handler checks the role.
    Frame command = CommandFrame.dataIn(1, 0, new byte[] {0, 0, 0, 0, 0, 0}, 0);
    Frame status = StatusFrame.good(1, 0, Unpooled.EMPTY_BUFFER);
    assertDecodes(List.of(command, status), List.of(tcpStream(List.of(command, status))), MAX);
  }

  // ------------------------------------------------------------------ helpers

  private static void assertProtocolError(EmbeddedChannel channel, ByteBuf input, String message) {
    DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(input));
    ProtocolException cause = assertInstanceOf(ProtocolException.class, e.getCause());
    assertEquals(message, cause.getMessage());
  }

  /** After a protocol error the decoder swallows even a valid frame. */
  private static void assertDiscardsEverythingAfterwards(EmbeddedChannel channel) {
    ByteBuf valid =
        PooledByteBufAllocator.DEFAULT
            .buffer()
            .writeBytes(tcpStream(List.of(new ProtocolErrorFrame("valid"))));
    assertFalse(channel.writeInbound(valid), "a frame decoded after a protocol error");
    assertNull(channel.readInbound());
    assertEquals(0, valid.refCnt(), "discarded input is released");
    assertFalse(channel.finish());
  }

  /**
   * Feeds {@code chunks} (as pooled buffers) to a fresh decoder and checks that exactly {@code
   * expected} comes out; then releases everything and checks that every buffer is freed. Releases
   * {@code expected}.
   */
  private static void assertDecodes(List<Frame> expected, List<byte[]> chunks, int max) {
    EmbeddedChannel channel = new EmbeddedChannel(new TcpFrameDecoder(max));
    List<ByteBuf> inputs = new ArrayList<>();
    List<Frame> decoded = new ArrayList<>();
    try {
      for (byte[] chunk : chunks) {
        ByteBuf input = PooledByteBufAllocator.DEFAULT.buffer(chunk.length).writeBytes(chunk);
        inputs.add(input);
        channel.writeInbound(input);
        for (Object frame; (frame = channel.readInbound()) != null; ) {
          decoded.add((Frame) frame);
        }
      }
      assertEquals(expected.size(), decoded.size(), "number of frames");
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), decoded.get(i), "frame " + i);
      }
      assertFalse(channel.finish(), "decoder left messages behind");
    } finally {
      releaseAll(decoded);
      releaseAll(expected);
    }
    for (Frame frame : decoded) {
      ByteBuf data = FrameCodec.data(frame);
      if (data != null) {
        assertEquals(0, data.refCnt(), "data of a released frame");
      }
    }
    for (ByteBuf input : inputs) {
      assertEquals(0, input.refCnt(), "input buffer");
    }
  }
}
