package dev.secdrive.emulator.commands.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.commands.TestUnit;
import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SPC command set on its own, against a test unit: what it reads from its context. */
class SpcCommandsTest {

  private TestUnit unit;
  private SpcCommands spc;
  private NexusState nexus;

  @BeforeEach
  void setUp() {
    unit = new TestUnit("mo-640");
    spc = new SpcCommands(unit);
    nexus = unit.nexus();
  }

  private byte[] run(Cdb cdb) throws CheckCondition {
    ByteBuffer[] sent = new ByteBuffer[1];
    int length =
        TestUnit.execute(
            spc.commands(),
            nexus,
            cdb,
            ByteBuffer.allocate(0),
            n -> sent[0] = ByteBuffer.allocate(n));
    byte[] out = new byte[length];
    if (length > 0) {
      sent[0].flip().get(out);
    }
    return out;
  }

  @Test
  void reportSupportedOperationCodesListsWhateverTheUnitsTableHolds() throws Exception {
    for (Command<?> command : spc.commands()) {
      if (command.opcode() != Opcode.READ_MEDIA_SERIAL_NUMBER) {
        unit.commands.put(command.opcode(), command);
      }
    }
    List<Integer> codes =
        SupportedOperationCodes.AllCommands.decode(run(ReportSupportedOperationCodes.all(4096)))
            .commands()
            .stream()
            .map(SupportedOperationCodes.CommandDescriptor::operationCode)
            .toList();
    assertEquals(unit.commands.keySet().stream().map(Opcode::code).toList(), codes);
    assertFalse(codes.contains(Opcode.READ_MEDIA_SERIAL_NUMBER.code()));
  }

  @Test
  void requestSenseReturnsTheNexusUnitAttentionThenTheUnitsNotReadyCondition() throws Exception {
    SenseData first = SenseData.decode(run(new RequestSense(false, 18, 0)));
    assertTrue(first.is(SenseKey.UNIT_ATTENTION, AdditionalSense.POWER_ON_RESET));
    SenseData second = SenseData.decode(run(new RequestSense(false, 18, 0)));
    assertTrue(second.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT), second::describe);
  }

  @Test
  void testUnitReadyIsTheUnitsReadiness() {
    CheckCondition e = assertThrows(CheckCondition.class, () -> run(new TestUnitReady()));
    assertTrue(e.sense().is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
  }

  @Test
  void preventAllowSetsTheNexusPrevent() throws Exception {
    run(PreventAllowMediumRemoval.of(true));
    assertTrue(nexus.prevent());
    run(PreventAllowMediumRemoval.of(false));
    assertFalse(nexus.prevent());
  }
}
