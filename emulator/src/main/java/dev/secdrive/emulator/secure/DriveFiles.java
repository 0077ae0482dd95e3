package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where one drive's keys and state live, and the two ways to get a drive: enrol it (with the
 * authority, a separate step) or load it (without).
 *
 * <p>{@code <media dir>/.secdrive/drives/<device ID>/} holds {@code keys.json} (device secret,
 * X25519 and Ed25519 private keys, certificate, system secret, authority public key) and {@code
 * state.sealed} ({@link DriveNv}); the anchor lives in another store, {@code <anchor dir>/<device
 * ID>-<fingerprint>.anchor}, by default {@link #defaultAnchorDirectory()}. All are owner-only and
 * refused when others may read or write them.
 *
 * @param deviceId the drive's device ID
 * @param directory the drive's directory in the media directory
 * @param anchorDirectory where the drive's anchor lives
 */
public record DriveFiles(String deviceId, Path directory, Path anchorDirectory) {

  public static final String KEYS = "keys.json";
  public static final String STATE = "state.sealed";
  private static final String LOCK = "lock";

  /**
   * The files of drive {@code deviceId} whose secure directory is {@code secureDirectory} ({@code
   * <media dir>/.secdrive}).
   */
  public static DriveFiles of(Path secureDirectory, Path anchorDirectory, String deviceId) {
    return new DriveFiles(
        deviceId, secureDirectory.resolve("drives").resolve(deviceId), anchorDirectory);
  }

  /**
   * {@code $XDG_STATE_HOME/secdrive/anchors}, or {@code ~/.local/state/secdrive/anchors} when it is
   * unset or not absolute (the XDG base directory rules): outside every media directory, as RPMB is
   * outside an eMMC device's flash.
   */
  public static Path defaultAnchorDirectory() {
    String state = System.getenv("XDG_STATE_HOME");
    Path base =
        state != null && !state.isEmpty() && Path.of(state).isAbsolute()
            ? Path.of(state)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("secdrive").resolve("anchors");
  }

  public Path keysFile() {
    return directory.resolve(KEYS);
  }

  public Path stateFile() {
    return directory.resolve(STATE);
  }

  /** The anchor of the drive holding {@code keys}. */
  public Path anchorFile(DriveKeys keys) {
    return anchorDirectory.resolve(deviceId + "-" + keys.fingerprint() + ".anchor");
  }

  /** Whether the drive has keys (it may still be refused at start). */
  public boolean enrolled() {
    return Files.exists(keysFile());
  }

  /**
   * A drive's keys and its checked state, and the lock on its anchor, which the caller holds for as
   * long as the drive runs and then closes.
   */
  public record Loaded(DriveKeys keys, DriveNv nv, FileChannel anchorLock) {}

  /**
   * Loads the drive: its keys, then its state checked against its anchor.
   *
   * @param enrolCommand how to enrol this drive, for the messages
   * @throws DriveStateException if the drive is not enrolled, or its files do not belong together;
   *     the message names the files and the way out
   */
  public Loaded load(String enrolCommand) {
    requireEnrolled(enrolCommand);
    DriveKeys keys;
    try {
      keys = DriveKeys.load(keysFile(), deviceId);
    } catch (KeyFileException e) {
      throw e.getCause() instanceof LooseSecretFileException
          ? e
          : refused(e.getMessage(), enrolCommand);
    }
    Path anchor = anchorFile(keys);
    // A copy of this media directory elsewhere runs the same drive with the same anchor.
    FileChannel anchorLock =
        lock(
            anchor.resolveSibling(anchor.getFileName() + ".lock"),
            ", from a copy of its media directory");
    try {
      return new Loaded(keys, DriveNv.open(stateFile(), anchor, keys), anchorLock);
    } catch (DriveStateException e) {
      closeQuietly(anchorLock);
      throw refused("drive " + deviceId + " does not start: " + e.getMessage(), enrolCommand);
    } catch (RuntimeException e) {
      closeQuietly(anchorLock);
      throw e;
    }
  }

  /**
   * @throws DriveStateException if the drive has no keys, with the command that enrols it
   */
  public void requireEnrolled(String enrolCommand) {
    if (!enrolled()) {
      throw new DriveStateException(
          "drive "
              + deviceId
              + " is not enrolled: "
              + keysFile()
              + " does not exist"
              + (Files.exists(stateFile())
                  ? " while its state " + stateFile() + " does (enrol it again with --replace)"
                  : "")
              + ". Enrol it with the licensing authority first: "
              + enrolCommand);
    }
  }

  /**
   * Enrols the drive with {@code authority}: fresh keys certified by it, a fresh state and anchor.
   * The drive's directory is locked meanwhile, so a running drive is never enrolled under it.
   *
   * @param replace whether an enrolled drive is enrolled again (a new drive; its old anchor is
   *     removed); without it one is refused
   * @return the new keys
   */
  public DriveKeys enrol(Authority authority, boolean replace) {
    try {
      SecretFiles.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + directory + ": " + e, e);
    }
    try (FileChannel lock = lock()) {
      if (!replace) {
        requireNotEnrolled();
      }
      if (enrolled()) {
        removeOldAnchor();
      }
      DriveKeys keys = DriveKeys.enroll(deviceId, authority);
      // Keys first: a crash after them leaves a drive that refuses to start without its state,
      // and enrolling it again finishes the job.
      keys.save(keysFile());
      DriveNv.create(stateFile(), anchorFile(keys), keys);
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot enrol drive " + deviceId + ": " + e, e);
    }
  }

  /**
   * @throws DriveStateException if the drive is enrolled already, saying what enrolling it again
   *     means
   */
  public void requireNotEnrolled() {
    if (enrolled()) {
      throw new DriveStateException(
          "drive "
              + deviceId
              + " is already enrolled ("
              + keysFile()
              + "); --replace enrols it again as a new drive, whose old device-bound and sealed"
              + " backups are lost");
    }
  }

  /**
   * Locks the drive's directory, so that a second emulator (or an enrolment) cannot run the same
   * drive and its counter beside this one. Closing the channel releases the lock.
   */
  public FileChannel lock() {
    return lock(directory.resolve(LOCK), "");
  }

  private FileChannel lock(Path file, String how) {
    FileChannel channel = null;
    try {
      SecretFiles.createDirectories(file.toAbsolutePath().getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        throw new DriveControlException(
            "drive "
                + deviceId
                + " is already running in another emulator"
                + how
                + " ("
                + file
                + " is locked)");
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new DriveControlException(
          "drive "
              + deviceId
              + " is already running in this process"
              + how
              + " ("
              + file
              + " is locked)");
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private void removeOldAnchor() throws IOException {
    DriveKeys old;
    try {
      old = DriveKeys.load(keysFile(), deviceId);
    } catch (KeyFileException e) {
      return; // unreadable keys name no anchor; one left behind belongs to no drive
    }
    Files.deleteIfExists(anchorFile(old));
    AtomicFiles.syncDirectory(anchorDirectory);
  }

  private static DriveStateException refused(String problem, String enrolCommand) {
    return new DriveStateException(
        problem
            + ". To reset the drive, enrol it again: "
            + enrolCommand
            + " --replace. A reset drive is a new drive: its device-bound and sealed backups are"
            + " lost, and it cannot be used to roll a medium back.");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // releasing a lock we failed to take
      }
    }
  }
}
