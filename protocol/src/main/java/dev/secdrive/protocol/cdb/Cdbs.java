package dev.secdrive.protocol.cdb;

import dev.secdrive.protocol.cdb.InvalidCdbException.Kind;
import dev.secdrive.protocol.sense.FieldPointer;

/** Decodes a CDB by its operation code (and service action, SPC-4 4.2.5.1). */
public final class Cdbs {

  private static final int SERVICE_ACTION_MASK = 0x1F;

  /**
   * The SERVICE ACTION field is byte 1 bits 4-0; a field pointer names its most significant bit.
   */
  private static final int SERVICE_ACTION_HIGH_BIT = 4;

  private Cdbs() {}

  /**
   * Decodes {@code cdb}.
   *
   * @throws InvalidCdbException for an operation code or service action secdrive does not
   *     implement, a CDB whose length is not the one its operation code defines, or a reserved
   *     field that is set
   */
  public static Cdb decode(byte[] cdb) throws InvalidCdbException {
    if (cdb.length == 0) {
      throw new InvalidCdbException(
          Kind.UNSUPPORTED_OPERATION_CODE, FieldPointer.cdb(0), "empty CDB");
    }
    int code = cdb[0] & 0xFF;
    Opcode opcode = lookup(code, cdb);
    if (cdb.length != opcode.cdbLength()) {
      throw new InvalidCdbException(
          Kind.INVALID_LENGTH,
          FieldPointer.cdb(0),
          String.format(
              "%s takes a %d-byte CDB, got %d bytes",
              opcode.text(), opcode.cdbLength(), cdb.length));
    }
    return switch (opcode) {
      case TEST_UNIT_READY -> TestUnitReady.decode(cdb);
      case REQUEST_SENSE -> RequestSense.decode(cdb);
      case INQUIRY -> Inquiry.decode(cdb);
      case MODE_SENSE_6 -> ModeSense6.decode(cdb);
      case START_STOP_UNIT -> StartStopUnit.decode(cdb);
      case PREVENT_ALLOW_MEDIUM_REMOVAL -> PreventAllowMediumRemoval.decode(cdb);
      case READ_CAPACITY_10 -> ReadCapacity10.decode(cdb);
      case READ_10 -> Read10.decode(cdb);
      case WRITE_10 -> Write10.decode(cdb);
      case VERIFY_10 -> Verify10.decode(cdb);
      case SYNCHRONIZE_CACHE_10 -> SynchronizeCache10.decode(cdb);
      case SYNCHRONIZE_CACHE_16 -> SynchronizeCache16.decode(cdb);
      case MODE_SELECT_6 -> ModeSelect6.decode(cdb);
      case MODE_SELECT_10 -> ModeSelect10.decode(cdb);
      case SEND_DIAGNOSTIC -> SendDiagnostic.decode(cdb);
      case READ_SUB_CHANNEL -> ReadSubChannel.decode(cdb);
      case READ_TOC_PMA_ATIP -> ReadTocPmaAtip.decode(cdb);
      case GET_CONFIGURATION -> GetConfiguration.decode(cdb);
      case MODE_SENSE_10 -> ModeSense10.decode(cdb);
      case READ_CD_MSF -> ReadCdMsf.decode(cdb);
      case READ_CD -> ReadCd.decode(cdb);
      case GET_EVENT_STATUS_NOTIFICATION -> GetEventStatusNotification.decode(cdb);
      case READ_16 -> Read16.decode(cdb);
      case WRITE_16 -> Write16.decode(cdb);
      case READ_CAPACITY_16 -> ReadCapacity16.decode(cdb);
      case REPORT_LUNS -> ReportLuns.decode(cdb);
      case REPORT_SUPPORTED_OPERATION_CODES -> ReportSupportedOperationCodes.decode(cdb);
      case READ_12 -> Read12.decode(cdb);
      case WRITE_12 -> Write12.decode(cdb);
      case VERIFY_12 -> Verify12.decode(cdb);
      case VERIFY_16 -> Verify16.decode(cdb);
      case WRITE_AND_VERIFY_10 -> WriteAndVerify10.decode(cdb);
      case WRITE_AND_VERIFY_12 -> WriteAndVerify12.decode(cdb);
      case WRITE_AND_VERIFY_16 -> WriteAndVerify16.decode(cdb);
      case WRITE_SAME_10 -> WriteSame10.decode(cdb);
      case WRITE_SAME_16 -> WriteSame16.decode(cdb);
      case READ_6 -> Read6.decode(cdb);
      case RESERVE_6 -> Reserve6.decode(cdb);
      case PERSISTENT_RESERVE_IN -> PersistentReserveIn.decode(cdb);
      case PERSISTENT_RESERVE_OUT -> PersistentReserveOut.decode(cdb);
      case READ_DEFECT_DATA_10 -> ReadDefectData10.decode(cdb);
      case READ_DEFECT_DATA_12 -> ReadDefectData12.decode(cdb);
      case GET_LBA_STATUS -> GetLbaStatus.decode(cdb);
      case RELEASE_6 -> Release6.decode(cdb);
      case PRE_FETCH_10 -> PreFetch10.decode(cdb);
      case PRE_FETCH_16 -> PreFetch16.decode(cdb);
      case ORWRITE_16 -> OrWrite16.decode(cdb);
      case COMPARE_AND_WRITE -> CompareAndWrite.decode(cdb);
      case READ_MEDIA_SERIAL_NUMBER -> ReadMediaSerialNumber.decode(cdb);
      case SECURITY_PROTOCOL_IN -> SecurityProtocolIn.decode(cdb);
      case SECURITY_PROTOCOL_OUT -> SecurityProtocolOut.decode(cdb);
    };
  }

  private static Opcode lookup(int code, byte[] cdb) throws InvalidCdbException {
    if (!Opcode.hasServiceAction(code)) {
      return Opcode.find(code, Opcode.NO_SERVICE_ACTION)
          .orElseThrow(
              () ->
                  new InvalidCdbException(
                      Kind.UNSUPPORTED_OPERATION_CODE,
                      FieldPointer.cdb(0),
                      String.format("unsupported operation code %02Xh", code)));
    }
    if (cdb.length < 2) {
      throw new InvalidCdbException(
          Kind.INVALID_LENGTH,
          FieldPointer.cdb(0),
          String.format("operation code %02Xh needs a service action", code));
    }
    int serviceAction = cdb[1] & SERVICE_ACTION_MASK;
    return Opcode.find(code, serviceAction)
        .orElseThrow(
            () ->
                new InvalidCdbException(
                    Kind.UNSUPPORTED_SERVICE_ACTION,
                    FieldPointer.cdb(1, SERVICE_ACTION_HIGH_BIT),
                    String.format(
                        "unsupported service action %02Xh of operation code %02Xh",
                        serviceAction, code)));
  }
}
