package dev.secdrive.emulator.commands.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.commands.TestUnit;
import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveEvent;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SBC command set on its own, against a unit context made for the test: no firmware, no
 * dispatcher, no mechanism. What the set asks of its unit is all it gets.
 */
class SbcCommandsTest {

  private static final int BLOCK = 2048;

  @TempDir Path dir;

  private Medium medium;
  private TestUnit unit;
  private SbcCommands sbc;
  private NexusState nexus;

  @BeforeEach
  void setUp() {
    MediumStore store = MediumStore.openOrCreate(dir.resolve("media"));
    store.create(new MediumStore.Spec("MO-1", "mo-640", BLOCK, 64, 0, false, null, null));
    medium = store.open("MO-1");
    unit = new TestUnit("mo-640");
    unit.loaded = medium;
    sbc = new SbcCommands(unit);
    nexus = unit.nexus();
  }

  @AfterEach
  void tearDown() throws IOException {
    medium.close();
  }

  private int execute(Cdb cdb, ByteBuffer dataOut, DataIn dataIn) throws CheckCondition {
    return TestUnit.execute(sbc.commands(), nexus, cdb, dataOut, dataIn);
  }

  private byte[] read(Cdb cdb) throws CheckCondition {
    ByteBuffer[] sent = new ByteBuffer[1];
    int length = execute(cdb, ByteBuffer.allocate(0), n -> sent[0] = ByteBuffer.allocate(n));
    byte[] out = new byte[length];
    if (length > 0) {
      sent[0].flip().get(out);
    }
    return out;
  }

  private static byte[] pattern(int length, int seed) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (i * 31 + seed);
    }
    return out;
  }

  @Test
  void writeThenReadRoundTripsThroughTheUserAreaAndCostsServiceTime() throws Exception {
    byte[] data = pattern(2 * BLOCK, 7);
    assertEquals(
        0,
        execute(
            new Write10(4, 2),
            ByteBuffer.wrap(data),
            n -> {
              throw new AssertionError("WRITE has no data-in");
            }));
    long afterWrite = unit.serviceNanos;
    assertTrue(afterWrite > 0, "realistic timing charges the write");
    assertArrayEquals(data, read(new Read10(4, 2)));
    assertTrue(unit.serviceNanos > afterWrite, "and the read");
  }

  @Test
  void moreDataOutThanTheCdbNamesWritesOnlyItsBlocksAndStatesTheCalledLength() throws Exception {
    byte[] before = read(new Read10(20, 2));
    byte[] data = pattern(2 * BLOCK, 5);
    execute(new Write10(20, 1), ByteBuffer.wrap(data), n -> null);
    assertEquals(BLOCK, unit.dataOutLength, "SPDTL, for the endpoint's residual");
    byte[] onMedium = read(new Read10(20, 2));
    assertArrayEquals(Arrays.copyOf(data, BLOCK), Arrays.copyOf(onMedium, BLOCK));
    assertArrayEquals(
        Arrays.copyOfRange(before, BLOCK, 2 * BLOCK),
        Arrays.copyOfRange(onMedium, BLOCK, 2 * BLOCK),
        "the second block is not the CDB's");
  }

  @Test
  void lessDataOutInWholeBlocksWritesOnlyTheBlocksSent() throws Exception {
    byte[] before = read(new Read10(24, 2));
    byte[] data = pattern(BLOCK, 9);
    execute(new Write10(24, 2), ByteBuffer.wrap(data), n -> null);
    assertEquals(2 * BLOCK, unit.dataOutLength);
    byte[] onMedium = read(new Read10(24, 2));
    assertArrayEquals(data, Arrays.copyOf(onMedium, BLOCK));
    assertArrayEquals(
        Arrays.copyOfRange(before, BLOCK, 2 * BLOCK),
        Arrays.copyOfRange(onMedium, BLOCK, 2 * BLOCK));

    execute(new Write10(24, 1), ByteBuffer.allocate(0), n -> null);
    assertArrayEquals(onMedium, read(new Read10(24, 2)), "no data-out, nothing written");
  }

  @Test
  void dataOutEndingInsideABlockIsAnInvalidInformationUnitAndWritesNothing() throws Exception {
    byte[] before = read(new Read10(28, 2));
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () -> execute(new Write10(28, 2), ByteBuffer.wrap(pattern(BLOCK + 200, 1)), n -> null));
    assertTrue(
        e.sense().is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT));
    assertEquals(2 * BLOCK, unit.dataOutLength);
    assertArrayEquals(before, read(new Read10(28, 2)));
  }

  @Test
  void anInjectedReadErrorNamesTheFailingBlockAndSendsNothing() {
    unit.faults.addReadError(9);
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () ->
                execute(
                    new Read10(8, 4),
                    ByteBuffer.allocate(0),
                    n -> {
                      throw new AssertionError("a failed READ allocates no data-in");
                    }));
    SenseData sense = e.sense();
    assertTrue(sense.is(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR));
    assertEquals(9, sense.information());
  }

  @Test
  void anInjectedWriteErrorKeepsTheBlocksBeforeIt() throws Exception {
    unit.faults.addWriteError(12);
    byte[] data = pattern(4 * BLOCK, 3);
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () -> execute(new Write10(10, 4), ByteBuffer.wrap(data), n -> null));
    assertTrue(e.sense().is(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR));
    assertEquals(12, e.sense().information());
    unit.faults.clear();
    byte[] onMedium = read(new Read10(10, 2));
    assertArrayEquals(java.util.Arrays.copyOf(data, 2 * BLOCK), onMedium);
  }

  @Test
  void theUnitsNotReadyConditionIsTheAnswer() {
    unit.loaded = null;
    CheckCondition e = assertThrows(CheckCondition.class, () -> read(new Read10(0, 1)));
    assertTrue(e.sense().is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
  }

  @Test
  void beyondTheLastBlockIsLbaOutOfRange() {
    CheckCondition e = assertThrows(CheckCondition.class, () -> read(new Read10(63, 2)));
    assertTrue(e.sense().is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE));
  }

  @Test
  void startStopUnitHandsTheEventToTheUnit() throws Exception {
    read(StartStopUnit.eject());
    assertEquals(List.of(new DriveEvent.Eject()), unit.events);
    assertEquals(0, unit.serviceNanos, "an eject does not spin anything up");
  }
}
