package dev.secdrive.protocol.iscsi;

/** Checks the Login Request and Login Response share (RFC 7143 sections 11.12 and 11.13). */
final class Login {

  /** The largest ISID: six bytes. */
  static final long MAXIMUM_ISID = 0xFFFF_FFFF_FFFFL;

  private Login() {}

  static void check(
      boolean transit, boolean continues, Stage current, Stage next, long isid, int tsih) {
    java.util.Objects.requireNonNull(current, "currentStage");
    java.util.Objects.requireNonNull(next, "nextStage");
    if (transit && continues) {
      throw new IllegalArgumentException("the T and C bits are both set (section 11.12.2)");
    }
    if (current == Stage.FULL_FEATURE_PHASE) {
      throw new IllegalArgumentException("the full feature phase is never a current login stage");
    }
    if (transit && next.code() <= current.code()) {
      throw new IllegalArgumentException(
          "a transit from " + current + " to " + next + " does not move forward");
    }
    if (isid < 0 || isid > MAXIMUM_ISID) {
      throw new IllegalArgumentException("ISID beyond six bytes");
    }
    Fields.requireUnsigned16(tsih, "TSIH");
  }
}
