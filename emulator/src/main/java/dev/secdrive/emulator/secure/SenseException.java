package dev.secdrive.emulator.secure;

import dev.secdrive.protocol.sense.SenseData;

/** A secure-layer command ends in CHECK CONDITION with this sense. */
public final class SenseException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient SenseData sense;

  public SenseException(SenseData sense) {
    super(sense.describe(), null, false, false);
    this.sense = sense;
  }

  public SenseData sense() {
    return sense;
  }
}
