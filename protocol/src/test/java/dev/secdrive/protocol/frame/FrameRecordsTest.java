package dev.secdrive.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The frame records: validation, factories, reference counting, equality. */
class FrameRecordsTest {

  private static final byte[] INQUIRY = {0x12, 0, 0, 0, 0x24, 0};

  private static void rejects(String message, Executable constructor) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, constructor).getMessage());
  }

  @Test
  void commandFrameValidation() {
    rejects("LUN out of range: 256", () -> CommandFrame.dataIn(1, 256, INQUIRY, 36));
    rejects("LUN out of range: -1", () -> CommandFrame.dataIn(1, -1, INQUIRY, 36));
    rejects("CDB length out of range: 0", () -> CommandFrame.dataIn(1, 0, new byte[0], 36));
    rejects("CDB length out of range: 17", () -> CommandFrame.dataIn(1, 0, new byte[17], 36));
    rejects(
        "expected data-in length out of range",
        () -> CommandFrame.dataIn(1, 0, INQUIRY, 0x1_0000_0000L));
    rejects("expected data-in length out of range", () -> CommandFrame.dataIn(1, 0, INQUIRY, -1));
    rejects(
        "a data-in command carries no data-out bytes",
        () ->
            new CommandFrame(1, 0, Direction.IN, INQUIRY, 36, Unpooled.wrappedBuffer(new byte[1])));
    rejects(
        "a data-out command expects no data-in bytes",
        () -> new CommandFrame(1, 0, Direction.OUT, INQUIRY, 36, Unpooled.EMPTY_BUFFER));
  }

  @Test
  void statusFrameValidation() {
    rejects(
        "residual out of range: -1",
        () ->
            new StatusFrame(
                1, ScsiStatus.GOOD, -1, false, false, new byte[0], Unpooled.EMPTY_BUFFER));
    rejects(
        "residual out of range: 4294967296",
        () ->
            new StatusFrame(
                1,
                ScsiStatus.GOOD,
                0x1_0000_0000L,
                true,
                false,
                new byte[0],
                Unpooled.EMPTY_BUFFER));
    rejects(
        "a residual is an underflow or an overflow, not both",
        () ->
            new StatusFrame(1, ScsiStatus.GOOD, 1, true, true, new byte[0], Unpooled.EMPTY_BUFFER));
    rejects(
        "sense longer than 252 bytes: 253",
        () ->
            new StatusFrame(
                1,
                ScsiStatus.CHECK_CONDITION,
                0,
                false,
                false,
                new byte[253],
                Unpooled.EMPTY_BUFFER));
    assertThrows(
        NullPointerException.class,
        () -> new StatusFrame(1, null, 0, false, false, new byte[0], Unpooled.EMPTY_BUFFER));
  }

  @Test
  void goodDerivesTheResidual() {
    StatusFrame under = StatusFrame.good(1, 36, Unpooled.wrappedBuffer(new byte[4]));
    assertEquals(32, under.residual());
    assertTrue(under.underflow());
    assertFalse(under.overflow());
    StatusFrame over = StatusFrame.good(1, 4, Unpooled.wrappedBuffer(new byte[36]));
    assertEquals(32, over.residual());
    assertTrue(over.overflow());
    assertFalse(over.underflow());
    StatusFrame exact = StatusFrame.good(1, 8, Unpooled.wrappedBuffer(new byte[8]));
    assertEquals(0, exact.residual());
    assertFalse(exact.underflow() || exact.overflow());
  }

  @Test
  void checkConditionReturnsNothingOfWhatWasExpected() {
    StatusFrame frame = StatusFrame.checkCondition(1, 36, new byte[18]);
    assertEquals(ScsiStatus.CHECK_CONDITION, frame.status());
    assertEquals(36, frame.residual());
    assertTrue(frame.underflow());
    assertFalse(frame.dataIn().isReadable());
    StatusFrame noData = StatusFrame.checkCondition(1, 0, new byte[18]);
    assertEquals(0, noData.residual());
    assertFalse(noData.underflow());
  }

  @Test
  void framesOwnTheirData() {
    ByteBuf data = Unpooled.buffer(4).writeInt(42);
    CommandFrame frame =
        CommandFrame.dataOut(1, 0, new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0}, data);
    assertEquals(1, frame.refCnt());
    CommandFrame duplicate = frame.retainedDuplicate();
    assertEquals(2, data.refCnt());
    assertEquals(frame, duplicate);
    CommandFrame copy = frame.copy();
    assertEquals(frame, copy);
    copy.content().setInt(0, 43);
    assertNotEquals(frame, copy);
    assertTrue(copy.release());
    assertFalse(duplicate.release());
    assertTrue(frame.release());
    assertEquals(0, data.refCnt());
  }

  @Test
  void arraysAreCopied() {
    byte[] cdb = INQUIRY.clone();
    CommandFrame frame = CommandFrame.dataIn(1, 0, cdb, 36);
    cdb[0] = 0;
    assertEquals(0x12, frame.cdb()[0]);
    frame.cdb()[0] = 0;
    assertEquals(0x12, frame.cdb()[0]);
    StatusFrame status = StatusFrame.checkCondition(1, 0, new byte[18]);
    status.sense()[0] = 1;
    assertEquals(0, status.sense()[0]);
  }

  @Test
  void toStringShowsTheTagUnsigned() {
    CommandFrame frame = CommandFrame.dataIn(0xCAFE_F00D, 2, INQUIRY, 36);
    assertEquals(
        "CommandFrame[tag=3405705229, lun=2, IN, cdb=120000002400, expectedDataIn=36, dataOut=0 bytes]",
        frame.toString());
    assertEquals(
        "StatusFrame[tag=4294967295, GOOD, residual=32 (underflow), sense=, dataIn=4 bytes]",
        StatusFrame.good(-1, 36, Unpooled.wrappedBuffer(new byte[4])).toString());
  }

  @Test
  void protocolErrorMessagesAreCutToTheLimit() {
    assertEquals("short", new ProtocolErrorFrame("short").message());
    String ascii = "x".repeat(2000);
    String cut = new ProtocolErrorFrame(ascii).message();
    assertEquals(
        ProtocolErrorFrame.MAXIMUM_MESSAGE_LENGTH, cut.getBytes(StandardCharsets.UTF_8).length);
    assertTrue(cut.endsWith("..."));
    assertEquals("x".repeat(1021) + "...", cut);
    String exact = "y".repeat(1024);
    assertEquals(exact, new ProtocolErrorFrame(exact).message());
    // Multi-byte characters must not be split, and the result must still fit.
    for (String unit : new String[] {"\u00e9", "\u20ac", "\ud83d\udcbe"}) {
      String message = new ProtocolErrorFrame(unit.repeat(1000)).message();
      int length = message.getBytes(StandardCharsets.UTF_8).length;
      assertTrue(
          length <= ProtocolErrorFrame.MAXIMUM_MESSAGE_LENGTH, unit + ": " + length + " bytes");
      assertTrue(message.endsWith("..."), unit);
      assertFalse(message.contains("\ufffd"), unit + ": a split character became U+FFFD");
    }
  }

  @Test
  void maximumFrameLength() {
    assertEquals(20 + 252 + 1024, Frame.maximumFrameLength(1024));
  }
}
