package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static dev.secdrive.emulator.firmware.Harness.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cdb.ByteCheckCommand;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.CompareAndWrite;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.GetLbaStatus;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSelect6;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.OrWrite16;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.cdb.PreFetch10;
import dev.secdrive.protocol.cdb.PreFetch16;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read12;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.Read6;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.ReadDefectData10;
import dev.secdrive.protocol.cdb.ReadDefectData12;
import dev.secdrive.protocol.cdb.ReadMediaSerialNumber;
import dev.secdrive.protocol.cdb.Release6;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.Reserve6;
import dev.secdrive.protocol.cdb.SendDiagnostic;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.SynchronizeCache10;
import dev.secdrive.protocol.cdb.SynchronizeCache16;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.cdb.Verify12;
import dev.secdrive.protocol.cdb.Verify16;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.cdb.Write12;
import dev.secdrive.protocol.cdb.Write16;
import dev.secdrive.protocol.cdb.WriteAndVerify10;
import dev.secdrive.protocol.cdb.WriteAndVerify12;
import dev.secdrive.protocol.cdb.WriteAndVerify16;
import dev.secdrive.protocol.cdb.WriteSame10;
import dev.secdrive.protocol.cdb.WriteSame16;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.DefectListHeader;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.DeviceIdentification.Designator;
import dev.secdrive.protocol.data.LbaStatus;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.PersistentReserveInData;
import dev.secdrive.protocol.data.PersistentReserveParameters;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.ReadCapacity16Data;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedVpdPages;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GOOD case, with the returned bytes checked, for every command secdrive implements. */
class FirmwareCommandsTest {

  private static final long MO640_BLOCKS = 310_352;
  private static final long DVD47_BLOCKS = 2_295_104;

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

  private Result run(Cdb cdb) {
    return h.run(host, cdb);
  }

  private Result run(Cdb cdb, byte[] dataOut) {
    return h.run(host, cdb, dataOut);
  }

  // ------------------------------------------------------------------ every opcode

  @Test
  void everyOpcodeHasAGoodAnswer() {
    int blockSize = medium.blockSize();
    Map<Opcode, Cdb> cdbs = new EnumMap<>(Opcode.class);
    cdbs.put(Opcode.TEST_UNIT_READY, new TestUnitReady());
    cdbs.put(Opcode.REQUEST_SENSE, new RequestSense(false, 18, 0));
    cdbs.put(Opcode.INQUIRY, Inquiry.standard(36));
    cdbs.put(Opcode.MODE_SENSE_6, new ModeSense6(false, 0, ModeSense6.ALL_PAGES, 0, 255, 0));
    cdbs.put(Opcode.START_STOP_UNIT, StartStopUnit.spin(true));
    cdbs.put(Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL, PreventAllowMediumRemoval.of(false));
    cdbs.put(Opcode.READ_CAPACITY_10, new ReadCapacity10());
    cdbs.put(Opcode.READ_10, new Read10(0, 1));
    cdbs.put(Opcode.WRITE_10, new Write10(0, 1));
    cdbs.put(Opcode.VERIFY_10, new Verify10(0, 1, Verify10.BYTCHK_NONE));
    cdbs.put(Opcode.SYNCHRONIZE_CACHE_10, new SynchronizeCache10());
    cdbs.put(Opcode.SYNCHRONIZE_CACHE_16, new SynchronizeCache16());
    cdbs.put(Opcode.MODE_SELECT_6, new ModeSelect6(0)); // no list: nothing changes, GOOD
    cdbs.put(Opcode.SEND_DIAGNOSTIC, SendDiagnostic.defaultSelfTest());
    cdbs.put(Opcode.GET_EVENT_STATUS_NOTIFICATION, GetEventStatusNotification.media(8));
    cdbs.put(Opcode.WRITE_AND_VERIFY_10, new WriteAndVerify10(0, 1, 0));
    cdbs.put(Opcode.WRITE_SAME_10, new WriteSame10(0, 1));
    cdbs.put(Opcode.WRITE_SAME_16, new WriteSame16(0, 1));
    cdbs.put(Opcode.READ_12, new Read12(0, 1));
    cdbs.put(Opcode.VERIFY_12, new Verify12(0, 1, 0));
    cdbs.put(Opcode.WRITE_AND_VERIFY_12, new WriteAndVerify12(0, 1, 0));
    cdbs.put(Opcode.VERIFY_16, new Verify16(0, 1, 0));
    cdbs.put(Opcode.WRITE_AND_VERIFY_16, new WriteAndVerify16(0, 1, 0));
    cdbs.put(Opcode.WRITE_12, new Write12(0, 1));
    cdbs.put(Opcode.READ_16, new Read16(0, 1));
    cdbs.put(Opcode.WRITE_16, new Write16(0, 1));
    cdbs.put(Opcode.READ_CAPACITY_16, new ReadCapacity16(32));
    cdbs.put(Opcode.READ_6, new Read6(0, 1));
    cdbs.put(Opcode.RESERVE_6, new Reserve6());
    cdbs.put(
        Opcode.PERSISTENT_RESERVE_IN, new PersistentReserveIn(PersistentReserveIn.READ_KEYS, 64));
    cdbs.put(
        Opcode.PERSISTENT_RESERVE_OUT,
        new PersistentReserveOut(PersistentReserveOut.REGISTER, 0)); // key 0, unregistered: GOOD
    cdbs.put(Opcode.READ_DEFECT_DATA_10, new ReadDefectData10(true, true, 0, 32, 0));
    cdbs.put(Opcode.READ_DEFECT_DATA_12, new ReadDefectData12(false, true, 3, 0, 32, 0));
    cdbs.put(Opcode.GET_LBA_STATUS, new GetLbaStatus(0, 24));
    cdbs.put(Opcode.RELEASE_6, new Release6());
    cdbs.put(Opcode.PRE_FETCH_10, new PreFetch10(0, 1));
    cdbs.put(Opcode.PRE_FETCH_16, new PreFetch16(0, 1));
    cdbs.put(Opcode.ORWRITE_16, new OrWrite16(0, 1));
    cdbs.put(Opcode.COMPARE_AND_WRITE, new CompareAndWrite(0, 0)); // compares 0 blocks: no data
    cdbs.put(Opcode.REPORT_LUNS, new ReportLuns(64));
    cdbs.put(Opcode.REPORT_SUPPORTED_OPERATION_CODES, ReportSupportedOperationCodes.all(4096));
    cdbs.put(Opcode.READ_MEDIA_SERIAL_NUMBER, new ReadMediaSerialNumber(64));
    cdbs.put(
        Opcode.SECURITY_PROTOCOL_IN,
        new dev.secdrive.protocol.cdb.SecurityProtocolIn(0x00, 0x0000, 64));
    cdbs.put(
        Opcode.SECURITY_PROTOCOL_OUT,
        new dev.secdrive.protocol.cdb.SecurityProtocolOut(0xF0, 0x0103, 0));
    // The CD commands, which this profile does not list, have theirs in CdAudioFirmwareTest.
    assertEquals(h.firmware.supportedCommands(), cdbs.keySet(), "a case for every opcode");

    Target target = new Target(List.of(h.firmware));
    for (Opcode opcode : h.firmware.supportedCommands()) {
      byte[] cdb = cdbs.get(opcode).encode();
      assertEquals(opcode.code(), cdb[0] & 0xFF);
      assertEquals(opcode.cdbLength(), cdb.length);
      boolean writes = opcode.text().startsWith("WRITE") || opcode == Opcode.ORWRITE_16;
      byte[] dataOut =
          opcode == Opcode.PERSISTENT_RESERVE_OUT
              ? new PersistentReserveParameters(0, 0).encode()
              : writes ? pattern(blockSize, opcode.code()) : new byte[0];
      DataIn.Heap in = new DataIn.Heap();
      Response response = target.execute(host, 0, cdb, ByteBuffer.wrap(dataOut), in);
      assertGood(new Result(response, in.bytes(response)));
      assertEquals(0, response.delayNanos(), "fast timing: " + opcode);
    }
  }

  // ------------------------------------------------------------------ TEST UNIT READY

  @Test
  void testUnitReadyIsGoodWithoutData() {
    assertGoodNoData(run(new TestUnitReady()));
  }

  // ------------------------------------------------------------------ REQUEST SENSE

  @Test
  void requestSenseWithNothingPendingReturnsNoSense() {
    Result r = assertGood(run(new RequestSense(false, 252, 0)));
    assertEquals(18, r.data().length);
    assertEquals(0x70, r.data()[0] & 0xFF);
    assertEquals(0x00, r.data()[2] & 0x0F);
    assertEquals(10, r.data()[7]);
    assertEquals(0, r.data()[12]);
    assertEquals(0, r.data()[13]);
    assertEquals(SenseKey.NO_SENSE, SenseData.decode(r.data()).key());
  }

  @Test
  void requestSenseHonoursAllocationLength() {
    Result r = assertGood(run(new RequestSense(false, 8, 0)));
    assertEquals(8, r.data().length);
    assertEquals(0x70, r.data()[0] & 0xFF);
    assertEquals(10, r.data()[7]);
  }

  // ------------------------------------------------------------------ INQUIRY

  @Test
  void standardInquiryDescribesTheProfile() {
    Result r = assertGood(run(Inquiry.standard(255)));
    assertEquals(74, r.data().length, "through the version descriptors, bytes 58-73");
    assertEquals(
        new StandardInquiryData(
            0,
            0x07,
            true,
            0x06,
            "SECDRIVE",
            "MO-640 SCSI",
            "1.00",
            List.of(0x00A0, 0x0460, 0x04C0)),
        StandardInquiryData.decode(r.data()));
    assertEquals(0x07, r.data()[0], "qualifier 000b, optical memory device");
    assertEquals((byte) 0x80, r.data()[1], "RMB");
    assertEquals(0x06, r.data()[2], "SPC-4");
    assertEquals(0x02, r.data()[3] & 0x0F, "response data format 2");
    assertEquals(69, r.data()[4], "additional length");
    assertEquals(0x04, r.data()[62], "SBC-3 (04C0h), third version descriptor");
    assertEquals((byte) 0xC0, r.data()[63]);
    assertEquals(
        "SECDRIVE", new String(Arrays.copyOfRange(r.data(), 8, 16), StandardCharsets.US_ASCII));
    assertEquals(
        "MO-640 SCSI     ",
        new String(Arrays.copyOfRange(r.data(), 16, 32), StandardCharsets.US_ASCII));
    assertEquals(h.firmware.inquiryData(), StandardInquiryData.decode(r.data()));
  }

  @Test
  void inquiryTruncatesToTheAllocationLength() {
    byte[] full = assertGood(run(Inquiry.standard(36))).data();
    Result five = assertGood(run(Inquiry.standard(5)));
    assertEquals(5, five.response().dataInLength());
    assertArrayEquals(Arrays.copyOf(full, 5), five.data());
    assertGoodNoData(run(Inquiry.standard(0)));
  }

  @Test
  void inquiryOfATrayDriveReportsDeviceType05(@TempDir Path other) {
    try (Harness dvd = new Harness(other, "dvd-ram", TimingMode.FAST)) {
      Nexus n = dvd.nexus();
      StandardInquiryData data =
          StandardInquiryData.decode(assertGood(dvd.run(n, Inquiry.standard(36))).data());
      assertEquals(0x05, data.peripheralDeviceType());
      assertEquals("DVD-RAM", data.product());
      assertEquals(List.of(), data.versionDescriptors(), "36 bytes asked: no descriptors");
      StandardInquiryData full =
          StandardInquiryData.decode(assertGood(dvd.run(n, Inquiry.standard(96))).data());
      assertEquals(List.of(0x00A0, 0x0460, 0x04E0), full.versionDescriptors(), "SAM-5 SPC-4 MMC-6");
      assertEquals("2.00", data.revision());
    }
  }

  @Test
  void vpdPage00ListsTheSupportedPages() {
    Result r = assertGood(run(Inquiry.vpd(0x00, 255)));
    SupportedVpdPages pages = SupportedVpdPages.decode(r.data());
    assertEquals(List.of(0x00, 0x80, 0x83, 0xB0), pages.pages());
    assertEquals(0x07, r.data()[0]);
    assertEquals(0x00, r.data()[1]);
    assertEquals(4, r.data()[3]);
  }

  @Test
  void vpdPage80IsTheDeviceId() {
    Result r = assertGood(run(Inquiry.vpd(0x80, 255)));
    assertEquals(Harness.DEVICE_ID, UnitSerialNumber.decode(r.data()).serialNumber());
    assertEquals((byte) 0x80, r.data()[1]);
    assertEquals(Harness.DEVICE_ID.length(), r.data()[3]);
    assertEquals(
        Harness.DEVICE_ID, new String(r.data(), 4, r.data().length - 4, StandardCharsets.US_ASCII));
  }

  @Test
  void vpdPage83HasT10VendorAndLocallyAssignedNaaDesignators() throws Exception {
    Result r = assertGood(run(Inquiry.vpd(0x83, 255)));
    DeviceIdentification id = DeviceIdentification.decode(r.data());
    assertEquals(0x07, id.peripheralDeviceType());
    assertEquals(2, id.designators().size());

    Designator t10 = id.designators().get(0);
    assertEquals(Designator.CODE_SET_ASCII, t10.codeSet());
    assertEquals(Designator.ASSOCIATION_LOGICAL_UNIT, t10.association());
    assertEquals(Designator.TYPE_T10_VENDOR_ID, t10.type());
    assertEquals(
        "SECDRIVE" + "MO-640 SCSI     " + Harness.DEVICE_ID,
        new String(t10.value(), StandardCharsets.US_ASCII));

    // NAA 3h, locally assigned (SPC-4, NAA designator): no IEEE company ID is claimed.
    Designator naa = id.designators().get(1);
    assertEquals(Designator.CODE_SET_BINARY, naa.codeSet());
    assertEquals(Designator.ASSOCIATION_LOGICAL_UNIT, naa.association());
    assertEquals(Designator.TYPE_NAA, naa.type());
    assertEquals(8, naa.value().length);
    assertEquals(0x3, (naa.value()[0] & 0xF0) >>> 4, "NAA field");
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(("secdrive naa-3 " + Harness.DEVICE_ID).getBytes(StandardCharsets.US_ASCII));
    byte[] expected = Arrays.copyOf(digest, 8);
    expected[0] = (byte) (0x30 | expected[0] & 0x0F);
    assertArrayEquals(expected, naa.value());
  }

  @Test
  void vpdPageB0ReportsEightMebibytesInBlocks() {
    Result r = assertGood(run(Inquiry.vpd(0xB0, 255)));
    BlockLimits limits = BlockLimits.decode(r.data());
    assertEquals((8 << 20) / 2048, limits.maximumTransferLength());
    assertEquals(Firmware.MAXIMUM_TRANSFER_BYTES / 2048, limits.maximumTransferLength());
    assertEquals((128 << 10) / 2048, limits.optimalTransferLength());
    assertEquals((byte) 0xB0, r.data()[1]);
    assertEquals(0x3C, r.data()[3]);
  }

  @Test
  void vpdPageB0FollowsTheBlockSizeOfTheLoadedMedium() throws Exception {
    h.firmware.remove(true).close();
    // no medium: the profile's default medium (2048-byte blocks)
    assertEquals(
        4096, BlockLimits.decode(run(Inquiry.vpd(0xB0, 64)).data()).maximumTransferLength());
    h.firmware.insert(h.create("MO230-1", "mo-230"));
    h.clearUnitAttentions(host);
    BlockLimits limits = BlockLimits.decode(assertGood(run(Inquiry.vpd(0xB0, 64))).data());
    assertEquals((8 << 20) / 512, limits.maximumTransferLength());
    assertEquals((128 << 10) / 512, limits.optimalTransferLength());
  }

  // ------------------------------------------------------------------ MODE SENSE(6)

  @Test
  void modeSenseReturnsHeaderBlockDescriptorCachingAndControlPages() {
    Result r = assertGood(run(new ModeSense6(false, 0, ModeSense6.ALL_PAGES, 0, 255, 0)));
    byte[] d = r.data();
    assertEquals(4 + 8 + 20 + 12, d.length);
    assertEquals(d.length - 1, d[0] & 0xFF, "mode data length");
    assertEquals(0, d[2] & 0x80, "WP clear");
    assertEquals(8, d[3], "block descriptor length");
    ModeParameters6 mode = ModeParameters6.decode(d);
    assertFalse(mode.writeProtected());
    assertEquals(
        new ModeParameters6.BlockDescriptor(0, MO640_BLOCKS, 2048), mode.blockDescriptor());
    byte[] pages = mode.pages();
    assertEquals(20 + 12, pages.length);
    assertEquals(0x08, pages[0], "caching page");
    assertEquals(0x12, pages[1], "caching page length");
    assertEquals(0x04, pages[2] & 0x04, "WCE set: GOOD writes sit in the page cache until forced");
    // Control page (SPC-4, Control mode page), in page code order after the caching page.
    assertEquals(0x0A, pages[20], "control page");
    assertEquals(0x0A, pages[21], "control page length");
    assertEquals(0x02, pages[22], "TST 000b, D_SENSE 0, GLTSD 1");
    assertEquals(0x00, pages[23], "QUEUE ALGORITHM MODIFIER 0, QERR 00b");
    assertEquals(0x00, pages[24], "UA_INTLCK_CTRL 00b, SWP 0");
    assertEquals(0xFFFF, ByteBuffer.wrap(pages).getShort(28) & 0xFFFF, "busy timeout unlimited");

    Result caching = assertGood(run(new ModeSense6(false, 0, 0x08, 0, 255, 0)));
    assertEquals(4 + 8 + 20, caching.data().length, "the caching page alone");
    assertArrayEquals(
        Arrays.copyOfRange(d, 1, 4 + 8 + 20), Arrays.copyOfRange(caching.data(), 1, 4 + 8 + 20));
    Result control = assertGood(run(new ModeSense6(false, 0, 0x0A, 0, 255, 0)));
    assertArrayEquals(
        Arrays.copyOfRange(d, 4 + 8 + 20, d.length),
        Arrays.copyOfRange(control.data(), 4 + 8, control.data().length),
        "the control page alone equals the one of all pages");
    Result changeable =
        assertGood(run(new ModeSense6(true, ModeSense6.PAGE_CONTROL_CHANGEABLE, 0x0A, 0, 255, 0)));
    assertArrayEquals(
        HexFormat.of().parseHex("0A0A00000000000000000000"),
        Arrays.copyOfRange(changeable.data(), 4, changeable.data().length),
        "nothing in the control page is changeable");
  }

  @Test
  void modeSenseWithDbdOmitsTheBlockDescriptor() {
    Result r = assertGood(run(new ModeSense6(true, 0, 0x08, 0, 255, 0)));
    assertEquals(4 + 20, r.data().length);
    assertEquals(0, r.data()[3]);
    assertNull(ModeParameters6.decode(r.data()).blockDescriptor());
    assertEquals(0x08, r.data()[4]);
  }

  @Test
  void modeSenseWpBitFollowsTheWriteProtectTab() {
    h.firmware.setWriteProtected(true);
    Result r = assertGood(run(new ModeSense6(false, 0, 0x3F, 0, 255, 0)));
    assertEquals(0x80, r.data()[2] & 0x80);
    assertTrue(ModeParameters6.decode(r.data()).writeProtected());
    h.firmware.setWriteProtected(false);
    assertEquals(0, assertGood(run(new ModeSense6(false, 0, 0x3F, 0, 255, 0))).data()[2] & 0x80);
  }

  @Test
  void modeSenseTruncatesButKeepsTheFullModeDataLength() {
    Result r = assertGood(run(new ModeSense6(false, 0, 0x3F, 0, 4, 0)));
    assertEquals(4, r.data().length);
    assertEquals(43, r.data()[0]);
  }

  @Test
  void modeSenseChangeableAndDefaultValuesAndAllSubpages() {
    assertGood(run(new ModeSense6(false, ModeSense6.PAGE_CONTROL_CHANGEABLE, 0x08, 0, 255, 0)));
    assertGood(run(new ModeSense6(false, ModeSense6.PAGE_CONTROL_DEFAULT, 0x08, 0, 255, 0)));
    assertGood(run(new ModeSense6(false, 0, ModeSense6.ALL_PAGES, 0xFF, 255, 0)));
  }

  @Test
  void modeSenseWithoutMediumHasNoBlockDescriptor() throws Exception {
    h.firmware.remove(true).close();
    Result r = assertGood(run(new ModeSense6(false, 0, 0x3F, 0, 255, 0)));
    assertEquals(0, r.data()[3]);
    assertNull(ModeParameters6.decode(r.data()).blockDescriptor());
  }

  // ------------------------------------------------------------------ START STOP / PREVENT

  @Test
  void startStopUnitStopsAndStarts() {
    assertGoodNoData(run(StartStopUnit.spin(false)));
    assertEquals(DriveState.STOPPED, h.firmware.status().state());
    assertCheck(run(new TestUnitReady()), 0x02, 0x04, 0x02);
    assertGoodNoData(run(StartStopUnit.spin(true)));
    assertEquals(DriveState.READY, h.firmware.status().state());
    assertGoodNoData(run(new TestUnitReady()));
  }

  @Test
  void startStopUnitEjectsAndLoads() {
    assertGoodNoData(run(StartStopUnit.eject()));
    assertEquals(DriveState.TRAY_OPEN, h.firmware.status().state());
    assertEquals("MO-0001", h.firmware.status().mediumId(), "the cartridge sits in the slot");
    assertCheck(run(new TestUnitReady()), 0x02, 0x3A, 0x00);
    Nexus other = h.nexus();
    h.run(other, new TestUnitReady()); // its power-on attention, so it is a nexus of the unit
    assertGoodNoData(run(StartStopUnit.load()));
    // The nexus that loaded the medium knows it did; another hears the change (SPC-4 5.14).
    assertGoodNoData(run(new TestUnitReady()));
    assertCheck(h.run(other, new TestUnitReady()), 0x06, 0x28, 0x00);
    assertGoodNoData(h.run(other, new TestUnitReady()));
  }

  @Test
  void startStopUnitWithAPowerConditionIgnoresStartAndLoej() {
    // SBC-3 5.25: a POWER CONDITION makes START and LOEJ ignored; no power state to change here.
    for (int condition = 1; condition < 16; condition++) {
      assertGoodNoData(run(new StartStopUnit(true, 0, condition, false, true, false, 0)));
      assertEquals(DriveState.READY, h.firmware.status().state(), "not ejected: " + condition);
      assertGoodNoData(run(new TestUnitReady()));
    }
  }

  @Test
  void preventAllowSetsAndClearsTheNexusPrevent() {
    assertGoodNoData(run(PreventAllowMediumRemoval.of(true)));
    assertTrue(h.firmware.status().removalPrevented());
    assertGoodNoData(run(PreventAllowMediumRemoval.of(false)));
    assertFalse(h.firmware.status().removalPrevented());
  }

  // ------------------------------------------------------------------ READ CAPACITY

  @Test
  void readCapacity10OfAnMo640Medium() {
    Result r = assertGood(run(new ReadCapacity10()));
    assertArrayEquals(HexFormat.of().parseHex("0004BC4F00000800"), r.data());
    assertEquals(
        new ReadCapacity10Data(MO640_BLOCKS - 1, 2048), ReadCapacity10Data.decode(r.data()));
    // PMI with an LBA is obsolete but allowed
    assertGood(run(new ReadCapacity10(1000, true, 0)));
  }

  @Test
  void readCapacity10OfAnMo230MediumInTheMo640Drive() throws Exception {
    h.firmware.remove(true).close();
    h.firmware.insert(h.create("MO230-1", "mo-230"));
    h.clearUnitAttentions(host);
    Result r = assertGood(run(new ReadCapacity10()));
    assertArrayEquals(HexFormat.of().parseHex("0006CF7400000200"), r.data());
  }

  @Test
  void readCapacity16OfAnMo640Medium() {
    Result r = assertGood(run(new ReadCapacity16(32)));
    assertEquals(32, r.data().length);
    assertEquals(
        new ReadCapacity16Data(MO640_BLOCKS - 1, 2048), ReadCapacity16Data.decode(r.data()));
    assertArrayEquals(
        HexFormat.of().parseHex("000000000004BC4F00000800"), Arrays.copyOf(r.data(), 12));
    for (int i = 12; i < 32; i++) {
      assertEquals(0, r.data()[i], "byte " + i);
    }
    Result shortAnswer = assertGood(run(new ReadCapacity16(12)));
    assertArrayEquals(Arrays.copyOf(r.data(), 12), shortAnswer.data());
  }

  @Test
  void readCapacityOfADvdRamMedium(@TempDir Path other) {
    try (Harness dvd = new Harness(other, "dvd-ram", TimingMode.FAST)) {
      dvd.insert("DVD-0001", "dvd-ram-4.7");
      Nexus n = dvd.nexus();
      Result r10 = assertGood(dvd.run(n, new ReadCapacity10()));
      assertArrayEquals(HexFormat.of().parseHex("0023053F00000800"), r10.data());
      Result r16 = assertGood(dvd.run(n, new ReadCapacity16(32)));
      assertEquals(
          new ReadCapacity16Data(DVD47_BLOCKS - 1, 2048), ReadCapacity16Data.decode(r16.data()));
      Result mode = assertGood(dvd.run(n, new ModeSense6(false, 0, 0x3F, 0, 255, 0)));
      assertEquals(
          new ModeParameters6.BlockDescriptor(0, DVD47_BLOCKS, 2048),
          ModeParameters6.decode(mode.data()).blockDescriptor());
    }
  }

  @Test
  void mediumBeyondThirtyTwoBitLbas() throws Exception {
    h.firmware.remove(true).close();
    long blocks = 0x1_0000_0010L; // 2 TiB of 512-byte blocks, sparse
    Medium huge;
    try {
      huge = h.create("MO-HUGE", "mo-230", 512, blocks, false);
    } catch (dev.secdrive.emulator.media.MediumException e) {
      org.junit.jupiter.api.Assumptions.abort("file system refuses a 2 TiB sparse file: " + e);
      return;
    }
    h.firmware.insert(huge);
    h.clearUnitAttentions(host);
    assertArrayEquals(
        HexFormat.of().parseHex("FFFFFFFF00000200"), assertGood(run(new ReadCapacity10())).data());
    assertEquals(
        new ReadCapacity16Data(blocks - 1, 512),
        ReadCapacity16Data.decode(assertGood(run(new ReadCapacity16(32))).data()));
    assertEquals(
        0xFF_FFFFL,
        ModeParameters6.decode(assertGood(run(new ModeSense6(false, 0, 0x3F, 0, 255, 0))).data())
            .blockDescriptor()
            .numberOfBlocks());
    byte[] data = pattern(512, 77);
    assertGoodNoData(run(new Write16(blocks - 1, 1), data));
    assertArrayEquals(data, assertGood(run(new Read16(blocks - 1, 1))).data());
    // an LBA that does not fit in INFORMATION leaves VALID clear (SPC-4 4.5.3)
    h.firmware.faults().addReadError(0x1_0000_0005L);
    SenseData sense = assertCheck(run(new Read16(0x1_0000_0000L, 8)), 0x03, 0x11, 0x00);
    assertFalse(sense.valid());
    assertEquals(0, sense.encode()[0] & 0x80);
  }

  // ------------------------------------------------------------------ READ / WRITE / VERIFY

  @Test
  void write10ThenRead10RoundTrips() {
    byte[] data = pattern(3 * 2048, 7);
    assertGoodNoData(run(new Write10(100, 3), data));
    Result r = assertGood(run(new Read10(100, 3)));
    assertArrayEquals(data, r.data());
    assertArrayEquals(new byte[2048], assertGood(run(new Read10(99, 1))).data(), "unwritten");
    assertArrayEquals(new byte[2048], assertGood(run(new Read10(103, 1))).data(), "unwritten");
    assertArrayEquals(
        Arrays.copyOfRange(data, 2048, 4096), assertGood(run(new Read10(101, 1))).data());
  }

  @Test
  void write16ThenRead16RoundTripsAtTheLastBlocks() {
    long lba = MO640_BLOCKS - 2;
    byte[] data = pattern(2 * 2048, 11);
    assertGoodNoData(run(new Write16(lba, 2), data));
    assertArrayEquals(data, assertGood(run(new Read16(lba, 2))).data());
    // the (10) and (16) forms address the same blocks
    assertArrayEquals(data, assertGood(run(new Read10(lba, 2))).data());
    byte[] other = pattern(2048, 99);
    assertGoodNoData(run(new Write10(5, 1), other));
    assertArrayEquals(other, assertGood(run(new Read16(5, 1))).data());
  }

  @Test
  void write12ThenRead12AddressTheBlocksOfTheOtherForms() {
    byte[] data = pattern(2 * 2048, 13);
    assertGoodNoData(run(new Write12(0, true, true, 40, 0, 2, 0), data)); // DPO and FUA accepted
    assertArrayEquals(data, assertGood(run(new Read12(40, 2))).data());
    assertArrayEquals(data, assertGood(run(new Read10(40, 2))).data());
    assertGoodNoData(run(new Read12(MO640_BLOCKS - 1, 0))); // zero blocks transfer nothing
    assertCheck(run(new Read12(MO640_BLOCKS, 0)), 0x05, 0x21, 0x00); // but the LBA is checked
    assertCheck(run(new Read12(MO640_BLOCKS - 1, 2)), 0x05, 0x21, 0x00);
    assertCheck(run(new Write12(0, 2), new byte[2047]), 0x05, 0x0E, 0x03); // ends inside a block
  }

  @Test
  void writeAndVerifyWritesAndVerify12And16CompareWhatWasWritten() {
    byte[] data = pattern(3 * 2048, 17);
    assertGoodNoData(
        run(new WriteAndVerify10(60, 1, ByteCheckCommand.BYTCHK_NONE), slice(data, 0)));
    assertGoodNoData(
        run(new WriteAndVerify12(61, 1, ByteCheckCommand.BYTCHK_COMPARE), slice(data, 1)));
    assertGoodNoData(
        run(new WriteAndVerify16(62, 1, ByteCheckCommand.BYTCHK_NONE), slice(data, 2)));
    assertArrayEquals(data, assertGood(run(new Read10(60, 3))).data());
    assertGoodNoData(run(new Verify12(60, 3, ByteCheckCommand.BYTCHK_COMPARE), data));
    assertGoodNoData(run(new Verify16(60, 3, ByteCheckCommand.BYTCHK_NONE)));
    byte[] changed = data.clone();
    changed[2048 + 5] ^= 1;
    SenseData miscompare =
        assertCheck(
            run(new Verify16(60, 3, ByteCheckCommand.BYTCHK_COMPARE), changed), 0x0E, 0x1D, 0x00);
    assertEquals(2048 + 5, miscompare.information());
    assertCheck(run(new Verify12(0, 1, 0b10)), 0x05, 0x24, 0x00); // BYTCHK 10b is not served
    assertCheck(run(new WriteAndVerify16(0, 1, 0b11), new byte[2048]), 0x05, 0x24, 0x00);
    assertCheck(run(new WriteAndVerify12(MO640_BLOCKS, 1, 0), new byte[2048]), 0x05, 0x21, 0x00);
  }

  @Test
  void writeSameFillsTheRangeAndZeroBlocksReachTheEndWithinTheLimit() {
    byte[] block = pattern(2048, 23);
    assertGoodNoData(run(new WriteSame10(200, 3), block));
    byte[] three = assertGood(run(new Read10(200, 3))).data();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(block, slice(three, i));
    }
    assertArrayEquals(new byte[2048], assertGood(run(new Read10(203, 1))).data(), "untouched");
    // 0 blocks: to the last block, allowed within MAXIMUM WRITE SAME LENGTH (4,096 blocks here)
    assertGoodNoData(run(new WriteSame16(MO640_BLOCKS - 2, 0), block));
    assertArrayEquals(block, assertGood(run(new Read16(MO640_BLOCKS - 1, 1))).data());
    assertCheck(run(new WriteSame16(0, 0), block), 0x05, 0x24, 0x00); // the whole medium
    assertCheck(run(new WriteSame10(0, 4097), block), 0x05, 0x24, 0x00);
    assertCheck(run(new WriteSame10(MO640_BLOCKS - 1, 2), block), 0x05, 0x21, 0x00);
    assertCheck(run(new WriteSame10(0, true, false, 0, 0, 1, 0), block), 0x05, 0x24, 0x00);
    assertCheck(run(new WriteSame16(0, false, false, true, 0, 1, 0, 0)), 0x05, 0x24, 0x00);
    assertCheck(run(new WriteSame10(0, 1), new byte[4096]), 0x05, 0x24, 0x00); // two blocks
    assertEquals(
        4096,
        BlockLimits.decode(assertGood(run(Inquiry.vpd(0xB0, 64))).data()).maximumWriteSameLength());
  }

  @Test
  void read6AddressesTwentyOneBitsAndZeroMeans256Blocks() {
    byte[] data = pattern(256 * 2048, 29);
    assertGoodNoData(run(new Write10(300, 256), data));
    assertArrayEquals(data, assertGood(run(new Read6(300, 0))).data(), "0 = 256 blocks");
    assertArrayEquals(slice(data, 1), assertGood(run(new Read6(301, 1))).data());
    assertCheck(run(new Read6(MO640_BLOCKS, 1)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read6(MO640_BLOCKS - 1, 2)), 0x05, 0x21, 0x00);
    assertCheck(run(new Read6(0x1F_FFFF, 1)), 0x05, 0x21, 0x00);
  }

  @Test
  void preFetchChecksTheRangeAndHoldsNothing() {
    assertGoodNoData(run(new PreFetch10(0, 256)));
    assertGoodNoData(run(new PreFetch10(true, 0, 3, 1, 0))); // IMMED and a group number
    assertGoodNoData(run(new PreFetch16(MO640_BLOCKS - 1, 1)));
    assertGoodNoData(run(new PreFetch16(MO640_BLOCKS - 1, 0))); // 0: to the last block
    assertCheck(run(new PreFetch10(MO640_BLOCKS, 0)), 0x05, 0x21, 0x00);
    assertCheck(run(new PreFetch10(MO640_BLOCKS - 1, 2)), 0x05, 0x21, 0x00);
    assertCheck(run(new PreFetch16(-1, 1)), 0x05, 0x21, 0x00); // LBA 2^64 - 1, unsigned
  }

  @Test
  void orWriteOrsTheDataOutIntoTheBlocks() {
    byte[] a5 = new byte[2 * 2048];
    Arrays.fill(a5, (byte) 0xA5);
    byte[] x5a = new byte[2 * 2048];
    Arrays.fill(x5a, (byte) 0x5A);
    assertGoodNoData(run(new Write10(400, 2), a5));
    assertGoodNoData(run(new OrWrite16(400, 2), x5a));
    byte[] ones = new byte[2 * 2048];
    Arrays.fill(ones, (byte) 0xFF);
    assertArrayEquals(ones, assertGood(run(new Read10(400, 2))).data());
    assertArrayEquals(new byte[2048], assertGood(run(new Read10(402, 1))).data(), "untouched");
    assertGoodNoData(run(new OrWrite16(400, 0), new byte[0]));
    assertCheck(run(new OrWrite16(MO640_BLOCKS + 1, 0), new byte[0]), 0x05, 0x21, 0x00);
    assertCheck(
        run(new OrWrite16(1, false, false, 400, 1, 0, 0), new byte[2048]), 0x05, 0x24, 0x00);
    // DPO and FUA are accepted (DPOFUA = 1 in MODE SENSE)
    assertGoodNoData(run(new OrWrite16(0, true, true, 400, 1, 0, 0), new byte[2048]));
    h.firmware.setWriteProtected(true);
    assertCheck(run(new OrWrite16(400, 1), new byte[2048]), 0x07, 0x27, 0x00);
  }

  @Test
  void compareAndWriteWritesOnlyWhenTheVerifyInstanceMatches() {
    byte[] a = new byte[3 * 2048];
    Arrays.fill(a, (byte) 'A');
    assertGoodNoData(run(new Write10(500, 3), a));
    byte[] both = new byte[2 * 3 * 2048];
    Arrays.fill(both, 0, a.length, (byte) 'A');
    Arrays.fill(both, a.length, both.length, (byte) 'B');
    both[3 * 2048 - 27] = 'C'; // one byte of the verify instance differs, in its last block
    SenseData miscompare = assertCheck(run(new CompareAndWrite(500, 3), both), 0x0E, 0x1D, 0x00);
    assertEquals(3 * 2048 - 27, miscompare.information(), "offset of the first differing byte");
    assertArrayEquals(a, assertGood(run(new Read10(500, 3))).data(), "nothing written");

    both[3 * 2048 - 27] = 'A';
    assertGoodNoData(run(new CompareAndWrite(500, 3), both));
    assertArrayEquals(
        Arrays.copyOfRange(both, a.length, both.length),
        assertGood(run(new Read10(500, 3))).data());

    // The data-out is exactly both instances; 0 blocks compare and write nothing.
    assertCheck(run(new CompareAndWrite(500, 3), Arrays.copyOf(both, 4 * 2048)), 0x05, 0x24, 0x00);
    assertCheck(run(new CompareAndWrite(500, 0), new byte[2 * 2048]), 0x05, 0x24, 0x00);
    assertGoodNoData(run(new CompareAndWrite(500, 0), new byte[0]));
    assertCheck(run(new CompareAndWrite(MO640_BLOCKS - 1, 2), both), 0x05, 0x21, 0x00);
    assertEquals(
        255,
        BlockLimits.decode(assertGood(run(Inquiry.vpd(0xB0, 64))).data())
            .maximumCompareAndWriteLength());
  }

  @Test
  void aReserveHoldsTheUnitForItsNexusUntilReleaseResetOrNexusLoss() {
    Nexus other = h.nexus();
    assertGoodNoData(run(new Reserve6()));
    assertGoodNoData(run(new Reserve6())); // the holder may reserve again
    assertGoodNoData(run(new TestUnitReady()));
    // Another nexus: RESERVATION CONFLICT, no sense, except for what only describes the unit
    for (Cdb cdb :
        List.of(
            new TestUnitReady(),
            new Reserve6(),
            new Read10(0, 1),
            new ModeSense6(false, 0, ModeSense6.ALL_PAGES, 0, 255, 0),
            StartStopUnit.spin(false),
            PreventAllowMediumRemoval.of(true))) {
      Response conflict = h.run(other, cdb).response();
      assertEquals(ScsiStatus.RESERVATION_CONFLICT, conflict.status(), cdb.describe());
      assertNull(conflict.sense());
    }
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        h.run(other, new Write10(0, 1), new byte[2048]).response().status());
    assertGood(h.run(other, Inquiry.standard(36)));
    assertGood(h.run(other, new ReadCapacity10())); // SPC-2 Annex B: these describe, or spin up
    assertGoodNoData(h.run(other, StartStopUnit.spin(true)));
    assertGoodNoData(h.run(other, PreventAllowMediumRemoval.of(false)));
    assertGood(h.run(other, new RequestSense(false, 18, 0)));
    assertGoodNoData(h.run(other, new Release6())); // another nexus's RELEASE does nothing
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT, h.run(other, new TestUnitReady()).response().status());

    assertGoodNoData(run(new Release6()));
    assertGoodNoData(h.run(other, new Reserve6()));
    assertEquals(ScsiStatus.RESERVATION_CONFLICT, run(new TestUnitReady()).response().status());
    h.firmware.disconnect(other); // the holder's nexus is lost
    assertGoodNoData(run(new TestUnitReady()));
    h.clearUnitAttentions(other); // its next commands come as a new nexus's

    assertGoodNoData(h.run(other, new Reserve6()));
    h.firmware.reset(); // LOGICAL UNIT RESET
    h.clearUnitAttentions(host);
    assertGoodNoData(run(new Reserve6()));
    assertCheck(run(new Reserve6(1, 0)), 0x05, 0x24, 0x00); // an extent reservation
  }

  @Test
  void readDefectDataReturnsTheEmptyListsAskedFor() {
    byte[] ten = assertGood(run(new ReadDefectData10(true, false, 0b101, 255, 0))).data();
    assertEquals(new DefectListHeader(false, true, false, 0b101, 0), DefectListHeader.decode(ten));
    assertEquals(4, ten.length);
    byte[] twelve = assertGood(run(new ReadDefectData12(true, true, 0b011, 0, 255, 0))).data();
    assertEquals(new DefectListHeader(true, true, true, 0b011, 0), DefectListHeader.decode(twelve));
    assertEquals(8, twelve.length);
    assertEquals(2, assertGood(run(new ReadDefectData10(true, true, 0, 2, 0))).data().length);
    assertFieldPointer(
        assertCheck(run(new ReadDefectData10(false, false, 0b111, 32, 0)), 0x05, 0x24, 0x00), 2, 2);
  }

  @Test
  void getLbaStatusReportsOneMappedExtentToTheEnd() {
    LbaStatus status = LbaStatus.decode(assertGood(run(new GetLbaStatus(100, 64))).data());
    assertEquals(
        List.of(new LbaStatus.Descriptor(100, MO640_BLOCKS - 100, LbaStatus.MAPPED)),
        status.descriptors());
    assertEquals(24, assertGood(run(new GetLbaStatus(0, 24))).data().length);
    assertCheck(run(new GetLbaStatus(MO640_BLOCKS, 24)), 0x05, 0x21, 0x00);
    assertCheck(run(new GetLbaStatus(-1, 24)), 0x05, 0x21, 0x00);
  }

  private Result prout(Nexus nexus, int action, int type, long key, long serviceActionKey) {
    return h.run(
        nexus,
        new PersistentReserveOut(action, type),
        new PersistentReserveParameters(key, serviceActionKey).encode());
  }

  private byte[] prin(Nexus nexus, int action) {
    return assertGood(h.run(nexus, new PersistentReserveIn(action, 4096))).data();
  }

  @Test
  void theOperatorClearsEveryReservationOfAHostThatDiedHoldingThem() {
    Nexus other = new Nexus("second host");
    h.clearUnitAttentions(other);
    assertGoodNoData(
        prout(host, PersistentReserveOut.REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, 0xA1));
    assertGoodNoData(
        prout(host, PersistentReserveOut.RESERVE, PersistentReserveOut.EXCLUSIVE_ACCESS, 0xA1, 0));
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT, h.run(other, new Read10(0, 1)).response().status());
    long generation =
        PersistentReserveInData.ReadKeys.decode(prin(other, PersistentReserveIn.READ_KEYS))
            .generation();

    h.firmware.clearReservations();
    assertGood(h.run(other, new Read10(0, 1)));
    var keys = PersistentReserveInData.ReadKeys.decode(prin(other, PersistentReserveIn.READ_KEYS));
    assertEquals(List.of(), keys.keys());
    assertEquals(generation + 1, keys.generation());
    assertCheck(h.run(host, new TestUnitReady()), 0x06, 0x2A, 0x03); // the registrant hears it
    assertGoodNoData(h.run(host, new TestUnitReady()));

    // an SPC-2 reservation too
    assertGoodNoData(h.run(other, new Reserve6()));
    assertEquals(ScsiStatus.RESERVATION_CONFLICT, run(new Read10(0, 1)).response().status());
    h.firmware.clearReservations();
    assertGood(run(new Read10(0, 1)));
    assertCheck(h.run(other, new TestUnitReady()), 0x06, 0x2A, 0x03);
  }

  @Test
  void persistentReservationsRegisterReserveFenceAndPreemptPerInitiatorPort() {
    Nexus other = new Nexus("second host"); // another initiator port: another I_T nexus
    h.clearUnitAttentions(other);
    int register = PersistentReserveOut.REGISTER;
    int ignore = PersistentReserveOut.REGISTER_AND_IGNORE_EXISTING_KEY;
    int ea = PersistentReserveOut.EXCLUSIVE_ACCESS;
    int we = PersistentReserveOut.WRITE_EXCLUSIVE;
    assertEquals(ScsiStatus.GOOD, prout(host, ignore, 0, 0, 0xA1).response().status());
    assertEquals(ScsiStatus.GOOD, prout(other, register, 0, 0, 0xB2).response().status());
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        prout(other, register, 0, 0, 0xB3).response().status(),
        "re-registering needs the current key");
    var keys = PersistentReserveInData.ReadKeys.decode(prin(host, PersistentReserveIn.READ_KEYS));
    assertEquals(List.of(0xA1L, 0xB2L), keys.keys());
    assertEquals(2, keys.generation());

    // RESERVE needs the nexus's own key; then the reservation fences the other nexus
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        prout(host, PersistentReserveOut.RESERVE, ea, 0xB2, 0).response().status());
    assertEquals(
        ScsiStatus.GOOD,
        prout(host, PersistentReserveOut.RESERVE, ea, 0xA1, 0).response().status());
    assertEquals(
        new PersistentReserveInData.ReadReservation(2, true, 0xA1, 0, ea),
        PersistentReserveInData.ReadReservation.decode(
            prin(other, PersistentReserveIn.READ_RESERVATION)));
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT, h.run(other, new Read10(0, 1)).response().status());
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        h.run(other, new Write10(0, 1), new byte[2048]).response().status());
    assertGoodNoData(h.run(other, new TestUnitReady())); // SPC-4: allowed under every type
    assertGood(h.run(host, new Read10(0, 1)));
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        h.run(host, new Reserve6()).response().status(),
        "RESERVE(6) meets any persistent registration (CRH 0)");
    assertCheck(
        h.run(
            host,
            new PersistentReserveOut(PersistentReserveOut.RELEASE, we),
            new PersistentReserveParameters(0xA1, 0).encode()),
        0x05,
        0x26,
        0x04); // released with another type

    // PREEMPT: the other nexus takes the reservation; the holder's registration goes
    assertEquals(
        ScsiStatus.GOOD,
        prout(other, PersistentReserveOut.PREEMPT, we, 0xB2, 0xA1).response().status());
    assertEquals(
        List.of(0xB2L),
        PersistentReserveInData.ReadKeys.decode(prin(other, PersistentReserveIn.READ_KEYS)).keys());
    SenseData preempted = assertCheck(h.run(host, new TestUnitReady()), 0x06, 0x2A, 0x05);
    assertNotNull(preempted);
    assertGood(h.run(host, new Read10(0, 1))); // WRITE EXCLUSIVE shares reads
    assertEquals(
        ScsiStatus.RESERVATION_CONFLICT,
        h.run(host, new Write10(0, 1), new byte[2048]).response().status());

    // The registration belongs to the initiator port: it outlives the connection
    h.firmware.disconnect(other);
    h.clearUnitAttentions(other);
    var full =
        PersistentReserveInData.FullStatus.decode(prin(host, PersistentReserveIn.READ_FULL_STATUS));
    assertEquals(1, full.registrants().size());
    assertEquals(other.initiator(), full.registrants().get(0).initiator());
    assertTrue(full.registrants().get(0).holder());

    // CLEAR ends it all, and bumps the generation once
    long before = keys(host).generation();
    assertEquals(
        ScsiStatus.GOOD, prout(other, PersistentReserveOut.CLEAR, 0, 0xB2, 0).response().status());
    assertEquals(List.of(), keys(host).keys());
    assertEquals(before + 1, keys(host).generation());
    assertGoodNoData(h.run(host, new Write10(0, 1), new byte[2048]));

    // What secdrive does not serve is refused, and says which field
    assertCheck(prout(host, PersistentReserveOut.REGISTER_AND_MOVE, 0, 0, 1), 0x05, 0x24, 0x00);
    assertCheck(
        h.run(
            host,
            new PersistentReserveOut(register, 0),
            new PersistentReserveParameters(0, 1, false, false, true).encode()),
        0x05,
        0x26,
        0x00); // APTPL: nothing persists through power loss
    assertCheck(h.run(host, new PersistentReserveOut(register, 0), new byte[23]), 0x05, 0x1A, 0x00);
    assertCheck(h.run(host, new PersistentReserveIn(4, 64)), 0x05, 0x24, 0x00);
    // A bounded table: the 65th initiator port to register is refused, nothing else changes
    List<Nexus> ports = new java.util.ArrayList<>();
    for (int i = 0; i < PersistentReservations.MAXIMUM_REGISTRATIONS; i++) {
      Nexus port = new Nexus("port " + i);
      ports.add(port);
      h.clearUnitAttentions(port);
      assertEquals(ScsiStatus.GOOD, prout(port, register, 0, 0, 0x100 + i).response().status());
    }
    Nexus extra = new Nexus("one port too many");
    h.clearUnitAttentions(extra);
    assertCheck(prout(extra, register, 0, 0, 0xFFFF), 0x05, 0x55, 0x04);
    assertEquals(PersistentReservations.MAXIMUM_REGISTRATIONS, keys(host).keys().size());
    // ... unless a registrant's connection is gone: the oldest such gives way
    h.firmware.disconnect(ports.get(0));
    assertEquals(ScsiStatus.GOOD, prout(extra, register, 0, 0, 0xFFFF).response().status());
    List<Long> now = keys(host).keys();
    assertEquals(PersistentReservations.MAXIMUM_REGISTRATIONS, now.size());
    assertFalse(now.contains(0x100L), "port 0, registered first, is not connected: forgotten");
    assertTrue(now.contains(0xFFFFL));
    assertCheck(
        h.run(
            host,
            new PersistentReserveOut(register, 0),
            new PersistentReserveParameters(0, 1, false, true, false).encode()),
        0x05,
        0x26,
        0x00); // ALL_TG_PT, with ATP_C 0
    var caps =
        PersistentReserveInData.ReportCapabilities.decode(
            prin(host, PersistentReserveIn.REPORT_CAPABILITIES));
    assertTrue(caps.typeMaskValid());
    assertEquals(0xEA01, caps.typeMask());
    assertFalse(caps.persistThroughPowerLossCapable());
  }

  private PersistentReserveInData.ReadKeys keys(Nexus nexus) {
    return PersistentReserveInData.ReadKeys.decode(prin(nexus, PersistentReserveIn.READ_KEYS));
  }

  private static byte[] slice(byte[] data, int block) {
    return Arrays.copyOfRange(data, block * 2048, (block + 1) * 2048);
  }

  @Test
  void writesReachTheMedium() throws Exception {
    byte[] data = pattern(2048, 3);
    assertGoodNoData(run(new Write10(42, 1), data));
    ByteBuffer onMedium = ByteBuffer.allocate(2048);
    medium.read(42, onMedium);
    assertArrayEquals(data, onMedium.array());
  }

  @Test
  void transferLengthZeroIsGoodWithoutData() {
    assertGoodNoData(run(new Read10(5, 0)));
    assertGoodNoData(run(new Read16(5, 0)));
    assertGoodNoData(run(new Write10(5, 0), new byte[0]));
    assertGoodNoData(run(new Write16(5, 0), new byte[0]));
    assertGoodNoData(run(new Verify10(5, 0, Verify10.BYTCHK_NONE)));
  }

  @Test
  void largestTransferIsAccepted() {
    int blocks = Firmware.MAXIMUM_TRANSFER_BYTES / 2048;
    Result r = assertGood(run(new Read10(0, blocks)));
    assertEquals(Firmware.MAXIMUM_TRANSFER_BYTES, r.data().length);
  }

  @Test
  void verifyWithoutByteCheckIsGood() {
    assertGoodNoData(run(new Verify10(0, 16, Verify10.BYTCHK_NONE)));
  }

  @Test
  void verifyWithByteCheckMatchesWrittenData() {
    byte[] data = pattern(2 * 2048, 21);
    assertGoodNoData(run(new Write10(7, 2), data));
    assertGoodNoData(run(new Verify10(7, 2, Verify10.BYTCHK_COMPARE), data));
    assertGoodNoData(run(new Verify10(1000, 1, Verify10.BYTCHK_COMPARE), new byte[2048]));
  }

  @Test
  void synchronizeCacheIsGood() {
    assertGoodNoData(run(new SynchronizeCache10()));
    assertGoodNoData(run(new SynchronizeCache10(false, 10, 0, 5, 0)));
    assertGoodNoData(run(new SynchronizeCache10(true, MO640_BLOCKS - 1, 0, 0, 0)));
  }

  // ------------------------------------------------------------------ GET EVENT STATUS

  @Test
  void eventStatusReportsNewMediaOnceThenNoChange() throws Exception {
    h.firmware.remove(true).close();
    h.clearUnitAttentions(host);
    Result first = assertGood(run(GetEventStatusNotification.media(8)));
    assertEquals(
        new MediaEventStatus(false, MediaEvent.MEDIA_REMOVAL, false, false),
        MediaEventStatus.decode(first.data()));
    Result none = assertGood(run(GetEventStatusNotification.media(8)));
    assertEquals(MediaEvent.NO_CHANGE, MediaEventStatus.decode(none.data()).event());
    assertFalse(MediaEventStatus.decode(none.data()).mediumPresent());

    h.firmware.insert(h.create("MO-0002", "mo-640"));
    Result arrived = assertGood(run(GetEventStatusNotification.media(8)));
    assertArrayEquals(HexFormat.of().parseHex("0006041002020000"), arrived.data());
    assertEquals(
        new MediaEventStatus(false, MediaEvent.NEW_MEDIA, true, false),
        MediaEventStatus.decode(arrived.data()));
    Result after = assertGood(run(GetEventStatusNotification.media(8)));
    assertArrayEquals(HexFormat.of().parseHex("0006041000020000"), after.data());
  }

  @Test
  void eventStatusForUnsupportedClassesSetsNea() {
    Result r = assertGood(run(new GetEventStatusNotification(true, 1 << 1, 8, 0)));
    assertEquals(4, r.data().length);
    assertEquals(0x80, r.data()[2] & 0x80, "NEA");
    assertEquals(0x10, r.data()[3], "supported classes: media");
    assertTrue(MediaEventStatus.decode(r.data()).noEventAvailable());
  }

  @Test
  void eventStatusHonoursAllocationLength() {
    Result r = assertGood(run(GetEventStatusNotification.media(4)));
    assertArrayEquals(HexFormat.of().parseHex("00060410"), r.data());
  }

  // ------------------------------------------------------------------ REPORT LUNS

  @Test
  void reportLunsThroughTheTarget() {
    Target target = new Target(List.of(h.firmware));
    DataIn.Heap in = new DataIn.Heap();
    Response response =
        target.execute(host, 0, new ReportLuns(64).encode(), ByteBuffer.allocate(0), in);
    Result r = assertGood(new Result(response, in.bytes(response)));
    assertArrayEquals(HexFormat.of().parseHex("00000008000000000000000000000000"), r.data());
    assertEquals(List.of(0), LunList.decode(r.data()).luns());
  }

  // ------------------------------------------------------------------ REPORT SUPPORTED OPCODES

  @Test
  void reportSupportedOperationCodesListsEveryCommandOfTheProfile() {
    Result r = assertGood(run(ReportSupportedOperationCodes.all(4096)));
    assertEquals(4 + 44 * 8, r.data().length);
    assertEquals(44 * 8, ByteBuffer.wrap(r.data()).getInt(0));
    var descriptors = SupportedOperationCodes.AllCommands.decode(r.data()).commands();
    Set<SupportedOperationCodes.CommandDescriptor> expected =
        h.firmware.supportedCommands().stream()
            .map(
                o ->
                    new SupportedOperationCodes.CommandDescriptor(
                        o.code(),
                        o.hasServiceAction() ? o.serviceAction() : 0,
                        o.hasServiceAction(),
                        o.cdbLength()))
            .collect(Collectors.toSet());
    assertEquals(expected, Set.copyOf(descriptors));
    assertEquals(44, descriptors.size());
  }

  @Test
  void reportSupportedOperationCodesWithRctdAddsCommandTimeouts() {
    Result r =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    true, ReportSupportedOperationCodes.REPORT_ALL, 0, 0, 4096, 0)));
    assertEquals(
        4 + 44 * 20, r.data().length, "8-byte descriptors, each with 12 bytes of timeouts");
    var descriptors = SupportedOperationCodes.AllCommands.decode(r.data()).commands();
    assertEquals(44, descriptors.size());
    for (var d : descriptors) {
      assertNotNull(d.timeouts(), "CTDP set for " + d.operationCode());
      long expected = d.operationCode() == 0x1B ? 30 + 3 : 30; // START STOP UNIT: + the 2.5 s load
      assertEquals(new SupportedOperationCodes.CommandTimeouts(0, expected), d.timeouts());
    }
    assertEquals(0x02, r.data()[4 + 5] & 0x02, "CTDP");
    assertEquals(0x0A, ByteBuffer.wrap(r.data()).getShort(4 + 8), "timeouts descriptor length");

    Result one =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    true, ReportSupportedOperationCodes.REPORT_ONE, 0x28, 0, 64, 0)));
    assertEquals(4 + 10 + 12, one.data().length);
    assertEquals(0x80 | 0b011, one.data()[1] & 0xFF, "CTDP and supported");
    assertEquals(
        new SupportedOperationCodes.OneCommand(
            SupportedOperationCodes.OneCommand.SUPPORTED,
            Opcode.READ_10.usageData(),
            new SupportedOperationCodes.CommandTimeouts(0, 30)),
        SupportedOperationCodes.OneCommand.decode(one.data()));
  }

  @Test
  void reportSupportedOperationCodesOfTheCdromLeavesOutWrites(@TempDir Path other) {
    try (Harness cd = new Harness(other, "cdrom", TimingMode.FAST)) {
      Nexus n = cd.nexus();
      Result r = assertGood(cd.run(n, ReportSupportedOperationCodes.all(4096)));
      Set<Integer> codes =
          SupportedOperationCodes.AllCommands.decode(r.data()).commands().stream()
              .map(SupportedOperationCodes.CommandDescriptor::operationCode)
              .collect(Collectors.toSet());
      assertEquals(22, codes.size());
      assertTrue(codes.contains(0x46), "GET CONFIGURATION (MMC-6 Core feature)");
      assertTrue(codes.contains(0x5A), "MODE SENSE(10) (MMC-6 Core feature)");
      assertTrue(codes.contains(0x55), "MODE SELECT(10) (MMC-6 Core feature)");
      assertFalse(codes.contains(0x2A));
      assertFalse(codes.contains(0x8A));
      assertFalse(codes.contains(0x35));
      assertTrue(codes.contains(0x28));
      Result one =
          assertGood(
              cd.run(
                  n,
                  new ReportSupportedOperationCodes(
                      false, ReportSupportedOperationCodes.REPORT_ONE, 0x2A, 0, 64, 0)));
      assertArrayEquals(HexFormat.of().parseHex("00010000"), one.data(), "not supported");
    }
  }

  @Test
  void reportOneCommandReturnsItsUsageData() {
    Result r =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    false, ReportSupportedOperationCodes.REPORT_ONE, 0x28, 0, 64, 0)));
    assertEquals(4 + 10, r.data().length);
    assertEquals(0b011, r.data()[1] & 0x07, "supported");
    assertEquals(10, ByteBuffer.wrap(r.data()).getShort(2));
    assertArrayEquals(Opcode.READ_10.usageData(), Arrays.copyOfRange(r.data(), 4, 14));

    Result unknown =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    false, ReportSupportedOperationCodes.REPORT_ONE, 0x55, 0, 64, 0)));
    assertEquals(
        new SupportedOperationCodes.OneCommand(
            SupportedOperationCodes.OneCommand.NOT_SUPPORTED, new byte[0]),
        SupportedOperationCodes.OneCommand.decode(unknown.data()));
  }

  @Test
  void reportOneCommandWithServiceAction() {
    Result r =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    false,
                    ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION,
                    0x9E,
                    0x10,
                    64,
                    0)));
    SupportedOperationCodes.OneCommand one = SupportedOperationCodes.OneCommand.decode(r.data());
    assertEquals(SupportedOperationCodes.OneCommand.SUPPORTED, one.support());
    assertArrayEquals(Opcode.READ_CAPACITY_16.usageData(), one.usageData());

    Result otherAction =
        assertGood(
            run(
                new ReportSupportedOperationCodes(
                    false,
                    ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION,
                    0x9E,
                    0x11,
                    64,
                    0)));
    assertEquals(
        SupportedOperationCodes.OneCommand.NOT_SUPPORTED,
        SupportedOperationCodes.OneCommand.decode(otherAction.data()).support());
  }

  @Test
  void reportSupportedOperationCodesRejectsTheWrongReportingOption() {
    SenseData oneForServiceActionOpcode =
        assertCheck(
            run(
                new ReportSupportedOperationCodes(
                    false, ReportSupportedOperationCodes.REPORT_ONE, 0x9E, 0x10, 64, 0)),
            0x05,
            0x24,
            0x00);
    assertFieldPointer(oneForServiceActionOpcode, 3, -1);
    SenseData serviceActionForPlainOpcode =
        assertCheck(
            run(
                new ReportSupportedOperationCodes(
                    false,
                    ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION,
                    0x28,
                    0,
                    64,
                    0)),
            0x05,
            0x24,
            0x00);
    assertFieldPointer(serviceActionForPlainOpcode, 3, -1);
    SenseData reserved =
        assertCheck(
            run(new ReportSupportedOperationCodes(false, 0b011, 0x28, 0, 64, 0)), 0x05, 0x24, 0x00);
    assertFieldPointer(reserved, 2, 2);
  }

  @Test
  void reportSupportedOperationCodesTruncates() {
    Result r = assertGood(run(ReportSupportedOperationCodes.all(4)));
    assertArrayEquals(HexFormat.of().parseHex("00000160"), r.data());
  }

  // ------------------------------------------------------------------ READ MEDIA SERIAL NUMBER

  @Test
  void readMediaSerialNumberReturnsTheMediumId() {
    Result r = assertGood(run(new ReadMediaSerialNumber(64)));
    assertArrayEquals("\0\0\0\bMO-0001 ".getBytes(StandardCharsets.US_ASCII), r.data());
    assertEquals("MO-0001", MediaSerialNumber.decode(r.data()).serialNumber());
    assertEquals(medium.id(), MediaSerialNumber.decode(r.data()).serialNumber());
    Result truncated = assertGood(run(new ReadMediaSerialNumber(6)));
    assertArrayEquals(Arrays.copyOf(r.data(), 6), truncated.data());
  }

  // ------------------------------------------------------------------ status

  @Test
  void statusCountsCommandsAndNamesTheMedium() {
    long before = h.firmware.status().commands();
    run(new TestUnitReady());
    run(new TestUnitReady());
    DriveStatus status = h.firmware.status();
    assertEquals(before + 2, status.commands());
    assertEquals("mo-640", status.profile());
    assertEquals(Harness.DEVICE_ID, status.deviceId());
    assertEquals("MO-0001", status.mediumId());
    assertEquals(DriveState.READY, status.state());
    assertFalse(status.writeProtected());
    assertNotNull(h.firmware.medium());
  }
}
