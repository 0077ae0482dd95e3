package dev.secdrive.kit.watermark;

/**
 * The copy-control state a watermark carries, two bits of its payload (seed 004, the "copy control
 * information" the drive's ripper obeys).
 */
public enum CopyControl {
  /** Copies may be made freely. */
  COPY_FREE(0),
  /** One generation of copies may be made; the copy carries {@link #NO_MORE_COPIES}. */
  COPY_ONCE(1),
  /** No copy may be made. */
  NO_MORE_COPIES(2);

  private final int code;

  CopyControl(int code) {
    this.code = code;
  }

  /** The two payload bits. */
  public int code() {
    return code;
  }

  /**
   * The state the two payload bits {@code code} name.
   *
   * @throws IllegalArgumentException for 3, which no embedder writes
   */
  public static CopyControl fromCode(int code) {
    for (CopyControl c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    throw new IllegalArgumentException("copy-control code " + code + " is not assigned");
  }
}
