package dev.secdrive.protocol.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * COBS against the examples of Cheshire and Baker (1999) and the table on Wikipedia's "Consistent
 * Overhead Byte Stuffing" page, plus round trips and malformed input.
 */
class CobsTest {

  private static byte[] encode(byte[] in) {
    return Cobs.encode(in, 0, in.length);
  }

  private static byte[] decode(byte[] in) {
    return Cobs.decode(in, 0, in.length);
  }

  /** Bytes {@code from}, {@code from + 1}, ... {@code to} inclusive. */
  private static byte[] run(int from, int to) {
    byte[] out = new byte[to - from + 1];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (from + i);
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "'', 01",
    "00, 01 01",
    "00 00, 01 01 01",
    "00 11 00, 01 02 11 01",
    "11 22 00 33, 03 11 22 02 33",
    "11 22 33 44, 05 11 22 33 44",
    "11 00 00 00, 02 11 01 01 01",
  })
  void smallExamplesEncodeAsPublishedAndDecodeBack(String plain, String encoded) {
    byte[] in = Hex.parse(plain);
    byte[] out = Hex.parse(encoded);
    assertEquals(Hex.format(out), Hex.format(encode(in)));
    assertEquals(Hex.format(in), Hex.format(decode(out)));
  }

  /**
   * 254 non-zero bytes. Wikipedia's table gives {@code FF 01 .. FE}; this encoder is the paper's
   * original {@code StuffData}, which closes the full block and then a final empty one, so it
   * appends {@code 01}. Both forms are valid COBS and decode to the same bytes.
   */
  @Test
  void exactly254NonZeroBytesGetThePapersTrailingEmptyBlockAndBothFormsDecode() {
    byte[] in = run(0x01, 0xFE);
    assertEquals(254, in.length);
    byte[] paperForm = concat(bytes(0xFF), in, bytes(0x01));
    byte[] wikipediaForm = concat(bytes(0xFF), in);

    byte[] encoded = encode(in);
    assertArrayEquals(paperForm, encoded);
    assertEquals(Cobs.maximumEncodedLength(254), encoded.length);
    assertArrayEquals(in, decode(encoded));
    assertArrayEquals(in, decode(wikipediaForm));
  }

  @Test
  void leadingZeroThen254NonZeroBytes() {
    // Wikipedia example 8: 00 01 .. FE -> 01 FF 01 .. FE (this encoder adds the final 01).
    byte[] in = concat(bytes(0x00), run(0x01, 0xFE));
    byte[] encoded = encode(in);
    assertArrayEquals(concat(bytes(0x01, 0xFF), run(0x01, 0xFE), bytes(0x01)), encoded);
    assertArrayEquals(in, decode(encoded));
    assertArrayEquals(in, decode(concat(bytes(0x01, 0xFF), run(0x01, 0xFE))));
  }

  @Test
  void exactly255NonZeroBytesSplitAfter254() {
    // Wikipedia example 9: 01 .. FF -> FF 01 .. FE 02 FF.
    byte[] in = run(0x01, 0xFF);
    byte[] encoded = encode(in);
    assertArrayEquals(concat(bytes(0xFF), run(0x01, 0xFE), bytes(0x02, 0xFF)), encoded);
    assertArrayEquals(in, decode(encoded));
  }

  @Test
  void runOf254ThenZero() {
    // Wikipedia example 10: 02 .. FF 00 -> FF 02 .. FF 01 01.
    byte[] in = concat(run(0x02, 0xFF), bytes(0x00));
    byte[] encoded = encode(in);
    assertArrayEquals(concat(bytes(0xFF), run(0x02, 0xFF), bytes(0x01, 0x01)), encoded);
    assertArrayEquals(in, decode(encoded));
  }

  @Test
  void runOf253ThenZeroThenOne() {
    // Wikipedia example 11: 03 .. FF 00 01 -> FE 03 .. FF 02 01.
    byte[] in = concat(run(0x03, 0xFF), bytes(0x00, 0x01));
    byte[] encoded = encode(in);
    assertArrayEquals(concat(bytes(0xFE), run(0x03, 0xFF), bytes(0x02, 0x01)), encoded);
    assertArrayEquals(in, decode(encoded));
  }

  @Test
  void encodesFromAnOffsetWithoutReadingOutsideTheRange() {
    byte[] buffer = bytes(0x00, 0x00, 0x11, 0x22, 0x00, 0x33, 0x00, 0x00);
    assertEquals("0311220233", Hex.format(Cobs.encode(buffer, 2, 4)));
    byte[] framed = bytes(0xAA, 0x03, 0x11, 0x22, 0x02, 0x33, 0xBB);
    assertEquals("11220033", Hex.format(Cobs.decode(framed, 1, 5)));
  }

  @Test
  void randomBlocksRoundTripHaveNoZerosAndRespectTheBound() {
    SplittableRandom seeds = new SplittableRandom(0x5EC0B5L);
    for (int trial = 0; trial < 3000; trial++) {
      SplittableRandom random = seeds.split();
      int length = trial < 2001 ? trial : random.nextInt(2001);
      byte[] in = new byte[length];
      // Vary the zero density: none, sparse, dense, all.
      int kind = trial % 5;
      for (int i = 0; i < length; i++) {
        in[i] =
            switch (kind) {
              case 0 -> (byte) (1 + random.nextInt(255)); // no zeros
              case 1 -> (byte) random.nextInt(256); // about one in 256
              case 2 -> random.nextInt(4) == 0 ? 0 : (byte) random.nextInt(256);
              case 3 -> 0; // all zeros
              default -> random.nextInt(300) == 0 ? 0 : (byte) (1 + random.nextInt(255));
            };
      }
      byte[] encoded = encode(in);
      for (byte b : encoded) {
        if (b == 0) {
          throw new AssertionError("zero in the encoding of " + length + " bytes, kind " + kind);
        }
      }
      assertTrue(
          encoded.length <= Cobs.maximumEncodedLength(length),
          () -> encoded.length + " > bound " + Cobs.maximumEncodedLength(length));
      assertTrue(encoded.length >= length + 1, "at least one code byte");
      byte[] decoded = decode(encoded);
      assertNotNull(decoded, () -> "valid encoding rejected, length " + length);
      if (!Arrays.equals(in, decoded)) {
        throw new AssertionError("round trip differs, length " + length + ", kind " + kind);
      }
    }
  }

  @Test
  void boundIsReachedByRunsWithoutZeros() {
    for (int length : new int[] {0, 1, 253, 254, 255, 507, 508, 509, 4096 + 19}) {
      byte[] in = new byte[length];
      Arrays.fill(in, (byte) 0x5A);
      assertEquals(Cobs.maximumEncodedLength(length), encode(in).length, "length " + length);
    }
    // All zeros: one code byte per zero plus one.
    assertEquals(1001, encode(new byte[1000]).length);
  }

  @Test
  void decodeRejectsAZeroInsideTheBlock() {
    assertNull(decode(bytes(0x03, 0x11, 0x00, 0x01)), "zero among data bytes");
    assertNull(decode(bytes(0x02, 0x11, 0x00)), "zero where a code byte belongs");
    assertNull(decode(bytes(0x00)), "a lone zero code");
  }

  @Test
  void decodeRejectsACodeRunningPastTheEnd() {
    assertNull(decode(bytes(0x05, 0x11, 0x22, 0x33)), "code 05 needs four data bytes");
    assertNull(decode(bytes(0x02)), "code 02 with nothing after it");
    assertNull(decode(concat(bytes(0xFF), run(0x01, 0xFD))), "FF with 253 data bytes");
    assertNull(decode(bytes(0x01, 0x01, 0x03, 0x11)), "valid start, truncated end");
  }

  @Test
  void decodeOfAnEmptyBlockIsEmpty() {
    // Between two delimiters; LinkCodec rejects it for being too short, not Cobs.
    assertArrayEquals(new byte[0], Cobs.decode(new byte[0], 0, 0));
  }

  @Test
  void truncatingAValidEncodingNeverDecodesToTheOriginal() {
    byte[] in = Hex.parse("11 22 00 33 44 00 00 55");
    byte[] encoded = encode(in);
    for (int cut = 1; cut < encoded.length; cut++) {
      byte[] decoded = Cobs.decode(encoded, 0, cut);
      if (decoded != null) {
        assertNotEquals(Hex.format(in), Hex.format(decoded), "cut at " + cut);
      }
    }
  }
}
