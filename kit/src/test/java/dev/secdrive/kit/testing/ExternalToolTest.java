package dev.secdrive.kit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalToolTest {

  @TempDir Path dir;

  @Test
  void findsAProgramOnThePath() {
    Path sh = ExternalTool.onPath("sh").require();
    assertTrue(Files.isExecutable(sh), sh::toString);
  }

  @Test
  void aMissingToolFailsWithOneMessageNamingWhatToInstall() {
    ExternalTool tool =
        ExternalTool.under(dir + "/*/bin", "initdb")
            .describedAs("PostgreSQL server binaries", "install Debian's postgresql package");
    IllegalStateException e = assertThrows(IllegalStateException.class, tool::require);
    assertEquals(
        "PostgreSQL server binaries not found under "
            + dir
            + "/*/bin: install Debian's postgresql package",
        e.getMessage());
    assertEquals(
        "no-such-tool-here not found on PATH: install the package that provides"
            + " no-such-tool-here",
        assertThrows(IllegalStateException.class, ExternalTool.onPath("no-such-tool-here")::require)
            .getMessage());
  }

  @Test
  void theHighestVersionWins() throws Exception {
    for (String version : new String[] {"9", "15", "13"}) {
      Path bin = Files.createDirectories(dir.resolve(version).resolve("bin"));
      Files.createFile(
          bin.resolve("initdb"),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    Files.createDirectories(dir.resolve("16").resolve("bin")); // no initdb in it
    assertEquals(
        dir.resolve("15/bin/initdb"), ExternalTool.under(dir + "/*/bin", "initdb").require());
  }

  @Test
  void theMachinesPostgresqlIsFoundWhereDebianPutsIt() {
    // Not an assertion that it is installed: only that the message is the documented one.
    assertEquals(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install Debian's"
            + " postgresql package",
        PostgresServer.INITDB.missingMessage());
  }
}
