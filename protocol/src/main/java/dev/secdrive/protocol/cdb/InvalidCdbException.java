package dev.secdrive.protocol.cdb;

import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;

/**
 * A CDB that cannot be decoded: an unknown operation code or service action, or a length that does
 * not match the operation code. The device answers it with CHECK CONDITION, ILLEGAL REQUEST and the
 * sense this exception carries.
 */
public final class InvalidCdbException extends Exception {

  private final transient SenseData sense;

  public InvalidCdbException(String message, AdditionalSense sense, FieldPointer pointer) {
    super(message);
    this.sense = SenseData.of(SenseKey.ILLEGAL_REQUEST, sense, pointer);
  }

  public SenseData sense() {
    return sense;
  }
}
