package dev.secdrive.emulator.secure;

import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.SenseData;

/** A secure-layer check refused: the reason of PROTOCOL.md "Refusals", and INFORMATION if any. */
public final class Refusal extends Exception {

  private static final long serialVersionUID = 1L;

  private final Reason reason;
  private final long information;

  public Refusal(Reason reason, String detail) {
    this(reason, -1, detail);
  }

  public Refusal(Reason reason, long information, String detail) {
    super(reason.text() + ": " + detail, null, false, false);
    this.reason = reason;
    this.information = information;
  }

  public Reason reason() {
    return reason;
  }

  /** The sense this refusal answers with. */
  public SenseData sense() {
    return information >= 0 ? reason.senseData(information) : reason.senseData();
  }
}
