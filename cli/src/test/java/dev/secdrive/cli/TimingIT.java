package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveUri;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Realistic timing across TCP: spin-up after insert, answers that wait for the drive, command
 * timeouts. The drive's clock and the delays of its answers run on one {@link ManualScheduler}, the
 * host's command timeouts on another; the test moves them, so nothing here waits on the wall clock
 * for a margin: an answer leaves the drive when, and only when, the drive's time reaches it.
 */
class TimingIT {

  /** The floppy profile's load time. */
  private static final Duration FLOPPY_LOAD = Duration.ofMillis(500);

  /** 256 blocks of 512 bytes at the floppy's 62.5 kB/s: about 2.1 s of drive time. */
  private static final int SLOW_BLOCKS = 256;

  /** Longer than any command here keeps the drive busy. */
  private static final Duration DRIVE_DONE = Duration.ofSeconds(10);

  @TempDir Path media;

  /** The drive's clock: spin-up, how long the drive is busy, when its answers go. */
  private final ManualScheduler driveTime = new ManualScheduler();

  /** The host's command timeouts. */
  private final ManualScheduler hostTime = new ManualScheduler();

  private Rig floppy(String mediumId, String loaded) {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, mediumId, "fd-1.44", null);
    return new Rig(
        media,
        TimingMode.REALISTIC,
        List.of(new DriveConfig(0, "floppy-1.44", null, loaded)),
        driveTime);
  }

  /**
   * Waits until the drive has executed {@code answers} commands whose answers wait on its clock: a
   * liveness wait for the socket, not a margin, since those answers cannot leave until the clock
   * moves.
   */
  private void awaitDriveAnswers(int answers) throws InterruptedException {
    driveTime.awaitPending(answers, Duration.ofSeconds(30));
  }

  @Test
  void spinUpThenAnswersAfterTheDriveTimeThenTimeout() throws Exception {
    try (Rig rig = floppy("FD-1", null);
        Drive drive = Drive.open(DriveUri.parse(rig.uri(0, "timeout=150ms")), hostTime)) {
      rig.emulator.insert(0, "FD-1");
      DriveIT.assertSense(
          SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED, drive::testUnitReady);
      DriveIT.assertSense(
          SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_BECOMING_READY, drive::testUnitReady);
      driveTime.advance(FLOPPY_LOAD.minusNanos(1));
      DriveIT.assertSense(
          SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_BECOMING_READY, drive::testUnitReady);
      driveTime.advance(Duration.ofNanos(1));
      drive.testUnitReady();

      // A write pays a seek and its transfer time: its answer waits for the drive's time, and
      // while the host's clock stands still no amount of real time times it out.
      CompletableFuture<Void> write = drive.writeAsync(0, new byte[1024]);
      awaitDriveAnswers(1);
      assertFalse(write.isDone(), "answered before the drive's time moved");
      driveTime.advance(DRIVE_DONE);
      write.get();

      // A read still in the drive when the host's clock passes the timeout fails with it ...
      CompletableFuture<byte[]> slow = drive.readAsync(100, SLOW_BLOCKS);
      awaitDriveAnswers(1);
      hostTime.advance(Duration.ofMillis(149));
      assertFalse(slow.isDone(), "not timed out at 149 ms");
      hostTime.advance(Duration.ofMillis(1));
      ExecutionException failed = assertThrows(ExecutionException.class, slow::get);
      CommandTimeoutException timeout =
          assertInstanceOf(CommandTimeoutException.class, failed.getCause());
      assertTrue(
          timeout
              .getMessage()
              .startsWith("READ(10) lba=100 blocks=" + SLOW_BLOCKS + " timed out after 150 ms"),
          timeout.getMessage());
      // ... and its late answer is dropped: the next READ queues behind the slow one and is
      // answered after it, on a connection that carries on.
      CompletableFuture<byte[]> next = drive.readAsync(0, 2);
      awaitDriveAnswers(2);
      driveTime.advance(DRIVE_DONE);
      assertArrayEquals(new byte[1024], next.get());
      assertEquals(0, hostTime.pending(), "no command left waiting for a timeout");
    }
  }

  @Test
  void aBlockingCallInsideACallbackIsRefusedNotDeadlocked() throws Exception {
    try (Rig rig = floppy("FD-2", "FD-2");
        Drive drive = Drive.open(DriveUri.parse(rig.uri(0)), hostTime)) {
      driveTime.advance(FLOPPY_LOAD);
      drive.capacity();
      // The read's answer waits for the drive's time, so the callback is attached before the
      // answer and runs on the driver's I/O thread, where a blocking call would wait for itself.
      CompletableFuture<String> inCallback =
          drive.readAsync(100, SLOW_BLOCKS).thenApply(block -> drive.mediumId());
      awaitDriveAnswers(1);
      driveTime.advance(DRIVE_DONE);
      CompletionException e = assertThrows(CompletionException.class, inCallback::join);
      assertInstanceOf(IllegalStateException.class, e.getCause(), e::toString);
      assertTrue(e.getCause().getMessage().contains("would wait for itself"), e::toString);
      // On another executor the same call works.
      CompletableFuture<String> elsewhere =
          drive.readAsync(200, 1).thenApplyAsync(block -> drive.mediumId());
      awaitDriveAnswers(1);
      driveTime.advance(DRIVE_DONE);
      assertEquals("FD-2", elsewhere.join());
    }
  }
}
