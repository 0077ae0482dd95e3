package dev.secdrive.protocol.cdb;

import dev.secdrive.protocol.sense.FieldPointer;
import java.util.Objects;

/**
 * A CDB that cannot be decoded: an unknown operation code or service action, a length that does not
 * match the operation code, or a field the layout reserves. The exception says what kind of error
 * it is and where, as the record that knows the layout computes it; the device maps the kind to
 * sense data (SPC-4 4.5.2.4.2) in one place and answers CHECK CONDITION. A bad CDB is a command
 * error, never a framing error.
 */
public final class InvalidCdbException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong with the CDB. */
  public enum Kind {
    /** The operation code is not one secdrive implements (or the CDB is empty). */
    UNSUPPORTED_OPERATION_CODE,
    /** The operation code is known but not this service action (SPC-4 4.2.5.1). */
    UNSUPPORTED_SERVICE_ACTION,
    /** The CDB is not as long as its operation code's layout. */
    INVALID_LENGTH,
    /** A field holds a value the layout does not allow, e.g. a reserved bit that is set. */
    INVALID_FIELD
  }

  private final Kind kind;
  private final FieldPointer fieldPointer;

  public InvalidCdbException(Kind kind, FieldPointer fieldPointer, String message) {
    super(message, null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.fieldPointer = Objects.requireNonNull(fieldPointer, "fieldPointer");
  }

  public Kind kind() {
    return kind;
  }

  /** The byte (and bit) of the CDB in error. */
  public FieldPointer fieldPointer() {
    return fieldPointer;
  }
}
