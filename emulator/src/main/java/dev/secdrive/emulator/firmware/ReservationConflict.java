package dev.secdrive.emulator.firmware;

/**
 * A command from an I_T nexus other than the one holding the logical unit's reservation: it ends
 * with RESERVATION CONFLICT status and no sense data (SPC-2 5.5.1).
 */
final class ReservationConflict extends Exception {

  private static final long serialVersionUID = 1L;

  ReservationConflict() {
    super("reservation conflict", null, false, false);
  }
}
