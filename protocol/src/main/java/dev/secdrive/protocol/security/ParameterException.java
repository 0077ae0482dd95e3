package dev.secdrive.protocol.security;

import java.util.Objects;

/**
 * A payload that does not parse: what is wrong with it ({@link #kind()}) and where ({@link
 * #offset()}, the first byte of the field, counted from the start of the payload the decoder was
 * given). The drive answers it with INVALID FIELD IN PARAMETER LIST (05/26/00) and a field pointer
 * on the offset, or, for {@link Kind#FORMAT_VERSION}, with refusal 0Bh (PROTOCOL.md "Refusals").
 *
 * <p>Callers decide by the kind, never by the message: the message is for people and may change.
 */
public final class ParameterException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong with a payload, as far as its decoder can tell. */
  public enum Kind {
    /** The payload ends inside a field: a longer one may parse (a prefix read from the medium). */
    TRUNCATED,
    /** Bytes follow the last field. */
    TRAILING_BYTES,
    /** A length field is beyond its maximum or disagrees with what it counts. */
    LENGTH,
    /** The payload does not start with its magic: it is not that structure at all. */
    MAGIC,
    /** A format version this secdrive does not read: newer software may read it. */
    FORMAT_VERSION,
    /** Reserved bytes that are not zero. */
    RESERVED,
    /**
     * A field whose value the format does not allow: an unknown code, a malformed ID or name, a
     * number beyond its range, a field that contradicts another.
     */
    INVALID_VALUE
  }

  private final Kind kind;
  private final int offset;

  public ParameterException(Kind kind, String message, int offset) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.offset = offset;
  }

  public Kind kind() {
    return kind;
  }

  /** The byte offset of the field that is wrong. */
  public int offset() {
    return offset;
  }

  /**
   * The same error in the coordinates of an enclosing payload, in which the payload that did not
   * parse starts at byte {@code start}: for a record that carries another record as a field.
   */
  public ParameterException within(int start) {
    return new ParameterException(kind, getMessage(), start + offset);
  }
}
