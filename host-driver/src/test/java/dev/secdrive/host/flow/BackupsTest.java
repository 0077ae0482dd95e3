package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.DriveUri;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks Backups makes before it talks to a drive, and its file handling. */
class BackupsTest {

  @TempDir Path dir;

  private static String refusal(BlobLocation to, Binding binding, long lba) {
    // Every refusal here comes before the first command: no drive is needed.
    return assertThrows(
            FlowException.class,
            () ->
                Backups.backup(
                    null,
                    to,
                    binding,
                    lba,
                    uri -> {
                      throw new AssertionError("must not open " + uri);
                    }))
        .getMessage();
  }

  @Test
  void bindingsAndLbasMustSuitTheTarget() {
    BlobLocation second = new BlobLocation.SecondDrive(DriveUri.parse("tcp://127.0.0.1:7140/1"));
    assertEquals(
        "a backup to a second drive is always sealed to that drive; binding medium+device is for"
            + " user-area: and file: targets",
        refusal(second, Binding.MEDIUM_THEN_DEVICE, 10));
    assertEquals(
        "drive:tcp://127.0.0.1:7140/1 needs the LBA of the blob on the second drive's medium"
            + " (--lba)",
        refusal(second, null, -1));
    assertEquals(
        "binding sealed needs a second drive to seal to: use a drive:URI target",
        refusal(new BlobLocation.UserArea(5), Binding.SEALED, -1));
    assertEquals(
        "an LBA (--lba) goes with drive: locations only; file:x.blob carries its own location",
        refusal(new BlobLocation.HostFile(Path.of("x.blob")), null, 3));
  }

  @Test
  void blobFilesAreReplacedAtomicallyAndCheckedOnRead() throws Exception {
    byte[] blob =
        new BackupBlob(Binding.MEDIUM, "MO-1", 4, 3, 9, "", new byte[0], new byte[40]).encode();
    Path file = dir.resolve("license.blob");
    Files.write(file, new byte[] {1, 2, 3});
    Backups.writeAtomically(file, blob);
    assertArrayEquals(blob, Files.readAllBytes(file));
    assertEquals(List.of(file), Files.list(dir).toList(), "no temporary file left");
    assertArrayEquals(blob, Backups.readBlob(file));

    Path garbage = Files.writeString(dir.resolve("notes.txt"), "shopping list");
    assertTrue(
        assertThrows(FlowException.class, () -> Backups.readBlob(garbage))
            .getMessage()
            .startsWith(garbage + " is not a secdrive backup blob: "));
    Path old = dir.resolve("old.blob");
    byte[] format1 = blob.clone();
    format1[4] = 1;
    Files.write(old, format1);
    assertEquals(
        old
            + ": backup blob has format version 1, which does not carry the medium's write counter;"
            + " this secdrive reads 2: take a new backup",
        assertThrows(FlowException.class, () -> Backups.readBlob(old)).getMessage());
    Path missing = dir.resolve("none.blob");
    assertEquals(
        "backup file " + missing + " does not exist",
        assertThrows(FlowException.class, () -> Backups.readBlob(missing)).getMessage());
  }
}
