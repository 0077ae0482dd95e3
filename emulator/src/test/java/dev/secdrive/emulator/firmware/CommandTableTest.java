package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedOperationCodes.CommandDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatcher's command table: built from the command sets a profile names and the commands it
 * lists, and the same table that REPORT SUPPORTED OPERATION CODES reports, so a command is listed
 * exactly when it is executed.
 */
class CommandTableTest {

  @TempDir Path dir;

  static Stream<String> profiles() {
    return ProfileCatalog.builtIn().profiles().stream().map(DriveProfile::id);
  }

  private static Set<Opcode> listed(DriveProfile profile) {
    return profile.commands().stream()
        .map(text -> Opcode.fromText(text).orElseThrow())
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Opcode.class)));
  }

  private static Unit unit(DriveProfile profile) {
    return new Unit(
        0,
        profile,
        Harness.DEVICE_ID,
        TimingMode.FAST,
        () -> 0L,
        DriveKeys.enroll(Harness.DEVICE_ID, Authority.create()),
        DriveNv.inMemory());
  }

  @ParameterizedTest
  @MethodSource("profiles")
  void theTableHoldsExactlyTheCommandsTheProfileLists(String id) {
    DriveProfile profile = Harness.profile(id);
    Firmware firmware = new Firmware(0, profile, Harness.DEVICE_ID, TimingMode.FAST, () -> 0L);
    assertEquals(listed(profile), firmware.supportedCommands());
  }

  @ParameterizedTest
  @MethodSource("profiles")
  void reportSupportedOperationCodesListsTheTableAndEverythingElseIsRefused(String id) {
    try (Harness h = new Harness(dir, id, TimingMode.FAST)) {
      Nexus host = h.nexus();
      Set<Opcode> table = h.firmware.supportedCommands();

      byte[] all = assertGood(h.run(host, ReportSupportedOperationCodes.all(4096))).data();
      List<CommandDescriptor> expected = new ArrayList<>();
      for (Opcode o : table) {
        expected.add(
            new CommandDescriptor(
                o.code(),
                o.hasServiceAction() ? o.serviceAction() : 0,
                o.hasServiceAction(),
                o.cdbLength()));
      }
      assertEquals(expected, SupportedOperationCodes.AllCommands.decode(all).commands());

      for (Opcode o : Opcode.values()) {
        var one =
            new ReportSupportedOperationCodes(
                false,
                o.hasServiceAction()
                    ? ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION
                    : ReportSupportedOperationCodes.REPORT_ONE,
                o.code(),
                o.hasServiceAction() ? o.serviceAction() : 0,
                512,
                0);
        var answer = SupportedOperationCodes.OneCommand.decode(assertGood(h.run(host, one)).data());
        assertEquals(
            table.contains(o)
                ? SupportedOperationCodes.OneCommand.SUPPORTED
                : SupportedOperationCodes.OneCommand.NOT_SUPPORTED,
            answer.support(),
            id + " " + o);
        if (!table.contains(o)) {
          // Not in the table: not executed either, whatever the CDB says.
          assertFieldPointer(assertCheck(h.run(host, cdbOf(o)), 0x05, 0x20, 0x00), 0, -1);
        }
      }
    }
  }

  /** A CDB of {@code opcode}'s length, all zero but its operation code and service action. */
  private static byte[] cdbOf(Opcode opcode) {
    byte[] cdb = new byte[opcode.cdbLength()];
    cdb[0] = (byte) opcode.code();
    if (opcode.hasServiceAction()) {
      cdb[1] = (byte) opcode.serviceAction();
    }
    return cdb;
  }

  @Test
  void everyOperationCodeHasOneRowInExactlyOneCommandSetTypedAsItDecodes() throws Exception {
    DriveProfile profile = Harness.profile("mo-640");
    Unit unit = unit(profile);
    Map<Opcode, String> owner = new EnumMap<>(Opcode.class);
    for (var entry : Firmware.COMMAND_SETS.entrySet()) {
      CommandSet set = entry.getValue().apply(unit);
      assertEquals(entry.getKey(), set.name());
      for (Command<?> command : set.commands()) {
        String before = owner.put(command.opcode(), set.name());
        assertEquals(null, before, command.opcode() + " in " + before + " and " + set.name());
        Cdb decoded = Cdbs.decode(cdbOf(command.opcode()));
        assertTrue(
            command.type().isInstance(decoded),
            command.opcode() + " decodes to " + decoded.getClass().getSimpleName());
      }
    }
    assertEquals(EnumSet.allOf(Opcode.class), owner.keySet(), "every command has a home");
    assertEquals("spc", owner.get(Opcode.INQUIRY));
    assertEquals("sbc", owner.get(Opcode.READ_10));
    assertEquals("mmc", owner.get(Opcode.GET_EVENT_STATUS_NOTIFICATION));
    assertEquals("security", owner.get(Opcode.SECURITY_PROTOCOL_OUT));
  }

  @Test
  void aListedCommandOutsideTheNamedSetsIsRefusedAtStart() {
    DriveProfile cdrom = Harness.profile("cdrom");
    DriveProfile withoutSbc = withSets(cdrom, List.of("spc", "mmc"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Firmware.table(withoutSbc, unit(cdrom)));
    assertTrue(e.getMessage().contains("START STOP UNIT"), e.getMessage());
    assertTrue(e.getMessage().contains("[spc, mmc]"), e.getMessage());
  }

  @Test
  void anUnknownCommandSetIsRefusedAtStart() {
    DriveProfile cdrom = Harness.profile("cdrom");
    DriveProfile unknown = withSets(cdrom, List.of("spc", "sbc", "mmc", "ssc"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Firmware.table(unknown, unit(cdrom)));
    assertTrue(e.getMessage().contains("unknown command set ssc"), e.getMessage());
  }

  @Test
  void aSetNamedButNoneOfItsCommandsListedAddsNothing() {
    DriveProfile cdrom = Harness.profile("cdrom");
    DriveProfile withSecurity = withSets(cdrom, List.of("spc", "sbc", "mmc", "security"));
    assertEquals(listed(cdrom), Firmware.table(withSecurity, unit(cdrom)).keySet());
  }

  private static DriveProfile withSets(DriveProfile p, List<String> sets) {
    return new DriveProfile(
        p.id(),
        p.description(),
        p.inquiry(),
        p.media(),
        p.secureAreaBytes(),
        p.timing(),
        p.writeProtectSupported(),
        sets,
        p.commands());
  }
}
