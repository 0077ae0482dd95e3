package dev.secdrive.kit.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Secrets on disk: directories and files created owner-only, and a reader that refuses a secret
 * others may read or write, as OpenSSH refuses a private key with loose modes. Another local user
 * who can read the file has the key; one who can write it can plant theirs. On a file system
 * without POSIX permissions there is nothing to check or set.
 */
public final class SecretFiles {

  private static final Set<PosixFilePermission> LOOSE =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private SecretFiles() {}

  /** The content of the secret {@code file}, refused if others may read or write it. */
  public static byte[] read(Path file) throws IOException {
    requireOwnerOnly(file);
    return Files.readAllBytes(file);
  }

  /**
   * @throws LooseSecretFileException if group or others may read or write {@code file}
   * @throws java.nio.file.NoSuchFileException if it does not exist
   */
  public static void requireOwnerOnly(Path file) throws IOException {
    if (!posix(file)) {
      Files.readAttributes(file, "basic:size"); // still say NoSuchFile for a missing file
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    permissions.retainAll(LOOSE);
    if (!permissions.isEmpty()) {
      throw new LooseSecretFileException(file);
    }
  }

  /** Creates {@code directory} and missing parents owner-only (rwx------); none if it exists. */
  public static void createDirectories(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    Path parent = directory.toAbsolutePath().getParent();
    if (parent != null && posix(parent)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(directory);
    }
  }

  /** Attributes that create a file in {@code directory} owner-only (rw-------). */
  static FileAttribute<?>[] ownerOnlyFile(Path directory) {
    return posix(directory)
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
