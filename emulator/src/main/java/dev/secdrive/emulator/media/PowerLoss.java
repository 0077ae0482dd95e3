package dev.secdrive.emulator.media;

/**
 * The power went away at a named step. Whoever catches it must stop like a pulled plug: no clean-up
 * writes, no answer to the host. Raised only by fault injection.
 */
public final class PowerLoss extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PowerLoss(String step) {
    super("power loss injected at step " + step, null, false, false);
  }
}
