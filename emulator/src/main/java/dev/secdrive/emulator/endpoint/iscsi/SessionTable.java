package dev.secdrive.emulator.endpoint.iscsi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A portal's live normal sessions by TSIH (RFC 7143 section 11.12.7), shared by the connections of
 * all its event loops: a login with a TSIH finds the session it adds a connection to here. A
 * session that logs in with the InitiatorName and ISID of a live one reinstates it (section 6.3.5):
 * every connection of the old one is closed.
 */
final class SessionTable {

  /** TSIHs are 16 bits and 0 means "a new session"; so many sessions at most. */
  static final int MAXIMUM_SESSIONS = 0xFFFF;

  private final Map<Integer, IscsiSession> byTsih = new ConcurrentHashMap<>();
  private int lastTsih;

  /** The live session with {@code tsih}, or {@code null}. */
  IscsiSession get(int tsih) {
    return byTsih.get(tsih);
  }

  /**
   * Enters a session that completed its login: closes a live one of the same initiator name and
   * ISID (reinstatement), and returns the new session's TSIH, never 0 and never one in use.
   */
  synchronized int register(IscsiSession session) {
    for (IscsiSession old : List.copyOf(byTsih.values())) {
      if (old.initiatorName().equals(session.initiatorName()) && old.isid() == session.isid()) {
        byTsih.values().remove(old);
        old.reinstated();
      }
    }
    if (byTsih.size() >= MAXIMUM_SESSIONS) {
      throw new IllegalStateException("no TSIH left");
    }
    do {
      lastTsih = lastTsih >= 0xFFFF ? 1 : lastTsih + 1;
    } while (byTsih.containsKey(lastTsih));
    byTsih.put(lastTsih, session);
    return lastTsih;
  }

  /** A TSIH for a discovery session, which is not entered: nothing else refers to it. */
  synchronized int discoveryTsih() {
    do {
      lastTsih = lastTsih >= 0xFFFF ? 1 : lastTsih + 1;
    } while (byTsih.containsKey(lastTsih));
    return lastTsih;
  }

  /** The session ended. */
  void remove(int tsih, IscsiSession session) {
    byTsih.remove(tsih, session);
  }

  /** The live sessions, a snapshot. */
  Collection<IscsiSession> all() {
    return List.copyOf(byTsih.values());
  }
}
