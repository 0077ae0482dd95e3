package dev.secdrive.emulator.commands.mmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.commands.TestUnit;
import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MMC command set on its own: GET EVENT STATUS NOTIFICATION reads the unit's tray state. */
class MmcCommandsTest {

  private TestUnit unit;
  private MmcCommands mmc;
  private NexusState nexus;

  @BeforeEach
  void setUp() {
    unit = new TestUnit("dvd-ram");
    mmc = new MmcCommands(unit);
    nexus = unit.nexus();
  }

  private MediaEventStatus poll() throws CheckCondition {
    ByteBuffer[] sent = new ByteBuffer[1];
    int length =
        TestUnit.execute(
            mmc.commands(),
            nexus,
            GetEventStatusNotification.media(8),
            ByteBuffer.allocate(0),
            n -> sent[0] = ByteBuffer.allocate(n));
    byte[] out = new byte[length];
    sent[0].flip().get(out);
    return MediaEventStatus.decode(out);
  }

  @Test
  void aMediaPollReportsTheTrayAsTheUnitSeesIt() throws Exception {
    assertEquals(new MediaEventStatus(false, MediaEvent.NO_CHANGE, false, false), poll());
    unit.state = DriveState.TRAY_OPEN;
    assertEquals(new MediaEventStatus(false, MediaEvent.NO_CHANGE, false, true), poll());
  }

  @Test
  void asynchronousNotificationIsAnInvalidField() {
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () ->
                TestUnit.execute(
                    mmc.commands(),
                    nexus,
                    new GetEventStatusNotification(
                        false, 1 << GetEventStatusNotification.CLASS_MEDIA, 8, 0),
                    ByteBuffer.allocate(0),
                    n -> ByteBuffer.allocate(n)));
    assertTrue(e.sense().is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB));
    assertEquals(FieldPointer.cdb(1, 0), e.sense().fieldPointer());
  }
}
