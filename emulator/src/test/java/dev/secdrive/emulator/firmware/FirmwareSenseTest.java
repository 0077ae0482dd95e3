package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static dev.secdrive.emulator.firmware.Harness.assertInformation;
import static dev.secdrive.emulator.firmware.Harness.assertNoFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.SynchronizeCache10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.cdb.Write16;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ILLEGAL REQUEST, DATA PROTECT, MEDIUM ERROR and MISCOMPARE conditions. */
class FirmwareSenseTest {

  private static final int BLOCK = 2048;
  private static final long BLOCKS = 310_352;

  @TempDir Path dir;

  private Harness h;
  private Medium medium;
  private Nexus host;

  @BeforeEach
  void setUp() {
    h = new Harness(dir, "mo-640", TimingMode.FAST);
    medium = h.insert("MO-0001");
    host = h.nexus();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private Result run(byte[] cdb) {
    return h.run(host, cdb);
  }

  private Result run(Cdb cdb) {
    return h.run(host, cdb);
  }

  private Result run(Cdb cdb, byte[] dataOut) {
    return h.run(host, cdb, dataOut);
  }

  private static byte[] cdb(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return out;
  }

  private SenseData invalidField(byte[] cdb, int byteOffset, int bit) {
    SenseData sense = assertCheck(run(cdb), 0x05, 0x24, 0x00);
    assertFieldPointer(sense, byteOffset, bit);
    return sense;
  }

  // ------------------------------------------------------------------ 05/20/00

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x02, 0x04, 0x07, 0x4C, 0x5A, 0xA1, 0xB6, 0xBE, 0x42, 0xFF})
  void unknownOperationCodeIsInvalidCommandOperationCode(int opcode) {
    byte[] bytes = new byte[Math.max(6, Opcode.cdbLength(opcode))];
    bytes[0] = (byte) opcode;
    SenseData sense = assertCheck(run(bytes), 0x05, 0x20, 0x00);
    assertFieldPointer(sense, 0, -1);
  }

  /** The protocol's decoder says what kind of error and where; these are the bytes it becomes. */
  @Test
  void undecodableCdbsBecomeTheseSenseBytes() {
    SenseData opcode = assertCheck(run(cdb(0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 0xFF, 0)), 5, 0x20, 0);
    // 70h, key 5, ASC 20h, SKSV + C/D, field pointer 0000h
    assertArrayEquals(
        java.util.HexFormat.of().parseHex("700005000000000A00000000200000C00000"), opcode.encode());
    assertEquals(
        "ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE (05/20/00) at CDB byte 0",
        opcode.describe());
    SenseData serviceAction =
        assertCheck(run(cdb(0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0)), 5, 0x24, 0);
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00) at CDB byte 1 bit 4",
        serviceAction.describe());
    // SKSV + C/D + BPV + bit 4 = CCh, field pointer 0001h
    assertArrayEquals(
        java.util.HexFormat.of().parseHex("700005000000000A00000000240000CC0001"),
        serviceAction.encode());
    assertFieldPointer(assertCheck(run(cdb(0x28, 0, 0, 0, 0, 0)), 5, 0x24, 0), 0, -1);
  }

  @Test
  void emptyCdbIsInvalidCommandOperationCode() {
    assertFieldPointer(assertCheck(run(new byte[0]), 0x05, 0x20, 0x00), 0, -1);
  }

  @Test
  void commandTheProfileDoesNotListIsInvalidCommandOperationCode(@TempDir Path other) {
    try (Harness cd = new Harness(other, "cdrom", TimingMode.FAST)) {
      cd.insert("CD-0001", "cd-rom-650");
      Nexus n = cd.nexus();
      assertFalse(cd.profile().supports("WRITE(10)"));
      for (byte[] cdb :
          List.of(
              new Write10(0, 1).encode(),
              new Write16(0, 1).encode(),
              new SynchronizeCache10().encode())) {
        SenseData sense = assertCheck(cd.run(n, cdb, new byte[BLOCK]), 0x05, 0x20, 0x00);
        assertFieldPointer(sense, 0, -1);
      }
      assertGood(cd.run(n, new Read10(0, 1)));
    }
  }

  // ------------------------------------------------------------------ 05/24/00

  @Test
  void inquiryPageCodeWithoutEvpd() {
    invalidField(new Inquiry(false, 0x80, 36, 0).encode(), 2, -1);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x81, 0x86, 0xB1, 0xFF})
  void unsupportedVpdPage(int page) {
    invalidField(Inquiry.vpd(page, 255).encode(), 2, -1);
  }

  @Test
  void nacaBitIsRefusedInTheControlByte() {
    invalidField(new TestUnitReady(Cdb.CONTROL_NACA).encode(), 5, 2);
    invalidField(new Inquiry(false, 0, 36, 0x04).encode(), 5, 2);
    invalidField(new Read10(0, false, false, 0, 0, 1, 0x04).encode(), 9, 2);
    invalidField(new Read16(0, false, false, 0, 1, 0, 0x04).encode(), 15, 2);
    invalidField(new RequestSense(false, 18, 0x04).encode(), 5, 2);
  }

  @Test
  void protectionFieldsAreRefused() {
    invalidField(new Read10(1, false, false, 0, 0, 1, 0).encode(), 1, 7);
    invalidField(new Read16(7, false, false, 0, 1, 0, 0).encode(), 1, 7);
    SenseData write =
        assertCheck(run(new Write10(2, false, false, 0, 0, 1, 0), new byte[BLOCK]), 5, 0x24, 0);
    assertFieldPointer(write, 1, 7);
    SenseData write16 =
        assertCheck(run(new Write16(3, false, false, 0, 1, 0, 0), new byte[BLOCK]), 5, 0x24, 0);
    assertFieldPointer(write16, 1, 7);
    invalidField(new Verify10(1, false, 0, 0, 0, 1, 0).encode(), 1, 7);
  }

  @Test
  void startStopPowerConditionIsGoodAndIgnoresStartAndLoej() {
    // SBC-3 5.25: with a POWER CONDITION, START and LOEJ are ignored; the eject does not happen.
    assertGoodNoData(run(new StartStopUnit(false, 0, 0x3, false, true, false, 0)));
    assertEquals(DriveState.READY, h.firmware.status().state());
  }

  @Test
  void preventForMediumChangersIsRefused() {
    invalidField(new PreventAllowMediumRemoval(2, 0).encode(), 4, 1);
    invalidField(new PreventAllowMediumRemoval(3, 0).encode(), 4, 1);
    assertFalse(h.firmware.status().removalPrevented());
  }

  @Test
  void asynchronousEventStatusIsRefused() {
    invalidField(new GetEventStatusNotification(false, 0x10, 8, 0).encode(), 1, 0);
  }

  @Test
  void transferLengthAboveTheMaximumIsRefused() {
    int max = Firmware.MAXIMUM_TRANSFER_BYTES / BLOCK;
    invalidField(new Read10(0, max + 1).encode(), 7, -1);
    invalidField(new Read16(0, max + 1).encode(), 10, -1);
    invalidField(new Verify10(0, max + 1, 0).encode(), 7, -1);
    SenseData write = assertCheck(run(new Write10(0, max + 1), new byte[0]), 5, 0x24, 0);
    assertFieldPointer(write, 7, -1);
    SenseData write16 = assertCheck(run(new Write16(0, max + 1), new byte[0]), 5, 0x24, 0);
    assertFieldPointer(write16, 10, -1);
  }

  @Test
  void modeSenseOfAnUnsupportedPage() {
    invalidField(new ModeSense6(false, 0, 0x01, 0, 255, 0).encode(), 2, 5);
    invalidField(new ModeSense6(false, 0, 0x1C, 0, 255, 0).encode(), 2, 5);
    invalidField(new ModeSense6(false, 0, 0x08, 0x01, 255, 0).encode(), 3, -1);
    invalidField(new ModeSense6(false, 0, 0x3F, 0x01, 255, 0).encode(), 3, -1);
  }

  @Test
  void modeSenseOfSavedValuesIsSavingParametersNotSupported() {
    SenseData sense =
        assertCheck(
            run(new ModeSense6(false, ModeSense6.PAGE_CONTROL_SAVED, 0x08, 0, 255, 0)),
            0x05,
            0x39,
            0x00);
    assertFieldPointer(sense, 2, 7);
  }

  @Test
  void otherInvalidFields() {
    invalidField(new RequestSense(true, 18, 0).encode(), 1, 0); // descriptor format
    invalidField(new ReadCapacity10(5, false, 0).encode(), 2, -1); // LBA without PMI
    invalidField(new ReadCapacity16(5, 32, false, 0).encode(), 2, -1);
    invalidField(new Verify10(0, 1, 0b10).encode(), 1, 2); // BYTCHK 10b
    invalidField(new Verify10(0, 1, 0b11).encode(), 1, 2);
    invalidField(cdb(0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 1, 4); // unknown SA
    invalidField(cdb(0xAB, 0x02, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0), 1, 4);
    invalidField(cdb(0x28, 0, 0, 0, 0, 1), 0, -1); // READ(10) in a 6-byte CDB
    invalidField(cdb(0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, -1); // TEST UNIT READY in 10 bytes
    invalidField(cdb(0x9E), 0, -1); // service action opcode without a byte 1
  }

  @Test
  void writeDataOutOfAnotherLengthWritesTheCdbsWholeBlocksAndReportsTheCalledLength() {
    byte[] before = pattern(2 * BLOCK, 5);
    Result exact = run(new Write10(10, 2), before);
    assertGoodNoData(exact);
    assertEquals(2 * BLOCK, exact.response().dataOutLength());
    // Cut inside a block: nothing can be written (FCP-4 option b)
    assertCheck(run(new Write16(10, 2), new byte[2 * BLOCK - 1]), 0x05, 0x0E, 0x03);
    assertCheck(run(new Write10(10, 2), new byte[BLOCK / 2]), 0x05, 0x0E, 0x03);
    assertArrayEquals(before, assertGood(run(new Read10(10, 2))).data());
    // Longer than the CDB: its blocks only; shorter by whole blocks: those blocks only (option a)
    byte[] longer = pattern(3 * BLOCK, 8);
    Result over = run(new Write10(10, 1), longer);
    assertGoodNoData(over);
    assertEquals(BLOCK, over.response().dataOutLength());
    byte[] shorter = pattern(BLOCK, 12);
    Result under = run(new Write10(11, 2), shorter);
    assertGoodNoData(under);
    assertEquals(2 * BLOCK, under.response().dataOutLength());
    byte[] expected = new byte[2 * BLOCK];
    System.arraycopy(longer, 0, expected, 0, BLOCK);
    System.arraycopy(shorter, 0, expected, BLOCK, BLOCK);
    assertArrayEquals(expected, assertGood(run(new Read10(10, 2))).data());
    // A zero-block write takes nothing, whatever was sent
    assertEquals(
        0, assertGood(run(new Write10(10, 0), new byte[BLOCK])).response().dataOutLength());
    assertArrayEquals(expected, assertGood(run(new Read10(10, 2))).data());
  }

  @Test
  void verifyByteCheckDataOutMustMatchTheLength() {
    assertFieldPointer(
        assertCheck(run(new Verify10(0, 2, Verify10.BYTCHK_COMPARE), new byte[BLOCK]), 5, 0x24, 0),
        7,
        -1);
  }

  // ------------------------------------------------------------------ 05/21/00

  @Test
  void lbaOutOfRange() {
    SenseData last = assertCheck(run(new Read10(BLOCKS, 1)), 0x05, 0x21, 0x00);
    assertNoFieldPointer(last);
    assertGood(run(new Read10(BLOCKS - 1, 1)));
    assertGood(run(new Read10(BLOCKS - 1, 0)));
    // SBC-3: an LBA past the last one is out of range even when nothing is transferred.
    assertCheck(run(new Read10(BLOCKS, 0)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read10(BLOCKS - 1, 2)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read16(BLOCKS, 1)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read16(0x8000_0000_0000_0000L, 1)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read16(0xFFFF_FFFF_FFFF_FFFFL, 1)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read16(0x7FFF_FFFF_FFFF_FFFFL, 0xFFFF_FFFFL)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read16(BLOCKS - 1, 0xFFFF_FFFFL)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read10(0xFFFF_FFFFL, 0xFFFF)), 0x05, 0x21, 0x00);
    assertCheck(run(new Write10(BLOCKS, 1), new byte[BLOCK]), 0x05, 0x21, 0x00);
    assertCheck(run(new Write16(0x8000_0000_0000_0000L, 1), new byte[BLOCK]), 0x05, 0x21, 0x00);
    assertCheck(run(new Verify10(BLOCKS, 1, 0)), 0x05, 0x21, 0x00);
    assertCheck(run(new SynchronizeCache10(false, BLOCKS, 0, 0, 0)), 0x05, 0x21, 0x00);
    assertCheck(run(new SynchronizeCache10(false, BLOCKS - 1, 0, 2, 0)), 0x05, 0x21, 0x00);
  }

  // ------------------------------------------------------------------ 07/27/00

  @Test
  void writeProtectTabRefusesWrites() {
    byte[] data = pattern(BLOCK, 9);
    assertGoodNoData(run(new Write10(3, 1), data));
    h.firmware.setWriteProtected(true);
    assertTrue(medium.metadata().readOnly());
    SenseData sense = assertCheck(run(new Write10(3, 1), new byte[BLOCK]), 0x07, 0x27, 0x00);
    assertNoFieldPointer(sense);
    assertCheck(run(new Write16(3, 1), new byte[BLOCK]), 0x07, 0x27, 0x00);
    assertCheck(run(new Write10(3, 0), new byte[0]), 0x07, 0x27, 0x00);
    // reads, verifies and cache flushes still work, and the data is untouched
    assertArrayEquals(data, assertGood(run(new Read10(3, 1))).data());
    assertGoodNoData(run(new Verify10(3, 1, Verify10.BYTCHK_COMPARE), data));
    assertGoodNoData(run(new SynchronizeCache10()));

    h.firmware.setWriteProtected(false);
    assertFalse(medium.metadata().readOnly());
    assertGoodNoData(run(new Write10(3, 1), new byte[BLOCK]));
    assertArrayEquals(new byte[BLOCK], assertGood(run(new Read10(3, 1))).data());
  }

  @Test
  void pressedMediaAreReadOnly(@TempDir Path other) throws Exception {
    try (Harness cd = new Harness(other, "cdrom", TimingMode.FAST)) {
      Medium disc = cd.create("CDROM-0001", "cd-rom-650");
      assertTrue(disc.metadata().pressed());
      assertTrue(disc.metadata().readOnly());
      assertFalse(disc.metadata().writeProtected());
      cd.firmware.insert(disc);
      Nexus n = cd.nexus();
      Result mode = assertGood(cd.run(n, new ModeSense6(false, 0, 0x3F, 0, 255, 0)));
      assertEquals(0x80, mode.data()[2] & 0x80, "WP");
      assertTrue(ModeParameters6.decode(mode.data()).writeProtected());
      assertTrue(cd.firmware.status().writeProtected());
      assertArrayEquals(new byte[BLOCK], assertGood(cd.run(n, new Read10(0, 1))).data());
      assertThrows(DriveControlException.class, () -> cd.firmware.setWriteProtected(false));
    }
  }

  // ------------------------------------------------------------------ 03/11/00, 03/0C/00

  @Test
  void injectedReadErrorNamesTheFailingLba() {
    h.firmware.faults().addReadError(10);
    h.firmware.faults().addReadError(20);
    SenseData sense = assertCheck(run(new Read10(8, 4)), 0x03, 0x11, 0x00);
    assertInformation(sense, 10);
    assertInformation(assertCheck(run(new Read16(15, 10)), 0x03, 0x11, 0x00), 20);
    assertInformation(assertCheck(run(new Verify10(20, 1, 0)), 0x03, 0x11, 0x00), 20);
    assertInformation(
        assertCheck(
            run(new Verify10(9, 2, Verify10.BYTCHK_COMPARE), new byte[2 * BLOCK]), 3, 0x11, 0),
        10);
    assertGood(run(new Read10(0, 10)));
    assertGood(run(new Read10(11, 9)));
    assertGoodNoData(run(new Read10(10, 0)));
    assertEquals(List.of(10L, 20L), h.firmware.faults().readErrors());
    h.firmware.faults().clear();
    assertGood(run(new Read10(8, 4)));
  }

  @Test
  void injectedWriteErrorWritesTheBlocksBeforeIt() {
    h.firmware.faults().addWriteError(12);
    byte[] data = pattern(4 * BLOCK, 17);
    SenseData sense = assertCheck(run(new Write10(10, 4), data), 0x03, 0x0C, 0x00);
    assertInformation(sense, 12);
    assertNoFieldPointer(sense);
    byte[] onMedium = assertGood(run(new Read10(10, 4))).data();
    assertArrayEquals(Arrays.copyOf(data, 2 * BLOCK), Arrays.copyOf(onMedium, 2 * BLOCK));
    assertArrayEquals(new byte[2 * BLOCK], Arrays.copyOfRange(onMedium, 2 * BLOCK, 4 * BLOCK));

    // a failure on the first block writes nothing
    assertInformation(
        assertCheck(run(new Write16(12, 1), pattern(BLOCK, 1)), 0x03, 0x0C, 0x00), 12);
    assertArrayEquals(new byte[BLOCK], assertGood(run(new Read10(12, 1))).data());
    // reads of the LBA are not affected
    assertEquals(List.of(12L), h.firmware.faults().writeErrors());
    h.firmware.faults().clear();
    assertGoodNoData(run(new Write10(10, 4), data));
    assertArrayEquals(data, assertGood(run(new Read10(10, 4))).data());
  }

  // ------------------------------------------------------------------ 0E/1D/00

  @Test
  void verifyMiscompareNamesTheByteOffset() {
    byte[] data = pattern(3 * BLOCK, 23);
    assertGoodNoData(run(new Write10(50, 3), data));
    byte[] different = data.clone();
    different[3000] ^= 0x01;
    different[5000] ^= 0x01;
    SenseData sense =
        assertCheck(run(new Verify10(50, 3, Verify10.BYTCHK_COMPARE), different), 0x0E, 0x1D, 0x00);
    assertInformation(sense, 3000);
    byte[] first = data.clone();
    first[0] ^= (byte) 0x80;
    assertInformation(
        assertCheck(run(new Verify10(50, 3, Verify10.BYTCHK_COMPARE), first), 0x0E, 0x1D, 0x00), 0);
    assertGoodNoData(run(new Verify10(50, 3, Verify10.BYTCHK_COMPARE), data));
  }
}
