package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.Optional;

/**
 * A command ends in CHECK CONDITION with this sense: the one sense-carrying exception of the device
 * side. Command sets and the secure layer throw it; the dispatcher is the one place that turns it
 * into a response (SPC-4 4.5).
 *
 * <p>The message says what happened in words a log reader needs (a secure-layer refusal adds its
 * detail); the sense is what crosses the wire.
 */
public final class CheckCondition extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient SenseData sense;

  public CheckCondition(SenseData sense) {
    this(sense, sense.describe());
  }

  public CheckCondition(SenseData sense, String message) {
    super(message, null, false, false);
    this.sense = sense;
  }

  public SenseData sense() {
    return sense;
  }

  /** The secure-layer reason this sense carries, if it is a refusal (PROTOCOL.md "Refusals"). */
  public Optional<Reason> reason() {
    return Reason.fromSense(sense);
  }

  public static CheckCondition of(SenseKey key, AdditionalSense asc) {
    return new CheckCondition(SenseData.of(key, asc));
  }

  /** INVALID FIELD IN CDB (05/24/00) pointing at a whole byte of the CDB. */
  public static CheckCondition invalidField(int cdbByte) {
    return new CheckCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(cdbByte)));
  }

  /** INVALID FIELD IN CDB (05/24/00) pointing at one bit of the CDB. */
  public static CheckCondition invalidField(int cdbByte, int bit) {
    return new CheckCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(cdbByte, bit)));
  }

  /**
   * INVALID FIELD IN PARAMETER LIST (05/26/00) pointing at a byte of the data-out, or at one of its
   * bits when {@code bit} is not negative.
   */
  public static CheckCondition invalidParameter(int parameterByte, int bit) {
    return new CheckCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
            bit < 0
                ? FieldPointer.parameter(parameterByte)
                : FieldPointer.parameter(parameterByte, bit)));
  }

  /** PARAMETER LIST LENGTH ERROR (05/1A/00): the data-out is shorter than its structure needs. */
  public static CheckCondition parameterListLength() {
    return of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
  }

  /**
   * A TRANSFER LENGTH above the MAXIMUM TRANSFER LENGTH of the Block Limits VPD page: INVALID FIELD
   * IN CDB (05/24/00) pointing at the length field, as SBC-3 5.8 (READ (10)) and its siblings
   * require; the message names the limit.
   */
  public static CheckCondition transferTooLong(int lengthField, long requested, long maximum) {
    return new CheckCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(lengthField)),
        String.format(
            "transfer length %,d exceeds the maximum transfer length of %,d (Block Limits VPD page"
                + " B0h; one data phase carries at most %,d bytes)",
            requested, maximum, UnitContext.MAXIMUM_TRANSFER_BYTES));
  }

  /** A secure-layer refusal: the reason's sense, and {@code detail} in the message. */
  public static CheckCondition refused(Reason reason, String detail) {
    return new CheckCondition(reason.senseData(), reason.text() + ": " + detail);
  }

  /** As {@link #refused(Reason, String)}, with VALID set and {@code information} in INFORMATION. */
  public static CheckCondition refused(Reason reason, long information, String detail) {
    return new CheckCondition(reason.senseData(information), reason.text() + ": " + detail);
  }
}
