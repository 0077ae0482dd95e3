package dev.secdrive.protocol.sense;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The additional sense codes and qualifiers (ASC/ASCQ) that secdrive reports, with SPC-4 Annex D
 * wording. Only what the emulator produces is listed; a host decoding a foreign device's sense
 * keeps the raw bytes in {@link SenseData}.
 */
public enum AdditionalSense {
  NO_ADDITIONAL_SENSE_INFORMATION(0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION"),
  LOGICAL_UNIT_BECOMING_READY(0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"),
  LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED(
      0x04, 0x02, "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED"),
  WRITE_ERROR(0x0C, 0x00, "WRITE ERROR"),
  INVALID_FIELD_IN_INFORMATION_UNIT(0x0E, 0x03, "INVALID FIELD IN COMMAND INFORMATION UNIT"),
  UNRECOVERED_READ_ERROR(0x11, 0x00, "UNRECOVERED READ ERROR"),
  PARAMETER_LIST_LENGTH_ERROR(0x1A, 0x00, "PARAMETER LIST LENGTH ERROR"),
  MISCOMPARE_DURING_VERIFY(0x1D, 0x00, "MISCOMPARE DURING VERIFY OPERATION"),
  INVALID_COMMAND_OPERATION_CODE(0x20, 0x00, "INVALID COMMAND OPERATION CODE"),
  LBA_OUT_OF_RANGE(0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
  INVALID_FIELD_IN_CDB(0x24, 0x00, "INVALID FIELD IN CDB"),
  LOGICAL_UNIT_NOT_SUPPORTED(0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED"),
  INVALID_FIELD_IN_PARAMETER_LIST(0x26, 0x00, "INVALID FIELD IN PARAMETER LIST"),
  WRITE_PROTECTED(0x27, 0x00, "WRITE PROTECTED"),
  MEDIUM_MAY_HAVE_CHANGED(0x28, 0x00, "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED"),
  POWER_ON_RESET(0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"),
  BUS_DEVICE_RESET_FUNCTION_OCCURRED(0x29, 0x03, "BUS DEVICE RESET FUNCTION OCCURRED"),
  COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(0x2F, 0x00, "COMMANDS CLEARED BY ANOTHER INITIATOR"),
  INCOMPATIBLE_MEDIUM_INSTALLED(0x30, 0x00, "INCOMPATIBLE MEDIUM INSTALLED"),
  SAVING_PARAMETERS_NOT_SUPPORTED(0x39, 0x00, "SAVING PARAMETERS NOT SUPPORTED"),
  MEDIUM_NOT_PRESENT(0x3A, 0x00, "MEDIUM NOT PRESENT"),
  MEDIUM_NOT_PRESENT_TRAY_CLOSED(0x3A, 0x01, "MEDIUM NOT PRESENT - TRAY CLOSED"),
  MEDIUM_NOT_PRESENT_TRAY_OPEN(0x3A, 0x02, "MEDIUM NOT PRESENT - TRAY OPEN"),
  INTERNAL_TARGET_FAILURE(0x44, 0x00, "INTERNAL TARGET FAILURE"),
  PROTOCOL_SERVICE_CRC_ERROR(0x47, 0x05, "PROTOCOL SERVICE CRC ERROR"),
  OVERLAPPED_COMMANDS_ATTEMPTED(0x4E, 0x00, "OVERLAPPED COMMANDS ATTEMPTED"),
  MEDIUM_REMOVAL_PREVENTED(0x53, 0x02, "MEDIUM REMOVAL PREVENTED"),
  ILLEGAL_MODE_FOR_THIS_TRACK(0x64, 0x00, "ILLEGAL MODE FOR THIS TRACK"),
  AUTHENTICATION_FAILURE(
      0x6F, 0x00, "COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE"),
  KEY_NOT_PRESENT(0x6F, 0x01, "COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT PRESENT"),
  KEY_NOT_ESTABLISHED(0x6F, 0x02, "COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT ESTABLISHED");

  private static final Map<Integer, AdditionalSense> BY_CODE = new HashMap<>();

  static {
    for (AdditionalSense sense : values()) {
      if (BY_CODE.put(sense.key(), sense) != null) {
        throw new ExceptionInInitializerError("duplicate ASC/ASCQ " + sense);
      }
    }
  }

  private final int asc;
  private final int ascq;
  private final String text;

  AdditionalSense(int asc, int ascq, String text) {
    this.asc = asc;
    this.ascq = ascq;
    this.text = text;
  }

  public int asc() {
    return asc;
  }

  public int ascq() {
    return ascq;
  }

  /** SPC-4's wording, e.g. {@code MEDIUM NOT PRESENT}. */
  public String text() {
    return text;
  }

  private int key() {
    return asc << 8 | ascq;
  }

  /** Returns the entry for an ASC/ASCQ pair, or empty if secdrive does not emulate it. */
  public static Optional<AdditionalSense> find(int asc, int ascq) {
    return Optional.ofNullable(BY_CODE.get(asc << 8 | ascq));
  }
}
