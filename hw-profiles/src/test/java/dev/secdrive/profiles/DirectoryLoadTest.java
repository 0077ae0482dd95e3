package dev.secdrive.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLoadTest {
  @TempDir Path dir;

  private void write(String fileName, ObjectNode tree) throws IOException {
    Files.write(dir.resolve(fileName), Fixtures.bytes(tree));
  }

  /** A new drive: a 1.3 GB MO drive whose own medium type is new, and that also takes mo-640. */
  private static ObjectNode mo1300() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.put("id", "mo-1300");
    t.put("description", "3.5-inch 1.3 GB GigaMO drive");
    ((ObjectNode) t.get("inquiry")).put("product", "MO-1300 SCSI");
    ArrayNode media = (ArrayNode) t.get("media");
    ObjectNode giga = media.insertObject(0);
    giga.put("type", "mo-1300");
    giga.put("description", "3.5-inch 1.3 GB GigaMO disk");
    giga.put("blockSize", 2048);
    giga.put("blockCount", 605846);
    giga.put("pressed", false);
    return t;
  }

  @Test
  void customProfilesOverrideAndExtendTheBuiltInOnes() throws IOException {
    ObjectNode slowCd = Fixtures.tree("cdrom");
    ((ObjectNode) slowCd.get("timing")).put("readMBps", 0.15);
    slowCd.put("description", "Single-speed CD-ROM reader");
    write("cdrom.json", slowCd);
    write("mo-1300.json", mo1300());
    Files.writeString(dir.resolve("README.txt"), "not a profile");
    Files.createDirectory(dir.resolve("nested.json"));

    ProfileCatalog catalog = ProfileCatalog.load(dir);

    assertEquals(
        List.of("cdda", "cdrom", "dvd-ram", "floppy-1.44", "mo-1300", "mo-230", "mo-640"),
        catalog.profiles().stream().map(DriveProfile::id).toList());
    assertEquals(0.15, catalog.get("cdrom").timing().readMBps());
    assertEquals("Single-speed CD-ROM reader", catalog.get("cdrom").description());
    assertEquals(7.2, ProfileCatalog.builtIn().get("cdrom").timing().readMBps(), "built-in intact");
    DriveProfile giga = catalog.get("mo-1300");
    assertEquals("mo-1300", giga.defaultMedium().type());
    assertTrue(giga.accepts("mo-640"));
    assertEquals(605846L * 2048, catalog.mediumType("mo-1300").orElseThrow().capacityBytes());
    assertFalse(ProfileCatalog.builtIn().find("mo-1300").isPresent());
    ProfileException e = assertThrows(ProfileException.class, () -> catalog.get("zip"));
    assertTrue(e.getMessage().contains("mo-1300, mo-230"), e.getMessage());
  }

  @Test
  void emptyDirectoryGivesTheBuiltInProfiles() {
    assertEquals(ProfileCatalog.builtIn().profiles(), ProfileCatalog.load(dir).profiles());
  }

  @Test
  void missingDirectory() {
    Path missing = dir.resolve("nope");
    ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalog.load(missing));
    assertEquals("profile directory " + missing + " does not exist", e.getMessage());
  }

  @Test
  void invalidFileInDirectoryIsNamed() throws IOException {
    ObjectNode t = mo1300();
    ((ObjectNode) t.get("timing")).put("loadMillis", -5);
    write("mo-1300.json", t);
    ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalog.load(dir));
    assertTrue(e.getMessage().contains("mo-1300.json: $.timing.loadMillis"), e.getMessage());
  }

  @Test
  void fileNamedForAnotherIdIsRefused() throws IOException {
    write("giga.json", mo1300());
    ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalog.load(dir));
    assertTrue(e.getMessage().contains("giga.json: $.id: 'mo-1300'"), e.getMessage());
  }

  @Test
  void mediumTypeConflictAcrossProfilesNamesBothProfilesAndTheField() throws IOException {
    ObjectNode t = mo1300();
    // Claims mo-230 media have 1024-byte blocks, which the built-in profiles disagree with.
    ((ObjectNode) t.get("media").get(2)).put("blockSize", 1024);
    write("mo-1300.json", t);
    ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalog.load(dir));
    String m = e.getMessage();
    assertTrue(m.contains("mo-1300.json: $.media[2].blockSize"), m);
    assertTrue(m.contains("'mo-230'"), m);
    assertTrue(m.contains("profile 'mo-1300'"), m);
    assertTrue(m.contains("profile 'mo-230'") || m.contains("profile 'mo-640'"), m);
    assertTrue(m.contains("1024") && m.contains("512"), m);
  }

  @Test
  void mediumTypeConflictBetweenTwoCustomProfiles() throws IOException {
    write("mo-1300.json", mo1300());
    ObjectNode other = mo1300();
    other.put("id", "mo-1300w");
    ((ObjectNode) other.get("media").get(0)).put("pressed", true);
    write("mo-1300w.json", other);
    ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalog.load(dir));
    String m = e.getMessage();
    assertTrue(m.contains("mo-1300w.json: $.media[0].pressed"), m);
    assertTrue(m.contains("profile 'mo-1300w'") && m.contains("profile 'mo-1300'"), m);
  }
}
