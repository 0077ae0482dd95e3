package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec.Settings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Data segments that hold a buffer: READ data on its way out without a copy. */
class DataSegmentBufferTest {

  private static DataIn dataIn(DataSegment data) {
    return new DataIn(true, false, false, false, true, 0, 0, 9, -1, 4, 5, 6, 0, 0, 0, data);
  }

  @ParameterizedTest(name = "{0} bytes, header digest {1}, data digest {2}")
  @CsvSource({"3, false, false", "4096, false, false", "5, true, true", "65536, false, true"})
  void aHeldBufferGoesOutUncopiedAsTheSameBytesAsAnArray(
      int length, boolean headerDigest, boolean dataDigest) {
    byte[] bytes = new byte[length + 7];
    new Random(length).nextBytes(bytes);
    ByteBuf source = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
    source.writeBytes(bytes);
    Settings settings = new Settings(Sender.TARGET, 65536, headerDigest, dataDigest);
    byte[] expected =
        PduCodec.encode(
            dataIn(DataSegment.of(java.util.Arrays.copyOfRange(bytes, 7, 7 + length))), settings);

    DataSegment held = DataSegment.retainedSlice(source, 7, length);
    assertTrue(held.holdsBuffer());
    assertEquals(2, source.refCnt(), "the segment holds one reference");
    List<Object> out = new ArrayList<>();
    PduCodec.encode(dataIn(held), settings, PooledByteBufAllocator.DEFAULT, out);
    held.release();
    ByteBuf wire = Unpooled.buffer();
    for (Object part : out) {
      ByteBuf buffer = (ByteBuf) part;
      wire.writeBytes(buffer);
      buffer.release();
    }
    assertArrayEquals(expected, ByteBufUtil.getBytes(wire));
    assertTrue(out.size() >= 2, "the data is a buffer of its own");
    assertEquals(1, source.refCnt(), "encoding and releasing gave every reference back");
    wire.release();
    source.release();
  }

  @Test
  void aHeldSegmentEqualsAnArraySegmentOfTheSameBytesAndCopiesOut() {
    ByteBuf source = Unpooled.wrappedBuffer(new byte[] {9, 1, 2, 3, 9});
    DataSegment held = DataSegment.retainedSlice(source, 1, 3);
    try {
      assertEquals(DataSegment.of(new byte[] {1, 2, 3}), held);
      assertEquals(DataSegment.of(new byte[] {1, 2, 3}).hashCode(), held.hashCode());
      assertArrayEquals(new byte[] {1, 2, 3}, held.toByteArray());
      ByteBuf destination = Unpooled.buffer(5).writeZero(5);
      held.copyTo(destination, 2);
      assertArrayEquals(new byte[] {0, 0, 1, 2, 3}, ByteBufUtil.getBytes(destination));
      assertEquals("010203", held.toString());
    } finally {
      held.release();
    }
    assertEquals(1, source.refCnt());
    assertFalse(DataSegment.of(new byte[] {1}).holdsBuffer());
    DataSegment.of(new byte[] {1}).release(); // a segment of bytes ignores it
  }

  @Test
  void anEmptyRunRetainsNothingAndARunBeyondTheBufferIsRefused() {
    ByteBuf source = Unpooled.buffer(8).writeZero(8);
    assertSame(DataSegment.EMPTY, DataSegment.retainedSlice(source, 8, 0));
    assertEquals(1, source.refCnt());
    IndexOutOfBoundsException e =
        assertThrows(
            IndexOutOfBoundsException.class, () -> DataSegment.retainedSlice(source, 4, 5));
    assertEquals("bytes 4..9 of a buffer of 8", e.getMessage());
    assertEquals(1, source.refCnt());
  }
}
