package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One row of a logical unit's command table: the operation code (and service action), the CDB
 * record it decodes to, and the handler of the command set that executes it. The firmware's
 * dispatcher and REPORT SUPPORTED OPERATION CODES read the same rows, so a command is reported
 * exactly when it is executed (SPC-4 6.35).
 *
 * @param opcode the command, as {@link dev.secdrive.protocol.cdb.Cdbs#decode} names it
 * @param type the record {@code opcode} decodes to
 * @param handler executes a decoded CDB of {@code type}
 */
public record Command<C extends Cdb>(Opcode opcode, Class<C> type, Handler<? super C> handler) {

  /** Executes one command of a command set. */
  @FunctionalInterface
  public interface Handler<C extends Cdb> {
    /**
     * @param nexus the I_T nexus the command came from
     * @param cdb the decoded CDB
     * @param dataOut the data-out bytes; positions are not consumed
     * @param dataIn where the data-in bytes go
     * @return the number of data-in bytes
     * @throws CheckCondition to end the command with that sense
     * @throws ReservationConflict to end it with RESERVATION CONFLICT
     */
    int execute(NexusState nexus, C cdb, ByteBuffer dataOut, DataIn dataIn)
        throws CheckCondition, ReservationConflict;
  }

  public Command {
    Objects.requireNonNull(opcode, "opcode");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
  }

  public static <C extends Cdb> Command<C> of(
      Opcode opcode, Class<C> type, Handler<? super C> handler) {
    return new Command<>(opcode, type, handler);
  }
}
