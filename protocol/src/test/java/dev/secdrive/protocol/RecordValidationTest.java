package dev.secdrive.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Compact constructors reject values their fields cannot hold; a few per kind of check. */
class RecordValidationTest {

  private static void rejects(String message, Executable constructor) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, constructor);
    assertEquals(message, e.getMessage());
  }

  @Test
  void cdbFieldsMustFitTheirBits() {
    rejects("lba out of range for 32 bits: 4294967296", () -> new Read10(0x1_0000_0000L, 1));
    rejects("lba out of range for 32 bits: -1", () -> new Read10(-1, 1));
    rejects("transferLength out of range for 16 bits: 65536", () -> new Read10(0, 65536));
    rejects("rdprotect out of range for 3 bits: 8", () -> new Read10(8, false, false, 0, 0, 1, 0));
    rejects(
        "groupNumber out of range for 5 bits: 32", () -> new Read10(0, false, false, 0, 32, 1, 0));
    rejects(
        "transferLength out of range for 32 bits: 4294967296", () -> new Read16(0, 0x1_0000_0000L));
    rejects("allocationLength out of range for 16 bits: 65536", () -> Inquiry.standard(65536));
    rejects("pageCode out of range for 8 bits: 256", () -> Inquiry.vpd(256, 4));
    rejects("pageCode out of range for 6 bits: 64", () -> new ModeSense6(false, 0, 64, 0, 4, 0));
    rejects(
        "pageControl out of range for 2 bits: 4", () -> new ModeSense6(false, 4, 0x3F, 0, 4, 0));
    rejects(
        "allocationLength out of range for 8 bits: 256",
        () -> new ModeSense6(false, 0, 8, 0, 256, 0));
    rejects(
        "powerCondition out of range for 4 bits: 16",
        () -> new StartStopUnit(false, 0, 16, false, false, true, 0));
    rejects("prevent out of range for 2 bits: 4", () -> new PreventAllowMediumRemoval(4, 0));
    rejects("byteCheck out of range for 2 bits: 4", () -> new Verify10(0, 1, 4));
    rejects("control out of range for 8 bits: 256", () -> new TestUnitReady(256));
    rejects("control out of range for 8 bits: -1", () -> new TestUnitReady(-1));
    rejects(
        "reportingOptions out of range for 3 bits: 8",
        () -> new ReportSupportedOperationCodes(false, 8, 0, 0, 16, 0));
    rejects(
        "requestedServiceAction out of range for 16 bits: 65536",
        () -> new ReportSupportedOperationCodes(false, 2, 0x9E, 65536, 16, 0));
  }

  @Test
  void boundaryValuesAreAccepted() {
    assertDoesNotThrow(() -> new Read10(0xFFFF_FFFFL, 65535));
    assertDoesNotThrow(() -> new Read16(-1L, 0xFFFF_FFFFL)); // 64-bit LBA: every long is valid
    assertDoesNotThrow(() -> new TestUnitReady(255));
    assertDoesNotThrow(() -> new ModeSense6(true, 3, 0x3F, 255, 255, 255));
  }

  @Test
  void senseFieldsMustFit() {
    rejects(
        "ASC/ASCQ out of range: 256/0",
        () -> new SenseData(false, SenseKey.NO_SENSE, 256, 0, 0, null));
    rejects(
        "ASC/ASCQ out of range: 0/-1",
        () -> new SenseData(false, SenseKey.NO_SENSE, 0, -1, 0, null));
    rejects(
        "INFORMATION out of range: 4294967296",
        () -> new SenseData(true, SenseKey.MEDIUM_ERROR, 0x11, 0, 0x1_0000_0000L, null));
    assertThrows(NullPointerException.class, () -> new SenseData(false, null, 0, 0, 0, null));
    rejects("field pointer bit out of range: 8", () -> FieldPointer.cdb(1, 8));
    rejects("field pointer bit out of range: -2", () -> FieldPointer.cdb(1, -2));
    rejects("field pointer byte out of range: 65536", () -> FieldPointer.parameter(65536));
    rejects("field pointer byte out of range: -1", () -> FieldPointer.cdb(-1));
  }

  @Test
  void parameterDataFieldsMustFit() {
    rejects(
        "returnedLba out of range for 32 bits: 4294967296",
        () -> new ReadCapacity10Data(0x1_0000_0000L, 512));
    rejects("LUN out of range: 256", () -> new LunList(List.of(0, 256)));
    rejects("LUN out of range: -1", () -> new LunList(List.of(-1)));
    rejects(
        "vendor longer than 8 characters: SECDRIVE1",
        () -> new StandardInquiryData(0, 0, true, 6, "SECDRIVE1", "", ""));
    rejects(
        "product is not printable ASCII: dr\u00efve",
        () -> new StandardInquiryData(0, 0, true, 6, "", "dr\u00efve", ""));
    rejects(
        "revision is not printable ASCII: 1\t2",
        () -> new StandardInquiryData(0, 0, true, 6, "", "", "1\t2"));
    rejects(
        "peripheralQualifier out of range for 3 bits: 8",
        () -> new StandardInquiryData(8, 0, true, 6, "", "", ""));
    rejects(
        "versionDescriptors: at most 8, got 9",
        () ->
            new StandardInquiryData(
                0, 0, true, 6, "", "", "", java.util.Collections.nCopies(9, 0x0460)));
    rejects(
        "versionDescriptors: 0000h is not a descriptor",
        () -> new StandardInquiryData(0, 0, true, 6, "", "", "", List.of(0x0460, 0)));
    rejects("serialNumber is not printable ASCII: A\nB", () -> new UnitSerialNumber(0, "A\nB"));
    rejects(
        "serialNumber longer than 1024 characters: " + "X".repeat(1025),
        () -> new MediaSerialNumber("X".repeat(1025)));
    rejects(
        "numberOfBlocks out of range for 24 bits: 16777216",
        () -> new ModeParameters6.BlockDescriptor(0, 0x100_0000L, 512));
    rejects(
        "mode parameter list longer than 256 bytes",
        () -> new ModeParameters6(0, false, null, new byte[253]));
    assertDoesNotThrow(() -> new ModeParameters6(0, false, null, new byte[252]));
    rejects(
        "designator longer than 255 bytes",
        () -> new DeviceIdentification.Designator(1, 0, 2, new byte[256]));
  }

  @Test
  void arrayComponentsAreCopiedIn() {
    byte[] pages = {0x08, 0x00};
    ModeParameters6 mode = new ModeParameters6(0, false, null, pages);
    pages[0] = 0x3F;
    assertEquals(0x08, mode.pages()[0]);
    mode.pages()[0] = 0x3F;
    assertEquals(0x08, mode.pages()[0]);
  }
}
