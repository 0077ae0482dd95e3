package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cdb.GetConfiguration;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's commands end to end: an emulator on 127.0.0.1:0 with three drives (an MO with a
 * medium, an empty DVD-RAM, a CD-ROM with a pressed disc), driven by the host driver over TCP.
 */
class DriveIT {

  @TempDir Path media;
  @TempDir Path scratch;

  private Rig rig;
  private byte[] pressedContent;

  @BeforeEach
  void start() throws Exception {
    var store = dev.secdrive.emulator.media.MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "DVD-1", "dvd-ram-4.7", null);
    pressedContent = new byte[5 * 2048 + 100];
    new Random(3).nextBytes(pressedContent);
    Path iso = scratch.resolve("master.iso");
    Files.write(iso, pressedContent);
    Rig.createMedium(store, "CD-1", "cd-rom-650", iso);
    rig =
        new Rig(
            media,
            TimingMode.FAST,
            List.of(
                new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1"),
                new DriveConfig(1, "dvd-ram", "DEV-DVD-1", null),
                new DriveConfig(2, "cdrom", "DEV-CD-2", "CD-1")));
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  @Test
  void identityAndCapacity() {
    try (Drive drive = Drive.open(rig.uri(0))) {
      StandardInquiryData inquiry = drive.inquiry();
      assertEquals("SECDRIVE", inquiry.vendor());
      assertEquals(7, inquiry.peripheralDeviceType());
      assertTrue(inquiry.removable());
      assertEquals(List.of(0x00, 0x80, 0x83, 0xB0), drive.vpdPages());
      assertEquals("DEV-MO-0", drive.deviceId());
      assertTrue(drive.deviceIdentification().designators().get(0).text().endsWith("DEV-MO-0"));
      assertEquals((8 << 20) / 2048, drive.blockLimits().maximumTransferLength());
      assertEquals(new Capacity(310351, 2048), drive.capacity());
      assertEquals("MO-1", drive.mediumId());
      assertEquals(List.of(0, 1, 2), drive.reportLuns());
      assertTrue(drive.supportedCommands().contains(Opcode.READ_MEDIA_SERIAL_NUMBER));
      assertFalse(drive.writeProtected());
      drive.testUnitReady();
    }
  }

  @Test
  void writeAndReadBackSyncAsyncAndAcrossChunks() throws Exception {
    rig.emulator.insert(1, "DVD-1");
    try (Drive drive = Drive.open(rig.uri(1))) {
      drive.testUnitReady();
      byte[] small = bytes(2048 * 3, 1);
      drive.write(10, small);
      assertArrayEquals(small, drive.read(10, 3));

      // 20 MiB crosses the 8 MiB transfer limit: three commands each way.
      byte[] large = bytes(20 << 20, 2);
      drive.writeAsync(1000, large).get();
      assertArrayEquals(large, drive.readAsync(1000, (20 << 20) / 2048).get());

      // Many tags in flight on one connection.
      List<CompletableFuture<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        reads.add(drive.readAsync(1000 + i * 16L, 16));
      }
      for (int i = 0; i < 64; i++) {
        byte[] expected = new byte[16 * 2048];
        System.arraycopy(large, i * 16 * 2048, expected, 0, expected.length);
        assertArrayEquals(expected, reads.get(i).get());
      }
      drive.verify(10, small);
      drive.verify(1000, large); // compared in three commands, like the transfers
      IllegalArgumentException partial =
          assertThrows(IllegalArgumentException.class, () -> drive.verify(10, new byte[100]));
      assertEquals(
          "verify of 100 bytes is not a whole number of 2048-byte blocks", partial.getMessage());
      drive.synchronizeCache();
      ScsiException miscompare =
          assertThrows(ScsiException.class, () -> drive.verify(10, bytes(2048 * 3, 9)));
      assertTrue(miscompare.is(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY));
    }
  }

  @Test
  void deviceErrorsReadLikeTheStandard() {
    try (Drive drive = Drive.open(rig.uri(0))) {
      ScsiException range = assertThrows(ScsiException.class, () -> drive.read(310352, 1));
      assertEquals(
          "ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE (05/21/00) on READ(10) lba=310352 blocks=1",
          range.getMessage());
      drive.eject();
      ScsiException absent = assertThrows(ScsiException.class, () -> drive.read(0, 1));
      assertEquals(
          "NOT READY: MEDIUM NOT PRESENT (02/3A/00) on READ(10) lba=0 blocks=1",
          absent.getMessage());
    }
  }

  @Test
  void ejectLoadAndTheUnitAttentionOnceOnEveryOtherConnection() {
    try (Drive first = Drive.open(rig.uri(0));
        Drive second = Drive.open(rig.uri(0))) {
      first.eject();
      assertSense(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT, first::testUnitReady);
      assertEquals(MediaEvent.MEDIA_REMOVAL, second.mediaEvent().event());
      first.load();
      first.testUnitReady(); // the connection that loaded the medium hears no 28/00 about it
      assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED, second::testUnitReady);
      second.testUnitReady();
      try (Drive third = Drive.open(rig.uri(0))) {
        third.testUnitReady(); // a new connection sees no medium change
      }
    }
  }

  @Test
  void aPersonInsertsAMediumWhileAHostIsConnected() {
    try (Drive drive = Drive.open(rig.uri(1))) {
      assertSense(
          SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_CLOSED, drive::testUnitReady);
      rig.emulator.insert(1, "DVD-1");
      assertEquals(MediaEvent.NEW_MEDIA, drive.mediaEvent().event());
      assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED, drive::testUnitReady);
      assertEquals("DVD-1", drive.mediumId());
      assertEquals(new Capacity(2295103, 2048), drive.capacity());
      rig.emulator.remove(1, false);
      assertSense(
          SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN, drive::testUnitReady);
    }
  }

  @Test
  void preventBlocksRemovalUntilItsConnectionEnds() {
    Drive holder = Drive.open(rig.uri(0));
    try (Drive other = Drive.open(rig.uri(0))) {
      holder.preventRemoval();
      assertSense(SenseKey.ILLEGAL_REQUEST, AdditionalSense.MEDIUM_REMOVAL_PREVENTED, other::eject);
      DriveControlException refused =
          assertThrows(DriveControlException.class, () -> rig.emulator.remove(0, false));
      assertTrue(refused.getMessage().contains("prevents medium removal"), refused.getMessage());
      holder.close(); // the nexus ends, and its PREVENT with it
      waitUntil(() -> !rig.emulator.drive(0).status().removalPrevented());
      other.eject();
    } finally {
      holder.close();
    }
  }

  @Test
  void writeProtectAndInjectedMediaErrors() {
    try (Drive drive = Drive.open(rig.uri(0))) {
      rig.emulator.setWriteProtected(0, true);
      assertTrue(drive.writeProtected());
      ScsiException protectedWrite =
          assertThrows(ScsiException.class, () -> drive.write(0, new byte[2048]));
      assertEquals(
          "DATA PROTECT: WRITE PROTECTED (07/27/00) on WRITE(10) lba=0 blocks=1",
          protectedWrite.getMessage());
      rig.emulator.setWriteProtected(0, false);
      drive.write(0, new byte[2048]);

      rig.emulator.drive(0).faults().addReadError(5);
      ScsiException readError = assertThrows(ScsiException.class, () -> drive.read(4, 2));
      assertEquals(
          "MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00) at LBA 5 on READ(10) lba=4 blocks=2",
          readError.getMessage());
      rig.emulator.drive(0).faults().addWriteError(7);
      ScsiException writeError =
          assertThrows(ScsiException.class, () -> drive.write(6, new byte[2 * 2048]));
      assertTrue(writeError.is(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR));
      assertEquals(7, writeError.sense().information());
    }
  }

  @Test
  void theWriteCacheIsAModeParameterEveryHostOfTheDriveHearsAbout() {
    try (Drive first = Drive.open(rig.uri(0));
        Drive second = Drive.open(rig.uri(0))) {
      assertTrue(first.writeCache(), "enabled from power-on");
      first.writeCache(false);
      assertFalse(first.writeCache());
      first.testUnitReady(); // the host that changed it hears nothing
      assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MODE_PARAMETERS_CHANGED, second::testUnitReady);
      assertFalse(second.writeCache());
      byte[] data = new byte[3 * 2048];
      new Random(7).nextBytes(data);
      first.write(40, data); // on the medium when it completes
      assertArrayEquals(data, second.read(40, 3));
      first.writeCache(false); // unchanged: nobody hears of it
      second.testUnitReady();
      first.writeCache(true);
      assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MODE_PARAMETERS_CHANGED, second::testUnitReady);
      assertTrue(second.writeCache());
    }
    try (Drive cd = Drive.open(rig.uri(2))) {
      assertSense(
          SenseKey.ILLEGAL_REQUEST,
          AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
          () -> cd.writeCache(false)); // a CD-ROM reader cannot stop caching writes it has not
    }
  }

  @Test
  void theDvdRamDriveSaysWhatItIsWithGetConfiguration() throws Exception {
    try (Drive dvd = Drive.open(rig.uri(1))) {
      Configuration none =
          dvd.execute(new GetConfiguration(0, 0, 0xFFFF, 0), 0xFFFF, Configuration::decode).get();
      assertEquals(Configuration.PROFILE_NONE, none.currentProfile(), "no disc in the drive");
      assertEquals(
          List.of(0x0000, 0x0001, 0x0003, 0x0010, 0x001F, 0x0020),
          none.features().stream().map(Configuration.Feature::code).toList());
      rig.emulator.insert(1, "DVD-1");
      assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED, dvd::testUnitReady);
      Configuration disc =
          dvd.execute(new GetConfiguration(1, 0, 0xFFFF, 0), 0xFFFF, Configuration::decode).get();
      assertEquals(Configuration.PROFILE_DVD_RAM, disc.currentProfile());
      assertTrue(
          disc.features().stream().anyMatch(f -> f.code() == Configuration.FEATURE_RANDOM_WRITABLE),
          "a DVD-RAM disc is randomly writable");
    }
  }

  @Test
  void pressedMasterIsReadOnly() {
    try (Drive drive = Drive.open(rig.uri(2))) {
      byte[] expected = new byte[6 * 2048];
      System.arraycopy(pressedContent, 0, expected, 0, pressedContent.length);
      assertArrayEquals(expected, drive.read(0, 6));
      assertTrue(drive.writeProtected());
      assertFalse(drive.supportedCommands().contains(Opcode.WRITE_10));
      assertSense(
          SenseKey.ILLEGAL_REQUEST,
          AdditionalSense.INVALID_COMMAND_OPERATION_CODE,
          () -> drive.write(0, new byte[2048]));
    }
  }

  @Test
  void unconfiguredLun() {
    try (Drive drive = Drive.open(rig.uri(7))) {
      assertEquals(
          StandardInquiryData.QUALIFIER_NOT_SUPPORTED, drive.inquiry().peripheralQualifier());
      assertEquals(List.of(0, 1, 2), drive.reportLuns());
      assertSense(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED, drive::capacity);
    }
  }

  @Test
  void mediaSurviveAnEmulatorRestart() {
    byte[] data = bytes(4 * 2048, 5);
    try (Drive drive = Drive.open(rig.uri(0))) {
      drive.write(200, data);
    }
    rig.close();
    rig =
        new Rig(media, TimingMode.FAST, List.of(new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1")));
    try (Drive drive = Drive.open(rig.uri(0))) {
      assertArrayEquals(data, drive.read(200, 4));
    }
  }

  @Test
  void connectionLossAndUnreachableDevices() {
    Drive drive = Drive.open(rig.uri(0));
    try {
      drive.testUnitReady();
      rig.close();
      TransportException lost = assertThrows(TransportException.class, drive::testUnitReady);
      assertTrue(
          lost.getMessage().contains("lost") || lost.getMessage().contains("closed"),
          lost.getMessage());
    } finally {
      drive.close();
      rig = new Rig(media, TimingMode.FAST, List.of(new DriveConfig(0, "mo-640", null, null)));
    }
    TransportException refused =
        assertThrows(TransportException.class, () -> Drive.open("tcp://127.0.0.1:1/0"));
    assertEquals("cannot connect to tcp://127.0.0.1:1: Connection refused", refused.getMessage());
    IllegalArgumentException badUri =
        assertThrows(IllegalArgumentException.class, () -> Drive.open("tcp://127.0.0.1:7140/300"));
    assertEquals(
        "invalid drive URI 'tcp://127.0.0.1:7140/300': LUN '300' is not a number in 0..255",
        badUri.getMessage());
  }

  static byte[] bytes(int length, long seed) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  static void assertSense(SenseKey key, AdditionalSense sense, Runnable command) {
    ScsiException e = assertThrows(ScsiException.class, command::run);
    assertTrue(e.is(key, sense), () -> "expected " + key + " " + sense + ", got " + e.getMessage());
  }

  /** Polls {@code condition}, sleeping between polls so the work it waits for gets a core. */
  static void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
