package dev.secdrive.protocol.rip;

import dev.secdrive.protocol.security.AvailableLength;
import dev.secdrive.protocol.security.ParameterException;

/**
 * F0h TRACK RECORD data-in (0006h): the encoded {@link TrackRecord} the last REGISTER TRACK on this
 * I_T nexus made, after the four-byte AVAILABLE LENGTH.
 */
public record TrackRecordData(byte[] record) {

  public TrackRecordData {
    record = record.clone();
  }

  @Override
  public byte[] record() {
    return record.clone();
  }

  public byte[] encode() {
    return AvailableLength.wrap(record);
  }

  public static TrackRecordData decode(byte[] in) throws ParameterException {
    return new TrackRecordData(AvailableLength.unwrap(in, "track record data"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrackRecordData d && java.util.Arrays.equals(record, d.record);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(record);
  }

  @Override
  public String toString() {
    return "TrackRecordData[" + record.length + " bytes]";
  }
}
