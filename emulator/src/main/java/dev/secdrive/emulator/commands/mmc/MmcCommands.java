package dev.secdrive.emulator.commands.mmc;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The multimedia commands (MMC-6) secdrive's drives answer: GET EVENT STATUS NOTIFICATION, polled,
 * media class only (MMC-6 6.6). Hosts poll it on every removable drive, so the block-device
 * profiles name this set too.
 */
public final class MmcCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "mmc";

  private final UnitContext unit;
  private final List<Command<?>> commands;

  public MmcCommands(UnitContext unit) {
    this.unit = unit;
    this.commands =
        List.of(
            Command.of(
                Opcode.GET_EVENT_STATUS_NOTIFICATION,
                GetEventStatusNotification.class,
                this::eventStatus));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Command<?>> commands() {
    return commands;
  }

  private int eventStatus(
      NexusState nexus, GetEventStatusNotification cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (!cdb.polled()) {
      throw CheckCondition.invalidField(1, 0); // asynchronous notification is not supported
    }
    MediaEventStatus status;
    if ((cdb.notificationClassRequest() & MediaEventStatus.SUPPORTED_CLASSES) == 0) {
      status = MediaEventStatus.none();
    } else {
      MediaEvent event = nexus.takeMediaEvent();
      status =
          new MediaEventStatus(
              false, event, unit.loadedMedium() != null, unit.state() == DriveState.TRAY_OPEN);
    }
    return dataIn.respond(status.encode(), cdb.allocationLength());
  }
}
