package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive license} refuses bad options before it opens a drive: the URI below has no drive
 * behind it, so any of these reaching the drive would fail with a connection error instead.
 */
class LicenseOptionsTest {

  private static final String NOWHERE = "tcp://127.0.0.1:1/0?timeout=1s";

  @TempDir Path dir;

  private static String error(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(1, cli.exit(), cli::toString);
    assertEquals("", cli.out(), cli::toString);
    return cli.err().trim();
  }

  @Test
  void provisionOptions() throws Exception {
    Path content = Files.write(dir.resolve("movie.bin"), new byte[10]);
    String[] base = {
      "license",
      "provision",
      NOWHERE,
      "--credential",
      dir.resolve("none.json").toString(),
      "--content-id",
      "MOVIE-1",
      "--lba",
      "100"
    };
    assertEquals(
        "secdrive: --plays must be 1..4294967294 or 'unlimited', not 0",
        error(concat(base, "--in", content.toString(), "--plays", "0")));
    assertEquals(
        "secdrive: --plays 'lots' is not a number or 'unlimited'",
        error(concat(base, "--in", content.toString(), "--plays", "lots")));
    assertEquals(
        "secdrive: --in " + dir.resolve("missing.bin") + ": no such file",
        error(concat(base, "--in", dir.resolve("missing.bin").toString())));
    assertEquals(
        "secdrive: licensor credential " + dir.resolve("none.json") + " does not exist",
        error(concat(base, "--in", content.toString())));
    Files.setPosixFilePermissions(
        Files.writeString(dir.resolve("bad.json"), "{\"format\": 1}"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertEquals(
        "secdrive: licensor credential " + dir.resolve("bad.json") + ": 'name' is missing",
        error(
            "license",
            "provision",
            NOWHERE,
            "--credential",
            dir.resolve("bad.json").toString(),
            "--content-id",
            "MOVIE-1",
            "--lba",
            "100",
            "--in",
            content.toString()));
  }

  @Test
  void backupAndRestoreOptions() {
    assertEquals(
        "secdrive: --to: unknown location kind 'disk' in 'disk:3' (use user-area:LBA, file:PATH"
            + " or drive:URI)",
        error("license", "backup", NOWHERE, "--to", "disk:3"));
    assertEquals(
        "secdrive: --bind: unknown binding 'purple' (use medium, medium+device, device+medium or"
            + " sealed)",
        error("license", "backup", NOWHERE, "--to", "user-area:5", "--bind", "purple"));
    assertEquals(
        "secdrive: binding sealed needs a second drive to seal to: use a drive:URI target",
        error("license", "backup", NOWHERE, "--to", "user-area:5", "--bind", "sealed"));
    assertEquals(
        "secdrive: drive:tcp://127.0.0.1:2/0 needs the LBA of the blob on the second drive's"
            + " medium (--lba)",
        error("license", "backup", NOWHERE, "--to", "drive:tcp://127.0.0.1:2/0"));
    assertEquals(
        "secdrive: an LBA (--lba) goes with drive: locations only; user-area:5 carries its own"
            + " location",
        error("license", "restore", NOWHERE, "--from", "user-area:5", "--lba", "9"));
    assertTrue(
        error("license", "restore", NOWHERE, "--from", "user-area:x")
            .startsWith("secdrive: --from: 'x' in 'user-area:x' is not an LBA"));
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    Cli cli = Cli.run("license", "play", NOWHERE, "--lba", "3");
    assertEquals(2, cli.exit(), cli::toString);
    assertTrue(cli.err().contains("Missing required option: '--content-id=ID'"), cli::toString);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
