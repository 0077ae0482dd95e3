package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * License backup and restore (FIG. 7-15): the drive makes and opens the blobs; the host only moves
 * them, to the drive's user area, to a file, or to the medium in a second drive.
 */
public final class Backups {

  private Backups() {}

  /**
   * What a backup made.
   *
   * @param bytes the blob's length, or -1 where the drive wrote it and its header is unreadable
   */
  public record Backup(BlobLocation location, Binding binding, long bytes) {}

  /**
   * Backs up the drive's license state to {@code to}. {@code binding} null means the default:
   * {@link Binding#MEDIUM} for the user area and files, {@link Binding#SEALED} for a second drive
   * (the only binding a second drive takes). {@code secondDriveLba} is where the blob goes on a
   * second drive's medium, and must be -1 otherwise.
   *
   * @throws FlowException for a binding or LBA that does not suit {@code to}
   */
  public static Backup backup(Drive drive, BlobLocation to, Binding binding, long secondDriveLba) {
    return backup(drive, to, binding, secondDriveLba, Drive::open);
  }

  static Backup backup(
      Drive drive,
      BlobLocation to,
      Binding binding,
      long secondDriveLba,
      Function<dev.secdrive.host.api.DriveUri, Drive> opener) {
    Binding b = checkBackup(to, binding, secondDriveLba);
    if (to instanceof BlobLocation.SecondDrive second) {
      try (Drive other = opener.apply(second.uri())) {
        return new Backup(to, b, backupToDrive(drive, other, secondDriveLba));
      }
    }
    if (to instanceof BlobLocation.UserArea userArea) {
      return new Backup(to, b, backupToUserArea(drive, b, userArea.lba()));
    }
    if (to instanceof BlobLocation.HostFile file) {
      return new Backup(to, b, backupToFile(drive, b, file.path()));
    }
    throw new IllegalArgumentException("unknown location " + to);
  }

  /**
   * The checks {@link #backup} makes before it sends a command, for a caller that wants them before
   * it opens the drive. Returns the binding the backup will use.
   *
   * @throws FlowException for a binding or LBA that does not suit {@code to}
   */
  public static Binding checkBackup(BlobLocation to, Binding binding, long secondDriveLba) {
    if (to instanceof BlobLocation.SecondDrive) {
      if (binding != null && binding != Binding.SEALED) {
        throw new FlowException(
            "a backup to a second drive is always sealed to that drive; binding "
                + binding.text()
                + " is for user-area: and file: targets");
      }
      requireLba(secondDriveLba, to);
      return Binding.SEALED;
    }
    noLba(secondDriveLba, to);
    Binding b = binding == null ? Binding.MEDIUM : binding;
    if (b == Binding.SEALED) {
      throw new FlowException(
          "binding sealed needs a second drive to seal to: use a drive:URI target");
    }
    return b;
  }

  /** As {@link #checkBackup}, for {@link #restore}. */
  public static void checkRestore(BlobLocation from, long secondDriveLba) {
    if (from instanceof BlobLocation.SecondDrive) {
      requireLba(secondDriveLba, from);
    } else {
      noLba(secondDriveLba, from);
    }
  }

  /**
   * Restores the drive's license state from {@code from}; {@code secondDriveLba} is where the blob
   * is on a second drive's medium (-1 for the other locations).
   */
  public static void restore(Drive drive, BlobLocation from, long secondDriveLba) {
    restore(drive, from, secondDriveLba, Drive::open);
  }

  static void restore(
      Drive drive,
      BlobLocation from,
      long secondDriveLba,
      Function<dev.secdrive.host.api.DriveUri, Drive> opener) {
    checkRestore(from, secondDriveLba);
    if (from instanceof BlobLocation.SecondDrive second) {
      try (Drive other = opener.apply(second.uri())) {
        restoreFromDrive(drive, other, secondDriveLba);
      }
      return;
    }
    if (from instanceof BlobLocation.UserArea userArea) {
      drive.secure().restoreFromUserArea(userArea.lba());
    } else if (from instanceof BlobLocation.HostFile file) {
      restoreFromFile(drive, file.path());
    } else {
      throw new IllegalArgumentException("unknown location " + from);
    }
  }

  // ---------------------------------------------------------------- user area

  /**
   * FIG. 7 / 11: the drive writes the blob into its user area from {@code lba}. Returns the blob's
   * length as its header says, or -1 if it cannot be read back.
   */
  public static long backupToUserArea(Drive drive, Binding binding, long lba) {
    Capacity capacity = drive.capacity();
    if (lba < 0 || lba > capacity.lastLba()) {
      throw new FlowException(
          "LBA " + lba + " is outside the medium (last LBA " + capacity.lastLba() + ")");
    }
    drive.secure().backupToUserArea(binding, lba);
    int blocks = (int) Math.min(2, capacity.lastLba() - lba + 1);
    try {
      return BackupBlob.encodedLength(drive.read(lba, blocks));
    } catch (ParameterException e) {
      return -1;
    }
  }

  // ---------------------------------------------------------------- file

  /** FIG. 7 with the host as the store: BACKUP, BACKUP DATA, then the file, replaced atomically. */
  public static long backupToFile(Drive drive, Binding binding, Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new FlowException("cannot write " + file + ": directory " + dir + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw new FlowException("cannot write " + file + ": it is a directory");
    }
    byte[] blob = drive.secure().backupToHost(binding);
    writeAtomically(file, blob);
    return blob.length;
  }

  /** FIG. 9 / 12 with the blob from a host file, sent inline. */
  public static void restoreFromFile(Drive drive, Path file) {
    restoreInline(drive, readBlob(file));
  }

  /**
   * Sends {@code blob} inline in a RESTORE. When the drive refuses it as of another medium (04h),
   * bound to another drive (06h) or stale (07h), the refusal names the blob's medium or bound drive
   * and the drive's, or the medium write and version it was taken at: the blob header carries both
   * in the clear (PROTOCOL.md "Backup blobs"), so saying them reveals nothing the blob does not.
   */
  public static void restoreInline(Drive drive, byte[] blob) {
    try {
      drive.secure().restore(blob);
    } catch (ScsiException e) {
      String detail = mismatch(e.reason().orElse(null), blob, drive);
      throw detail == null ? e : e.withDetail(detail);
    }
  }

  private static String mismatch(Reason reason, byte[] blob, Drive drive) {
    if (reason != Reason.OTHER_MEDIUM && reason != Reason.OTHER_DRIVE && reason != Reason.STALE) {
      return null;
    }
    BackupBlob header;
    try {
      header = BackupBlob.decode(blob);
    } catch (ParameterException e) {
      return null;
    }
    if (reason == Reason.OTHER_MEDIUM) {
      return "backup is of medium " + header.mediumId() + ", this medium is " + drive.mediumId();
    }
    if (reason == Reason.STALE) {
      return "backup was taken at medium write "
          + header.mediumWrites()
          + " with license version "
          + header.licenseVersion()
          + "; the medium's license state has been written since";
    }
    return header.binding() == Binding.SEALED
        ? "backup is sealed to drive " + header.deviceId() + ", this drive is " + drive.deviceId()
        : "backup is bound to drive " + header.deviceId() + ", this drive is " + drive.deviceId();
  }

  /** Reads and checks a blob file: a readable header, a length that matches, no more. */
  static byte[] readBlob(Path file) {
    byte[] blob;
    try {
      long size = Files.size(file);
      if (size > BackupBlob.MAXIMUM_LENGTH) {
        throw new FlowException(
            file
                + " is not a secdrive backup blob: "
                + size
                + " bytes, more than a blob can be ("
                + BackupBlob.MAXIMUM_LENGTH
                + ")");
      }
      blob = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new FlowException("backup file " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      BackupBlob.decode(blob);
    } catch (ParameterException e) {
      if (e.kind() == ParameterException.Kind.FORMAT_VERSION) {
        throw new FlowException(file + ": " + e.getMessage());
      }
      throw new FlowException(
          file
              + " is not a secdrive backup blob: "
              + e.getMessage()
              + " (at byte "
              + e.offset()
              + ")");
    }
    return blob;
  }

  /** Temp file in the same directory, forced to disk, renamed over the target: old or new. */
  static void writeAtomically(Path file, byte[] bytes) {
    try {
      AtomicFiles.replace(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- second drive

  /**
   * FIG. 14: the blob sealed in {@code first} to {@code second}'s certified key, written onto the
   * medium in {@code second} from {@code lba}. Returns the blob's length.
   */
  public static long backupToDrive(Drive first, Drive second, long lba) {
    Certificate recipient = second.secure().certificate();
    Certificate own = first.secure().certificate();
    if (recipient.subject().equals(own.subject())) {
      throw new FlowException(
          "the second drive is this drive (device "
              + own.subject()
              + "); name another drive for a drive: target");
    }
    Capacity capacity = second.capacity();
    if (lba < 0 || lba > capacity.lastLba()) {
      throw new FlowException(
          "LBA "
              + lba
              + " is outside the medium in the second drive (last LBA "
              + capacity.lastLba()
              + ")");
    }
    byte[] blob = first.secure().backupSealed(recipient);
    int blockSize = capacity.blockSize();
    long blocks = (blob.length + blockSize - 1) / blockSize;
    if (lba + blocks - 1 > capacity.lastLba()) {
      throw new FlowException(
          "the blob of "
              + blob.length
              + " bytes needs "
              + blocks
              + " blocks from LBA "
              + lba
              + ", past the end of the medium in the second drive (last LBA "
              + capacity.lastLba()
              + ")");
    }
    second.write(lba, Arrays.copyOf(blob, Math.toIntExact(blocks * blockSize)));
    return blob.length;
  }

  /**
   * FIG. 15: {@code second}, which the blob on its medium at {@code lba} is sealed to, seals it
   * again to {@code first} (RESEAL, S81-S82); {@code first} restores it (S83-S85).
   */
  public static void restoreFromDrive(Drive first, Drive second, long lba) {
    Certificate own = first.secure().certificate();
    byte[] blob = second.secure().resealFromUserArea(lba, own);
    restoreInline(first, blob);
  }

  private static void requireLba(long lba, BlobLocation location) {
    if (lba < 0) {
      throw new FlowException(
          location + " needs the LBA of the blob on the second drive's medium (--lba)");
    }
  }

  private static void noLba(long lba, BlobLocation location) {
    if (lba >= 0) {
      throw new FlowException(
          "an LBA (--lba) goes with drive: locations only; "
              + location
              + " carries its own location");
    }
  }
}
