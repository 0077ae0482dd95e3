package dev.secdrive.emulator.commands.mmc;

import dev.secdrive.emulator.commands.spc.ModeSelectList;
import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.protocol.cd.CdCapabilitiesPage;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cd.Configuration.Feature;
import dev.secdrive.protocol.cd.ModeParameters10;
import dev.secdrive.protocol.cdb.GetConfiguration;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.ModeSelect10;
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
import java.util.List;
import java.util.stream.Collectors;

/**
 * The multimedia commands (MMC-6) secdrive's drives answer: GET EVENT STATUS NOTIFICATION, polled,
 * media class only (MMC-6 6.6), which hosts poll on every removable drive, so the block-device
 * profiles name this set too; and for CD and DVD drives GET CONFIGURATION (6.7), MODE SENSE(10) and
 * MODE SELECT(10) with the CD capabilities page 2Ah (SPC-4 6.12, 6.10, MMC-6 7.4) and the CD
 * commands of {@link CdCommands}.
 */
public final class MmcCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "mmc";

  /** The logical block length of every MMC medium here (MMC-6 4.2.2: 2,048-byte user data). */
  private static final int MMC_BLOCK_LENGTH = 2048;

  /** Page 2Ah bytes 2 and 3: DVD-RAM read/write (bit 5), DVD-ROM read (bit 3). */
  private static final int DVD_RAM_MEDIA = 0x20;

  private static final int DVD_ROM_MEDIA = 0x08;

  /** A DVD's ECC block: 16 sectors, the Random Readable and Writable features' BLOCKING. */
  private static final int DVD_ECC_BLOCK = 16;

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
    rows.add(Command.of(Opcode.MODE_SELECT_10, ModeSelect10.class, this::modeSelect10));
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
   * MMC-6 6.7: the profiles of the media the drive takes (CD-ROM 0008h, DVD-RAM 0012h), the loaded
   * one current once it is ready; the features Profile List, Core, Removable Medium, Random
   * Readable, and CD Read or DVD Read and Random Writable for the profiles there are, in
   * feature-code order. No Morphing (0002h): the drive sends no asynchronous events. CD Read claims
   * neither C2 pointers nor CD-Text, nor DAP; Random Writable is current only on a medium that is
   * not write-protected.
   */
  private int configuration(
      NexusState nexus, GetConfiguration cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.requestType() == 0b11) {
      throw CheckCondition.invalidField(1, 1);
    }
    Medium medium = unit.notReady().isEmpty() ? unit.loadedMedium() : null;
    MediumType type =
        medium == null ? null : unit.profile().medium(medium.metadata().type()).orElse(null);
    int current = type == null ? Configuration.PROFILE_NONE : type.mmcProfileNumber();
    List<Integer> profiles =
        unit.profile().media().stream()
            .map(MediumType::mmcProfileNumber)
            .distinct()
            .collect(Collectors.toList());
    boolean cd = current == Configuration.PROFILE_CD_ROM;
    boolean dvdRam = current == Configuration.PROFILE_DVD_RAM;
    List<Feature> all = new ArrayList<>();
    all.add(Configuration.profileList(profiles, current));
    all.add(Configuration.core(Configuration.INTERFACE_SCSI));
    all.add(Configuration.removableMedium(Configuration.LOADING_TRAY, true, false, true));
    int blocking = profiles.contains(Configuration.PROFILE_DVD_RAM) && !cd ? DVD_ECC_BLOCK : 1;
    // READ(10) reads a data disc's 2,048-byte blocks; a CD-DA disc's audio sectors it refuses
    // (05/64/00), so Random Readable is not current for one
    boolean readable = medium != null && medium.blockSize() == MMC_BLOCK_LENGTH;
    all.add(Configuration.randomReadable(readable, MMC_BLOCK_LENGTH, blocking));
    if (profiles.contains(Configuration.PROFILE_CD_ROM)) {
      all.add(Configuration.cdRead(cd, false, false, false));
    }
    if (profiles.contains(Configuration.PROFILE_DVD_RAM)) {
      all.add(Configuration.dvdRead(dvdRam));
      boolean writable = dvdRam && !medium.metadata().readOnly();
      long lastLba = dvdRam ? medium.blockCount() - 1 : 0;
      all.add(Configuration.randomWritable(writable, lastLba, MMC_BLOCK_LENGTH, DVD_ECC_BLOCK));
    }
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
    return dataIn.respond(new Configuration(current, returned).encode(), cdb.allocationLength());
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
    if (cdb.pageCode() != ModeSense6.ALL_PAGES && page10(cdb.pageCode(), false) == null) {
      throw CheckCondition.invalidField(2, 5);
    }
    if (cdb.subpageCode() != 0
        && !(cdb.pageCode() == ModeSense6.ALL_PAGES && cdb.subpageCode() == 0xFF)) {
      throw CheckCondition.invalidField(3);
    }
    boolean changeable = cdb.pageControl() == ModeSense6.PAGE_CONTROL_CHANGEABLE;
    byte[] page =
        cdb.pageCode() == ModeSense6.ALL_PAGES // in page code order
            ? Bytes.concat(
                page10(ControlModePage.PAGE_CODE, changeable),
                page10(CdCapabilitiesPage.PAGE_CODE, changeable))
            : page10(cdb.pageCode(), changeable);
    return dataIn.respond(new ModeParameters10(0, 0, page).encode(), cdb.allocationLength());
  }

  /** A page of MODE SENSE(10) and MODE SELECT(10), or null: Control (0Ah) and 2Ah. */
  private byte[] page10(int code, boolean changeable) {
    return switch (code) {
      case ControlModePage.PAGE_CODE -> ControlModePage.page(changeable);
      case CdCapabilitiesPage.PAGE_CODE ->
          changeable ? CdCapabilitiesPage.changeableMask() : capabilities().encode();
      default -> null;
    };
  }

  /** The pages MODE SELECT(10) checks a list against: nothing in them is changeable. */
  private final ModeSelectList.Pages pages10 =
      new ModeSelectList.Pages() {
        @Override
        public byte[] current(int code) {
          return page10(code, false);
        }

        @Override
        public byte[] changeable(int code) {
          return page10(code, true);
        }

        @Override
        public void set(int code, byte[] page) {
          throw new IllegalStateException("no field of page " + code + " is changeable");
        }
      };

  /**
   * MODE SELECT(10) (SPC-4 6.10, MMC-6 7.2): a list repeating the current Control and 2Ah values is
   * accepted and changes nothing, as a host that writes back what MODE SENSE(10) gave it expects; a
   * change is refused (see {@link ModeSelectList}). A block descriptor, which MMC-6 7.2.1 has the
   * drive never return, may only repeat the 2,048-byte block length.
   */
  private int modeSelect10(NexusState nexus, ModeSelect10 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    unit.dataOutLength(cdb.parameterListLength());
    Medium medium = unit.loadedMedium();
    long blocks = medium == null ? 0 : medium.blockCount();
    ModeSelectList.apply(cdb, dataOut, MMC_BLOCK_LENGTH, blocks, pages10);
    return 0;
  }

  /**
   * What this drive does, as page 2Ah says it: the CD-DA reading the drive serves (READ CD with an
   * accurate stream, the MCN and ISRCs through READ SUB-CHANNEL, raw P-W) only where it has those
   * commands; DVD-ROM and DVD-RAM reading and DVD-RAM writing on a DVD-RAM drive; no C2 pointers,
   * no de-interleaved R-W, no audio play, no CD recording; a tray that ejects and locks.
   */
  private CdCapabilitiesPage capabilities() {
    boolean audio = unit.commands().containsKey(Opcode.READ_CD);
    boolean subChannel = unit.commands().containsKey(Opcode.READ_SUB_CHANNEL);
    boolean dvdRam =
        unit.profile().media().stream()
            .anyMatch(m -> m.mmcProfileNumber() == Configuration.PROFILE_DVD_RAM);
    return new CdCapabilitiesPage(
        false,
        dvdRam ? DVD_RAM_MEDIA | DVD_ROM_MEDIA : 0,
        dvdRam ? DVD_RAM_MEDIA : 0,
        0,
        false,
        subChannel,
        subChannel,
        false,
        false,
        audio,
        audio,
        audio,
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
