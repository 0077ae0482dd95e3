package dev.secdrive.protocol.iscsi;

/** The functions of a Task Management Function Request (RFC 7143 section 11.5.1). */
public enum TaskFunction {
  ABORT_TASK(1),
  ABORT_TASK_SET(2),
  CLEAR_ACA(3),
  CLEAR_TASK_SET(4),
  LOGICAL_UNIT_RESET(5),
  TARGET_WARM_RESET(6),
  TARGET_COLD_RESET(7),
  TASK_REASSIGN(8);

  private final int code;

  TaskFunction(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The function with this seven-bit code.
   *
   * @throws IllegalArgumentException for a code RFC 7143 does not define
   */
  public static TaskFunction fromCode(int code) {
    if (code < 1 || code > values().length) {
      throw new IllegalArgumentException("undefined task management function " + code);
    }
    return values()[code - 1];
  }
}
