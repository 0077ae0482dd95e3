package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.commands.mmc.MmcCommands;
import dev.secdrive.emulator.commands.sbc.SbcCommands;
import dev.secdrive.emulator.commands.security.SecurityCommands;
import dev.secdrive.emulator.commands.spc.SpcCommands;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.InvalidCdbException;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firmware of one drive (one logical unit): the dispatcher. It decodes each CDB, looks its
 * operation code up in the unit's command table, and calls the handler of the command set (SPC-4,
 * SBC-3, MMC-6, security) that the row names. One command runs at a time, as on a drive without
 * command queueing; the response carries the time the drive needs, so realistic timing delays the
 * answer without blocking anyone.
 *
 * <p>The table is built once from the command sets the profile names and the commands it lists;
 * REPORT SUPPORTED OPERATION CODES reads the same table. Every failure becomes CHECK CONDITION here
 * and only here: {@link CheckCondition} carries the sense, an {@link InvalidCdbException} is mapped
 * by {@link #sense(InvalidCdbException)}, and anything unexpected is HARDWARE ERROR 44/00, logged
 * with the CDB.
 */
public final class Firmware {

  /** Largest data phase of one command; reported in the Block Limits VPD page. */
  public static final int MAXIMUM_TRANSFER_BYTES = UnitContext.MAXIMUM_TRANSFER_BYTES;

  /** The command sets a profile can name, by the name it uses. */
  static final Map<String, Function<UnitContext, CommandSet>> COMMAND_SETS = commandSets();

  /**
   * SPC-4 5.14: INQUIRY, REPORT LUNS and REQUEST SENSE are not held up by a unit attention; MMC-6
   * 6.6 adds GET EVENT STATUS NOTIFICATION.
   */
  private static final Set<Opcode> PASS_UNIT_ATTENTION =
      EnumSet.of(
          Opcode.INQUIRY,
          Opcode.REQUEST_SENSE,
          Opcode.REPORT_LUNS,
          Opcode.GET_EVENT_STATUS_NOTIFICATION);

  /**
   * SPC-2 Annex B, tables B.1 and B.2 (column "reserved by another initiator"): the commands a
   * nexus may send while another holds the unit's RESERVE(6); INQUIRY and REQUEST SENSE, RELEASE
   * (which then does nothing), READ CAPACITY, and REPORT SUPPORTED OPERATION CODES, which like
   * INQUIRY only describes the unit; PREVENT ALLOW with PREVENT 0 and START STOP UNIT with START 1
   * are decided by their fields ({@link ReservationExemptions}). REPORT LUNS is the target's.
   */
  private static final Set<Opcode> PASS_RESERVATION =
      EnumSet.of(
          Opcode.INQUIRY,
          Opcode.REQUEST_SENSE,
          Opcode.RELEASE_6,
          Opcode.READ_CAPACITY_10,
          Opcode.READ_CAPACITY_16,
          Opcode.REPORT_SUPPORTED_OPERATION_CODES);

  private static final Logger log = LoggerFactory.getLogger(Firmware.class);

  private final Unit unit;
  private final Map<Opcode, Command<?>> commands;
  private volatile Runnable powerLossListener = () -> {};
  private volatile boolean poweredOff;

  /**
   * @param lun the logical unit number this drive answers on
   * @param profile the drive model
   * @param deviceId the device ID (unit serial number, VPD 80h)
   * @param mode fast or realistic timing
   * @param clock nanosecond clock, {@code System::nanoTime} outside tests
   */
  public Firmware(
      int lun, DriveProfile profile, String deviceId, TimingMode mode, LongSupplier clock) {
    this(
        lun,
        profile,
        deviceId,
        mode,
        clock,
        DriveKeys.enroll(deviceId, Authority.create()),
        DriveNv.inMemory());
  }

  /**
   * @param keys the drive's key material (certificate subject = {@code deviceId})
   * @param nv the drive's non-volatile state (monotonic counter, recorded license versions)
   * @throws IllegalArgumentException if the profile names an unknown command set or lists a command
   *     none of its command sets has
   */
  public Firmware(
      int lun,
      DriveProfile profile,
      String deviceId,
      TimingMode mode,
      LongSupplier clock,
      DriveKeys keys,
      DriveNv nv) {
    if (!keys.deviceId().equals(deviceId)) {
      throw new IllegalArgumentException(
          "drive keys of " + keys.deviceId() + " given to drive " + deviceId);
    }
    this.unit = new Unit(lun, profile, deviceId, mode, clock, keys, nv);
    this.commands = table(profile, unit);
    unit.commands(commands);
  }

  private static Map<String, Function<UnitContext, CommandSet>> commandSets() {
    Map<String, Function<UnitContext, CommandSet>> sets = new LinkedHashMap<>();
    sets.put(SpcCommands.NAME, SpcCommands::new);
    sets.put(SbcCommands.NAME, SbcCommands::new);
    sets.put(MmcCommands.NAME, MmcCommands::new);
    sets.put(SecurityCommands.NAME, SecurityCommands::new);
    return Collections.unmodifiableMap(sets);
  }

  /**
   * The unit's command table: the rows of the command sets the profile names, for the commands the
   * profile lists, in operation code order.
   */
  static Map<Opcode, Command<?>> table(DriveProfile profile, UnitContext unit) {
    Map<Opcode, Command<?>> offered = new EnumMap<>(Opcode.class);
    for (String name : profile.commandSets()) {
      var set = COMMAND_SETS.get(name);
      if (set == null) {
        throw new IllegalArgumentException(
            "profile " + profile.id() + " names unknown command set " + name);
      }
      for (Command<?> command : set.apply(unit).commands()) {
        if (offered.put(command.opcode(), command) != null) {
          throw new IllegalStateException("two command sets implement " + command.opcode());
        }
      }
    }
    Map<Opcode, Command<?>> table = new EnumMap<>(Opcode.class);
    for (String text : profile.commands()) {
      Opcode opcode =
          Opcode.fromText(text)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "profile " + profile.id() + " lists unknown command " + text));
      Command<?> command = offered.get(opcode);
      if (command == null) {
        throw new IllegalArgumentException(
            "profile "
                + profile.id()
                + " lists "
                + text
                + ", which none of its command sets "
                + profile.commandSets()
                + " has");
      }
      table.put(opcode, command);
    }
    return Collections.unmodifiableMap(table);
  }

  public int lun() {
    return unit.lun();
  }

  public DriveProfile profile() {
    return unit.profile();
  }

  public String deviceId() {
    return unit.deviceId();
  }

  public Faults faults() {
    return unit.faults();
  }

  /** The drive's secure layer (keys, drive state, crash step names). */
  public SecureLayer secure() {
    return unit.secure();
  }

  /** The commands this drive executes and reports, in operation code order. */
  public Set<Opcode> supportedCommands() {
    return commands.keySet();
  }

  /**
   * Called once, from the thread that hit it, when an injected power loss stops the drive. The
   * drive answers nothing from then on: every command raises {@link PowerLoss}.
   */
  public void onPowerLoss(Runnable listener) {
    this.powerLossListener = listener;
  }

  /** Whether an injected power loss has stopped this drive. */
  public boolean poweredOff() {
    return poweredOff;
  }

  // ---------------------------------------------------------------- commands

  /**
   * Executes one command for {@code nexus}.
   *
   * @param cdb the CDB bytes as they arrived
   * @param dataOut the data-out bytes; positions are not consumed
   * @param dataIn where the command's data-in bytes go
   */
  public synchronized Response execute(Nexus nexus, byte[] cdb, ByteBuffer dataOut, DataIn dataIn) {
    Faults faults = unit.faults();
    faults.takeFired(); // what fired outside a command is no command's
    Response response = run(nexus, cdb, dataOut, dataIn);
    long delay = faults.delayNanos(cdb);
    long cut =
        response.status() == ScsiStatus.GOOD && response.dataInLength() > 0
            ? faults.cutAfter(response.dataInLength())
            : -1;
    return response.withFaults(faults.takeFired(), delay, cut);
  }

  private Response run(Nexus nexus, byte[] cdb, ByteBuffer dataOut, DataIn dataIn) {
    if (poweredOff) {
      throw new PowerLoss("(the drive is off)");
    }
    long now = unit.begin();
    try {
      int length = dispatch(unit.nexus(nexus), cdb, dataOut, dataIn);
      return Response.good(length, unit.dataOutLength(), unit.complete(now));
    } catch (CheckCondition e) {
      return Response.checkCondition(e.sense(), unit.dataOutLength(), unit.complete(now));
    } catch (InvalidCdbException e) {
      return Response.checkCondition(sense(e), Response.AS_SENT, unit.complete(now));
    } catch (ReservationConflict e) {
      return Response.reservationConflict(unit.complete(now));
    } catch (PowerLoss e) {
      // A pulled plug: no answer, no clean-up; whatever is on disk now is what survives.
      poweredOff = true;
      log.warn("LUN {}: {}", unit.lun(), e.getMessage());
      powerLossListener.run();
      throw e;
    } catch (RuntimeException e) {
      log.error(
          "LUN {}: HARDWARE ERROR on CDB {} from {}",
          unit.lun(),
          HexFormat.of().formatHex(cdb),
          nexus,
          e);
      return Response.checkCondition(
          SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE),
          unit.dataOutLength(),
          unit.complete(now));
    }
  }

  private int dispatch(NexusState nexus, byte[] bytes, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition, InvalidCdbException, ReservationConflict {
    int code = bytes.length == 0 ? -1 : bytes[0] & 0xFF;
    if (!passesUnitAttention(code)) {
      SenseData attention = nexus.pollUnitAttention();
      if (attention != null) {
        throw new CheckCondition(attention);
      }
    }
    Cdb cdb = Cdbs.decode(bytes);
    Command<?> command = commands.get(cdb.opcode());
    if (command == null) {
      throw new CheckCondition(
          SenseData.of(
              SenseKey.ILLEGAL_REQUEST,
              AdditionalSense.INVALID_COMMAND_OPERATION_CODE,
              FieldPointer.cdb(0)));
    }
    if ((cdb.control() & Cdb.CONTROL_NACA) != 0) {
      throw CheckCondition.invalidField(bytes.length - 1, 2); // no ACA support (SAM-5 5.9)
    }
    NexusState holder = unit.reservation();
    if (holder != null && holder != nexus && !ReservationExemptions.exempt(cdb, PASS_RESERVATION)) {
      throw new ReservationConflict();
    }
    if (unit.persistentReservationConflict(nexus, cdb)) {
      throw new ReservationConflict();
    }
    return execute(command, nexus, cdb, dataOut, dataIn);
  }

  private static boolean passesUnitAttention(int code) {
    for (Opcode opcode : PASS_UNIT_ATTENTION) {
      if (opcode.code() == code) {
        return true;
      }
    }
    return false;
  }

  /** Calls the row's handler with the record its operation code decodes to. */
  private static <C extends Cdb> int execute(
      Command<C> command, NexusState nexus, Cdb cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition, ReservationConflict {
    return command.handler().execute(nexus, command.type().cast(cdb), dataOut, dataIn);
  }

  /**
   * The sense of a CDB that does not decode (SPC-4 4.5.2.4.2): an unknown operation code is INVALID
   * COMMAND OPERATION CODE, anything else INVALID FIELD IN CDB, both pointing at the field.
   */
  static SenseData sense(InvalidCdbException e) {
    AdditionalSense asc =
        switch (e.kind()) {
          case UNSUPPORTED_OPERATION_CODE -> AdditionalSense.INVALID_COMMAND_OPERATION_CODE;
          case UNSUPPORTED_SERVICE_ACTION, INVALID_LENGTH, INVALID_FIELD ->
              AdditionalSense.INVALID_FIELD_IN_CDB;
        };
    return SenseData.of(SenseKey.ILLEGAL_REQUEST, asc, e.fieldPointer());
  }

  /** Forgets a nexus; a PREVENT it held ends with it (SPC-4 6.13). */
  public synchronized void disconnect(Nexus nexus) {
    unit.disconnect(nexus);
  }

  /**
   * A logical unit reset (SAM-5 6.3.3, from a LOGICAL UNIT RESET or a target reset): every nexus's
   * PREVENT ends (SPC-4 6.13) and every nexus, the one that asked included, gets UNIT ATTENTION
   * 29/03 BUS DEVICE RESET FUNCTION OCCURRED. The commands it aborts are the endpoint's: the
   * firmware runs each command to its end when it takes it.
   */
  public synchronized void reset() {
    unit.reset();
  }

  /**
   * Tells {@code nexus} that another initiator's CLEAR TASK SET aborted its commands (SAM-5 7.4,
   * TAS=0): UNIT ATTENTION 2F/00 COMMANDS CLEARED BY ANOTHER INITIATOR.
   */
  public synchronized void commandsCleared(Nexus nexus) {
    unit.nexus(nexus).unitAttention(AdditionalSense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
  }

  // ---------------------------------------------------------------- control

  /**
   * A person puts {@code medium} into the drive. Hosts see UNIT ATTENTION 28/00 and, until the load
   * time has passed, NOT READY 04/01.
   *
   * @throws DriveControlException if the drive holds a medium or does not take this medium type
   */
  public synchronized void insert(Medium medium) {
    unit.insert(medium);
  }

  /**
   * A person takes the medium out.
   *
   * @param force pull it out even though a host prevents removal
   * @return the medium, for the caller to close
   * @throws DriveControlException if there is none, or removal is prevented and not forced
   */
  public synchronized Medium remove(boolean force) {
    return unit.remove(force);
  }

  /** Sets the write-protect tab of the medium in the drive. */
  public synchronized void setWriteProtected(boolean writeProtected) {
    unit.setWriteProtected(writeProtected);
  }

  /**
   * Destroys the secure area of the medium in the drive, as damage would (all zero).
   *
   * @throws DriveControlException if there is no medium or it has no secure area
   */
  public synchronized void eraseSecureArea() {
    unit.eraseSecureArea();
  }

  /**
   * Ends every reservation of the drive, RESERVE(6) and persistent (registrations included), as an
   * operator does for a host that died holding one; the hosts concerned hear 06/2A/03.
   */
  public synchronized void clearReservations() {
    unit.clearReservations();
  }

  /** The medium in the drive (loaded or in the open tray), or null. */
  public synchronized Medium medium() {
    return unit.medium();
  }

  /**
   * The licenses on the loaded medium as LICENSE STATUS reports them (content IDs, licensors, plays
   * left; never a key), or empty without a medium or a secure area that opens; between commands.
   */
  public synchronized java.util.Optional<dev.secdrive.protocol.security.LicenseStatus> licenses() {
    Medium medium = unit.medium();
    return medium == null ? java.util.Optional.empty() : unit.secure().status(medium);
  }

  public synchronized DriveStatus status() {
    return unit.status();
  }

  /** The standard INQUIRY data this drive returns. */
  public StandardInquiryData inquiryData() {
    return SpcCommands.standardInquiry(unit.profile());
  }
}
