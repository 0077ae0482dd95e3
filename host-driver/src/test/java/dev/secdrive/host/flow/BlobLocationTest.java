package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.DriveUri;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BlobLocationTest {

  @Test
  void parsesTheThreeKinds() {
    assertEquals(new BlobLocation.UserArea(5000), BlobLocation.parse("user-area:5000"));
    assertEquals(
        new BlobLocation.HostFile(Path.of("/tmp/x.blob")), BlobLocation.parse("file:/tmp/x.blob"));
    assertEquals(
        new BlobLocation.SecondDrive(DriveUri.parse("tcp://127.0.0.1:7140/1")),
        BlobLocation.parse("drive:tcp://127.0.0.1:7140/1"));
    assertEquals("user-area:7", BlobLocation.parse("user-area:7").toString());
  }

  private static String error(String text) {
    return assertThrows(IllegalArgumentException.class, () -> BlobLocation.parse(text))
        .getMessage();
  }

  @Test
  void errorsNameTheProblem() {
    assertEquals(
        "'backup.bin' names no kind of location (use user-area:LBA, file:PATH or drive:URI)",
        error("backup.bin"));
    assertEquals(
        "unknown location kind 'disk' in 'disk:3' (use user-area:LBA, file:PATH or drive:URI)",
        error("disk:3"));
    assertEquals("'user-area:' is missing what follows 'user-area:'", error("user-area:"));
    assertEquals("'x12' in 'user-area:x12' is not an LBA (a whole number)", error("user-area:x12"));
    assertEquals("LBA -4 in 'user-area:-4' is negative", error("user-area:-4"));
    assertTrue(
        error("drive:ftp://x").startsWith("'ftp://x' in 'drive:ftp://x' is not a drive URI: "));
  }
}
