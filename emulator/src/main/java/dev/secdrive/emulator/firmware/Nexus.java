package dev.secdrive.emulator.firmware;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An I_T nexus: one host connection. Unit attentions and PREVENT state belong to a nexus, so one
 * host's commands never consume another host's "medium may have changed".
 */
public final class Nexus {

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final String initiator;

  public Nexus(String initiator) {
    this.initiator = initiator;
  }

  public long id() {
    return id;
  }

  /** The initiator, e.g. the remote address of the connection. */
  public String initiator() {
    return initiator;
  }

  @Override
  public String toString() {
    return "nexus " + id + " (" + initiator + ")";
  }
}
