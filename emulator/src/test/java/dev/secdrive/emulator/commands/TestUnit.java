package dev.secdrive.emulator.commands;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveEvent;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.Faults;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.ReservationConflict;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.firmware.TimingModel;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.firmware.UserArea;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A logical unit made for testing one command set on its own: a drive model, the medium the test
 * loads (ready whenever one is loaded), real faults, realistic timing and a real user area, and a
 * command table the test fills. Events the set hands the mechanism are recorded, not acted on (but
 * an eject opens the tray).
 */
public final class TestUnit implements UnitContext {
  public final Faults faults = new Faults();
  public final TimingModel timing;
  public final SecureLayer secure = SecureLayer.ephemeral("SDDTEST0001", faults);
  public final List<DriveEvent> events = new ArrayList<>();
  public long serviceNanos;
  public long dataOutLength = Response.AS_SENT;
  public NexusState reservation;

  /** The unit attentions set for other nexuses, in order. */
  public final List<AdditionalSense> othersAttentions = new ArrayList<>();

  public final UserArea userArea;
  public Medium loaded;
  public DriveState state = DriveState.READY;
  public final Map<Opcode, Command<?>> commands = new EnumMap<>(Opcode.class);
  private final DriveProfile profile;

  public TestUnit(String profileId) {
    this.profile = ProfileCatalog.builtIn().get(profileId);
    this.timing = new TimingModel(TimingMode.REALISTIC, profile.timing());
    this.userArea = new UserArea(0, faults, timing, n -> serviceNanos += n);
  }

  /** A fresh nexus of this unit (its power-on unit attention pending). */
  public NexusState nexus() {
    return new NexusState("test host", secure.newSession());
  }

  /** Runs {@code cdb} through its row in {@code rows}, as the dispatcher would. */
  public static int execute(
      List<Command<?>> rows, NexusState nexus, Cdb cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Command<?> row =
        rows.stream().filter(c -> c.opcode() == cdb.opcode()).findFirst().orElseThrow();
    return call(row, nexus, cdb, dataOut, dataIn);
  }

  private static <C extends Cdb> int call(
      Command<C> row, NexusState nexus, Cdb cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    try {
      return row.handler().execute(nexus, row.type().cast(cdb), dataOut, dataIn);
    } catch (ReservationConflict e) {
      throw new AssertionError("no reservation in a test unit", e);
    }
  }

  /** Set by a test to stand for a PREVENT held by some nexus. */
  public boolean prevented;

  @Override
  public boolean removalPrevented() {
    return prevented;
  }

  @Override
  public int lun() {
    return 0;
  }

  @Override
  public DriveProfile profile() {
    return profile;
  }

  @Override
  public String deviceId() {
    return "SDDTEST0001";
  }

  @Override
  public DriveState state() {
    return state;
  }

  @Override
  public Medium loadedMedium() {
    return loaded;
  }

  @Override
  public Medium requireReady() throws CheckCondition {
    if (notReady().isPresent()) {
      throw notReady().get();
    }
    return loaded;
  }

  @Override
  public Optional<CheckCondition> notReady() {
    return loaded == null
        ? Optional.of(CheckCondition.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT))
        : Optional.empty();
  }

  @Override
  public void hostEvent(NexusState origin, DriveEvent event) {
    events.add(event);
    if (event instanceof DriveEvent.Eject) {
      state = DriveState.TRAY_OPEN;
    }
  }

  @Override
  public Faults faults() {
    return faults;
  }

  @Override
  public TimingModel timing() {
    return timing;
  }

  @Override
  public void service(long nanos) {
    serviceNanos += nanos;
  }

  @Override
  public void unitAttentionToOthers(NexusState origin, AdditionalSense sense) {
    othersAttentions.add(sense);
  }

  @Override
  public NexusState reservation() {
    return reservation;
  }

  @Override
  public boolean persistentReservationsActive() {
    return false;
  }

  @Override
  public byte[] persistentReserveIn(PersistentReserveIn cdb) {
    throw new UnsupportedOperationException("persistent reservations are the firmware's");
  }

  @Override
  public void persistentReserveOut(NexusState nexus, PersistentReserveOut cdb, ByteBuffer data) {
    throw new UnsupportedOperationException("persistent reservations are the firmware's");
  }

  @Override
  public void reserve(NexusState nexus) {
    reservation = nexus;
  }

  @Override
  public void release(NexusState nexus) {
    if (reservation == nexus) {
      reservation = null;
    }
  }

  @Override
  public void dataOutLength(long bytes) {
    dataOutLength = bytes;
  }

  @Override
  public SecureLayer secure() {
    return secure;
  }

  @Override
  public UserArea userArea() {
    return userArea;
  }

  @Override
  public Map<Opcode, Command<?>> commands() {
    return commands;
  }
}
