package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.emulator.secure.Authority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every option that names a file holding a secret (an admin token, a password, the control token)
 * refuses one that group or others may read, before it uses it, with the file and the fix named.
 */
class SecretFileOptionsIT {

  /** No server listens here: a command that got as far as connecting would say so instead. */
  private static final String NOWHERE = "http://127.0.0.1:9";

  @TempDir Path work;

  private Path loose(String name, String secret) throws IOException {
    Path file = Files.writeString(work.resolve(name), secret + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return file;
  }

  private static void refused(String option, Path file, String... args) {
    Cli cli = Cli.run(args);
    assertEquals(1, cli.exit(), cli::toString);
    assertEquals(
        "secdrive: "
            + option
            + " "
            + file
            + " holds a secret but others may read or write it: chmod 600 "
            + file,
        cli.err().trim());
  }

  private static String[] concat(String[] head, String... tail) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  @Test
  void everyCenterAdminCommandRefusesALooseAdminToken() throws Exception {
    Path token = loose("admin-token", "0123456789abcdef");
    String[] admin = {"--center", NOWHERE, "--admin-token", token.toString()};
    refused(
        "--admin-token",
        token,
        concat(new String[] {"center", "user", "show"}, concat(admin, "--id", "nobody")));
    refused(
        "--admin-token",
        token,
        concat(new String[] {"center", "title", "add"}, concat(admin, "--id", "t", "--name", "T")));
    refused(
        "--admin-token",
        token,
        concat(
            new String[] {"center", "pay"}, concat(admin, "--user", "nobody", "--amount", "100")));
    Path title = Files.write(work.resolve("title.bin"), new byte[100]);
    refused(
        "--admin-token",
        token,
        concat(
            new String[] {"master", "author", "--media-dir", work.resolve("media").toString()},
            concat(admin, "--title", "t=" + title)));
  }

  @Test
  void theCenterRefusesALooseDatabasePasswordFile() throws Exception {
    Path password = loose("db-password", "database password");
    refused(
        "--db-password-file",
        password,
        "center",
        "serve",
        "--data-dir",
        work.resolve("center").toString(),
        "--jdbc-url",
        "jdbc:postgresql://127.0.0.1:9/center",
        "--db-user",
        "center",
        "--db-password-file",
        password.toString());
  }

  @Test
  void theClientRefusesALoosePasswordFile() throws Exception {
    Path password = loose("password", "a long password");
    refused(
        "--password-file",
        password,
        "client",
        "register",
        "tcp://127.0.0.1:9/0",
        "--distributor",
        NOWHERE,
        "--user",
        "alice",
        "--password-file",
        password.toString());
  }

  @Test
  void distributorUserAddRefusesALoosePasswordFile() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path tree = work.resolve("key-tree.json");
    Path dir = work.resolve("a");
    assertEquals(
        0,
        Cli.run(
                "authority",
                "key-tree",
                "--out",
                tree.toString(),
                "--depth",
                "10",
                "--category-depth",
                "2")
            .exit());
    Cli init =
        Cli.run(
            "distributor",
            "init",
            "--data-dir",
            dir.toString(),
            "--name",
            "Distributor A",
            "--authority",
            authority.toString(),
            "--key-tree",
            tree.toString(),
            "--category",
            "0",
            "--shared-dir",
            work.resolve("shared").toString());
    assertEquals(0, init.exit(), init::toString);
    Path password = loose("password", "a long password");
    refused(
        "--password-file",
        password,
        "distributor",
        "user",
        "add",
        "--data-dir",
        dir.toString(),
        "--id",
        "alice",
        "--name",
        "Alice",
        "--password-file",
        password.toString());
  }

  @Test
  void controlRefusesALooseTokenFile() throws Exception {
    Path token = loose("control-token", "0123456789abcdef0123456789abcdef");
    Cli cli = Cli.run("control", NOWHERE, "--token-file", token.toString(), "status");
    assertEquals(1, cli.exit(), cli::toString);
    assertEquals(
        "secdrive: "
            + token
            + " holds a secret but others may read or write it: chmod 600 "
            + token,
        cli.err().trim());
  }
}
