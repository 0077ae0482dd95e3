package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cdb.GetConfiguration;
import dev.secdrive.protocol.cdb.ModeSelect10;
import dev.secdrive.protocol.cdb.ModeSelect6;
import dev.secdrive.protocol.cdb.ModeSense10;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.SendDiagnostic;
import dev.secdrive.protocol.cdb.SynchronizeCache16;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MODE SELECT(6)/(10), SEND DIAGNOSTIC, SYNCHRONIZE CACHE(16) and the DVD-RAM configuration: what a
 * host may change, what it may not, and that a refused list changes nothing.
 */
class ModeSelectFirmwareTest {

  /** MODE SENSE(6) of mo-640, all pages: header 4, block descriptor 8, Caching 20, Control 12. */
  private static final int CACHING = 12;

  private static final int CONTROL = 32;
  private static final int WCE = 0x04;

  @TempDir Path dir;

  private Harness h;
  private Nexus host;
  private Nexus other;

  @BeforeEach
  void setUp() {
    h = new Harness(dir, "mo-640", TimingMode.FAST);
    h.insert("MO-0001");
    host = h.nexus();
    other = h.nexus();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private byte[] modeSense(Nexus nexus, int pageControl) {
    return assertGood(
            h.run(nexus, new ModeSense6(false, pageControl, ModeSense6.ALL_PAGES, 0, 255, 0)))
        .data();
  }

  private Result select(byte[] list) {
    return h.run(host, new ModeSelect6(list.length), list);
  }

  @Test
  void whatModeSenseGaveIsAcceptedBackAndChangesNothing() {
    byte[] current = modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT);
    assertEquals(44, current.length);
    // sent back as it came: MODE DATA LENGTH and the WP/DPOFUA byte are not examined on select
    assertGoodNoData(select(current));
    assertGoodNoData(h.run(other, new TestUnitReady())); // no MODE PARAMETERS CHANGED
    assertEquals(Arrays.toString(current), Arrays.toString(modeSense(host, 0)));
    assertGoodNoData(h.run(host, new ModeSelect6(0))); // an empty list is no error
  }

  @Test
  void clearingWriteCacheEnabledTellsTheOtherHostsAndAResetRestoresIt() {
    byte[] changeable = modeSense(host, ModeSense6.PAGE_CONTROL_CHANGEABLE);
    assertEquals(WCE, changeable[CACHING + 2], "WCE is the changeable field");
    byte[] list = modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT);
    assertEquals(WCE, list[CACHING + 2] & WCE);
    list[CACHING + 2] &= ~WCE;
    assertGoodNoData(select(list));

    assertEquals(0, modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT)[CACHING + 2] & WCE);
    assertEquals(WCE, modeSense(host, ModeSense6.PAGE_CONTROL_DEFAULT)[CACHING + 2] & WCE);
    assertCheck(h.run(other, new TestUnitReady()), 0x06, 0x2A, 0x01);
    assertGoodNoData(h.run(other, new TestUnitReady()));
    assertGoodNoData(h.run(host, new TestUnitReady())); // the host that changed it hears nothing

    // selecting the value it already has changes nothing and tells nobody
    assertGoodNoData(select(list));
    assertGoodNoData(h.run(other, new TestUnitReady()));

    h.firmware.reset(); // SAM-5 6.3.3: mode parameters go back to their defaults
    h.clearUnitAttentions(host);
    assertEquals(WCE, modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT)[CACHING + 2] & WCE);
  }

  @Test
  void aBitThatIsNotChangeableIsRefusedWhereItIsAndNothingIsApplied() {
    byte[] list = modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT);
    list[CACHING + 2] &= ~WCE; // a legal change, in the same list
    list[CONTROL + 2] &= ~0x02; // GLTSD: not changeable
    SenseData sense = assertCheck(select(list), 0x05, 0x26, 0x00);
    assertParameterPointer(sense, CONTROL + 2, 1);
    assertEquals(WCE, modeSense(host, 0)[CACHING + 2] & WCE, "the WCE change was not applied");
    assertGoodNoData(h.run(other, new TestUnitReady()));
  }

  @Test
  void malformedListsAreRefusedWithTheFieldNamed() {
    byte[] current = modeSense(host, ModeSense6.PAGE_CONTROL_CURRENT);

    byte[] unknownPage = current.clone();
    unknownPage[CONTROL] = 0x01; // Read-Write Error Recovery: not a page of this drive
    assertParameterPointer(assertCheck(select(unknownPage), 0x05, 0x26, 0x00), CONTROL, 5);

    byte[] subpage = current.clone();
    subpage[CONTROL] |= 0x40; // SPF
    assertParameterPointer(assertCheck(select(subpage), 0x05, 0x26, 0x00), CONTROL, 6);

    byte[] pageLength = current.clone();
    pageLength[CONTROL + 1] = 0x08;
    assertParameterPointer(assertCheck(select(pageLength), 0x05, 0x26, 0x00), CONTROL + 1, -1);

    byte[] twice = Arrays.copyOf(current, current.length + 12);
    System.arraycopy(current, CONTROL, twice, current.length, 12);
    assertParameterPointer(assertCheck(select(twice), 0x05, 0x26, 0x00), current.length, 5);

    byte[] blockLength = current.clone();
    blockLength[4 + 6] = 0x02; // 2,048 -> 512
    blockLength[4 + 7] = 0x00;
    assertParameterPointer(assertCheck(select(blockLength), 0x05, 0x26, 0x00), 4 + 5, -1);

    byte[] capacity = current.clone();
    capacity[4 + 3] ^= 1; // neither 0 nor the medium's block count
    assertParameterPointer(assertCheck(select(capacity), 0x05, 0x26, 0x00), 4, -1);
    byte[] zeroBlocks = current.clone();
    Arrays.fill(zeroBlocks, 4, 8, (byte) 0); // 0: keep the capacity
    assertGoodNoData(select(zeroBlocks));

    byte[] mediumType = current.clone();
    mediumType[1] = 0x01;
    assertParameterPointer(assertCheck(select(mediumType), 0x05, 0x26, 0x00), 1, -1);

    // a page cut short by PARAMETER LIST LENGTH, a list shorter than its header
    assertCheck(h.run(host, new ModeSelect6(current.length - 4), current), 0x05, 0x1A, 0x00);
    assertCheck(h.run(host, new ModeSelect6(3), current), 0x05, 0x1A, 0x00);
    // less data-out than the CDB announces
    assertCheck(
        h.run(host, new ModeSelect6(current.length), Arrays.copyOf(current, 20)), 0x05, 0x1A, 0x00);

    // SP: nothing can be saved; PF clear with pages: vendor pages
    assertFieldPointer(
        assertCheck(
            h.run(host, new ModeSelect6(true, true, current.length, 0), current), 0x05, 0x24, 0x00),
        1,
        0);
    assertFieldPointer(
        assertCheck(
            h.run(host, new ModeSelect6(false, false, current.length, 0), current),
            0x05,
            0x24,
            0x00),
        1,
        4);
    assertGoodNoData(h.run(other, new TestUnitReady())); // nothing changed
  }

  @Test
  void theCdromTakesBackItsModeSenseTenPagesAndRefusesChanges(@TempDir Path other) {
    try (Harness cd = new Harness(other, "cdrom", TimingMode.FAST)) {
      cd.insert("CD-0001");
      Nexus n = cd.nexus();
      byte[] pages =
          assertGood(cd.run(n, new ModeSense10(false, true, 0, ModeSense6.ALL_PAGES, 0, 512, 0)))
              .data();
      assertGoodNoData(cd.run(n, new ModeSelect10(pages.length), pages));
      byte[] changed = pages.clone();
      changed[8 + 12 + 5] ^= 0x01; // page 2Ah byte 5: CD-DA Commands Supported
      assertParameterPointer(
          assertCheck(cd.run(n, new ModeSelect10(changed.length), changed), 0x05, 0x26, 0x00),
          8 + 12 + 5,
          0);
      byte[] longLba = pages.clone();
      longLba[4] = 0x01;
      assertParameterPointer(
          assertCheck(cd.run(n, new ModeSelect10(longLba.length), longLba), 0x05, 0x26, 0x00),
          4,
          0);
      // the caching page of MODE SENSE(6) is not changeable on a drive that cannot write
      byte[] six =
          assertGood(cd.run(n, new ModeSense6(false, 1, ModeSense6.ALL_PAGES, 0, 255, 0))).data();
      assertEquals(0, six[CACHING + 2]);
    }
  }

  @Test
  void sendDiagnosticRunsTheSelfTestsItHasAndRefusesTheRest() throws Exception {
    assertGoodNoData(h.run(host, SendDiagnostic.defaultSelfTest()));
    for (int code : List.of(SendDiagnostic.FOREGROUND_SHORT, SendDiagnostic.FOREGROUND_EXTENDED)) {
      assertGoodNoData(h.run(host, new SendDiagnostic(code, false, false, false, false, 0, 0)));
    }
    assertGoodNoData(h.run(host, new SendDiagnostic(0, true, false, false, false, 0, 0)));
    for (int code :
        List.of(
            SendDiagnostic.BACKGROUND_SHORT,
            SendDiagnostic.BACKGROUND_EXTENDED,
            SendDiagnostic.ABORT_BACKGROUND,
            0b011,
            0b111)) {
      assertFieldPointer(
          assertCheck(
              h.run(host, new SendDiagnostic(code, false, false, false, false, 0, 0)),
              0x05,
              0x24,
              0x00),
          1,
          7);
    }
    // a self-test code and SELFTEST together
    assertCheck(
        h.run(
            host,
            new SendDiagnostic(SendDiagnostic.FOREGROUND_SHORT, false, true, false, false, 0, 0)),
        0x05,
        0x24,
        0x00);
    byte[] page = {0x00, 0x00, 0x00, 0x00}; // Supported Diagnostic Pages: not served
    assertFieldPointer(
        assertCheck(
            h.run(host, new SendDiagnostic(0, true, true, false, false, 4, 0), page),
            0x05,
            0x24,
            0x00),
        3,
        -1);
    assertParameterPointer(
        assertCheck(
            h.run(host, new SendDiagnostic(0, true, false, false, false, 4, 0), page),
            0x05,
            0x26,
            0x00),
        0,
        -1);
    assertFieldPointer(
        assertCheck(
            h.run(host, new SendDiagnostic(0, false, false, false, false, 4, 0), page),
            0x05,
            0x24,
            0x00),
        1,
        4);
    // no medium needed: the self-test is the drive's
    h.firmware.remove(true).close();
    Nexus empty = h.nexus();
    assertGoodNoData(h.run(empty, SendDiagnostic.defaultSelfTest()));
  }

  @Test
  void synchronizeCacheSixteenChecksItsRange() {
    long blocks = 310_352;
    assertGoodNoData(h.run(host, new SynchronizeCache16()));
    assertGoodNoData(h.run(host, new SynchronizeCache16(true, blocks - 1, 1, 0, 0)));
    assertCheck(h.run(host, new SynchronizeCache16(false, blocks, 0, 0, 0)), 0x05, 0x21, 0x00);
    assertCheck(h.run(host, new SynchronizeCache16(false, -1, 1, 0, 0)), 0x05, 0x21, 0x00);
  }

  @Test
  void theDvdRamDriveReportsTheDvdRamProfileAndItsFeatures(@TempDir Path other) throws Exception {
    try (Harness dvd = new Harness(other, "dvd-ram", TimingMode.FAST)) {
      Medium medium = dvd.insert("DVD-0001");
      Nexus n = dvd.nexus();
      Configuration all =
          Configuration.decode(
              assertGood(dvd.run(n, new GetConfiguration(0, 0, 0xFFFF, 0))).data());
      assertEquals(Configuration.PROFILE_DVD_RAM, all.currentProfile());
      assertEquals(
          List.of(0x0000, 0x0001, 0x0003, 0x0010, 0x001F, 0x0020),
          all.features().stream().map(Configuration.Feature::code).toList());
      assertTrue(all.features().stream().allMatch(Configuration.Feature::current));
      assertEquals("00120100", hex(all.features().get(0).data())); // DVD-RAM, CURRENTP
      assertEquals("0000080000100000", hex(all.features().get(3).data())); // 2,048 B, 16 blocks
      Configuration.Feature writable = all.features().get(5);
      assertEquals(1, writable.version());
      assertEquals(String.format("%08X0000080000100000", 2_295_104 - 1), hex(writable.data()));

      // page 2Ah: reads DVD-RAM and DVD-ROM, writes DVD-RAM, no CD-DA commands (no READ CD)
      byte[] capabilities =
          assertGood(dvd.run(n, new ModeSense10(false, true, 0, 0x2A, 0, 255, 0))).data();
      assertEquals(0x28, capabilities[8 + 2] & 0xFF, "media read");
      assertEquals(0x20, capabilities[8 + 3] & 0xFF, "media write");
      assertEquals(0x00, capabilities[8 + 5] & 0xFF, "no CD-DA, ISRC or UPC");

      medium.setWriteProtected(true);
      Configuration current =
          Configuration.decode(
              assertGood(dvd.run(n, new GetConfiguration(1, 0x10, 0xFFFF, 0))).data());
      assertEquals(
          List.of(0x0010, 0x001F),
          current.features().stream().map(Configuration.Feature::code).toList(),
          "a write-protected disc is not randomly writable");

      dvd.firmware.remove(true).close();
      Nexus none = dvd.nexus();
      Configuration empty =
          Configuration.decode(
              assertGood(dvd.run(none, new GetConfiguration(0, 0, 0xFFFF, 0))).data());
      assertEquals(Configuration.PROFILE_NONE, empty.currentProfile());
      assertEquals("00120000", hex(empty.features().get(0).data()));
      assertFalse(empty.features().get(5).current());
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().withUpperCase().formatHex(bytes);
  }

  /** The field pointer with C/D clear: a byte (and bit) of the parameter list. */
  private static void assertParameterPointer(SenseData sense, int byteOffset, int bit) {
    assertEquals(new FieldPointer(false, byteOffset, bit), sense.fieldPointer(), sense::describe);
    byte[] bytes = sense.encode();
    assertEquals(0x80, bytes[15] & 0xC0, "SKSV set, C/D clear");
    assertEquals(bit >= 0 ? 0x08 | bit : 0, bytes[15] & 0x0F, "BPV and bit pointer");
    assertEquals(byteOffset, (bytes[16] & 0xFF) << 8 | (bytes[17] & 0xFF), "field pointer");
  }
}
