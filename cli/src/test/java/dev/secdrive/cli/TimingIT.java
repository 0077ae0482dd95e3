package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Realistic timing across TCP: spin-up after insert, transfer time, command timeouts. */
class TimingIT {

  @TempDir Path media;

  @Test
  void spinUpThenTransferTimeThenTimeout() throws Exception {
    var store = dev.secdrive.emulator.media.MediumStore.openOrCreate(media);
    Rig.createMedium(store, "FD-1", "fd-1.44", null);
    try (Rig rig =
            new Rig(
                media,
                TimingMode.REALISTIC,
                List.of(new DriveConfig(0, "floppy-1.44", null, null)));
        Drive drive = Drive.open(rig.uri(0, "timeout=150ms"))) {
      rig.emulator.insert(0, "FD-1");
      DriveIT.assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED, drive::testUnitReady);
      // The floppy profile takes 500 ms to load.
      DriveIT.assertSense(
          SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_BECOMING_READY, drive::testUnitReady);
      Thread.sleep(600);
      drive.testUnitReady();

      // 2 blocks: a 95 ms seek plus 16 ms at 62.5 kB/s fits in 150 ms ...
      long start = System.nanoTime();
      drive.write(0, new byte[1024]);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 90, "a realistic write took only " + millis + " ms");
      // ... 18 blocks (9 KiB, 147 ms of transfer plus the seek) does not.
      CommandTimeoutException timeout =
          assertThrows(CommandTimeoutException.class, () -> drive.read(100, 18));
      assertTrue(
          timeout.getMessage().startsWith("READ(10) lba=100 blocks=18 timed out after 150 ms"),
          timeout.getMessage());
      Thread.sleep(400); // the late answer arrives and is dropped; the connection carries on
      assertArrayEquals(new byte[1024], drive.read(0, 2));
    }
  }

  @Test
  void aBlockingCallInsideACallbackIsRefusedNotDeadlocked() throws Exception {
    var store = dev.secdrive.emulator.media.MediumStore.openOrCreate(media);
    Rig.createMedium(store, "FD-2", "fd-1.44", null);
    try (Rig rig =
            new Rig(
                media,
                TimingMode.REALISTIC,
                List.of(new DriveConfig(0, "floppy-1.44", null, "FD-2")));
        Drive drive = Drive.open(rig.uri(0))) {
      Thread.sleep(600); // the floppy's load time
      drive.capacity();
      // Every read pays a seek of 95 ms, so the callback is attached long before the answer and
      // runs on the driver's I/O thread, where a blocking call would wait for itself.
      java.util.concurrent.CompletionException e =
          assertThrows(
              java.util.concurrent.CompletionException.class,
              () -> drive.readAsync(100, 1).thenApply(block -> drive.mediumId()).join());
      assertTrue(e.getCause() instanceof IllegalStateException, e::toString);
      assertTrue(e.getCause().getMessage().contains("would wait for itself"), e::toString);
      // On another executor the same call works.
      org.junit.jupiter.api.Assertions.assertEquals(
          "FD-2", drive.readAsync(200, 1).thenApplyAsync(block -> drive.mediumId()).join());
    }
  }
}
