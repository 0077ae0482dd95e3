package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static dev.secdrive.emulator.firmware.Harness.assertNoFieldPointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.ReadMediaSerialNumber;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.SynchronizeCache10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Not-ready conditions, unit attentions, PREVENT and media events. */
class FirmwareReadinessTest {

  @TempDir Path dir;

  private static StartStopUnit startImmediately() {
    return new StartStopUnit(true, 0, 0, false, false, true, 0);
  }

  // ------------------------------------------------------------------ no medium

  @Test
  void cartridgeDriveWithoutMediumReportsMediumNotPresent() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      assertEquals(0x07, h.profile().inquiry().peripheralDeviceType());
      Nexus n = h.nexus();
      for (Cdb cdb :
          List.<Cdb>of(
              new TestUnitReady(),
              new Read10(0, 1),
              new Write10(0, 0),
              new Verify10(0, 1, 0),
              new ReadCapacity10(),
              new ReadCapacity16(32),
              new SynchronizeCache10(),
              new ReadMediaSerialNumber(64))) {
        SenseData sense = assertCheck(h.run(n, cdb), 0x02, 0x3A, 0x00);
        assertNoFieldPointer(sense);
        assertFalse(sense.valid());
      }
      // START STOP without LOEJ has nothing to spin
      assertCheck(h.run(n, StartStopUnit.spin(true)), 0x02, 0x3A, 0x00);
      assertCheck(h.run(n, StartStopUnit.spin(false)), 0x02, 0x3A, 0x00);
      // host eject of an empty cartridge slot: still no medium, no tray to report
      assertGoodNoData(h.run(n, StartStopUnit.eject()));
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x00);
    }
  }

  @Test
  void trayDriveDistinguishesTrayClosedAndTrayOpen() {
    for (String profile : List.of("dvd-ram", "cdrom")) {
      try (Harness h = new Harness(dir.resolve(profile), profile, TimingMode.FAST)) {
        assertEquals(0x05, h.profile().inquiry().peripheralDeviceType());
        Nexus n = h.nexus();
        assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x01);
        assertCheck(h.run(n, new Read10(0, 1)), 0x02, 0x3A, 0x01);
        assertGoodNoData(h.run(n, StartStopUnit.eject()));
        assertEquals(DriveState.TRAY_OPEN, h.firmware.status().state());
        assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x02);
        assertCheck(h.run(n, new ReadCapacity10()), 0x02, 0x3A, 0x02);
        assertGoodNoData(h.run(n, StartStopUnit.load()));
        assertEquals(DriveState.NO_MEDIUM, h.firmware.status().state());
        assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x01);
      }
    }
  }

  @Test
  void trayDriveAfterEjectingItsMediumReportsTrayOpenUntilLoaded() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      h.insert("DVD-0001");
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, new TestUnitReady()));
      assertGoodNoData(h.run(n, StartStopUnit.eject()));
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x02);
      assertGoodNoData(h.run(n, StartStopUnit.load()));
      // the nexus that closed the tray hears no 28/00 about its own load (SPC-4 5.14)
      assertGoodNoData(h.run(n, new TestUnitReady()));
      // a person takes the disc from the open tray: the tray stays open and empty
      assertGoodNoData(h.run(n, StartStopUnit.eject()));
      assertEquals("DVD-0001", h.firmware.remove(false).id());
      assertEquals(DriveState.TRAY_OPEN, h.firmware.status().state());
      assertNull(h.firmware.status().mediumId());
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x02);
    }
  }

  @Test
  void cartridgeDriveAfterRemovalHasNoMedium() throws Exception {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Medium medium = h.insert("MO-0001");
      Nexus n = h.nexus();
      assertSame(medium, h.firmware.remove(false));
      assertEquals(DriveState.NO_MEDIUM, h.firmware.status().state());
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x00);
      DriveControlException none =
          assertThrows(DriveControlException.class, () -> h.firmware.remove(false));
      assertTrue(none.getMessage().contains("no medium"), none.getMessage());
    }
  }

  @Test
  void requestSenseReturnsTheNotReadyConditionAsData() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      Nexus n = h.nexus();
      Result r = assertGood(h.run(n, new RequestSense(false, 18, 0)));
      SenseData sense = SenseData.decode(r.data());
      assertEquals("02/3A/01", triple(sense));
    }
  }

  // ------------------------------------------------------------------ becoming ready

  @Test
  void insertedMediumBecomesReadyAfterTheLoadTime() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.REALISTIC)) {
      long loadMillis = h.profile().timing().loadMillis();
      assertEquals(2500, loadMillis);
      Nexus n = h.nexus();
      h.insert("MO-0001");
      assertEquals(DriveState.BECOMING_READY, h.firmware.status().state());
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x28, 0x00);
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x01);
      assertCheck(h.run(n, new Read10(0, 1)), 0x02, 0x04, 0x01);
      assertCheck(h.run(n, new ReadCapacity10()), 0x02, 0x04, 0x01);
      assertEquals(
          "02/04/01",
          triple(SenseData.decode(assertGood(h.run(n, new RequestSense(false, 18, 0))).data())));
      h.advanceMillis(loadMillis - 1);
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x01);
      h.advanceNanos(Harness.NANOS_PER_MILLI - 1);
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x01);
      h.advanceNanos(1);
      assertGoodNoData(h.run(n, new TestUnitReady()));
      assertEquals(DriveState.READY, h.firmware.status().state());
    }
  }

  @Test
  void statusAlsoNoticesTheEndOfTheSpinUp() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.REALISTIC)) {
      h.insert("DVD-0001");
      assertEquals(DriveState.BECOMING_READY, h.firmware.status().state());
      h.advanceMillis(6000);
      assertEquals(DriveState.READY, h.firmware.status().state());
    }
  }

  @Test
  void fastTimingIsReadyAtOnce() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Nexus n = h.nexus();
      h.insert("MO-0001");
      assertEquals(DriveState.READY, h.firmware.status().state());
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x28, 0x00);
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void realisticReadsTakeTime() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.REALISTIC)) {
      h.insert("MO-0001");
      h.advanceMillis(3000);
      Nexus n = h.nexus();
      Result r = assertGood(h.run(n, new Read10(0, 64)));
      // one seek (28 ms) and 128 KiB at 5.9 MB/s (about 22 ms)
      long expected = 28_000_000L + Math.round(64 * 2048 / 5.9e6 * 1e9);
      assertEquals(expected, r.response().delayNanos());
      // the next command queues behind the read
      assertEquals(expected, h.run(n, new TestUnitReady()).response().delayNanos());
      h.advanceNanos(expected);
      // sequential: no seek this time
      Result next = assertGood(h.run(n, new Read10(64, 64)));
      assertEquals(Math.round(64 * 2048 / 5.9e6 * 1e9), next.response().delayNanos());
    }
  }

  // ------------------------------------------------------------------ stopped

  @Test
  void stoppedUnitNeedsStart() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, StartStopUnit.spin(false)));
      assertEquals(DriveState.STOPPED, h.firmware.status().state());
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x02);
      assertCheck(h.run(n, new Read10(0, 1)), 0x02, 0x04, 0x02);
      assertCheck(h.run(n, new ReadMediaSerialNumber(64)), 0x02, 0x04, 0x02);
      // commands that do not touch the medium still work
      assertGood(h.run(n, Inquiry.standard(36)));
      assertGood(h.run(n, new ModeSense6(false, 0, 0x3F, 0, 255, 0)));
      assertGoodNoData(h.run(n, StartStopUnit.spin(false)));
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x02);
      assertGoodNoData(h.run(n, StartStopUnit.spin(true)));
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void startWithRealisticTimingSpinsUpAgain() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.REALISTIC)) {
      h.insert("MO-0001");
      h.advanceMillis(2500);
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, StartStopUnit.spin(false)));
      h.advanceMillis(10_000);
      assertCheckBecause(
          h.run(n, new TestUnitReady()), 0x02, 0x04, 0x02, "a stale spin-up never ends STOP");
      Result start = assertGood(h.run(n, StartStopUnit.spin(true)));
      assertEquals(2500 * Harness.NANOS_PER_MILLI, start.response().delayNanos());
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x01);
      h.advanceMillis(2500);
      assertGoodNoData(h.run(n, new TestUnitReady()));
      // no unit attention: the medium did not change
      assertGoodNoData(h.run(n, new TestUnitReady()));

      assertGoodNoData(h.run(n, StartStopUnit.spin(false)));
      Result immediate = assertGood(h.run(n, startImmediately()));
      assertEquals(0, immediate.response().delayNanos(), "IMMED returns at once");
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x04, 0x01);
    }
  }

  private static void assertCheckBecause(Result r, int key, int asc, int ascq, String why) {
    org.junit.jupiter.api.Assertions.assertEquals(
        String.format("%02X/%02X/%02X", key, asc, ascq),
        r.sense() == null ? "GOOD" : triple(r.sense()),
        why);
    Harness.assertCheck(r, key, asc, ascq);
  }

  // ------------------------------------------------------------------ unit attentions

  @Test
  void mediumChangeIsReportedOncePerNexus() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Nexus a = h.nexus();
      Nexus b = h.nexus();
      h.insert("MO-0001");
      Nexus late = new Nexus("late host");

      assertCheck(h.run(a, new TestUnitReady()), 0x06, 0x28, 0x00);
      assertGoodNoData(h.run(a, new TestUnitReady()));
      assertGoodNoData(h.run(a, new TestUnitReady()));

      assertCheck(h.run(b, new Read10(0, 1)), 0x06, 0x28, 0x00);
      assertGood(h.run(b, new Read10(0, 1)));
      assertGoodNoData(h.run(b, new TestUnitReady()));

      // a nexus made after the change only hears about the power on
      assertCheck(h.run(late, new TestUnitReady()), 0x06, 0x29, 0x00);
      assertGoodNoData(h.run(late, new TestUnitReady()));
    }
  }

  @Test
  void mediumChangeWhileAUnitAttentionIsPendingQueuesBoth() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Nexus n = new Nexus("host");
      assertGood(h.run(n, Inquiry.standard(36))); // makes the nexus known, UA still pending
      h.insert("MO-0001");
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x29, 0x00);
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x28, 0x00);
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void repeatedMediumChangesDoNotStackUp() throws Exception {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Nexus n = h.nexus();
      h.insert("MO-0001");
      assertGoodNoData(h.run(n, new RequestSense(false, 0, 0))); // takes 28/00, returns nothing
      h.firmware.remove(false).close();
      h.insert("MO-0002");
      h.firmware.remove(false).close();
      h.insert("MO-0003");
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x28, 0x00);
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void powerOnIsReportedToEveryNewNexusOnItsFirstNonExemptCommand() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Target target = new Target(List.of(h.firmware));
      for (int i = 0; i < 3; i++) {
        Nexus n = new Nexus("host " + i);
        // exempt: INQUIRY, REPORT LUNS, GET EVENT STATUS NOTIFICATION
        assertGood(h.run(n, Inquiry.standard(36)));
        assertGood(h.run(n, Inquiry.vpd(0x80, 64)));
        DataIn.Heap in = new DataIn.Heap();
        Response luns =
            target.execute(n, 0, new ReportLuns(64).encode(), ByteBuffer.allocate(0), in);
        assertGood(new Result(luns, in.bytes(luns)));
        assertGood(h.run(n, GetEventStatusNotification.media(8)));
        // the first other command gets it, exactly once
        assertCheck(h.run(n, ReportSupportedOperationCodes.all(64)), 0x06, 0x29, 0x00);
        assertGood(h.run(n, ReportSupportedOperationCodes.all(64)));
      }
    }
  }

  @Test
  void requestSenseReturnsAndConsumesTheUnitAttention() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus n = new Nexus("host");
      Result r = assertGood(h.run(n, new RequestSense(false, 18, 0)));
      assertEquals(18, r.data().length);
      assertEquals(0x70, r.data()[0] & 0xFF);
      assertEquals(0x06, r.data()[2] & 0x0F);
      assertEquals(0x29, r.data()[12] & 0xFF);
      assertEquals(0x00, r.data()[13] & 0xFF);
      Result next = assertGood(h.run(n, new RequestSense(false, 18, 0)));
      assertEquals("00/00/00", triple(SenseData.decode(next.data())));
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void unitAttentionPrecedesNotReadyAndIllegalRequest() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      Nexus n = new Nexus("host");
      assertCheck(h.run(n, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0}), 0x06, 0x29, 0x00);
      assertCheck(h.run(n, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0}), 0x05, 0x20, 0x00);
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x01);
    }
  }

  @Test
  void disconnectForgetsTheNexusState() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, new TestUnitReady()));
      h.firmware.disconnect(n);
      // the same initiator reconnecting is a new I_T nexus: power on again
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x29, 0x00);
    }
  }

  // ------------------------------------------------------------------ PREVENT ALLOW

  @Test
  void preventBlocksHostEjectFromEveryNexusUntilAllowed() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus a = h.nexus();
      Nexus b = h.nexus();
      assertGoodNoData(h.run(a, PreventAllowMediumRemoval.of(true)));
      SenseData own = assertCheck(h.run(a, StartStopUnit.eject()), 0x05, 0x53, 0x02);
      assertNoFieldPointer(own);
      assertCheck(h.run(b, StartStopUnit.eject()), 0x05, 0x53, 0x02);
      assertEquals(DriveState.READY, h.firmware.status().state());
      assertGoodNoData(h.run(b, new TestUnitReady()));

      // B allowing does not lift A's prevent: it is per nexus
      assertGoodNoData(h.run(b, PreventAllowMediumRemoval.of(false)));
      assertCheck(h.run(b, StartStopUnit.eject()), 0x05, 0x53, 0x02);

      assertGoodNoData(h.run(a, PreventAllowMediumRemoval.of(false)));
      assertFalse(h.firmware.status().removalPrevented());
      assertGoodNoData(h.run(b, StartStopUnit.eject()));
      assertEquals(DriveState.TRAY_OPEN, h.firmware.status().state());
    }
  }

  @Test
  void preventDoesNotStopStopOrLoad() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      h.insert("DVD-0001");
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, PreventAllowMediumRemoval.of(true)));
      assertGoodNoData(h.run(n, StartStopUnit.spin(false)));
      assertCheck(h.run(n, StartStopUnit.eject()), 0x05, 0x53, 0x02);
      assertGoodNoData(h.run(n, StartStopUnit.load()));
      assertGoodNoData(h.run(n, new TestUnitReady()));
    }
  }

  @Test
  void disconnectReleasesThePrevent() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus a = h.nexus();
      Nexus b = h.nexus();
      assertGoodNoData(h.run(a, PreventAllowMediumRemoval.of(true)));
      assertTrue(h.firmware.status().removalPrevented());
      h.firmware.disconnect(a);
      assertFalse(h.firmware.status().removalPrevented());
      assertGoodNoData(h.run(b, StartStopUnit.eject()));
    }
  }

  @Test
  void ejectWithoutMediumWhilePreventedIsNotReady() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, PreventAllowMediumRemoval.of(true)));
      SenseData sense = assertCheck(h.run(n, StartStopUnit.eject()), 0x02, 0x53, 0x02);
      assertNoFieldPointer(sense);
      assertEquals(DriveState.NO_MEDIUM, h.firmware.status().state());
    }
  }

  @Test
  void controlRemovalIsRefusedWhilePreventedUnlessForced() throws Exception {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Medium medium = h.insert("MO-0001");
      Nexus n = h.nexus();
      assertGoodNoData(h.run(n, PreventAllowMediumRemoval.of(true)));
      DriveControlException refused =
          assertThrows(DriveControlException.class, () -> h.firmware.remove(false));
      assertTrue(refused.getMessage().contains("prevent"), refused.getMessage());
      assertEquals(DriveState.READY, h.firmware.status().state());
      assertEquals("MO-0001", h.firmware.status().mediumId());
      assertGoodNoData(h.run(n, new TestUnitReady()));

      assertSame(medium, h.firmware.remove(true));
      assertNull(h.firmware.status().mediumId());
      assertNull(h.firmware.medium());
      assertCheck(h.run(n, new TestUnitReady()), 0x02, 0x3A, 0x00);
    }
  }

  // ------------------------------------------------------------------ control

  @Test
  void insertRefusesWhenOccupiedOrIncompatible(@TempDir Path other) {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST);
        Harness dvd = new Harness(other, "dvd-ram", TimingMode.FAST)) {
      h.insert("MO-0001");
      Medium second = h.create("MO-0002", "mo-640");
      DriveControlException occupied =
          assertThrows(DriveControlException.class, () -> h.firmware.insert(second));
      assertTrue(occupied.getMessage().contains("MO-0001"), occupied.getMessage());

      Medium disc = dvd.create("DVD-0001", "dvd-ram-4.7");
      DriveControlException type =
          assertThrows(DriveControlException.class, () -> h.firmware.insert(disc));
      assertTrue(type.getMessage().contains("dvd-ram-4.7"), type.getMessage());

      Medium wrongBlocks = h.create("MO-BAD", "mo-230", 2048, 1024, false);
      DriveControlException blocks =
          assertThrows(DriveControlException.class, () -> dvd.firmware.insert(wrongBlocks));
      assertTrue(blocks.getMessage().contains("mo-230"), blocks.getMessage());
      assertEquals("MO-0001", h.firmware.status().mediumId());
    }
  }

  @Test
  void insertRefusesAMediumWithTheWrongBlockSize() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      Medium medium = h.create("MO230-2K", "mo-230", 2048, 1024, false);
      DriveControlException e =
          assertThrows(DriveControlException.class, () -> h.firmware.insert(medium));
      assertTrue(e.getMessage().contains("512"), e.getMessage());
      assertEquals(DriveState.NO_MEDIUM, h.firmware.status().state());
    }
  }

  @Test
  void writeProtectNeedsAMediumAndSupport(@TempDir Path other) {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST);
        Harness cd = new Harness(other, "cdrom", TimingMode.FAST)) {
      assertThrows(DriveControlException.class, () -> h.firmware.setWriteProtected(true));
      DriveControlException unsupported =
          assertThrows(DriveControlException.class, () -> cd.firmware.setWriteProtected(true));
      assertTrue(unsupported.getMessage().contains("write-protect"), unsupported.getMessage());
      h.insert("MO-0001");
      h.firmware.setWriteProtected(true);
      assertTrue(h.firmware.status().writeProtected());
    }
  }

  // ------------------------------------------------------------------ media events

  @Test
  void mediaEventsFollowInsertAndEject() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      Nexus n = h.nexus();
      assertEquals(new MediaEventStatus(false, MediaEvent.NO_CHANGE, false, false), events(h, n));
      h.insert("DVD-0001");
      assertEquals(new MediaEventStatus(false, MediaEvent.NEW_MEDIA, true, false), events(h, n));
      assertEquals(new MediaEventStatus(false, MediaEvent.NO_CHANGE, true, false), events(h, n));
      // GESN took no unit attention
      assertCheck(h.run(n, new TestUnitReady()), 0x06, 0x28, 0x00);

      assertGoodNoData(h.run(n, StartStopUnit.eject()));
      MediaEventStatus removal = events(h, n);
      assertEquals(new MediaEventStatus(false, MediaEvent.MEDIA_REMOVAL, false, true), removal);
      assertEquals(new MediaEventStatus(false, MediaEvent.NO_CHANGE, false, true), events(h, n));

      assertGoodNoData(h.run(n, StartStopUnit.load()));
      assertEquals(new MediaEventStatus(false, MediaEvent.NEW_MEDIA, true, false), events(h, n));
    }
  }

  @Test
  void mediaEventsArePerNexus() {
    try (Harness h = new Harness(dir, "dvd-ram", TimingMode.FAST)) {
      Nexus a = h.nexus();
      Nexus b = h.nexus();
      h.insert("DVD-0001");
      assertEquals(MediaEvent.NEW_MEDIA, events(h, a).event());
      assertEquals(MediaEvent.NO_CHANGE, events(h, a).event());
      assertEquals(MediaEvent.NEW_MEDIA, events(h, b).event());
      Nexus late = new Nexus("late");
      assertEquals(MediaEvent.NO_CHANGE, events(h, late).event());
    }
  }

  @Test
  void mediaRemovalEventAfterControlRemove() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.FAST)) {
      h.insert("MO-0001");
      Nexus n = h.nexus();
      events(h, n);
      h.firmware.remove(false);
      assertEquals(
          new MediaEventStatus(false, MediaEvent.MEDIA_REMOVAL, false, false), events(h, n));
    }
  }

  @Test
  void mediumPresentIsSetWhileBecomingReady() {
    try (Harness h = new Harness(dir, "mo-640", TimingMode.REALISTIC)) {
      Nexus n = h.nexus();
      h.insert("MO-0001");
      MediaEventStatus status = events(h, n);
      assertEquals(MediaEvent.NEW_MEDIA, status.event());
      assertTrue(status.mediumPresent(), "the medium is in the drive while it spins up");
    }
  }

  private static MediaEventStatus events(Harness h, Nexus n) {
    Result r = assertGood(h.run(n, GetEventStatusNotification.media(8)));
    assertEquals(8, r.data().length);
    return MediaEventStatus.decode(r.data());
  }

  private static String triple(SenseData sense) {
    return String.format("%02X/%02X/%02X", sense.key().code(), sense.asc(), sense.ascq());
  }
}
