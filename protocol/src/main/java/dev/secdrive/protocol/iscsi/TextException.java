package dev.secdrive.protocol.iscsi;

import java.util.Objects;

/**
 * A text data segment (RFC 7143 section 6.1) that does not parse: what is wrong ({@link #kind()}),
 * the key concerned when there is one, and the byte offset in the text. A target answers it in
 * login with status 0200h (initiator error) and in a Text Request with a Reject (protocol error).
 */
public final class TextException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong with a text. */
  public enum Kind {
    /** The text is longer than the limit its carrier allows. */
    TOO_LONG,
    /** The last key=value pair is not terminated by a NUL byte. */
    UNTERMINATED,
    /** A pair without {@code =}, or with nothing before it. */
    MALFORMED,
    /** A key name longer than 63 bytes or with a character section 6.1 does not allow. */
    KEY,
    /** A value longer than its maximum (255 bytes, 8192 for the binary CHAP values). */
    VALUE_TOO_LONG,
    /** A value that is not UTF-8. */
    ENCODING,
    /** The same key twice in one text (section 6.2: a key is offered once per negotiation). */
    DUPLICATE_KEY
  }

  private final Kind kind;
  private final String key;
  private final int offset;

  public TextException(Kind kind, String key, int offset, String message) {
    super(message + " (at byte " + offset + " of the text)");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = key == null ? "" : key;
    this.offset = offset;
  }

  public Kind kind() {
    return kind;
  }

  /** The key concerned, or empty. */
  public String key() {
    return key;
  }

  /** The byte offset in the text of the pair that is wrong. */
  public int offset() {
    return offset;
  }
}
