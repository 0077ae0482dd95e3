package dev.secdrive.emulator.commands.security;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.SecurityProtocols;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * SECURITY PROTOCOL IN and OUT (SPC-4 6.30, 6.31): the way into the drive's secure layer (protocol
 * 00h and vendor protocol F0h, PROTOCOL.md "Secure layer"). The secure layer does the work; this
 * set checks readiness and writes the blocks a CONVERT WRITE produces the way a WRITE does.
 */
public final class SecurityCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "security";

  private final UnitContext unit;
  private final List<Command<?>> commands;

  public SecurityCommands(UnitContext unit) {
    this.unit = unit;
    this.commands =
        List.of(
            Command.of(Opcode.SECURITY_PROTOCOL_IN, SecurityProtocolIn.class, this::securityIn),
            Command.of(Opcode.SECURITY_PROTOCOL_OUT, SecurityProtocolOut.class, this::securityOut));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Command<?>> commands() {
    return commands;
  }

  private int securityIn(NexusState nexus, SecurityProtocolIn cdb, ByteBuffer dataOut, DataIn in)
      throws CheckCondition {
    SecureLayer secure = unit.secure();
    secure.checkIn(cdb);
    if (cdb.protocol() == SecurityProtocols.INFORMATION) {
      // The protocol list and the drive's certificate belong to the drive, not the medium:
      // FIG. 14 asks an empty second drive for its certificate.
      return in.respond(secure.in(nexus.session(), null, cdb), cdb.allocationLength());
    }
    Operation operation = Operation.find(cdb.specific(), true).orElseThrow();
    if (operation.driveOnly()) {
      return in.respond(secure.in(nexus.session(), null, cdb), cdb.allocationLength());
    }
    Medium medium = unit.requireReady();
    if (!operation.audioMedium()) {
      secure.checkMedium(medium);
    }
    return in.respond(secure.in(nexus.session(), medium, cdb), cdb.allocationLength());
  }

  private int securityOut(
      NexusState nexus, SecurityProtocolOut cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    SecureLayer secure = unit.secure();
    secure.checkOut(cdb, dataOut.remaining());
    Operation operation = Operation.find(cdb.specific(), false).orElseThrow();
    if (operation.driveOnly()) {
      // Seed 002's client state is the drive's: no medium takes part.
      secure.out(nexus.session(), null, cdb, dataOut);
      return 0;
    }
    Medium medium = unit.requireReady();
    if (!operation.userAreaOnly() && !operation.audioMedium()) {
      // Seed 004's verification table works on a pressed CD-DA disc, which has no secure area.
      secure.checkMedium(medium);
    }
    if (cdb.specific() == Operation.CONVERT_WRITE.code()) {
      convertWrite(nexus, medium, dataOut);
      return 0;
    }
    secure.out(nexus.session(), medium, cdb, dataOut);
    return 0;
  }

  /**
   * PROTOCOL.md "Scheme 2": converted in place in the data-out buffer (it can be megabytes), then
   * written like a WRITE, with its write faults and its service time.
   */
  private void convertWrite(NexusState nexus, Medium medium, ByteBuffer dataOut)
      throws CheckCondition {
    SecureLayer secure = unit.secure();
    SecureLayer.BlockWrite converted = secure.convertWrite(nexus.session(), medium, dataOut);
    if (converted.blocks() == 0) {
      return;
    }
    long lba = converted.lba();
    try {
      unit.userArea().writeBlocks(medium, lba, converted.data(), false);
    } catch (CheckCondition e) {
      // As a WRITE's, the blocks before the LBA the sense names (an injected write error, a torn
      // write) are on the medium; a write the medium itself failed names the first, so none.
      long failing = e.sense().information();
      if (e.sense().valid() && failing > lba && failing < lba + converted.blocks()) {
        secure.converted(nexus.session(), lba, (int) (failing - lba));
      }
      throw e;
    }
    secure.converted(nexus.session(), lba, converted.blocks());
  }
}
