package dev.secdrive.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A file that is not a valid profile is refused, and the message says which file and field. */
class InvalidProfileTest {

  private static ProfileException refused(String fileName, byte[] json) {
    return assertThrows(ProfileException.class, () -> ProfileCatalog.parse(fileName, json));
  }

  private static ProfileException refused(ObjectNode tree) {
    return refused("mo-640.json", Fixtures.bytes(tree));
  }

  private static void assertMessage(ProfileException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
    }
  }

  @Test
  void untouchedFileIsAccepted() {
    assertEquals(
        "mo-640",
        ProfileCatalog.parse("mo-640.json", Fixtures.bytes(Fixtures.tree("mo-640"))).id());
  }

  @Test
  void missingField() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.remove("secureAreaBytes");
    assertMessage(refused(t), "profile mo-640.json: ", "$.secureAreaBytes", "not found");
  }

  @Test
  void missingNestedField() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("inquiry")).remove("revision");
    assertMessage(refused(t), "profile mo-640.json: ", "$.inquiry.revision", "not found");
  }

  @Test
  void wrongType() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.put("secureAreaBytes", "64k");
    assertEquals(
        "profile mo-640.json: $.secureAreaBytes: string found, integer expected",
        refused(t).getMessage());
  }

  @Test
  void fractionalBlockCount() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("media").get(1)).put("blockCount", 446325.5);
    assertMessage(refused(t), "profile mo-640.json: ", "$.media[1].blockCount", "integer expected");
  }

  @Test
  void vendorTooLong() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("inquiry")).put("vendor", "SECDRIVE1");
    assertEquals(
        "profile mo-640.json: $.inquiry.vendor: must be at most 8 characters long",
        refused(t).getMessage());
  }

  @Test
  void productNotPrintableAscii() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("inquiry")).put("product", "MO-640\u00e9");
    assertMessage(refused(t), "profile mo-640.json: ", "$.inquiry.product", "regex");
  }

  @Test
  void peripheralDeviceTypeOutOfRange() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("inquiry")).put("peripheralDeviceType", 32);
    assertEquals(
        "profile mo-640.json: $.inquiry.peripheralDeviceType: must have a maximum value of 31",
        refused(t).getMessage());
  }

  @Test
  void negativeLoadMillis() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("timing")).put("loadMillis", -1);
    assertEquals(
        "profile mo-640.json: $.timing.loadMillis: must have a minimum value of 0",
        refused(t).getMessage());
  }

  @Test
  void zeroReadRate() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("timing")).put("readMBps", 0);
    assertMessage(refused(t), "profile mo-640.json: ", "$.timing.readMBps", "exclusive minimum");
  }

  @Test
  void unsupportedBlockSize() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("media").get(0)).put("blockSize", 4000);
    assertMessage(refused(t), "profile mo-640.json: ", "$.media[0].blockSize", "enumeration");
  }

  @Test
  void unknownCommandName() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ArrayNode) t.get("commands")).set(7, "READ(32)");
    assertMessage(
        refused(t), "profile mo-640.json: ", "$.commands[7]", "does not have a value in the enum");
  }

  @Test
  void requiredCommandMissing() {
    ObjectNode t = Fixtures.tree("mo-640");
    ArrayNode commands = (ArrayNode) t.get("commands");
    for (int i = 0; i < commands.size(); i++) {
      if (commands.get(i).asText().equals("REPORT LUNS")) {
        commands.remove(i);
      }
    }
    assertMessage(refused(t), "profile mo-640.json: ", "$.commands", "REPORT LUNS");
  }

  @Test
  void unknownCommandSet() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ArrayNode) t.get("commandSets")).set(1, "ssc");
    assertMessage(
        refused(t),
        "profile mo-640.json: ",
        "$.commandSets[1]",
        "does not have a value in the enum");
  }

  @Test
  void commandSetsWithoutSpc() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ArrayNode) t.get("commandSets")).remove(0);
    assertMessage(refused(t), "profile mo-640.json: ", "$.commandSets", "spc");
  }

  @Test
  void commandSetsMissing() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.remove("commandSets");
    assertMessage(refused(t), "profile mo-640.json: ", "commandSets");
  }

  @Test
  void commandListedTwice() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ArrayNode) t.get("commands")).add("INQUIRY");
    assertMessage(refused(t), "profile mo-640.json: ", "$.commands", "unique");
  }

  @Test
  void duplicateMediumType() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("media").get(1)).put("type", "mo-640");
    assertEquals(
        "profile mo-640.json: $.media[1].type: duplicate medium type 'mo-640' (already at"
            + " $.media[0])",
        refused(t).getMessage());
  }

  @Test
  void aBlockDevicesMediumNamesNoMmcProfile() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("media").get(0)).put("mmcProfile", "dvd-ram");
    assertMessage(refused(t), "profile mo-640.json: ", "'mo-640' has an mmcProfile", "type 5");
  }

  @Test
  void aMultimediaDrivesMediumNeedsItsMmcProfile() {
    ObjectNode t = Fixtures.tree("dvd-ram");
    ((ObjectNode) t.get("media").get(1)).remove("mmcProfile");
    assertMessage(
        refused("dvd-ram.json", Fixtures.bytes(t)),
        "profile dvd-ram.json: ",
        "'dvd-ram-2.6' needs an mmcProfile");
  }

  @Test
  void anUnknownMmcProfileIsRefusedByTheSchema() {
    ObjectNode t = Fixtures.tree("cdrom");
    ((ObjectNode) t.get("media").get(0)).put("mmcProfile", "bd-rom");
    assertMessage(
        refused("cdrom.json", Fixtures.bytes(t)),
        "profile cdrom.json: ",
        "$.media[0].mmcProfile",
        "enumeration");
  }

  @Test
  void noMedia() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ArrayNode) t.get("media")).removeAll();
    assertMessage(refused(t), "profile mo-640.json: ", "$.media", "at least 1");
  }

  @Test
  void additionalProperty() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("timing")).put("spinUpMillis", 300);
    assertMessage(
        refused(t), "profile mo-640.json: ", "$.timing.spinUpMillis", "not defined in the schema");
  }

  @Test
  void additionalPropertyAtTopLevel() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.put("colour", "beige");
    assertMessage(refused(t), "profile mo-640.json: ", "$.colour", "not defined in the schema");
  }

  @Test
  void idDoesNotMatchFileName() {
    ProfileException e = refused("mo-641.json", Fixtures.shipped("mo-640"));
    assertMessage(e, "profile mo-641.json: ", "$.id", "'mo-640'", "file name");
  }

  @Test
  void idOfBadShape() {
    ObjectNode t = Fixtures.tree("mo-640");
    t.put("id", "MO 640");
    assertMessage(
        refused("MO 640.json", Fixtures.bytes(t)), "profile MO 640.json: ", "$.id", "regex");
  }

  @Test
  void malformedJsonNamesFileLineAndColumn() {
    String text =
        new String(Fixtures.shipped("mo-640"), StandardCharsets.UTF_8)
            .replaceFirst("\"removable\": true", "\"removable\": true,");
    ProfileException e = refused("mo-640.json", text.getBytes(StandardCharsets.UTF_8));
    assertMessage(e, "profile mo-640.json: malformed JSON at line 10, column 3");
  }

  @Test
  void malformedJsonOnTheFirstLine() {
    ProfileException e = refused("x.json", "{\"id\" \"x\"}".getBytes(StandardCharsets.UTF_8));
    assertMessage(e, "profile x.json: malformed JSON at line 1, column 7");
  }

  @Test
  void duplicateKeyIsMalformed() {
    String text =
        new String(Fixtures.shipped("cdrom"), StandardCharsets.UTF_8)
            .replaceFirst("\"id\": \"cdrom\",", "\"id\": \"cdrom\", \"id\": \"cdrom\",");
    assertMessage(
        refused("cdrom.json", text.getBytes(StandardCharsets.UTF_8)),
        "profile cdrom.json: malformed JSON at line 2",
        "id");
  }

  @Test
  void emptyAndNonObjectFiles() {
    assertMessage(refused("e.json", new byte[0]), "profile e.json: malformed JSON", "empty");
    assertEquals(
        "profile a.json: $: array found, object expected",
        refused("a.json", "[]".getBytes(StandardCharsets.UTF_8)).getMessage());
    assertMessage(
        refused("t.json", "{} {}".getBytes(StandardCharsets.UTF_8)),
        "profile t.json: malformed JSON at line 1");
  }

  @Test
  void everyViolationIsReported() {
    ObjectNode t = Fixtures.tree("mo-640");
    ((ObjectNode) t.get("timing")).put("loadMillis", -1);
    ((ObjectNode) t.get("inquiry")).put("vendor", "TOO-LONG-VENDOR");
    assertMessage(refused(t), "$.timing.loadMillis", "$.inquiry.vendor", "; ");
  }
}
