package dev.secdrive.emulator.firmware;

/**
 * A command that meets another I_T nexus's reservation: it ends with RESERVATION CONFLICT status
 * and no sense data (SPC-2 5.5.1, SPC-4 5.9.1). The dispatcher throws it before a command runs;
 * PERSISTENT RESERVE OUT and RESERVE(6) throw it from their handlers when the service action itself
 * conflicts.
 */
public final class ReservationConflict extends Exception {

  private static final long serialVersionUID = 1L;

  public ReservationConflict() {
    super("reservation conflict", null, false, false);
  }
}
