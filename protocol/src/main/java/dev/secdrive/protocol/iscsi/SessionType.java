package dev.secdrive.protocol.iscsi;

/** The SessionType key (RFC 7143 section 13.21). */
public enum SessionType {
  DISCOVERY("Discovery"),
  NORMAL("Normal");

  private final String text;

  SessionType(String text) {
    this.text = text;
  }

  /** The value as the key carries it. */
  public String text() {
    return text;
  }
}
