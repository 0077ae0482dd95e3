package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.StartStopUnit;
import java.util.Set;

/**
 * What both kinds of reservation let through from a nexus they keep out (SPC-2 Annex B, SPC-4
 * 5.9.1): a PREVENT ALLOW that allows removal, a START STOP UNIT that only spins the unit up, and
 * the commands each kind lists by operation code.
 */
final class ReservationExemptions {

  private ReservationExemptions() {}

  static boolean exempt(Cdb cdb, Set<Opcode> listed) {
    if (cdb instanceof PreventAllowMediumRemoval prevent) {
      return prevent.prevent() == PreventAllowMediumRemoval.ALLOW;
    }
    if (cdb instanceof StartStopUnit startStop) {
      return startStop.start() && startStop.powerCondition() == 0;
    }
    return listed.contains(cdb.opcode());
  }
}
