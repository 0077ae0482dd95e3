package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logical units behind one target: REPORT LUNS, and LUNs with no drive (SPC-4 4.6.5). */
class TargetTest {

  @TempDir Path dir;

  private Harness mo;
  private Harness dvd;
  private Target target;
  private Nexus host;

  @BeforeEach
  void setUp() {
    mo = new Harness(dir, "mo-640", TimingMode.FAST, 0);
    dvd = new Harness(dir, "dvd-ram", TimingMode.FAST, 2);
    target = new Target(List.of(dvd.firmware, mo.firmware));
    host = new Nexus("host");
  }

  @AfterEach
  void tearDown() {
    mo.close();
    dvd.close();
  }

  private Result run(int lun, Cdb cdb) {
    return run(lun, cdb.encode());
  }

  private Result run(int lun, byte[] cdb) {
    DataIn.Heap in = new DataIn.Heap();
    Response response = target.execute(host, lun, cdb, ByteBuffer.allocate(0), in);
    return new Result(response, in.bytes(response));
  }

  @Test
  void unitsAreSortedByLun() {
    assertEquals(List.of(0, 2), List.copyOf(target.units().keySet()));
    assertSame(mo.firmware, target.unit(0));
    assertSame(dvd.firmware, target.unit(2));
    assertNull(target.unit(1));
  }

  @Test
  void twoDrivesOnOneLunAreRefused(@TempDir Path other) {
    try (Harness second = new Harness(other, "cdrom", TimingMode.FAST, 0)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new Target(List.of(mo.firmware, second.firmware)));
      assertTrue(e.getMessage().contains("LUN 0"), e.getMessage());
    }
  }

  @Test
  void reportLunsListsTheConfiguredLunsFromAnyLun() {
    for (int lun : new int[] {0, 1, 2, 255}) {
      Result r = assertGood(run(lun, new ReportLuns(64)));
      assertArrayEquals(
          HexFormat.of()
              .parseHex("00000010" + "00000000" + "0000000000000000" + "0002000000000000"),
          r.data());
      assertEquals(List.of(0, 2), LunList.decode(r.data()).luns());
    }
  }

  @Test
  void reportLunsIsNotHeldUpByAUnitAttention() {
    assertGood(run(0, new ReportLuns(64)));
    assertCheck(run(0, new TestUnitReady()), 0x06, 0x29, 0x00);
  }

  @Test
  void reportLunsTruncatesButReportsTheFullLength() {
    Result r = assertGood(run(0, new ReportLuns(16)));
    assertArrayEquals(HexFormat.of().parseHex("00000010000000000000000000000000"), r.data());
    assertEquals(List.of(0), LunList.decode(r.data()).luns());
  }

  @Test
  void reportLunsRejectsAllocationLengthBelowSixteen() {
    for (long length : new long[] {0, 8, 15}) {
      SenseData sense = assertCheck(run(0, new ReportLuns(length)), 0x05, 0x24, 0x00);
      assertFieldPointer(sense, 6, -1);
    }
  }

  @Test
  void reportLunsSelectReport() {
    Result wellKnown = assertGood(run(0, new ReportLuns(1, 64, 0)));
    assertArrayEquals(HexFormat.of().parseHex("0000000000000000"), wellKnown.data());
    Result all = assertGood(run(0, new ReportLuns(2, 64, 0)));
    assertEquals(List.of(0, 2), LunList.decode(all.data()).luns());
    assertFieldPointer(assertCheck(run(0, new ReportLuns(3, 64, 0)), 0x05, 0x24, 0x00), 2, -1);
    assertFieldPointer(assertCheck(run(0, new ReportLuns(0, 64, 0x04)), 0x05, 0x24, 0x00), 11, 2);
    // a REPORT LUNS CDB of the wrong length
    assertFieldPointer(
        assertCheck(run(0, new byte[] {(byte) 0xA0, 0, 0, 0, 0, 0}), 0x05, 0x24, 0x00), 0, -1);
  }

  @Test
  void commandsToAMissingLunAreLogicalUnitNotSupported() {
    for (int lun : new int[] {1, 3, 255}) {
      assertCheck(run(lun, new TestUnitReady()), 0x05, 0x25, 0x00);
      assertCheck(run(lun, new Read10(0, 1)), 0x05, 0x25, 0x00);
      assertCheck(run(lun, StartStopUnit.eject()), 0x05, 0x25, 0x00);
      assertCheck(run(lun, Inquiry.vpd(0x80, 64)), 0x05, 0x25, 0x00);
      assertCheck(run(lun, new byte[0]), 0x05, 0x25, 0x00);
    }
  }

  @Test
  void requestSenseToAMissingLunIsGoodWithLogicalUnitNotSupportedAsData() {
    // SPC-4 6.39 / SAM-5, incorrect logical unit selection: the incorrect logical unit is reported
    // in the sense data, GOOD.
    Result r = assertGood(run(1, new RequestSense(false, 252, 0)));
    SenseData sense = SenseData.decode(r.data());
    assertEquals(0x05, sense.key().code());
    assertEquals(0x25, sense.asc());
    assertEquals(0x00, sense.ascq());
    assertEquals(8, assertGood(run(1, new RequestSense(false, 8, 0))).data().length);
    assertGoodNoData(run(1, new RequestSense(false, 0, 0)));
  }

  @Test
  void inquiryToAMissingLunReportsQualifier011() {
    Result r = assertGood(run(1, Inquiry.standard(36)));
    assertEquals(36, r.data().length);
    assertEquals(0x7F, r.data()[0] & 0xFF, "qualifier 011b, device type 1Fh");
    StandardInquiryData data = StandardInquiryData.decode(r.data());
    assertEquals(StandardInquiryData.QUALIFIER_NOT_SUPPORTED, data.peripheralQualifier());
    assertEquals(StandardInquiryData.DEVICE_TYPE_UNKNOWN, data.peripheralDeviceType());
    Result five = assertGood(run(1, Inquiry.standard(5)));
    assertArrayEquals(java.util.Arrays.copyOf(r.data(), 5), five.data());
    assertGoodNoData(run(1, Inquiry.standard(0)));
  }

  @Test
  void commandsReachTheDriveOfTheirLun() {
    StandardInquiryData lun0 =
        StandardInquiryData.decode(assertGood(run(0, Inquiry.standard(36))).data());
    StandardInquiryData lun2 =
        StandardInquiryData.decode(assertGood(run(2, Inquiry.standard(36))).data());
    assertEquals("MO-640 SCSI", lun0.product());
    assertEquals(0, lun0.peripheralQualifier());
    assertEquals("DVD-RAM", lun2.product());
    assertCheck(run(0, new TestUnitReady()), 0x06, 0x29, 0x00);
    assertCheck(run(0, new TestUnitReady()), 0x02, 0x3A, 0x00);
    // unit attentions are per logical unit as well as per nexus
    assertCheck(run(2, new TestUnitReady()), 0x06, 0x29, 0x00);
    assertCheck(run(2, new TestUnitReady()), 0x02, 0x3A, 0x01);
  }

  @Test
  void disconnectReleasesPreventOnEveryDrive() {
    mo.insert("MO-0001");
    dvd.insert("DVD-0001");
    mo.clearUnitAttentions(host);
    dvd.clearUnitAttentions(host);
    assertGoodNoData(run(0, PreventAllowMediumRemoval.of(true)));
    assertGoodNoData(run(2, PreventAllowMediumRemoval.of(true)));
    assertTrue(mo.firmware.status().removalPrevented());
    assertTrue(dvd.firmware.status().removalPrevented());
    target.disconnect(host);
    assertFalse(mo.firmware.status().removalPrevented());
    assertFalse(dvd.firmware.status().removalPrevented());
  }
}
