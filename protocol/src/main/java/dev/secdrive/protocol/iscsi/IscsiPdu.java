package dev.secdrive.protocol.iscsi;

import java.util.Objects;

/**
 * One iSCSI PDU (RFC 7143 section 11), a record per opcode with its fields in the order of the
 * section's figure. {@link PduCodec} encodes and decodes them.
 *
 * <p>Conventions: sequence numbers and task tags are the raw 32 bits in an {@code int} (compare
 * them with serial number arithmetic, RFC 1982, never with {@code <}); lengths, offsets and
 * residual counts are unsigned 32 bits in a {@code long}; the LUN field is the raw eight bytes in a
 * {@code long}, which {@link Lun} encodes and decodes, because a LUN the target does not know is a
 * SCSI error (CHECK CONDITION), not a broken PDU. Reserved fields are not modelled: they are sent
 * as zero and ignored on receipt (RFC 7143 section 11.2.1).
 */
public sealed interface IscsiPdu {

  /** The ITT of PDUs that answer no task: Reject, Asynchronous Message, unsolicited NOP-In. */
  int RESERVED_TAG = 0xFFFF_FFFF;

  Opcode opcode();

  /** The Initiator Task Tag, bytes 16-19. */
  int initiatorTaskTag();

  /** The data segment, without padding and digest; empty for PDUs that have none. */
  DataSegment data();

  /** NOP-Out, section 11.18. */
  record NopOut(
      boolean immediate,
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int cmdSn,
      int expStatSn,
      DataSegment data)
      implements IscsiPdu {
    public NopOut {
      Objects.requireNonNull(data, "data");
      if (initiatorTaskTag == RESERVED_TAG && targetTransferTag == RESERVED_TAG) {
        throw new IllegalArgumentException(
            "a NOP-Out answers a NOP-In (TTT) or asks for one (ITT); both are FFFFFFFFh");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.NOP_OUT;
    }
  }

  /**
   * SCSI Command, section 11.3. {@code cdb} is 1..260 bytes: the first 16 travel in the header
   * (shorter CDBs padded with zeros, so a decoded CDB is always at least 16 bytes long), the rest
   * in an Extended CDB AHS. {@code bidirectionalReadLength} is {@link #NO_BIDIRECTIONAL} unless a
   * Bidirectional Read Expected Data Transfer Length AHS is present.
   */
  record ScsiCommand(
      boolean immediate,
      boolean finalPdu,
      boolean read,
      boolean write,
      TaskAttribute attribute,
      long lun,
      int initiatorTaskTag,
      long expectedDataTransferLength,
      int cmdSn,
      int expStatSn,
      DataSegment cdb,
      long bidirectionalReadLength,
      DataSegment data)
      implements IscsiPdu {

    public static final long NO_BIDIRECTIONAL = -1;

    /** The longest CDB SPC-4 defines (a variable-length CDB). */
    public static final int MAXIMUM_CDB_LENGTH = 260;

    public ScsiCommand {
      Objects.requireNonNull(attribute, "attribute");
      Objects.requireNonNull(cdb, "cdb");
      Objects.requireNonNull(data, "data");
      if (cdb.length() < 1 || cdb.length() > MAXIMUM_CDB_LENGTH) {
        throw new IllegalArgumentException("CDB length out of range 1..260: " + cdb.length());
      }
      Fields.requireUnsigned32(expectedDataTransferLength, "expected data transfer length");
      if (bidirectionalReadLength != NO_BIDIRECTIONAL) {
        Fields.requireUnsigned32(bidirectionalReadLength, "bidirectional read length");
        if (!read || !write) {
          throw new IllegalArgumentException(
              "a bidirectional read length needs both the R and the W bit");
        }
      }
      if (!write && !data.isEmpty()) {
        throw new IllegalArgumentException("immediate data on a command without the W bit");
      }
      if (data.length() > expectedDataTransferLength) {
        throw new IllegalArgumentException(
            "immediate data beyond the expected data transfer length");
      }
      if (!read && !write && expectedDataTransferLength != 0) {
        throw new IllegalArgumentException(
            "an expected data transfer length without the R or the W bit");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.SCSI_COMMAND;
    }
  }

  /**
   * SCSI Response, section 11.4. The data segment is the two-byte SenseLength, the sense data and
   * the response data (section 11.4.7); both empty means no data segment.
   */
  record ScsiResponse(
      boolean bidirectionalOverflow,
      boolean bidirectionalUnderflow,
      boolean overflow,
      boolean underflow,
      int response,
      int status,
      int initiatorTaskTag,
      int snackTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int expDataSn,
      long bidirectionalReadResidual,
      long residual,
      DataSegment sense,
      DataSegment responseData)
      implements IscsiPdu {

    /** Response code 00h: command completed at target (section 11.4.3). */
    public static final int COMPLETED = 0x00;

    /** Response code 01h: target failure. */
    public static final int TARGET_FAILURE = 0x01;

    public ScsiResponse {
      Objects.requireNonNull(sense, "sense");
      Objects.requireNonNull(responseData, "responseData");
      Fields.requireByte(response, "response");
      Fields.requireByte(status, "status");
      Fields.requireUnsigned32(bidirectionalReadResidual, "bidirectional read residual");
      Fields.requireUnsigned32(residual, "residual");
      if (overflow && underflow) {
        throw new IllegalArgumentException("the O and U bits are both set");
      }
      if (bidirectionalOverflow && bidirectionalUnderflow) {
        throw new IllegalArgumentException("the o and u bits are both set");
      }
      if (!overflow && !underflow && residual != 0) {
        throw new IllegalArgumentException("a residual count without the O or U bit");
      }
      if (!bidirectionalOverflow && !bidirectionalUnderflow && bidirectionalReadResidual != 0) {
        throw new IllegalArgumentException("a bidirectional residual without the o or u bit");
      }
      if (sense.length() > 0xFFFF) {
        throw new IllegalArgumentException("sense data beyond 65535 bytes");
      }
      if (2L + sense.length() + responseData.length() > DataSegment.MAXIMUM_LENGTH) {
        throw new IllegalArgumentException("sense and response data beyond 24 bits");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.SCSI_RESPONSE;
    }

    @Override
    public DataSegment data() {
      if (sense.isEmpty() && responseData.isEmpty()) {
        return DataSegment.EMPTY;
      }
      byte[] segment = new byte[2 + sense.length() + responseData.length()];
      segment[0] = (byte) (sense.length() >>> 8);
      segment[1] = (byte) sense.length();
      System.arraycopy(sense.bytes(), 0, segment, 2, sense.length());
      System.arraycopy(responseData.bytes(), 0, segment, 2 + sense.length(), responseData.length());
      return DataSegment.of(segment);
    }
  }

  /** Task Management Function Request, section 11.5. */
  record TaskManagementRequest(
      boolean immediate,
      TaskFunction function,
      long lun,
      int initiatorTaskTag,
      int referencedTaskTag,
      int cmdSn,
      int expStatSn,
      int refCmdSn,
      int expDataSn)
      implements IscsiPdu {
    public TaskManagementRequest {
      Objects.requireNonNull(function, "function");
    }

    @Override
    public Opcode opcode() {
      return Opcode.TASK_MANAGEMENT_REQUEST;
    }

    @Override
    public DataSegment data() {
      return DataSegment.EMPTY;
    }
  }

  /** Task Management Function Response, section 11.6. */
  record TaskManagementResponse(
      int response, int initiatorTaskTag, int statSn, int expCmdSn, int maxCmdSn)
      implements IscsiPdu {

    public static final int FUNCTION_COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int FUNCTION_REJECTED = 255;

    public TaskManagementResponse {
      Fields.requireByte(response, "response");
    }

    @Override
    public Opcode opcode() {
      return Opcode.TASK_MANAGEMENT_RESPONSE;
    }

    @Override
    public DataSegment data() {
      return DataSegment.EMPTY;
    }
  }

  /** SCSI Data-Out, section 11.7. */
  record DataOut(
      boolean finalPdu,
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int expStatSn,
      int dataSn,
      long bufferOffset,
      DataSegment data)
      implements IscsiPdu {
    public DataOut {
      Objects.requireNonNull(data, "data");
      Fields.requireUnsigned32(bufferOffset, "buffer offset");
    }

    @Override
    public Opcode opcode() {
      return Opcode.SCSI_DATA_OUT;
    }
  }

  /**
   * SCSI Data-In, section 11.7. {@code status}, {@code overflow}, {@code underflow} and {@code
   * residual} are meaningful only with {@code hasStatus} (the S bit), which needs the F bit.
   */
  record DataIn(
      boolean finalPdu,
      boolean acknowledge,
      boolean overflow,
      boolean underflow,
      boolean hasStatus,
      int status,
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int dataSn,
      long bufferOffset,
      long residual,
      DataSegment data)
      implements IscsiPdu {
    public DataIn {
      Objects.requireNonNull(data, "data");
      Fields.requireByte(status, "status");
      Fields.requireUnsigned32(bufferOffset, "buffer offset");
      Fields.requireUnsigned32(residual, "residual");
      if (hasStatus && !finalPdu) {
        throw new IllegalArgumentException("the S bit needs the F bit (section 11.7.3)");
      }
      if (!hasStatus && (overflow || underflow || status != 0 || residual != 0)) {
        throw new IllegalArgumentException(
            "status, O, U and residual count are set only with the S bit");
      }
      if (overflow && underflow) {
        throw new IllegalArgumentException("the O and U bits are both set");
      }
      if (!overflow && !underflow && residual != 0) {
        throw new IllegalArgumentException("a residual count without the O or U bit");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.SCSI_DATA_IN;
    }
  }

  /** Ready To Transfer, section 11.8. */
  record R2t(
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int r2tSn,
      long bufferOffset,
      long desiredDataTransferLength)
      implements IscsiPdu {
    public R2t {
      Fields.requireUnsigned32(bufferOffset, "buffer offset");
      Fields.requireUnsigned32(desiredDataTransferLength, "desired data transfer length");
      if (desiredDataTransferLength == 0) {
        throw new IllegalArgumentException("an R2T for 0 bytes (section 11.8.4)");
      }
      if (targetTransferTag == RESERVED_TAG) {
        throw new IllegalArgumentException("an R2T's Target Transfer Tag is not FFFFFFFFh");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.R2T;
    }

    @Override
    public DataSegment data() {
      return DataSegment.EMPTY;
    }
  }

  /** Asynchronous Message, section 11.9; the data segment stays as the target wrote it. */
  record AsyncMessage(
      long lun,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int asyncEvent,
      int asyncVCode,
      int parameter1,
      int parameter2,
      int parameter3,
      DataSegment data)
      implements IscsiPdu {
    public AsyncMessage {
      Objects.requireNonNull(data, "data");
      Fields.requireByte(asyncEvent, "AsyncEvent");
      Fields.requireByte(asyncVCode, "AsyncVCode");
      Fields.requireUnsigned16(parameter1, "Parameter1");
      Fields.requireUnsigned16(parameter2, "Parameter2");
      Fields.requireUnsigned16(parameter3, "Parameter3");
    }

    @Override
    public Opcode opcode() {
      return Opcode.ASYNC_MESSAGE;
    }

    @Override
    public int initiatorTaskTag() {
      return RESERVED_TAG;
    }
  }

  /** Text Request, section 11.10. */
  record TextRequest(
      boolean immediate,
      boolean finalPdu,
      boolean continues,
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int cmdSn,
      int expStatSn,
      DataSegment data)
      implements IscsiPdu {
    public TextRequest {
      Objects.requireNonNull(data, "data");
      if (finalPdu && continues) {
        throw new IllegalArgumentException("the F and C bits are both set (section 11.10.2)");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.TEXT_REQUEST;
    }
  }

  /** Text Response, section 11.11. */
  record TextResponse(
      boolean finalPdu,
      boolean continues,
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      DataSegment data)
      implements IscsiPdu {
    public TextResponse {
      Objects.requireNonNull(data, "data");
      if (finalPdu && continues) {
        throw new IllegalArgumentException("the F and C bits are both set (section 11.11.2)");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.TEXT_RESPONSE;
    }
  }

  /** Login Request, section 11.12; always immediate. {@code isid} is 48 bits. */
  record LoginRequest(
      boolean transit,
      boolean continues,
      Stage currentStage,
      Stage nextStage,
      int versionMax,
      int versionMin,
      long isid,
      int tsih,
      int initiatorTaskTag,
      int cid,
      int cmdSn,
      int expStatSn,
      DataSegment data)
      implements IscsiPdu {
    public LoginRequest {
      Objects.requireNonNull(data, "data");
      Login.check(transit, continues, currentStage, nextStage, isid, tsih);
      Fields.requireByte(versionMax, "Version-max");
      Fields.requireByte(versionMin, "Version-min");
      Fields.requireUnsigned16(cid, "CID");
      if (versionMin > versionMax) {
        throw new IllegalArgumentException("Version-min above Version-max");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.LOGIN_REQUEST;
    }
  }

  /** Login Response, section 11.13. */
  record LoginResponse(
      boolean transit,
      boolean continues,
      Stage currentStage,
      Stage nextStage,
      int versionMax,
      int versionActive,
      long isid,
      int tsih,
      int initiatorTaskTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int statusClass,
      int statusDetail,
      DataSegment data)
      implements IscsiPdu {
    public LoginResponse {
      Objects.requireNonNull(data, "data");
      Login.check(transit, continues, currentStage, nextStage, isid, tsih);
      Fields.requireByte(versionMax, "Version-max");
      Fields.requireByte(versionActive, "Version-active");
      Fields.requireByte(statusClass, "Status-Class");
      Fields.requireByte(statusDetail, "Status-Detail");
    }

    @Override
    public Opcode opcode() {
      return Opcode.LOGIN_RESPONSE;
    }

    /** Status-Class and Status-Detail as one value, as section 11.13.5 tabulates them. */
    public LoginStatus status() {
      return LoginStatus.of(statusClass, statusDetail);
    }
  }

  /** Logout Request, section 11.14. */
  record LogoutRequest(
      boolean immediate,
      LogoutReason reason,
      int initiatorTaskTag,
      int cid,
      int cmdSn,
      int expStatSn)
      implements IscsiPdu {
    public LogoutRequest {
      Objects.requireNonNull(reason, "reason");
      Fields.requireUnsigned16(cid, "CID");
    }

    @Override
    public Opcode opcode() {
      return Opcode.LOGOUT_REQUEST;
    }

    @Override
    public DataSegment data() {
      return DataSegment.EMPTY;
    }
  }

  /** Logout Response, section 11.15. */
  record LogoutResponse(
      int response,
      int initiatorTaskTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int time2Wait,
      int time2Retain)
      implements IscsiPdu {

    public static final int CLOSED_SUCCESSFULLY = 0;
    public static final int CID_NOT_FOUND = 1;
    public static final int RECOVERY_NOT_SUPPORTED = 2;
    public static final int CLEANUP_FAILED = 3;

    public LogoutResponse {
      Fields.requireByte(response, "response");
      Fields.requireUnsigned16(time2Wait, "Time2Wait");
      Fields.requireUnsigned16(time2Retain, "Time2Retain");
    }

    @Override
    public Opcode opcode() {
      return Opcode.LOGOUT_RESPONSE;
    }

    @Override
    public DataSegment data() {
      return DataSegment.EMPTY;
    }
  }

  /**
   * Reject, section 11.17. The data segment is the complete header of the rejected PDU (its Basic
   * Header Segment, section 11.17.3), which {@link PduCodec#reject} copies.
   */
  record Reject(
      RejectReason reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, DataSegment data)
      implements IscsiPdu {
    public Reject {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(data, "data");
    }

    @Override
    public Opcode opcode() {
      return Opcode.REJECT;
    }

    @Override
    public int initiatorTaskTag() {
      return RESERVED_TAG;
    }
  }

  /** NOP-In, section 11.19. */
  record NopIn(
      long lun,
      int initiatorTaskTag,
      int targetTransferTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      DataSegment data)
      implements IscsiPdu {
    public NopIn {
      Objects.requireNonNull(data, "data");
      if (initiatorTaskTag != RESERVED_TAG && targetTransferTag != RESERVED_TAG) {
        throw new IllegalArgumentException(
            "a NOP-In either answers a NOP-Out (TTT FFFFFFFFh) or asks for one (ITT FFFFFFFFh)");
      }
    }

    @Override
    public Opcode opcode() {
      return Opcode.NOP_IN;
    }
  }
}
