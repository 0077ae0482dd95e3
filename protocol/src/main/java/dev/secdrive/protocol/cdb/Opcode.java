package dev.secdrive.protocol.cdb;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The commands secdrive implements: operation code, service action where the operation code carries
 * one (SPC-4 4.2.5.1), CDB length, the standard's name, and the CDB usage data that REPORT
 * SUPPORTED OPERATION CODES returns (SPC-4 6.35.3: a set bit is a bit the device examines).
 */
public enum Opcode {
  TEST_UNIT_READY(0x00, "TEST UNIT READY", "000000000004"),
  REQUEST_SENSE(0x03, "REQUEST SENSE", "03010000FF04"),
  READ_6(0x08, "READ(6)", "081FFFFFFF04"),
  INQUIRY(0x12, "INQUIRY", "1201FFFFFF04"),
  MODE_SELECT_6(0x15, "MODE SELECT(6)", "15110000FF04"),
  RESERVE_6(0x16, "RESERVE(6)", "16FF00000004"),
  RELEASE_6(0x17, "RELEASE(6)", "17FF00000004"),
  MODE_SENSE_6(0x1A, "MODE SENSE(6)", "1A08FFFFFF04"),
  START_STOP_UNIT(0x1B, "START STOP UNIT", "1B01000FF704"),
  SEND_DIAGNOSTIC(0x1D, "SEND DIAGNOSTIC", "1DF700FFFF04"),
  PREVENT_ALLOW_MEDIUM_REMOVAL(0x1E, "PREVENT ALLOW MEDIUM REMOVAL", "1E0000000304"),
  READ_CAPACITY_10(0x25, "READ CAPACITY(10)", "2500FFFFFFFF00000104"),
  READ_10(0x28, "READ(10)", "28F8FFFFFFFF1FFFFF04"),
  WRITE_10(0x2A, "WRITE(10)", "2AF8FFFFFFFF1FFFFF04"),
  WRITE_AND_VERIFY_10(0x2E, "WRITE AND VERIFY(10)", "2EF6FFFFFFFF1FFFFF04"),
  VERIFY_10(0x2F, "VERIFY(10)", "2FF6FFFFFFFF1FFFFF04"),
  PRE_FETCH_10(0x34, "PRE-FETCH(10)", "3402FFFFFFFF1FFFFF04"),
  SYNCHRONIZE_CACHE_10(0x35, "SYNCHRONIZE CACHE(10)", "3502FFFFFFFF1FFFFF04"),
  READ_DEFECT_DATA_10(0x37, "READ DEFECT DATA(10)", "37001F00000000FFFF04"),
  WRITE_SAME_10(0x41, "WRITE SAME(10)", "41F8FFFFFFFF1FFFFF04"),
  READ_SUB_CHANNEL(0x42, "READ SUB-CHANNEL", "420240FF0000FFFFFF04"),
  READ_TOC_PMA_ATIP(0x43, "READ TOC/PMA/ATIP", "43020F000000FFFFFFC4"),
  GET_CONFIGURATION(0x46, "GET CONFIGURATION", "4603FFFF000000FFFF04"),
  GET_EVENT_STATUS_NOTIFICATION(0x4A, "GET EVENT STATUS NOTIFICATION", "4A010000FF0000FFFF04"),
  MODE_SELECT_10(0x55, "MODE SELECT(10)", "55110000000000FFFF04"),
  MODE_SENSE_10(0x5A, "MODE SENSE(10)", "5A18FFFF000000FFFF04"),
  PERSISTENT_RESERVE_IN(0x5E, "PERSISTENT RESERVE IN", "5E1F0000000000FFFF04"),
  PERSISTENT_RESERVE_OUT(0x5F, "PERSISTENT RESERVE OUT", "5F1FFF0000FFFFFFFF04"),
  READ_16(0x88, "READ(16)", "88F8FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  COMPARE_AND_WRITE(0x89, "COMPARE AND WRITE", "89F8FFFFFFFFFFFFFFFF000000FF1F04"),
  WRITE_16(0x8A, "WRITE(16)", "8AF8FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  ORWRITE_16(0x8B, "ORWRITE(16)", "8BF8FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  WRITE_AND_VERIFY_16(0x8E, "WRITE AND VERIFY(16)", "8EF6FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  VERIFY_16(0x8F, "VERIFY(16)", "8FF6FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  PRE_FETCH_16(0x90, "PRE-FETCH(16)", "9002FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  SYNCHRONIZE_CACHE_16(0x91, "SYNCHRONIZE CACHE(16)", "9102FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  WRITE_SAME_16(0x93, "WRITE SAME(16)", "93F9FFFFFFFFFFFFFFFFFFFFFFFF1F04"),
  READ_CAPACITY_16(0x9E, 0x10, "READ CAPACITY(16)", "9E10FFFFFFFFFFFFFFFFFFFFFFFF0104"),
  GET_LBA_STATUS(0x9E, 0x12, "GET LBA STATUS", "9E12FFFFFFFFFFFFFFFFFFFFFFFF0004"),
  REPORT_LUNS(0xA0, "REPORT LUNS", "A000FF000000FFFFFFFF0004"),
  REPORT_SUPPORTED_OPERATION_CODES(
      0xA3, 0x0C, "REPORT SUPPORTED OPERATION CODES", "A30C07FFFFFFFFFFFFFF0004"),
  SECURITY_PROTOCOL_IN(0xA2, "SECURITY PROTOCOL IN", "A2FFFFFF8000FFFFFFFF0004"),
  READ_12(0xA8, "READ(12)", "A8F8FFFFFFFFFFFFFFFF1F04"),
  WRITE_12(0xAA, "WRITE(12)", "AAF8FFFFFFFFFFFFFFFF1F04"),
  READ_MEDIA_SERIAL_NUMBER(0xAB, 0x01, "READ MEDIA SERIAL NUMBER", "AB0100000000FFFFFFFF0004"),
  WRITE_AND_VERIFY_12(0xAE, "WRITE AND VERIFY(12)", "AEF6FFFFFFFFFFFFFFFF1F04"),
  VERIFY_12(0xAF, "VERIFY(12)", "AFF6FFFFFFFFFFFFFFFF1F04"),
  SECURITY_PROTOCOL_OUT(0xB5, "SECURITY PROTOCOL OUT", "B5FFFFFF8000FFFFFFFF0004"),
  READ_DEFECT_DATA_12(0xB7, "READ DEFECT DATA(12)", "B71FFFFFFFFFFFFFFFFF0004"),
  READ_CD_MSF(0xB9, "READ CD MSF", "B91E00FFFFFFFFFFFFFE0704"),
  READ_CD(0xBE, "READ CD", "BE1EFFFFFFFFFFFFFFFE0704");

  /** Marks an operation code that has no service action field. */
  public static final int NO_SERVICE_ACTION = -1;

  /** Operation codes whose byte 1 bits 4-0 hold a service action (SPC-4 table 13). */
  private static final boolean[] HAS_SERVICE_ACTION = new boolean[256];

  private static final Map<Integer, Opcode> BY_KEY = new HashMap<>();
  private static final Map<String, Opcode> BY_TEXT = new HashMap<>();

  static {
    for (Opcode opcode : values()) {
      if (BY_KEY.put(key(opcode.code, opcode.serviceAction), opcode) != null) {
        throw new ExceptionInInitializerError("duplicate operation code " + opcode);
      }
      BY_TEXT.put(opcode.text, opcode);
      if (opcode.serviceAction != NO_SERVICE_ACTION) {
        HAS_SERVICE_ACTION[opcode.code] = true;
      }
    }
  }

  private final int code;
  private final int serviceAction;
  private final String text;
  private final byte[] usage;

  Opcode(int code, String text, String usageHex) {
    this(code, NO_SERVICE_ACTION, text, usageHex);
  }

  Opcode(int code, int serviceAction, String text, String usageHex) {
    this.code = code;
    this.serviceAction = serviceAction;
    this.text = text;
    this.usage = HexFormat.of().parseHex(usageHex);
    if (usage.length != cdbLength(code) || (usage[0] & 0xFF) != code) {
      throw new IllegalArgumentException("usage data does not fit " + text);
    }
  }

  /** The operation code, byte 0 of the CDB. */
  public int code() {
    return code;
  }

  /** The service action, or {@link #NO_SERVICE_ACTION}. */
  public int serviceAction() {
    return serviceAction;
  }

  public boolean hasServiceAction() {
    return serviceAction != NO_SERVICE_ACTION;
  }

  /** The standard's name, e.g. {@code READ(10)}. */
  public String text() {
    return text;
  }

  public int cdbLength() {
    return usage.length;
  }

  /** CDB usage data for REPORT SUPPORTED OPERATION CODES; a fresh copy. */
  public byte[] usageData() {
    return usage.clone();
  }

  /** Whether CDBs with this operation code carry a service action in byte 1. */
  public static boolean hasServiceAction(int code) {
    return code >= 0 && code < 256 && HAS_SERVICE_ACTION[code];
  }

  /** Looks up a command by operation code and service action (or {@link #NO_SERVICE_ACTION}). */
  public static Optional<Opcode> find(int code, int serviceAction) {
    if (code < 0 || code > 0xFF || serviceAction < NO_SERVICE_ACTION || serviceAction > 0xFFFF) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_KEY.get(key(code, serviceAction)));
  }

  /**
   * The command a CDB's first bytes name (its operation code and, for the codes that have one, the
   * service action of byte 1 bits 4-0), without decoding the rest; empty for one secdrive does not
   * implement or a CDB too short to say.
   */
  public static Optional<Opcode> find(byte[] cdb) {
    if (cdb.length == 0) {
      return Optional.empty();
    }
    int code = cdb[0] & 0xFF;
    if (!hasServiceAction(code)) {
      return find(code, NO_SERVICE_ACTION);
    }
    return cdb.length > 1 ? find(code, cdb[1] & 0x1F) : Optional.empty();
  }

  /**
   * Returns the command for an operation code and service action.
   *
   * @throws IllegalArgumentException if secdrive does not implement it
   */
  public static Opcode fromCode(int code, int serviceAction) {
    return find(code, serviceAction)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    serviceAction == NO_SERVICE_ACTION
                        ? String.format("unknown operation code %02Xh", code)
                        : String.format(
                            "unknown operation code %02Xh/%02Xh", code, serviceAction)));
  }

  /** Looks up a command by its standard name, e.g. {@code "READ(10)"}. */
  public static Optional<Opcode> fromText(String text) {
    return Optional.ofNullable(BY_TEXT.get(text));
  }

  /** The CDB length implied by an operation code's group code (SPC-4 4.2.5.1). */
  public static int cdbLength(int code) {
    return switch (code >>> 5) {
      case 0 -> 6;
      case 1, 2 -> 10;
      case 4 -> 16;
      case 5 -> 12;
      default -> 0; // reserved or vendor-specific groups: no implied length
    };
  }

  private static int key(int code, int serviceAction) {
    // +1 maps NO_SERVICE_ACTION to 0 and keeps every 16-bit service action distinct.
    return code << 17 | (serviceAction + 1);
  }
}
