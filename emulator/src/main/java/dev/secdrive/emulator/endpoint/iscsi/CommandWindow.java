package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A session's command numbering (RFC 7143 section 4.2.2): the command window from ExpCmdSN to
 * MaxCmdSN that non-immediate commands of every connection of the session must fall into (each
 * connection numbers its own StatSNs). All arithmetic is serial number arithmetic (RFC 1982):
 * differences are taken modulo 2^32.
 *
 * <p>It also remembers the CmdSNs an ABORT TASK named before their command arrived (section 11.5.1
 * b): such a command counts as received, and is dropped unexecuted when it comes.
 */
final class CommandWindow {

  /** Commands the initiator may have outstanding beyond ExpCmdSN: the command handler's queue. */
  static final int SIZE = 64;

  private volatile int expCmdSn; // written on the session's event loop, read by joining logins
  private final Set<Integer> aborted = new HashSet<>();
  private final Set<Integer> ahead = new HashSet<>();

  int expCmdSn() {
    return expCmdSn;
  }

  int maxCmdSn() {
    return expCmdSn + SIZE - 1;
  }

  /** The leading login: every Login Request carries the session's first CmdSN. */
  void expect(int cmdSn) {
    this.expCmdSn = cmdSn;
  }

  /**
   * A command with {@code cmdSn} has arrived. A non-immediate one moves the window on: past it, and
   * past the ones after it that came early (section 4.2.2.1: ExpCmdSN is the lowest CmdSN not yet
   * received).
   */
  void advance(boolean immediate, int cmdSn) {
    if (immediate) {
      return;
    }
    if (cmdSn == expCmdSn) {
      expCmdSn++;
      while (!ahead.isEmpty() && ahead.remove(expCmdSn)) {
        // Once the window is past it, an aborted command that still comes is below the window
        // and ignored: its entry is no longer needed.
        aborted.remove(expCmdSn);
        expCmdSn++;
      }
    } else if (inWindow(cmdSn)) {
      ahead.add(cmdSn);
    }
  }

  /** Whether {@code cmdSn} lies in [ExpCmdSN, MaxCmdSN]. */
  boolean inWindow(int cmdSn) {
    return cmdSn - expCmdSn >= 0 && maxCmdSn() - cmdSn >= 0;
  }

  /** The CmdSN of a non-immediate command; empty for an immediate one or another PDU. */
  static OptionalInt cmdSn(IscsiPdu pdu) {
    if (pdu instanceof ScsiCommand c && !c.immediate()) {
      return OptionalInt.of(c.cmdSn());
    } else if (pdu instanceof NopOut n && !n.immediate()) {
      return OptionalInt.of(n.cmdSn());
    } else if (pdu instanceof TextRequest t && !t.immediate()) {
      return OptionalInt.of(t.cmdSn());
    } else if (pdu instanceof TaskManagementRequest m && !m.immediate()) {
      return OptionalInt.of(m.cmdSn());
    } else if (pdu instanceof LogoutRequest l && !l.immediate()) {
      return OptionalInt.of(l.cmdSn());
    }
    return OptionalInt.empty();
  }

  /**
   * Whether {@code pdu} is a non-immediate command outside the window, which section 4.2.2.1 says
   * to ignore silently.
   */
  boolean outside(IscsiPdu pdu) {
    OptionalInt cmdSn = cmdSn(pdu);
    return cmdSn.isPresent() && !inWindow(cmdSn.getAsInt());
  }

  /**
   * An ABORT TASK named {@code cmdSn}, in the window, before its command arrived: the CmdSN counts
   * as received. If the command still comes, it is dropped: below the window if the CmdSN was the
   * next one due, otherwise by {@link #takeAborted}.
   */
  void abortBeforeArrival(int cmdSn) {
    if (cmdSn != expCmdSn) {
      aborted.add(cmdSn); // at most SIZE: each is in the window, and the window holds SIZE
    }
    advance(false, cmdSn);
  }

  /** Whether the command with {@code cmdSn} was aborted before it arrived; forgets it. */
  boolean takeAborted(int cmdSn) {
    return !aborted.isEmpty() && aborted.remove(cmdSn);
  }
}
