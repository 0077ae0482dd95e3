package dev.secdrive.host.transport;

/**
 * The sequence numbers of an initiator's session (RFC 7143 section 4.2.2): the CmdSN of the next
 * non-immediate command, the window the target grants (ExpCmdSN..MaxCmdSN) and the ExpStatSN to
 * acknowledge. Compared with serial number arithmetic (RFC 1982). Confined to the event loop.
 */
final class SequenceNumbers {

  int cmdSn;
  int expCmdSn;
  int maxCmdSn;
  int expStatSn;

  /** Whether the next command's CmdSN lies in the window the target granted. */
  boolean open() {
    return serialLessOrEqual(cmdSn, maxCmdSn);
  }

  /**
   * ExpCmdSN and MaxCmdSN from a target PDU (section 4.2.2.1): both ignored when MaxCmdSN is below
   * ExpCmdSN - 1; each taken only when it moves forward, so a target cannot take back a grant.
   */
  void window(int exp, int max) {
    if (serialLess(max, exp - 1)) {
      return;
    }
    if (serialLess(expCmdSn, exp)) {
      expCmdSn = exp;
    }
    if (serialLess(maxCmdSn, max)) {
      maxCmdSn = max;
    }
  }

  /** The StatSN of a status the target sent: acknowledged by the next ExpStatSN. */
  void statSn(int statSn) {
    if (serialLessOrEqual(expStatSn, statSn + 1)) {
      expStatSn = statSn + 1;
    }
  }

  static boolean serialLess(int a, int b) {
    return a != b && (a - b) < 0;
  }

  static boolean serialLessOrEqual(int a, int b) {
    return a == b || serialLess(a, b);
  }
}
