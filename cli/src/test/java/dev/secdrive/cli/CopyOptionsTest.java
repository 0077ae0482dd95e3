package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive copy}, {@code run}, {@code master author} and {@code user-key} refuse bad options
 * before they reach a drive or the central site: nothing listens behind these addresses, so any of
 * these getting that far would fail with a connection error instead.
 */
class CopyOptionsTest {

  private static final String NOWHERE = "tcp://127.0.0.1:1/0?timeout=1s";
  private static final String NO_CENTER = "http://127.0.0.1:1";

  @TempDir Path dir;

  private static String error(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(1, cli.exit(), cli::toString);
    assertEquals("", cli.out(), cli::toString);
    return cli.err().trim();
  }

  @Test
  void copyOptions() {
    String[] base = {
      "copy",
      "--master",
      NOWHERE,
      "--target",
      NOWHERE,
      "--title",
      "T",
      "--center",
      NO_CENTER,
      "--user",
      "alice"
    };
    assertEquals("secdrive: --lba must not be negative: -1", error(concat(base, "--lba", "-1")));
    assertEquals(
        "secdrive: user key " + dir.resolve("none.key") + " does not exist",
        error(concat(base, "--user-key", dir.resolve("none.key").toString())));
    assertEquals(
        "secdrive: central site URL 'ftp://x' must be http://host:port or https://host:port",
        error(
            "copy",
            "--master",
            NOWHERE,
            "--target",
            NOWHERE,
            "--title",
            "T",
            "--center",
            "ftp://x",
            "--user",
            "alice"));
    assertEquals(
        "secdrive: --user-key FILE is needed: the central site bills a copy only on a request the"
            + " user signed with the user key ('secdrive user-key create')",
        error(base));
    Cli missing = Cli.run("copy", "--master", NOWHERE, "--title", "T");
    assertEquals(2, missing.exit(), missing::toString);
    assertTrue(missing.err().contains("Missing required options"), missing::toString);
  }

  @Test
  void runOptions() {
    assertEquals(
        "secdrive: give --authority-key or --center, not both",
        error(
            "run",
            NOWHERE,
            "--title",
            "T",
            "--authority-key",
            "00".repeat(32),
            "--center",
            NO_CENTER));
    assertEquals(
        "secdrive: --authority-key must be 64 hexadecimal digits (the 32-byte public key that"
            + " 'secdrive authority init' prints), got 'abc'",
        error("run", NOWHERE, "--title", "T", "--authority-key", "abc"));
  }

  @Test
  void centerUserAddKeysAreParsedLikeTheAuthorityKey() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t0k3n\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    String[] base = {
      "center",
      "user",
      "add",
      "--center",
      NO_CENTER,
      "--admin-token",
      token.toString(),
      "--id",
      "alice",
      "--name",
      "Alice"
    };
    assertEquals(
        "secdrive: --public-key must be 64 hexadecimal digits (32 bytes), got 'abc'",
        error(concat(base, "--public-key", "abc", "--signing-key", "00".repeat(32))));
    assertEquals(
        "secdrive: --signing-key must be 64 hexadecimal digits (32 bytes), got '"
            + "0".repeat(62)
            + "'",
        error(concat(base, "--public-key", "00".repeat(32), "--signing-key", "0".repeat(62))));
  }

  @Test
  void masterAuthorOptions() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t0k3n\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Path content = Files.write(dir.resolve("game.bin"), new byte[100]);
    String[] base = {
      "master",
      "author",
      "--media-dir",
      dir.resolve("media").toString(),
      "--center",
      NO_CENTER,
      "--admin-token",
      token.toString()
    };
    assertEquals(
        "secdrive: --title 'game': expected ID=FILE[,name=NAME][,scheme=1|2][,price=CENTS]",
        error(concat(base, "--title", "game")));
    assertEquals(
        "secdrive: --title 'g="
            + content
            + ",scheme=3': scheme must be 1 (certificate copy) or 2"
            + " (converted copy), not '3'",
        error(concat(base, "--title", "g=" + content + ",scheme=3")));
    assertEquals(
        "secdrive: --title 'g="
            + content
            + ",price=free': price must be a number of cents, not"
            + " 'free'",
        error(concat(base, "--title", "g=" + content + ",price=free")));
    assertEquals(
        "secdrive: --title 'g="
            + content
            + ",colour=red': unknown key 'colour' (name, scheme,"
            + " price)",
        error(concat(base, "--title", "g=" + content + ",colour=red")));
    assertEquals(
        "secdrive: --title g: no such file " + dir.resolve("none.bin"),
        error(concat(base, "--title", "g=" + dir.resolve("none.bin"))));
    assertEquals(
        "secdrive: medium type mo-640 is not pressed; a master is a pressed medium (cd-rom-650)",
        error(concat(base, "--title", "g=" + content, "--type", "mo-640")));
    Path empty = Files.writeString(dir.resolve("empty"), "  \n");
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
    assertEquals(
        "secdrive: --admin-token " + empty + " is empty",
        error(
            "master",
            "author",
            "--media-dir",
            dir.resolve("media").toString(),
            "--center",
            NO_CENTER,
            "--admin-token",
            empty.toString(),
            "--title",
            "g=" + content));
    assertTrue(
        error(concat(base, "--title", "g=" + content))
            .startsWith("secdrive: cannot reach the central site at " + NO_CENTER));
  }

  @Test
  void userKeyCreateWritesAKeyOnceOnly() {
    Path file = dir.resolve("alice.key");
    Cli created = Cli.run("user-key", "create", "--out", file.toString());
    assertEquals(0, created.exit(), created::toString);
    assertTrue(created.out().startsWith("created user key " + file), created::toString);
    assertEquals(
        "secdrive: " + file + " already exists; not overwriting a user key",
        error("user-key", "create", "--out", file.toString()));
  }

  private static String[] concat(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
