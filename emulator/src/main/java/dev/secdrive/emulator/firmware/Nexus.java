package dev.secdrive.emulator.firmware;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An I_T nexus: one host connection, an initiator port with the target port (the endpoint) it came
 * in on. Unit attentions and PREVENT state belong to a nexus, so one host's commands never consume
 * another host's "medium may have changed".
 */
public final class Nexus {

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final String initiator;
  private final String endpoint;

  /** A nexus of no endpoint in particular (an in-process test's). */
  public Nexus(String initiator) {
    this(initiator, "local");
  }

  /**
   * @param endpoint the endpoint as its metrics label names it: {@code tcp://127.0.0.1:7140},
   *     {@code serial:/dev/ttyUSB0}, {@code iscsi://127.0.0.1:3260}
   */
  public Nexus(String initiator, String endpoint) {
    this.initiator = initiator;
    this.endpoint = endpoint;
  }

  /** The endpoint (target port) the host came in on. */
  public String endpoint() {
    return endpoint;
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
