package dev.secdrive.emulator.endpoint.iscsi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A portal's live normal sessions by TSIH (RFC 7143 section 11.12.7), shared by the connections of
 * all its event loops. Each session has one connection (MaxConnections=1), so a session is its
 * {@link IscsiConnection}. A session that logs in with the InitiatorName and ISID of a live one
 * reinstates it (section 6.3.5): the old one is closed.
 */
final class SessionTable {

  /** TSIHs are 16 bits and 0 means "a new session"; so many sessions at most. */
  static final int MAXIMUM_SESSIONS = 0xFFFF;

  private final Map<Integer, IscsiConnection> byTsih = new ConcurrentHashMap<>();
  private int lastTsih;

  /** Whether a session with {@code tsih} is live. */
  boolean exists(int tsih) {
    return byTsih.containsKey(tsih);
  }

  /**
   * Enters a session that completed its login: closes a live one of the same initiator name and
   * ISID (reinstatement), and returns the new session's TSIH, never 0 and never one in use.
   */
  synchronized int register(IscsiConnection session) {
    for (IscsiConnection old : List.copyOf(byTsih.values())) {
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
  void remove(int tsih, IscsiConnection session) {
    byTsih.remove(tsih, session);
  }

  /** The live sessions, a snapshot. */
  Collection<IscsiConnection> all() {
    return List.copyOf(byTsih.values());
  }
}
