package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/** Where RESTORE and RESEAL find the backup blob. */
public enum BlobSource {
  /** In the parameter list itself. */
  INLINE(0),
  /** In the loaded medium's user area, at the given LBA. */
  USER_AREA(1);

  private final int code;

  BlobSource(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  static BlobSource read(Fields.Reader r) throws ParameterException {
    int at = r.position();
    int code = r.u8("source");
    for (BlobSource s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new ParameterException(Kind.INVALID_VALUE, "unknown blob source " + code, at);
  }
}
