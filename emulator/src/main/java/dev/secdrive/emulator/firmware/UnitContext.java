package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.sense.AdditionalSense;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

/**
 * What a command set may see of its logical unit: the drive model, the loading mechanism and its
 * medium, injected faults, timing, the secure layer and the user-area write path, and the unit's
 * command table. Per-nexus state comes with each command. The firmware itself stays out of reach,
 * so a command set can be tested against any implementation of this interface.
 */
public interface UnitContext {

  /**
   * Largest data phase of one command: one data-in or data-out travels in one frame, and the TCP
   * carrier's frame holds at most this much (PROTOCOL.md "Carriers"). Hosts learn it from the Block
   * Limits VPD page (SBC-3 6.5.3), see {@link #maximumTransferLength}.
   */
  int MAXIMUM_TRANSFER_BYTES = Frame.DEFAULT_MAXIMUM_DATA_LENGTH;

  /** The largest sector READ CD returns: 2,352 bytes of main channel and 96 of raw P-W. */
  int LARGEST_CD_SECTOR_BYTES = 2352 + 96;

  /**
   * The unit's MAXIMUM TRANSFER LENGTH for a medium of {@code blockSize}-byte blocks, as the Block
   * Limits VPD page reports it: the most blocks (for READ CD and READ CD MSF, sectors) one READ,
   * WRITE, VERIFY or READ CD may move. A unit that serves READ CD counts its largest sector, so any
   * READ CD of at most this many sectors fits one data phase whatever its sub-channel selection.
   * Every longer transfer is refused by {@link CheckCondition#transferTooLong}.
   */
  default long maximumTransferLength(int blockSize) {
    int unitBytes =
        commands().containsKey(Opcode.READ_CD)
            ? Math.max(blockSize, LARGEST_CD_SECTOR_BYTES)
            : blockSize;
    return MAXIMUM_TRANSFER_BYTES / unitBytes;
  }

  int lun();

  DriveProfile profile();

  /** The device ID (unit serial number, VPD 80h). */
  String deviceId();

  /** The loading mechanism's state. */
  DriveState state();

  /** The loaded medium, or null when none is loaded. */
  Medium loadedMedium();

  /**
   * Returns the loaded medium.
   *
   * @throws CheckCondition NOT READY with the sense of the mechanism's state
   */
  Medium requireReady() throws CheckCondition;

  /** The NOT READY condition of the mechanism's state; empty when ready. */
  Optional<CheckCondition> notReady();

  /**
   * A host's START STOP UNIT event for the mechanism; the media events it causes go to every nexus,
   * the unit attention of a medium it loads to every nexus but {@code origin}, whose own command
   * loaded it (SPC-4 5.14 reports a change to the I_T nexuses it may surprise, as for MODE SELECT).
   *
   * @param origin the nexus whose START STOP UNIT this is
   * @throws CheckCondition when the mechanism refuses (no medium, removal prevented)
   */
  void hostEvent(NexusState origin, DriveEvent event) throws CheckCondition;

  /**
   * Sets a unit attention with {@code sense} on every nexus of the unit but {@code origin}: how a
   * change one host made (MODE SELECT, SPC-4 6.9) reaches the hosts it may surprise.
   */
  void unitAttentionToOthers(NexusState origin, AdditionalSense sense);

  /**
   * The nexus holding the logical unit through RESERVE(6) (SPC-2 5.5.1), or null; the dispatcher
   * answers other nexuses' commands RESERVATION CONFLICT while it does.
   */
  NexusState reservation();

  /** Whether any persistent registration or reservation exists (RESERVE(6) then conflicts). */
  boolean persistentReservationsActive();

  /** PERSISTENT RESERVE IN: the parameter data of its service action (SPC-4 6.15). */
  byte[] persistentReserveIn(PersistentReserveIn cdb) throws CheckCondition;

  /** PERSISTENT RESERVE OUT from {@code nexus} with its parameter list (SPC-4 6.16). */
  void persistentReserveOut(NexusState nexus, PersistentReserveOut cdb, ByteBuffer dataOut)
      throws CheckCondition, ReservationConflict;

  /** Reserves the logical unit for {@code nexus} (it holds it, or nobody does). */
  void reserve(NexusState nexus);

  /** Releases the reservation if {@code nexus} holds it; otherwise nothing happens. */
  void release(NexusState nexus);

  /** Whether any nexus holds a PREVENT (SPC-4 6.13); the drive's lock state (MMC-6 page 2Ah). */
  boolean removalPrevented();

  Faults faults();

  TimingModel timing();

  /** Adds to the time this command keeps the drive busy. */
  void service(long nanos);

  /**
   * States the data-out length this command's CDB calls for (SAM-5's SPDTL) when the host may have
   * sent a different amount; the endpoint reports the difference as a residual.
   */
  void dataOutLength(long bytes);

  SecureLayer secure();

  /** The user-area block write path, with its injected faults (WRITE and the secure layer). */
  UserArea userArea();

  /** The unit's command table, in operation code order: what it executes and reports. */
  Map<Opcode, Command<?>> commands();
}
