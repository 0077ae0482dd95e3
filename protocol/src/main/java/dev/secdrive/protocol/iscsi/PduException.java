package dev.secdrive.protocol.iscsi;

import java.util.Objects;
import java.util.Optional;

/**
 * A PDU that does not decode: what is wrong ({@link #kind()}), the field ({@link #field()}) and the
 * byte offset of that field counted from the first byte of the Basic Header Segment ({@link
 * #offset()}). A target answers it with a Reject PDU carrying {@link #rejectReason()} and the
 * offending header (RFC 7143 section 11.17), or, where that reason is empty, discards or closes as
 * the kind says.
 *
 * <p>Callers decide by the kind, never by the message: the message is for people and may change.
 */
public final class PduException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong with a PDU. */
  public enum Kind {
    /** Fewer bytes than the header or its segments need: the PDU is not complete. */
    TRUNCATED(null),
    /** An opcode RFC 7143 reserves. */
    RESERVED_OPCODE(RejectReason.COMMAND_NOT_SUPPORTED),
    /** A defined opcode this codec does not take (SNACK at ErrorRecoveryLevel 0). */
    UNSUPPORTED_OPCODE(RejectReason.COMMAND_NOT_SUPPORTED),
    /** An opcode the other end of the connection sends (a NOP-In arriving at a target). */
    WRONG_DIRECTION(RejectReason.PROTOCOL_ERROR),
    /** DataSegmentLength beyond the MaxRecvDataSegmentLength this end declared (section 13.12). */
    DATA_SEGMENT_TOO_LONG(RejectReason.PROTOCOL_ERROR),
    /**
     * The header digest does not match. The PDU is discarded, never answered: its fields, its ITT
     * included, cannot be trusted (RFC 7143 section 7.8).
     */
    HEADER_DIGEST(null),
    /** The data digest does not match (RFC 7143 section 7.8, Reject reason 02h). */
    DATA_DIGEST(RejectReason.DATA_DIGEST_ERROR),
    /** An additional header segment of a type not defined, or malformed. */
    AHS(RejectReason.INVALID_PDU_FIELD),
    /** A field whose value the PDU does not allow. */
    INVALID_FIELD(RejectReason.INVALID_PDU_FIELD);

    private final RejectReason reason;

    Kind(RejectReason reason) {
      this.reason = reason;
    }

    /** The Reject reason a target answers with, or empty when it answers with no Reject. */
    public Optional<RejectReason> rejectReason() {
      return Optional.ofNullable(reason);
    }
  }

  private final Kind kind;
  private final String field;
  private final int offset;

  public PduException(Kind kind, String field, int offset, String message) {
    super(message + " (" + field + " at byte " + offset + ")");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.field = Objects.requireNonNull(field, "field");
    this.offset = offset;
  }

  public Kind kind() {
    return kind;
  }

  /** The field's name as RFC 7143 section 11 spells it, for example {@code DataSegmentLength}. */
  public String field() {
    return field;
  }

  /** The byte offset of the field from the start of the Basic Header Segment. */
  public int offset() {
    return offset;
  }

  /** The Reject reason for this error, or empty when a Reject is not the answer. */
  public Optional<RejectReason> rejectReason() {
    return kind.rejectReason();
  }
}
