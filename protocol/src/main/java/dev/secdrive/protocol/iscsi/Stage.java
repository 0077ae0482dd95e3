package dev.secdrive.protocol.iscsi;

/** The login stages of the CSG and NSG fields (RFC 7143 section 11.12.3); code 2 is reserved. */
public enum Stage {
  SECURITY_NEGOTIATION(0),
  LOGIN_OPERATIONAL_NEGOTIATION(1),
  FULL_FEATURE_PHASE(3);

  private final int code;

  Stage(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The stage with this two-bit code.
   *
   * @throws IllegalArgumentException for the reserved code 2
   */
  public static Stage fromCode(int code) {
    for (Stage stage : values()) {
      if (stage.code == code) {
        return stage;
      }
    }
    throw new IllegalArgumentException("reserved login stage " + code);
  }
}
