package dev.secdrive.protocol.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.secdrive.protocol.testing.GoldenVectors;
import dev.secdrive.protocol.testing.GoldenVectors.Vector;
import dev.secdrive.protocol.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Link frames on the wire: {@code COBS(payload ‖ CRC-32C(payload) big-endian) ‖ 00}. The CRC here
 * is a bitwise reference implementation, independent of {@link java.util.zip.CRC32C}; the golden
 * vectors in {@code vectors/link.json} were computed with a separate implementation of CRC-32C and
 * COBS, not with {@link LinkCodec}.
 */
class LinkCodecTest {

  /** CRC-32C (Castagnoli), reflected polynomial 82F63B78, init and final XOR FFFFFFFF. */
  static int referenceCrc32c(byte[] data, int offset, int length) {
    int crc = 0xFFFFFFFF;
    for (int i = offset; i < offset + length; i++) {
      crc ^= data[i] & 0xFF;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return ~crc;
  }

  /** Builds a block (without delimiter) around an arbitrary payload with a correct CRC. */
  static byte[] blockFor(byte[] payload) {
    byte[] withCrc =
        ByteBuffer.allocate(payload.length + 4)
            .put(payload)
            .putInt(referenceCrc32c(payload, 0, payload.length))
            .array();
    return Cobs.encode(withCrc, 0, withCrc.length);
  }

  static String describe(LinkFrame frame) {
    if (frame instanceof LinkFrame.Data d) {
      return "Data[session=%08X, messageId=%d, totalLength=%d, chunkIndex=%d, bytes=%s]"
          .formatted(
              d.session(), d.messageId(), d.totalLength(), d.chunkIndex(), Hex.format(d.bytes()));
    }
    return frame == null ? "null" : frame.toString();
  }

  private static LinkFrame decodeFrame(byte[] encoded) {
    assertEquals(0, encoded[encoded.length - 1], "a frame ends with its delimiter");
    return LinkCodec.decode(encoded, 0, encoded.length - 1);
  }

  @Test
  void referenceCrcHasTheCatalogueCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, referenceCrc32c(check, 0, check.length));
  }

  @TestFactory
  Stream<DynamicTest> goldenVectors() {
    return GoldenVectors.load("link.json").stream()
        .map(
            v ->
                dynamicTest(
                    v.name(),
                    () -> {
                      byte[] wire = v.bytes();
                      LinkFrame frame = decodeFrame(wire);
                      assertNotNull(frame, "vector does not decode");
                      assertEquals(v.type(), frame.getClass().getSimpleName());
                      GoldenVectors.assertMatches(
                          v.expected(), GoldenVectors.tree(frame), v.name());
                      assertEquals(Hex.format(wire), Hex.format(LinkCodec.encode(frame)));
                      checkLayout(v, frame);
                    }));
  }

  /** The vector's bytes against the documented layout, field by field, with the reference CRC. */
  private static void checkLayout(Vector v, LinkFrame frame) {
    byte[] wire = v.bytes();
    for (int i = 0; i < wire.length - 1; i++) {
      assertTrue(wire[i] != 0, "no zero before the delimiter");
    }
    byte[] payload = Cobs.decode(wire, 0, wire.length - 1);
    int body = payload.length - 4;
    ByteBuffer b = ByteBuffer.wrap(payload);
    if (frame instanceof LinkFrame.Data d) {
      assertEquals(LinkFrame.Data.HEADER_LENGTH + d.bytes().length, body);
      assertEquals(1, b.get());
      assertEquals(d.session(), b.getInt());
      assertEquals(d.messageId(), b.getInt());
      assertEquals(d.totalLength(), b.getInt());
      assertEquals(d.chunkIndex(), b.getShort() & 0xFFFF);
      b.position(b.position() + d.bytes().length);
    } else {
      LinkFrame.Ack a = (LinkFrame.Ack) frame;
      assertEquals(LinkFrame.Ack.LENGTH, body);
      assertEquals(2, b.get());
      assertEquals(a.session(), b.getInt());
      assertEquals(a.messageId(), b.getInt());
      assertEquals(a.chunkIndex(), b.getShort() & 0xFFFF);
    }
    assertEquals(referenceCrc32c(payload, 0, body), b.getInt(), "CRC-32C, big-endian");
  }

  @Test
  void randomFramesFollowTheLayoutAndRoundTrip() {
    SplittableRandom random = new SplittableRandom(42);
    for (int trial = 0; trial < 500; trial++) {
      LinkFrame frame;
      if (trial % 3 == 0) {
        frame = new LinkFrame.Ack(random.nextInt(), random.nextInt(), random.nextInt(0x10000));
      } else {
        byte[] bytes = new byte[random.nextInt(4097)];
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = random.nextInt(3) == 0 ? 0 : (byte) random.nextInt(256);
        }
        frame =
            new LinkFrame.Data(
                random.nextInt(),
                random.nextInt(),
                random.nextInt(),
                random.nextInt(0x10000),
                bytes);
      }
      byte[] wire = LinkCodec.encode(frame);
      checkLayout(new Vector("random", "trial " + trial, "", wire, null), frame);
      assertEquals(describe(frame), describe(decodeFrame(wire)), "trial " + trial);
    }
  }

  /** CRC-32C detects every single-bit error; a flipped bit must never yield a frame. */
  @Test
  void everySingleBitFlipOfABlockIsRejected() {
    SplittableRandom random = new SplittableRandom(7);
    List<LinkFrame> frames = new ArrayList<>();
    frames.add(new LinkFrame.Ack(0xCAFEF00D, 258, 3));
    frames.add(new LinkFrame.Ack(0, 0, 0));
    for (int length : new int[] {0, 1, 17, 300, 4096}) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = random.nextInt(5) == 0 ? 0 : (byte) random.nextInt(256);
      }
      frames.add(new LinkFrame.Data(random.nextInt(), 5, 9000, 2, bytes));
    }
    byte[] noZeros = new byte[600];
    java.util.Arrays.fill(noZeros, (byte) 0x7E);
    frames.add(new LinkFrame.Data(0x11111111, 0x01010101, 0x7E7E7E7E, 0x0101, noZeros));

    for (LinkFrame frame : frames) {
      byte[] wire = LinkCodec.encode(frame);
      int blockLength = wire.length - 1;
      int flips = 0;
      for (int bit = 0; bit < blockLength * 8; bit++) {
        byte[] damaged = wire.clone();
        damaged[bit / 8] ^= (byte) (1 << (bit % 8));
        LinkFrame decoded = LinkCodec.decode(damaged, 0, blockLength);
        if (decoded != null) {
          throw new AssertionError(
              "bit "
                  + bit
                  + " of "
                  + describe(frame)
                  + " flipped, yet decoded as "
                  + describe(decoded));
        }
        flips++;
      }
      assertEquals(blockLength * 8, flips);
    }
  }

  /** A flipped bit anywhere on the line, the delimiter included, never delivers a wrong frame. */
  @Test
  void aStreamWithOneFlippedBitDeliversOnlyIntactFrames() {
    LinkFrame first = new LinkFrame.Data(0x01020304, 9, 100, 0, Hex.parse("00 11 22 00 33 44"));
    LinkFrame second = new LinkFrame.Ack(0x0A0B0C0D, 9, 0);
    byte[] a = LinkCodec.encode(first);
    byte[] b = LinkCodec.encode(second);
    byte[] stream = concat(a, b);
    for (int bit = 0; bit < a.length * 8; bit++) {
      byte[] damaged = stream.clone();
      damaged[bit / 8] ^= (byte) (1 << (bit % 8));
      LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(4096 + 15);
      List<String> out = new ArrayList<>();
      decoder.feed(damaged, 0, damaged.length, f -> out.add(describe(f)));
      boolean delimiterHit = bit / 8 == a.length - 1;
      if (delimiterHit) {
        // The two blocks run together: both lost, one corrupt block.
        assertEquals(List.of(), out, "bit " + bit);
      } else if (damaged[bit / 8] == 0) {
        // The flip made a new delimiter: two corrupt pieces (or an empty one), then the ACK.
        assertEquals(List.of(describe(second)), out, "bit " + bit);
      } else {
        assertEquals(List.of(describe(second)), out, "bit " + bit);
        assertEquals(1, decoder.corrupt(), "bit " + bit);
      }
      assertTrue(decoder.corrupt() >= 1, "bit " + bit);
    }
  }

  @Test
  void rejectsPayloadsThatAreNotFramesEvenWithAGoodCrc() {
    // Too short to hold a type and a CRC.
    assertNull(LinkCodec.decode(new byte[0], 0, 0), "empty block");
    assertNull(
        decodeBlock(Cobs.encode(new byte[] {1, 2, 3, 4}, 0, 4)), "4 bytes, no room for type");
    // Unknown types.
    assertNull(decodeBlock(blockFor(Hex.parse("03 00 00 00 01 00 00 00 02 00 03"))), "type 03");
    assertNull(decodeBlock(blockFor(Hex.parse("00 00 00 00 01 00 00 00 02 00 03"))), "type 00");
    assertNull(decodeBlock(blockFor(Hex.parse("02"))), "type only");
    // ACK must be exactly 11 bytes.
    assertNull(decodeBlock(blockFor(Hex.parse("02 00 00 00 01 00 00 00 02 00"))), "short ACK");
    assertNull(decodeBlock(blockFor(Hex.parse("02 00 00 00 01 00 00 00 02 00 03 FF"))), "long ACK");
    assertNotNull(decodeBlock(blockFor(Hex.parse("02 00 00 00 01 00 00 00 02 00 03"))), "ACK");
    // DATA needs the 15-byte header; no data bytes is allowed at this layer.
    assertNull(
        decodeBlock(blockFor(Hex.parse("01 00 00 00 01 00 00 00 02 00 00 00 10 00"))),
        "DATA header one byte short");
    LinkFrame empty =
        decodeBlock(blockFor(Hex.parse("01 00 00 00 01 00 00 00 02 00 00 00 10 00 07")));
    assertEquals(describe(new LinkFrame.Data(1, 2, 16, 7, new byte[0])), describe(empty));
  }

  @Test
  void rejectsABadCrcAndALittleEndianCrc() {
    byte[] payload = Hex.parse("02 00 00 00 01 00 00 00 02 00 03");
    int crc = referenceCrc32c(payload, 0, payload.length);
    byte[] bad = ByteBuffer.allocate(15).put(payload).putInt(crc ^ 0x00010000).array();
    assertNull(decodeBlock(Cobs.encode(bad, 0, bad.length)));
    byte[] littleEndian =
        ByteBuffer.allocate(15).put(payload).putInt(Integer.reverseBytes(crc)).array();
    assertNull(decodeBlock(Cobs.encode(littleEndian, 0, littleEndian.length)));
    byte[] good = ByteBuffer.allocate(15).put(payload).putInt(crc).array();
    assertNotNull(decodeBlock(Cobs.encode(good, 0, good.length)));
  }

  private static LinkFrame decodeBlock(byte[] block) {
    return LinkCodec.decode(block, 0, block.length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static List<LinkFrame> someFrames(SplittableRandom random, int count) {
    List<LinkFrame> frames = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (random.nextBoolean()) {
        frames.add(new LinkFrame.Ack(random.nextInt(), i, random.nextInt(0x10000)));
      } else {
        byte[] bytes = new byte[random.nextInt(60)];
        for (int k = 0; k < bytes.length; k++) {
          bytes[k] = random.nextInt(4) == 0 ? 0 : (byte) random.nextInt(256);
        }
        frames.add(new LinkFrame.Data(random.nextInt(), i, 1000, i % 7, bytes));
      }
    }
    return frames;
  }

  private static byte[] encodeAll(List<LinkFrame> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    frames.forEach(f -> out.writeBytes(LinkCodec.encode(f)));
    return out.toByteArray();
  }

  @Test
  void streamDecoderFindsBackToBackFramesWhereverTheStreamIsSplit() {
    List<LinkFrame> frames = someFrames(new SplittableRandom(3), 12);
    List<String> expected = frames.stream().map(LinkCodecTest::describe).toList();
    byte[] stream = encodeAll(frames);
    for (int split = 0; split <= stream.length; split++) {
      LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(100);
      List<String> out = new ArrayList<>();
      decoder.feed(stream, 0, split, f -> out.add(describe(f)));
      decoder.feed(stream, split, stream.length - split, f -> out.add(describe(f)));
      assertEquals(expected, out, "split at " + split);
      assertEquals(0, decoder.corrupt());
    }
    // One byte at a time, from an offset into a larger buffer.
    LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(100);
    List<String> out = new ArrayList<>();
    byte[] padded = concat(new byte[] {0x55, 0x66}, stream, new byte[] {0x77});
    for (int i = 2; i < 2 + stream.length; i++) {
      decoder.feed(padded, i, 1, f -> out.add(describe(f)));
    }
    assertEquals(expected, out);
    // Random splits into many pieces.
    SplittableRandom random = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      LinkCodec.StreamDecoder d = new LinkCodec.StreamDecoder(100);
      List<String> o = new ArrayList<>();
      int at = 0;
      while (at < stream.length) {
        int n = Math.min(stream.length - at, random.nextInt(1, 40));
        d.feed(stream, at, n, f -> o.add(describe(f)));
        at += n;
      }
      assertEquals(expected, o, "trial " + trial);
    }
  }

  @Test
  void extraDelimitersAreNotCorruption() {
    LinkFrame ack = new LinkFrame.Ack(1, 2, 3);
    byte[] stream = concat(new byte[] {0, 0, 0}, LinkCodec.encode(ack), new byte[] {0, 0});
    LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(100);
    List<String> out = new ArrayList<>();
    decoder.feed(stream, 0, stream.length, f -> out.add(describe(f)));
    assertEquals(List.of(describe(ack)), out);
    assertEquals(0, decoder.corrupt());
  }

  @Test
  void garbageBetweenFramesCostsTheBlockItLandsInAndIsCounted() {
    List<LinkFrame> frames = someFrames(new SplittableRandom(5), 4);
    byte[] f0 = LinkCodec.encode(frames.get(0));
    byte[] f1 = LinkCodec.encode(frames.get(1));
    byte[] f2 = LinkCodec.encode(frames.get(2));
    byte[] f3 = LinkCodec.encode(frames.get(3));
    byte[] garbage = Hex.parse("13 37 C0 FF EE 42");

    // Garbage ended by a delimiter (noise that includes a zero): one corrupt block, nothing lost.
    LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(100);
    List<String> out = new ArrayList<>();
    byte[] stream = concat(f0, garbage, new byte[] {0}, f1, garbage, new byte[] {0}, f2);
    decoder.feed(stream, 0, stream.length, f -> out.add(describe(f)));
    assertEquals(
        List.of(describe(frames.get(0)), describe(frames.get(1)), describe(frames.get(2))), out);
    assertEquals(2, decoder.corrupt());

    // Garbage without a zero runs into the next frame: that frame is lost, the one after is not.
    LinkCodec.StreamDecoder decoder2 = new LinkCodec.StreamDecoder(100);
    List<String> out2 = new ArrayList<>();
    byte[] stream2 = concat(f0, garbage, f1, f2, f3);
    decoder2.feed(stream2, 0, stream2.length, f -> out2.add(describe(f)));
    assertEquals(
        List.of(describe(frames.get(0)), describe(frames.get(2)), describe(frames.get(3))), out2);
    assertEquals(1, decoder2.corrupt());

    // Leading garbage before the first delimiter (a receiver joining mid-frame).
    LinkCodec.StreamDecoder decoder3 = new LinkCodec.StreamDecoder(100);
    List<String> out3 = new ArrayList<>();
    byte[] tail = java.util.Arrays.copyOfRange(f0, f0.length / 2, f0.length);
    byte[] stream3 = concat(tail, f1);
    decoder3.feed(stream3, 0, stream3.length, f -> out3.add(describe(f)));
    assertEquals(List.of(describe(frames.get(1))), out3);
    assertEquals(1, decoder3.corrupt());
  }

  @Test
  void anOverlongBlockIsDroppedUpToTheNextDelimiterAndCountedOnce() {
    int maximumPayload = LinkFrame.Data.HEADER_LENGTH + 64;
    LinkCodec.StreamDecoder decoder = new LinkCodec.StreamDecoder(maximumPayload);
    List<String> out = new ArrayList<>();

    // The largest frame fits, even when its payload has no zero (the longest encoding).
    byte[] full = new byte[64];
    java.util.Arrays.fill(full, (byte) 0x41);
    LinkFrame largest = new LinkFrame.Data(0x01010101, 0x01010101, 0x01010101, 0x0101, full);
    byte[] largestWire = LinkCodec.encode(largest);
    assertEquals(
        Cobs.maximumEncodedLength(maximumPayload + 4) + 1,
        largestWire.length,
        "test premise: the longest possible block");
    decoder.feed(largestWire, 0, largestWire.length, f -> out.add(describe(f)));
    assertEquals(List.of(describe(largest)), out);

    // Ten times the limit without a delimiter, fed in pieces, then a good frame.
    byte[] noise = new byte[10 * largestWire.length];
    java.util.Arrays.fill(noise, (byte) 0x99);
    for (int at = 0; at < noise.length; at += 33) {
      decoder.feed(noise, at, Math.min(33, noise.length - at), f -> out.add(describe(f)));
    }
    assertEquals(0, decoder.corrupt(), "nothing is counted before the delimiter");
    LinkFrame after = new LinkFrame.Ack(7, 8, 9);
    byte[] afterWire = concat(new byte[] {0}, LinkCodec.encode(after));
    decoder.feed(afterWire, 0, afterWire.length, f -> out.add(describe(f)));
    assertEquals(List.of(describe(largest), describe(after)), out);
    assertEquals(1, decoder.corrupt());

    // A block one byte too long (the overflow point itself) is dropped too, and the bytes that
    // would have been a valid frame after it are not mistaken for one.
    byte[] tooLong =
        concat(new byte[] {0x42}, java.util.Arrays.copyOf(largestWire, largestWire.length));
    decoder.feed(tooLong, 0, tooLong.length, f -> out.add(describe(f)));
    assertEquals(2, out.size());
    assertEquals(2, decoder.corrupt());
    decoder.feed(afterWire, 1, afterWire.length - 1, f -> out.add(describe(f)));
    assertEquals(List.of(describe(largest), describe(after), describe(after)), out);
  }
}
