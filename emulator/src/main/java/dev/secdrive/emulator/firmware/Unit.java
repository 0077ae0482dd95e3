package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.sense.AdditionalSense;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The state of one logical unit that outlives a command: the loading mechanism and its medium,
 * faults, timing, the secure layer, the per-nexus state, and the control events a person causes
 * (insert, remove, write-protect, erase the secure area). Command sets see it as a {@link
 * UnitContext}; the firmware holds its lock around every call.
 */
final class Unit implements UnitContext {

  private static final int PERIPHERAL_DEVICE_TYPE_MMC = 0x05;

  private final int lun;
  private final DriveProfile profile;
  private final String deviceId;
  private final LongSupplier clock;
  private final TimingModel timing;
  private final Mechanism mechanism;
  private final Faults faults;
  private final UserArea userArea;
  private final SecureLayer secure;
  private final Map<Nexus, NexusState> nexuses = new IdentityHashMap<>();
  private final PersistentReservations persistentReservations;
  private Map<Opcode, Command<?>> commands = Map.of();

  private long busyUntil;
  private long serviceNanos;
  private long dataOutLength;
  private NexusState reservation; // the nexus whose RESERVE(6) holds the unit, or null
  private long commandCount;

  Unit(
      int lun,
      DriveProfile profile,
      String deviceId,
      TimingMode mode,
      LongSupplier clock,
      DriveKeys keys,
      DriveNv nv) {
    this.lun = lun;
    this.persistentReservations =
        new PersistentReservations(
            (port, sense) ->
                nexuses.forEach(
                    (n, state) -> {
                      if (n.initiator().equals(port)) {
                        state.unitAttention(sense);
                      }
                    }),
            port -> nexuses.keySet().stream().anyMatch(n -> n.initiator().equals(port)));
    this.profile = profile;
    this.deviceId = deviceId;
    this.clock = clock;
    this.timing = new TimingModel(mode, profile.timing());
    this.mechanism =
        new Mechanism(profile.inquiry().peripheralDeviceType() == PERIPHERAL_DEVICE_TYPE_MMC);
    this.faults = new Faults(lun);
    this.userArea = new UserArea(lun, faults, timing, this::service);
    this.secure = new SecureLayer(keys, nv, faults, userArea);
  }

  void commands(Map<Opcode, Command<?>> table) {
    this.commands = table;
  }

  // ---------------------------------------------------------------- UnitContext

  @Override
  public int lun() {
    return lun;
  }

  @Override
  public DriveProfile profile() {
    return profile;
  }

  @Override
  public String deviceId() {
    return deviceId;
  }

  @Override
  public DriveState state() {
    return mechanism.state();
  }

  @Override
  public Medium loadedMedium() {
    return mechanism.loadedMedium();
  }

  @Override
  public Medium requireReady() throws CheckCondition {
    CheckCondition notReady = mechanism.notReady();
    if (notReady != null) {
      throw notReady;
    }
    return mechanism.loadedMedium();
  }

  @Override
  public Optional<CheckCondition> notReady() {
    return Optional.ofNullable(mechanism.notReady());
  }

  @Override
  public void hostEvent(NexusState origin, DriveEvent event) throws CheckCondition {
    apply(
        mechanism.onHost(event, removalPrevented(), clock.getAsLong(), timing.loadNanos()), origin);
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

  // ---------------------------------------------------------------- one command

  /** Starts a command at the clock's time and returns that time. */
  long begin() {
    long now = clock.getAsLong();
    mechanism.tick(now);
    commandCount++;
    serviceNanos = 0;
    dataOutLength = Response.AS_SENT;
    return now;
  }

  /** The data-out length this command called for, or {@link Response#AS_SENT}. */
  long dataOutLength() {
    return dataOutLength;
  }

  /** Queues this command's service time behind the drive's earlier work; returns the delay. */
  long complete(long now) {
    if (serviceNanos == 0) {
      return Math.max(0, busyUntil - now);
    }
    long start = Math.max(now, busyUntil);
    busyUntil = start + serviceNanos;
    return busyUntil - now;
  }

  // ---------------------------------------------------------------- nexus state

  NexusState nexus(Nexus nexus) {
    return nexuses.computeIfAbsent(nexus, n -> new NexusState(n.initiator(), secure.newSession()));
  }

  void disconnect(Nexus nexus) {
    NexusState gone = nexuses.remove(nexus);
    if (gone != null && gone == reservation) {
      reservation = null; // SPC-2 5.5.1: an I_T nexus loss releases its reservation
    }
  }

  void reset() {
    reservation = null;
    userArea.writeCache(true); // SAM-5 6.3.3: mode parameters return to their defaults
    for (NexusState nexus : nexuses.values()) {
      nexus.prevent(false);
      nexus.unitAttention(AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }
  }

  @Override
  public void unitAttentionToOthers(NexusState origin, AdditionalSense sense) {
    for (NexusState nexus : nexuses.values()) {
      if (nexus != origin) {
        nexus.unitAttention(sense);
      }
    }
  }

  @Override
  public NexusState reservation() {
    return reservation;
  }

  @Override
  public boolean persistentReservationsActive() {
    return persistentReservations.active();
  }

  @Override
  public byte[] persistentReserveIn(PersistentReserveIn cdb) throws CheckCondition {
    return persistentReservations.in(cdb);
  }

  @Override
  public void persistentReserveOut(NexusState nexus, PersistentReserveOut cdb, ByteBuffer dataOut)
      throws CheckCondition, ReservationConflict {
    persistentReservations.out(nexus.initiator(), cdb, dataOut);
  }

  /** Whether a persistent reservation keeps {@code cdb} from {@code nexus}. */
  boolean persistentReservationConflict(NexusState nexus, Cdb cdb) {
    return persistentReservations.conflicts(nexus.initiator(), cdb);
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
  public boolean removalPrevented() {
    return nexuses.values().stream().anyMatch(NexusState::prevent);
  }

  private void apply(Mechanism.Effect effect) {
    apply(effect, null);
  }

  /** Applies a mechanism effect; {@code origin}, when not null, caused it and hears no 28/00. */
  private void apply(Mechanism.Effect effect, NexusState origin) {
    if (effect != Mechanism.Effect.NONE) {
      for (NexusState nexus : nexuses.values()) {
        // PROTOCOL.md: a medium change closes playback and ends a conversion
        secure.closeAll(nexus.session());
      }
    }
    switch (effect) {
      case MEDIUM_ARRIVED -> {
        timing.mediumChanged();
        for (NexusState nexus : nexuses.values()) {
          if (nexus != origin) {
            nexus.unitAttention(AdditionalSense.MEDIUM_MAY_HAVE_CHANGED);
          }
          nexus.mediaEvent(MediaEvent.NEW_MEDIA);
        }
      }
      case MEDIUM_LEFT -> {
        timing.mediumChanged();
        for (NexusState nexus : nexuses.values()) {
          nexus.mediaEvent(MediaEvent.MEDIA_REMOVAL);
        }
      }
      case NONE -> {}
    }
  }

  // ---------------------------------------------------------------- control events

  void insert(Medium medium) {
    String type = medium.metadata().type();
    if (!profile.accepts(type)) {
      throw new DriveControlException(
          "drive "
              + lun
              + " ("
              + profile.id()
              + ") does not take medium type "
              + type
              + "; it takes "
              + String.join(", ", profile.media().stream().map(m -> m.type()).toList()));
    }
    if (CdAudioDisc.isAudio(medium)) {
      try {
        CdAudioDisc.of(medium); // a disc whose TOC does not load never reaches the commands
      } catch (MediumException e) {
        throw new DriveControlException(e.getMessage());
      }
    }
    int blockSize = profile.medium(type).orElseThrow().blockSize();
    if (medium.blockSize() != blockSize) {
      throw new DriveControlException(
          "medium "
              + medium.id()
              + " has "
              + medium.blockSize()
              + "-byte blocks; drive "
              + profile.id()
              + " expects "
              + blockSize
              + " for "
              + type);
    }
    long now = clock.getAsLong();
    mechanism.tick(now);
    apply(mechanism.on(new DriveEvent.Insert(medium), removalPrevented(), now, timing.loadNanos()));
  }

  Medium remove(boolean force) {
    long now = clock.getAsLong();
    mechanism.tick(now);
    apply(mechanism.on(new DriveEvent.Remove(force), removalPrevented(), now, timing.loadNanos()));
    return mechanism.takeMedium();
  }

  void setWriteProtected(boolean writeProtected) {
    if (!profile.writeProtectSupported()) {
      throw new DriveControlException(
          "drive " + lun + " (" + profile.id() + ") has no write-protect support");
    }
    Medium medium = requireMedium();
    try {
      medium.setWriteProtected(writeProtected);
    } catch (MediumException e) {
      throw new DriveControlException(e.getMessage());
    }
  }

  /**
   * The operator ends every reservation of the unit, SPC-2 and persistent: what a person does when
   * a host died holding one. The holder of an SPC-2 reservation and every persistent registrant
   * hear RESERVATIONS PREEMPTED (2A/03), as from a PERSISTENT RESERVE OUT CLEAR.
   */
  void clearReservations() {
    if (reservation != null) {
      reservation.unitAttention(AdditionalSense.RESERVATIONS_PREEMPTED);
      reservation = null;
    }
    persistentReservations.clearAll();
  }

  void eraseSecureArea() {
    Medium medium = requireMedium();
    if (medium.metadata().pressed() || medium.metadata().secureAreaBytes() == 0) {
      throw new DriveControlException("medium " + medium.id() + " has no secure area");
    }
    try {
      secure.erase(medium);
    } catch (IOException e) {
      throw new DriveControlException(
          "erasing the secure area of medium " + medium.id() + " failed: " + e);
    }
  }

  private Medium requireMedium() {
    Medium medium = mechanism.medium();
    if (medium == null) {
      throw new DriveControlException("there is no medium in drive " + lun);
    }
    return medium;
  }

  /** The medium in the drive (loaded or in the open tray), or null. */
  Medium medium() {
    return mechanism.medium();
  }

  DriveStatus status() {
    mechanism.tick(clock.getAsLong());
    Medium medium = mechanism.medium();
    return new DriveStatus(
        lun,
        profile.id(),
        deviceId,
        mechanism.state(),
        medium == null ? null : medium.id(),
        medium != null && medium.metadata().readOnly(),
        removalPrevented(),
        commandCount);
  }
}
