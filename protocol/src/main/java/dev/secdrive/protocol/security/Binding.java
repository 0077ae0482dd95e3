package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/** What a backup blob is bound to, and the order of its layers (innermost first). */
public enum Binding {
  /** FIG. 7: the medium key only (claim 1). */
  MEDIUM(0, "medium"),
  /** FIG. 11: the medium key, then this drive's device key (claim 9). */
  MEDIUM_THEN_DEVICE(1, "medium+device"),
  /** Paragraph [0091]: the device key, then the medium key. */
  DEVICE_THEN_MEDIUM(2, "device+medium"),
  /** FIG. 14: the medium key, then sealed to a second drive's certified key (claim 13). */
  SEALED(3, "sealed");

  private final int code;
  private final String text;

  Binding(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  /** The name users type, e.g. {@code medium+device}. */
  public String text() {
    return text;
  }

  public boolean deviceBound() {
    return this == MEDIUM_THEN_DEVICE || this == DEVICE_THEN_MEDIUM;
  }

  /**
   * @throws IllegalArgumentException for an unknown code
   */
  public static Binding fromCode(int code) {
    for (Binding b : values()) {
      if (b.code == code) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown binding " + code);
  }

  /**
   * @throws IllegalArgumentException naming the accepted names
   */
  public static Binding fromText(String text) {
    for (Binding b : values()) {
      if (b.text.equals(text)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown binding '" + text + "' (use medium, medium+device, device+medium or sealed)");
  }

  static Binding read(Fields.Reader r) throws ParameterException {
    int at = r.position();
    int code = r.u8("binding");
    try {
      return fromCode(code);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(Kind.INVALID_VALUE, "unknown binding " + code, at);
    }
  }
}
