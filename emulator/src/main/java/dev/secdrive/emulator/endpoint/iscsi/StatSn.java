package dev.secdrive.emulator.endpoint.iscsi;

/**
 * One connection's status numbering (RFC 7143 section 4.2.2.2): each connection of a session counts
 * its own StatSNs, from the ExpStatSN its first Login Request carries (section 11.12.8), serial
 * number arithmetic throughout. Not thread-safe: the connection's login, then its session's event
 * loop.
 */
final class StatSn {

  private int next;

  /** Login: the initiator's first ExpStatSN starts the numbering. */
  void start(int statSn) {
    this.next = statSn;
  }

  /** The StatSN the next status carries, without taking it (a Reject, an R2T, a ping). */
  int peek() {
    return next;
  }

  /** Takes the next StatSN for a status that goes out. */
  int take() {
    return next++;
  }
}
