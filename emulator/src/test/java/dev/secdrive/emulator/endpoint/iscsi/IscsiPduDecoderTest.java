package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder on libiscsi's captured initiator stream (PROTOCOL.md, iSCSI: a CHAP login
 * without digests, then SCSI Commands and a Logout with HeaderDigest=CRC32C), fed whole, byte by
 * byte and in random splits, switching to the negotiated settings after the last Login Request as
 * the connection does.
 */
class IscsiPduDecoderTest {

  /** Login Requests before the full feature phase in the captured stream. */
  private static final int LOGIN_PDUS = 4;

  private static final PduCodec.Settings FULL_FEATURE =
      new PduCodec.Settings(Opcode.Sender.INITIATOR, 8192, true, false);

  private static byte[] stream;
  private static List<Opcode> opcodes;

  @BeforeAll
  static void loadCapture() throws IOException {
    JsonNode vectors;
    try (InputStream in =
        IscsiPduDecoderTest.class.getResourceAsStream("/vectors/iscsi-captures.json")) {
      vectors = new ObjectMapper().readTree(in);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    opcodes = new ArrayList<>();
    for (JsonNode vector : vectors) {
      String name = vector.get("name").asText();
      if (vector.get("sender").asText().equals("INITIATOR") && name.contains("CHAP login")) {
        byte[] pdu = HexFormat.of().parseHex(vector.get("hex").asText());
        bytes.writeBytes(pdu);
        opcodes.add(Opcode.fromCode(pdu[0] & 0x3F));
      }
    }
    stream = bytes.toByteArray();
    assertEquals(9, opcodes.size(), "the capture's initiator PDUs");
  }

  /** The decoder, and a handler behind it that switches to digests after login, as the session. */
  private static EmbeddedChannel channel(IscsiPduDecoder decoder, List<Object> out) {
    return new EmbeddedChannel(
        decoder,
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            out.add(msg);
            if (out.size() == LOGIN_PDUS) {
              decoder.settings(FULL_FEATURE);
            }
          }
        });
  }

  private static void feed(List<Integer> splits) {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    List<Object> out = new ArrayList<>();
    EmbeddedChannel channel = channel(decoder, out);
    List<ByteBuf> written = new ArrayList<>();
    int at = 0;
    for (int length : splits) {
      ByteBuf chunk = Unpooled.copiedBuffer(stream, at, length);
      written.add(chunk);
      channel.writeInbound(chunk);
      at += length;
    }
    assertEquals(stream.length, at);
    assertEquals(opcodes, out.stream().map(p -> ((IscsiPdu) p).opcode()).toList());
    assertEquals(opcodes.size(), decoder.decoded());
    assertEquals(0, decoder.buffered());
    assertFalse(channel.finish());
    for (ByteBuf chunk : written) {
      assertEquals(0, chunk.refCnt());
    }
  }

  @Test
  void decodesTheStreamWhole() {
    feed(List.of(stream.length));
  }

  @Test
  void decodesTheStreamByteByByte() {
    List<Integer> ones = new ArrayList<>();
    for (int i = 0; i < stream.length; i++) {
      ones.add(1);
    }
    feed(ones);
  }

  @Test
  void decodesTheStreamInRandomSplits() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      List<Integer> splits = new ArrayList<>();
      int left = stream.length;
      while (left > 0) {
        int length = Math.min(left, 1 + random.nextInt(random.nextBoolean() ? 8 : 120));
        splits.add(length);
        left -= length;
      }
      feed(splits);
    }
  }

  @Test
  void aReservedOpcodeComesOutForARejectAndTheStreamGoesOn() {
    byte[] reserved = new byte[PduCodec.BHS_LENGTH];
    reserved[0] = 0x0F; // reserved initiator opcode
    byte[] login = java.util.Arrays.copyOf(stream, 200); // the first Login Request of the capture
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    List<Object> out = new ArrayList<>();
    EmbeddedChannel channel = channel(decoder, out);
    channel.writeInbound(Unpooled.wrappedBuffer(reserved, login));
    assertEquals(2, out.size());
    IscsiPduDecoder.Unusable unusable =
        assertInstanceOf(IscsiPduDecoder.Unusable.class, out.get(0));
    assertEquals(RejectReason.COMMAND_NOT_SUPPORTED, unusable.reason());
    assertEquals(ByteBufUtil.hexDump(reserved), ByteBufUtil.hexDump(unusable.header()));
    assertInstanceOf(IscsiPdu.LoginRequest.class, out.get(1));
    assertFalse(channel.finish());
  }

  @Test
  void aDataSegmentBeyondMaxRecvDataSegmentLengthIsRefusedBeforeItIsBuffered() {
    byte[] header = java.util.Arrays.copyOf(stream, PduCodec.BHS_LENGTH);
    header[5] = 0x00;
    header[6] = 0x20;
    header[7] = 0x01; // 8193 bytes: one beyond the login phase's 8192
    EmbeddedChannel channel = new EmbeddedChannel(new IscsiPduDecoder());
    DecoderException thrown =
        assertThrows(
            DecoderException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(header)));
    PduException cause = assertInstanceOf(PduException.class, thrown.getCause());
    assertEquals(PduException.Kind.DATA_SEGMENT_TOO_LONG, cause.kind());
    assertNull(channel.readInbound());
    channel.finishAndReleaseAll();
  }

  @Test
  void aHeaderDigestErrorEndsTheStream() {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    decoder.settings(FULL_FEATURE);
    // The capture's first SCSI Command with its header digest, one header byte flipped.
    int offset = 200 + 60 + 196 + 364; // the four Login Requests
    byte[] command = java.util.Arrays.copyOfRange(stream, offset, offset + 52);
    command[20] ^= 0x01;
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    DecoderException thrown =
        assertThrows(
            DecoderException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(command)));
    PduException cause = assertInstanceOf(PduException.class, thrown.getCause());
    assertEquals(PduException.Kind.HEADER_DIGEST, cause.kind());
    channel.finishAndReleaseAll();
  }
}
