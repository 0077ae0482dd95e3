package dev.secdrive.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.profiles.ProfileCatalog;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drive's keys, counter and anti-rollback record belong to one running drive: two drives with one
 * device ID, in one emulator or in two on the same media directory, are refused.
 */
class EmulatorDrivesTest {

  @TempDir Path media;
  @TempDir Path anchors;
  private final Authority authority = Authority.create();

  private Emulator.Builder builder(DriveConfig... drives) {
    Emulator.Builder b =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(anchors)
            .enrol(authority)
            .profiles(ProfileCatalog.builtIn());
    for (DriveConfig d : drives) {
      b.drive(d);
    }
    return b;
  }

  @Test
  void oneDeviceIdForTwoDrivesIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                builder(
                        new DriveConfig(0, "mo-640", "SAME-ID", null),
                        new DriveConfig(1, "mo-640", "SAME-ID", null))
                    .start());
    assertEquals("device ID SAME-ID is given to more than one drive", e.getMessage());
  }

  @Test
  void aDriveRunsInOneEmulatorAtATimeAndIsFreeAgainAfterClose() {
    try (Emulator first = builder(new DriveConfig(0, "mo-640", "DRIVE-1", null)).start()) {
      DriveControlException e =
          assertThrows(
              DriveControlException.class,
              () -> builder(new DriveConfig(0, "mo-640", "DRIVE-1", null)).start());
      assertTrue(e.getMessage().startsWith("drive DRIVE-1 is already running"), e.getMessage());
      // another drive on the same media directory is fine
      builder(new DriveConfig(0, "mo-640", "DRIVE-2", null)).start().close();
    }
    builder(new DriveConfig(0, "mo-640", "DRIVE-1", null)).start().close();
  }
}
