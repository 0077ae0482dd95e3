package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;

/** A command ends in CHECK CONDITION with this sense. Internal to the firmware. */
final class ScsiError extends Exception {

  private final transient SenseData sense;

  ScsiError(SenseData sense) {
    super(sense.describe(), null, false, false);
    this.sense = sense;
  }

  SenseData sense() {
    return sense;
  }

  static ScsiError of(SenseKey key, AdditionalSense asc) {
    return new ScsiError(SenseData.of(key, asc));
  }

  static ScsiError invalidField(int cdbByte) {
    return new ScsiError(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(cdbByte)));
  }

  static ScsiError invalidField(int cdbByte, int bit) {
    return new ScsiError(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(cdbByte, bit)));
  }
}
