package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.Negotiation;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every connection of one portal shares: the target behind it, how it negotiates and
 * authenticates, and the table of its live sessions.
 *
 * @param maximumDataLength the longest transfer a command may ask for
 * @param answerDelays where answers wait out the drive's service time, or {@code null}
 * @param initiatorChap the initiator's CHAP name and secret the target requires, if any
 * @param targetChap the target's own CHAP name and secret for mutual CHAP, if configured
 * @param coldResets whether an initiator may TARGET COLD RESET, which drops every other initiator's
 *     session; when not, it is answered "authorization failed"
 * @param pings when to ping an idle initiator with a NOP-In, or empty for never
 */
record Portal(
    Target target,
    String targetName,
    Negotiation.Policy policy,
    int maximumDataLength,
    ScheduledExecutorService answerDelays,
    Optional<Chap.Credentials> initiatorChap,
    Optional<Chap.Credentials> targetChap,
    SessionTable sessions,
    boolean coldResets,
    Optional<NopPinger.Settings> pings) {

  Portal {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(targetName, "targetName");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(initiatorChap, "initiatorChap");
    Objects.requireNonNull(targetChap, "targetChap");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(pings, "pings");
    if (targetChap.isPresent() && initiatorChap.isEmpty()) {
      throw new IllegalArgumentException("mutual CHAP needs the initiator's CHAP secret as well");
    }
  }
}
