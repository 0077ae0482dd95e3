package dev.secdrive.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BuiltInProfilesTest {
  private static final List<String> ALL_COMMANDS =
      List.of(
          "TEST UNIT READY",
          "REQUEST SENSE",
          "READ(6)",
          "INQUIRY",
          "RESERVE(6)",
          "RELEASE(6)",
          "MODE SENSE(6)",
          "MODE SELECT(6)",
          "START STOP UNIT",
          "SEND DIAGNOSTIC",
          "PREVENT ALLOW MEDIUM REMOVAL",
          "READ CAPACITY(10)",
          "READ(10)",
          "WRITE(10)",
          "VERIFY(10)",
          "WRITE AND VERIFY(10)",
          "PRE-FETCH(10)",
          "SYNCHRONIZE CACHE(10)",
          "READ DEFECT DATA(10)",
          "WRITE SAME(10)",
          "GET EVENT STATUS NOTIFICATION",
          "PERSISTENT RESERVE IN",
          "PERSISTENT RESERVE OUT",
          "READ(12)",
          "WRITE(12)",
          "VERIFY(12)",
          "WRITE AND VERIFY(12)",
          "READ(16)",
          "COMPARE AND WRITE",
          "WRITE(16)",
          "ORWRITE(16)",
          "VERIFY(16)",
          "WRITE AND VERIFY(16)",
          "PRE-FETCH(16)",
          "SYNCHRONIZE CACHE(16)",
          "WRITE SAME(16)",
          "READ CAPACITY(16)",
          "GET LBA STATUS",
          "REPORT LUNS",
          "REPORT SUPPORTED OPERATION CODES",
          "READ MEDIA SERIAL NUMBER",
          "READ DEFECT DATA(12)",
          "SECURITY PROTOCOL IN",
          "SECURITY PROTOCOL OUT");

  private final ProfileCatalog catalog = ProfileCatalog.builtIn();

  @Test
  void exactlyTheSixShippedProfilesSortedById() {
    List<String> ids = catalog.profiles().stream().map(DriveProfile::id).toList();
    assertEquals(List.of("cdda", "cdrom", "dvd-ram", "floppy-1.44", "mo-230", "mo-640"), ids);
  }

  @Test
  void everyShippedFileParsesOnItsOwnWithItsFileNameAsId() {
    for (String id : List.of("cdda", "cdrom", "dvd-ram", "floppy-1.44", "mo-230", "mo-640")) {
      DriveProfile p = ProfileCatalog.parse(id + ".json", Fixtures.shipped(id));
      assertEquals(id, p.id());
      assertEquals(p, catalog.get(id));
      assertFalse(p.description().isBlank(), id);
      assertTrue(p.inquiry().removable(), id + " is a removable-media drive");
      for (String required :
          List.of("TEST UNIT READY", "REQUEST SENSE", "INQUIRY", "REPORT LUNS")) {
        assertTrue(p.supports(required), id + " supports " + required);
      }
    }
  }

  @Test
  void builtInIsLoadedOnce() {
    assertSame(catalog, ProfileCatalog.builtIn());
  }

  @Test
  void defaultProfileIsTheSixHundredFortyMegabyteMoDrive() {
    DriveProfile mo = catalog.get(ProfileCatalog.DEFAULT_PROFILE);
    assertEquals("mo-640", mo.id());
    assertEquals(7, mo.inquiry().peripheralDeviceType());
    assertEquals("mo-640", mo.defaultMedium().type());
    assertEquals(2048, mo.defaultMedium().blockSize());
    assertEquals(310352L, mo.defaultMedium().blockCount());
    assertEquals(635_600_896L, mo.defaultMedium().capacityBytes());
    assertTrue(mo.accepts("mo-230"));
    assertFalse(mo.accepts("fd-1.44"));
    assertEquals(446325L * 512, mo.medium("mo-230").orElseThrow().capacityBytes());
    assertEquals(65536, mo.secureAreaBytes());
    assertEquals(new Timing(2500, 28, 5.9, 2.4), mo.timing());
    assertTrue(mo.writeProtectSupported());
    assertEquals(ALL_COMMANDS, mo.commands());
  }

  @Test
  void writableDrivesHaveTheSecureLayerAndThePressedCdRomDoesNot() {
    for (DriveProfile p : catalog.profiles()) {
      // The CD-DA drive's secure layer keys the rip verification table; its discs have no area.
      boolean pressedOnly = p.media().stream().allMatch(m -> m.pressed()) && !p.id().equals("cdda");
      assertEquals(
          !pressedOnly,
          p.commands().contains("SECURITY PROTOCOL OUT"),
          p.id() + " SECURITY PROTOCOL OUT");
      assertEquals(
          !pressedOnly,
          p.commands().contains("SECURITY PROTOCOL IN"),
          p.id() + " SECURITY PROTOCOL IN");
    }
  }

  @Test
  void everyDriveNamesItsCommandSetsAndOnlyTheCdRomLacksTheSecuritySet() {
    for (DriveProfile p : catalog.profiles()) {
      List<String> expected =
          p.id().equals("cdrom")
              ? List.of("spc", "sbc", "mmc")
              : List.of("spc", "sbc", "mmc", "security");
      assertEquals(expected, p.commandSets(), p.id());
    }
  }

  @Test
  void someUsbDriveReportsDirectAccessWithTheRemovableBit() {
    List<String> usb =
        catalog.profiles().stream()
            .filter(p -> p.inquiry().peripheralDeviceType() == 0 && p.inquiry().removable())
            .map(DriveProfile::id)
            .toList();
    assertTrue(usb.contains("mo-230"), usb.toString());
    assertTrue(usb.contains("floppy-1.44"), usb.toString());
  }

  @Test
  void cdromIsReadOnlyWithPressedMedia() {
    DriveProfile cd = catalog.get("cdrom");
    assertEquals(5, cd.inquiry().peripheralDeviceType());
    assertTrue(cd.media().stream().allMatch(MediumType::pressed));
    assertFalse(cd.supports("WRITE(10)"));
    assertFalse(cd.supports("WRITE(16)"));
    assertFalse(cd.supports("SYNCHRONIZE CACHE(10)"));
    assertTrue(cd.supports("READ(10)"));
    assertFalse(cd.writeProtectSupported());
    // no writes, no secure layer; MMC-6's Core feature: GET CONFIGURATION, MODE SENSE(10) and
    // MODE SELECT(10)
    assertTrue(cd.supports("GET CONFIGURATION"));
    assertTrue(cd.supports("MODE SENSE(10)"));
    assertTrue(cd.supports("MODE SELECT(10)"));
    assertEquals(
        ALL_COMMANDS.size() - 25 + 3, cd.commands().size()); // nor the (12)s, WRITE AND VERIFY
  }

  @Test
  void multimediaDrivesNameTheMmcProfileOfEachMediumAndTheCoreCommands() {
    for (DriveProfile p : catalog.profiles()) {
      boolean mmc = p.inquiry().peripheralDeviceType() == DriveProfile.MULTIMEDIA_DEVICE;
      for (MediumType m : p.media()) {
        assertEquals(mmc, m.mmcProfile() != null, p.id() + " " + m.type());
      }
      for (String core : List.of("GET CONFIGURATION", "MODE SENSE(10)", "MODE SELECT(10)")) {
        assertEquals(mmc, p.supports(core), p.id() + " " + core);
      }
      assertTrue(p.supports("MODE SELECT(6)"), p.id());
      assertTrue(p.supports("SEND DIAGNOSTIC"), p.id()); // SPC-4: mandatory
    }
    assertEquals(0x0012, catalog.get("dvd-ram").defaultMedium().mmcProfileNumber());
    assertEquals(0x0008, catalog.get("cdda").medium("cd-da").orElseThrow().mmcProfileNumber());
    assertEquals(0, catalog.get("mo-640").defaultMedium().mmcProfileNumber());
  }

  @Test
  void onlyCdromMediaArePressedAndWritableDrivesImplementWrites() {
    for (DriveProfile p : catalog.profiles()) {
      if (p.id().equals("cdrom") || p.id().equals("cdda")) {
        continue;
      }
      assertTrue(p.media().stream().noneMatch(MediumType::pressed), p.id());
      assertTrue(p.supports("WRITE(10)"), p.id());
      assertTrue(p.timing().writeMBps() <= p.timing().readMBps(), p.id());
    }
  }

  @Test
  void cddaReadsPressedAudioDiscsWithTheMmcCdCommands() {
    DriveProfile cd = catalog.get("cdda");
    assertEquals(5, cd.inquiry().peripheralDeviceType());
    assertEquals("cd-da", cd.defaultMedium().type());
    assertEquals(2352, cd.defaultMedium().blockSize());
    assertEquals(80L * 60 * 75, cd.defaultMedium().blockCount());
    assertTrue(cd.media().stream().allMatch(MediumType::pressed));
    assertEquals(0, cd.secureAreaBytes());
    for (String command :
        List.of(
            "READ TOC/PMA/ATIP",
            "READ CD",
            "READ CD MSF",
            "READ SUB-CHANNEL",
            "GET CONFIGURATION",
            "MODE SENSE(10)",
            "READ(10)",
            "WRITE(10)")) {
      assertTrue(cd.supports(command), command);
    }
    assertEquals(cd.medium("cd-rom-650"), catalog.get("cdrom").medium("cd-rom-650"));
  }

  @Test
  void floppyAndDvdRamGeometry() {
    assertEquals(1_474_560L, catalog.mediumType("fd-1.44").orElseThrow().capacityBytes());
    assertEquals(737_280L, catalog.mediumType("fd-720").orElseThrow().capacityBytes());
    assertEquals(
        4_700_372_992L, catalog.get("dvd-ram").defaultMedium().capacityBytes(), "DVD-RAM 4.7 GB");
    assertEquals(0.0625, catalog.get("floppy-1.44").timing().readMBps());
  }

  @Test
  void mediumTypeIsFoundAcrossProfiles() {
    MediumType mo230 = catalog.mediumType("mo-230").orElseThrow();
    assertEquals(512, mo230.blockSize());
    assertEquals(446325L, mo230.blockCount());
    assertTrue(catalog.mediumType("cd-rom-700").orElseThrow().pressed());
    assertTrue(catalog.mediumType("zip-100").isEmpty());
  }

  @Test
  void mediumTypeIdsAreSharedOnlyWithTheSameGeometry() {
    Set<String> types =
        catalog.profiles().stream()
            .flatMap(p -> p.media().stream())
            .map(MediumType::type)
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "mo-640",
            "mo-230",
            "dvd-ram-4.7",
            "dvd-ram-2.6",
            "fd-1.44",
            "fd-720",
            "cd-rom-650",
            "cd-rom-700",
            "cd-da"),
        types);
    assertEquals(
        catalog.get("mo-230").medium("mo-230").orElseThrow(),
        catalog.get("mo-640").medium("mo-230").orElseThrow());
  }

  @Test
  void unknownIdNamesTheKnownOnes() {
    ProfileException e = assertThrows(ProfileException.class, () -> catalog.get("zip-100"));
    assertEquals(
        "unknown drive profile 'zip-100' (known: cdda, cdrom, dvd-ram, floppy-1.44, mo-230, mo-640)",
        e.getMessage());
    assertTrue(catalog.find("zip-100").isEmpty());
    assertTrue(catalog.find("cdrom").isPresent());
  }

  @Test
  void profileListsCannotBeChanged() {
    assertThrows(UnsupportedOperationException.class, () -> catalog.profiles().clear());
    DriveProfile mo = catalog.get("mo-640");
    assertThrows(UnsupportedOperationException.class, () -> mo.commands().add("WRITE(6)"));
    assertThrows(UnsupportedOperationException.class, () -> mo.media().clear());
  }
}
