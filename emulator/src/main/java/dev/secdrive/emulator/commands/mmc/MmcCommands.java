package dev.secdrive.emulator.commands.mmc;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.protocol.cd.CdCapabilitiesPage;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cd.Configuration.Feature;
import dev.secdrive.protocol.cd.ModeParameters10;
import dev.secdrive.protocol.cdb.GetConfiguration;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.ModeSense10;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.ControlModePage;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The multimedia commands (MMC-6) secdrive's drives answer: GET EVENT STATUS NOTIFICATION, polled,
 * media class only (MMC-6 6.6), which hosts poll on every removable drive, so the block-device
 * profiles name this set too; and for CD drives GET CONFIGURATION (6.7), MODE SENSE(10) with the CD
 * capabilities page 2Ah (SPC-4 6.12, MMC-6 7.4) and the CD commands of {@link CdCommands}.
 */
public final class MmcCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "mmc";

  private final UnitContext unit;
  private final List<Command<?>> commands;

  public MmcCommands(UnitContext unit) {
    this.unit = unit;
    List<Command<?>> rows = new ArrayList<>();
    rows.add(
        Command.of(
            Opcode.GET_EVENT_STATUS_NOTIFICATION,
            GetEventStatusNotification.class,
            this::eventStatus));
    rows.add(Command.of(Opcode.GET_CONFIGURATION, GetConfiguration.class, this::configuration));
    rows.add(Command.of(Opcode.MODE_SENSE_10, ModeSense10.class, this::modeSense10));
    rows.addAll(new CdCommands(unit).commands());
    this.commands = List.copyOf(rows);
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

  // ---------------------------------------------------------------- GET CONFIGURATION

  /**
   * MMC-6 6.7: one profile, CD-ROM (0008h), current once a disc is ready; the features Profile
   * List, Core, Removable Medium and CD Read, in feature-code order. No Morphing (0002h): the drive
   * sends no asynchronous events. The CD Read feature claims neither C2 pointers nor CD-Text, nor
   * DAP.
   */
  private int configuration(
      NexusState nexus, GetConfiguration cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.requestType() == 0b11) {
      throw CheckCondition.invalidField(1, 1);
    }
    boolean disc = unit.notReady().isEmpty();
    List<Feature> all =
        List.of(
            Configuration.profileList(Configuration.PROFILE_CD_ROM, disc),
            Configuration.core(Configuration.INTERFACE_SCSI),
            Configuration.removableMedium(Configuration.LOADING_TRAY, true, false, true),
            Configuration.cdRead(disc, false, false, false));
    List<Feature> returned = new ArrayList<>();
    for (Feature feature : all) {
      boolean wanted =
          switch (cdb.requestType()) {
            case GetConfiguration.RT_ALL -> feature.code() >= cdb.startingFeature();
            case GetConfiguration.RT_CURRENT ->
                feature.code() >= cdb.startingFeature() && feature.current();
            default -> feature.code() == cdb.startingFeature();
          };
      if (wanted) {
        returned.add(feature);
      }
    }
    int profile = disc ? Configuration.PROFILE_CD_ROM : Configuration.PROFILE_NONE;
    return dataIn.respond(new Configuration(profile, returned).encode(), cdb.allocationLength());
  }

  // ---------------------------------------------------------------- MODE SENSE(10)

  /**
   * SPC-4 6.12 with MMC-6 7.2: the header (10) without block descriptors and the Control page (0Ah,
   * SPC-4, Control mode page) or page 2Ah, alone or both as all pages (3Fh). Nothing is changeable
   * and nothing can be saved.
   */
  private int modeSense10(NexusState nexus, ModeSense10 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.pageControl() == ModeSense6.PAGE_CONTROL_SAVED) {
      throw new CheckCondition(
          SenseData.of(
              SenseKey.ILLEGAL_REQUEST,
              AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED,
              FieldPointer.cdb(2, 7)));
    }
    if (cdb.pageCode() != CdCapabilitiesPage.PAGE_CODE
        && cdb.pageCode() != ControlModePage.PAGE_CODE
        && cdb.pageCode() != ModeSense6.ALL_PAGES) {
      throw CheckCondition.invalidField(2, 5);
    }
    if (cdb.subpageCode() != 0
        && !(cdb.pageCode() == ModeSense6.ALL_PAGES && cdb.subpageCode() == 0xFF)) {
      throw CheckCondition.invalidField(3);
    }
    boolean changeable = cdb.pageControl() == ModeSense6.PAGE_CONTROL_CHANGEABLE;
    byte[] control = ControlModePage.page(changeable);
    byte[] capabilities =
        changeable ? CdCapabilitiesPage.changeableMask() : capabilities().encode();
    byte[] page =
        switch (cdb.pageCode()) {
          case ControlModePage.PAGE_CODE -> control;
          case CdCapabilitiesPage.PAGE_CODE -> capabilities;
          default -> {
            // all pages, in page code order: Control (0Ah), then CD capabilities (2Ah)
            byte[] both = Arrays.copyOf(control, control.length + capabilities.length);
            System.arraycopy(capabilities, 0, both, control.length, capabilities.length);
            yield both;
          }
        };
    return dataIn.respond(new ModeParameters10(0, 0, page).encode(), cdb.allocationLength());
  }

  /**
   * What this drive does, as page 2Ah says it: reads CD-DA with READ CD (accurate stream), the MCN
   * and ISRCs, raw P-W sub-channel; no C2 pointers, no de-interleaved R-W, no audio play, no
   * recordable media; a tray that ejects and locks.
   */
  private CdCapabilitiesPage capabilities() {
    return new CdCapabilitiesPage(
        false,
        0,
        0,
        0,
        false,
        true,
        true,
        false,
        false,
        true,
        true,
        true,
        Configuration.LOADING_TRAY,
        true,
        false,
        unit.removalPrevented(),
        true,
        0,
        0,
        0,
        0);
  }
}
