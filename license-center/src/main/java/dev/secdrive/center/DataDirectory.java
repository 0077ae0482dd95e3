package dev.secdrive.center;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * What every server data directory of this module has, the central site's and each distributor's: a
 * directory readable by its owner only, an admin token (the bearer token of the administrative
 * endpoints) in {@value #ADMIN_TOKEN_FILE}, and secret files that are refused when others can read
 * them.
 */
public final class DataDirectory {

  /** The admin token's file name in the data directory. */
  public static final String ADMIN_TOKEN_FILE = "admin-token";

  private DataDirectory() {}

  /**
   * Creates {@code dataDir} (rwx------) and a random admin token in it.
   *
   * @throws UncheckedIOException if either cannot be written
   */
  public static void createWithAdminToken(Path dataDir) {
    try {
      SecretFiles.createDirectories(dataDir);
      AtomicFiles.replaceSecret(
          dataDir.resolve(ADMIN_TOKEN_FILE),
          (HexFormat.of().formatHex(Bytes.random(32)) + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up data directory " + dataDir + ": " + e, e);
    }
  }

  /**
   * The admin token of a data directory.
   *
   * @throws CenterSetupException if it is missing, empty or readable by others
   */
  public static String adminToken(Path dataDir) {
    Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
    requireOwnerOnly(file);
    try {
      String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (token.isEmpty()) {
        throw new CenterSetupException("admin token file " + file + " is empty");
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new CenterSetupException(
          "admin token file " + file + " does not exist (set the data directory up first)", e);
    } catch (IOException e) {
      throw new CenterSetupException("cannot read admin token file " + file + ": " + e, e);
    }
  }

  /**
   * @throws CenterSetupException if {@code file} exists and others can read it
   */
  public static void requireOwnerOnly(Path file) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      SecretFiles.requireOwnerOnly(file);
    } catch (LooseSecretFileException e) {
      throw new CenterSetupException(e.getMessage(), e);
    } catch (IOException e) {
      throw new CenterSetupException("cannot read the permissions of " + file + ": " + e, e);
    }
  }
}
