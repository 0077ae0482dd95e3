package dev.secdrive.protocol.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu.AsyncMessage;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextResponse;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * Encodes and decodes iSCSI PDUs (RFC 7143 section 11.2): the 48-byte Basic Header Segment,
 * additional header segments, the optional header digest, the data segment padded to four bytes and
 * the optional data digest, in that order.
 */
public final class PduCodec {

  /** Bytes of the Basic Header Segment. */
  public static final int BHS_LENGTH = 48;

  // Offsets every Basic Header Segment shares (section 11.2.1).
  static final int OFFSET_OPCODE = 0;
  static final int OFFSET_FLAGS = 1;
  static final int OFFSET_TOTAL_AHS_LENGTH = 4;
  static final int OFFSET_DATA_SEGMENT_LENGTH = 5;
  static final int OFFSET_LUN = 8;
  static final int OFFSET_ITT = 16;
  // Opcode-specific words, named after the fields that most PDUs keep there.
  static final int OFFSET_TTT = 20;
  static final int OFFSET_CMD_SN = 24; // StatSN in target PDUs
  static final int OFFSET_EXP_STAT_SN = 28; // ExpCmdSN in target PDUs
  static final int OFFSET_MAX_CMD_SN = 32;
  static final int OFFSET_DATA_SN = 36;
  static final int OFFSET_BUFFER_OFFSET = 40;
  static final int OFFSET_RESIDUAL = 44;
  static final int OFFSET_CDB = 32;
  static final int OFFSET_ISID = 8;
  static final int OFFSET_TSIH = 14;
  static final int OFFSET_CID = 20;
  static final int OFFSET_STATUS_CLASS = 36;

  private static final int IMMEDIATE = 0x40;
  private static final int OPCODE_MASK = 0x3F;
  private static final int FINAL = 0x80;
  private static final int CONTINUE = 0x40;
  private static final int CDB_IN_BHS = 16;

  // Additional header segment types (section 11.2.2.1).
  private static final int AHS_EXTENDED_CDB = 1;
  private static final int AHS_BIDIRECTIONAL_READ_LENGTH = 2;
  private static final int AHS_HEADER_LENGTH = 3;

  private PduCodec() {}

  /**
   * What one direction of a connection carries, as login negotiated it.
   *
   * @param sender who sends the PDUs this codec reads or writes
   * @param maxDataSegmentLength the largest data segment: for decoding, the
   *     MaxRecvDataSegmentLength this end declared; for encoding, the one the other end declared
   * @param headerDigest whether a CRC32C header digest follows the header segments
   * @param dataDigest whether a CRC32C data digest follows a data segment
   */
  public record Settings(
      Sender sender, int maxDataSegmentLength, boolean headerDigest, boolean dataDigest) {

    /** The settings during login: no digests, MaxRecvDataSegmentLength 8192 (section 13.12). */
    public static Settings login(Sender sender) {
      return new Settings(sender, 8192, false, false);
    }

    public Settings {
      Objects.requireNonNull(sender, "sender");
      if (maxDataSegmentLength < 512 || maxDataSegmentLength > DataSegment.MAXIMUM_LENGTH) {
        throw new IllegalArgumentException(
            "MaxRecvDataSegmentLength out of range 512..16777215: " + maxDataSegmentLength);
      }
    }
  }

  // ------------------------------------------------------------------ lengths

  /** {@code length} rounded up to a multiple of four. */
  static int padded(int length) {
    return (length + 3) & ~3;
  }

  /**
   * The bytes the PDU starting at {@code in}'s reader index takes, digests included, or -1 when
   * fewer than 48 bytes are readable. Reads nothing.
   *
   * @throws PduException if the header announces a data segment longer than the settings allow
   */
  public static int pduLength(ByteBuf in, Settings settings) throws PduException {
    if (in.readableBytes() < BHS_LENGTH) {
      return -1;
    }
    int start = in.readerIndex();
    int ahs = in.getUnsignedByte(start + OFFSET_TOTAL_AHS_LENGTH) * 4;
    int dataLength = in.getUnsignedMedium(start + OFFSET_DATA_SEGMENT_LENGTH);
    if (dataLength > settings.maxDataSegmentLength()) {
      throw new PduException(
          Kind.DATA_SEGMENT_TOO_LONG,
          "DataSegmentLength",
          OFFSET_DATA_SEGMENT_LENGTH,
          "data segment of "
              + dataLength
              + " bytes beyond MaxRecvDataSegmentLength "
              + settings.maxDataSegmentLength());
    }
    return BHS_LENGTH
        + ahs
        + (settings.headerDigest() ? Crc32c.LENGTH : 0)
        + padded(dataLength)
        + (settings.dataDigest() && dataLength > 0 ? Crc32c.LENGTH : 0);
  }

  // ------------------------------------------------------------------ decoding

  /**
   * Decodes the one PDU that starts at {@code in}'s reader index and advances past it. On an error
   * the reader index stays where it was, so the caller can copy the header into a Reject ({@link
   * #reject}) and skip {@link #pduLength} bytes.
   *
   * @throws PduException if the bytes are not a whole, valid PDU of the expected sender
   */
  public static IscsiPdu decode(ByteBuf in, Settings settings) throws PduException {
    int start = in.readerIndex();
    int available = in.readableBytes();
    if (available < BHS_LENGTH) {
      throw new PduException(
          Kind.TRUNCATED,
          "Basic Header Segment",
          available,
          available + " bytes are fewer than the 48 of a Basic Header Segment");
    }
    ByteBuf pdu = in.slice(start, available);
    int first = pdu.getUnsignedByte(OFFSET_OPCODE);
    int code = first & OPCODE_MASK;
    if (!Opcode.isDefined(code)) {
      throw new PduException(
          Kind.RESERVED_OPCODE,
          "Opcode",
          OFFSET_OPCODE,
          String.format("reserved opcode 0x%02X", code));
    }
    Opcode opcode = Opcode.fromCode(code);
    if (opcode.sender() != settings.sender()) {
      throw new PduException(
          Kind.WRONG_DIRECTION,
          "Opcode",
          OFFSET_OPCODE,
          opcode + " is sent by the " + opcode.sender().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (opcode == Opcode.SNACK_REQUEST) {
      throw new PduException(
          Kind.UNSUPPORTED_OPCODE,
          "Opcode",
          OFFSET_OPCODE,
          "SNACK is not supported at ErrorRecoveryLevel 0");
    }
    int length = pduLength(pdu, settings);
    if (available < length) {
      throw new PduException(
          Kind.TRUNCATED,
          "DataSegmentLength",
          OFFSET_DATA_SEGMENT_LENGTH,
          "PDU of " + length + " bytes, only " + available + " available");
    }
    int ahsLength = pdu.getUnsignedByte(OFFSET_TOTAL_AHS_LENGTH) * 4;
    int dataLength = pdu.getUnsignedMedium(OFFSET_DATA_SEGMENT_LENGTH);
    int headerEnd = BHS_LENGTH + ahsLength;
    int dataStart = headerEnd;
    if (settings.headerDigest()) {
      int expected = Crc32c.of(pdu, 0, headerEnd);
      int actual = pdu.getIntLE(headerEnd);
      if (expected != actual) {
        throw new PduException(
            Kind.HEADER_DIGEST,
            "HeaderDigest",
            headerEnd,
            String.format("header digest %08X, computed %08X", actual, expected));
      }
      dataStart += Crc32c.LENGTH;
    }
    if (settings.dataDigest() && dataLength > 0) {
      int digestAt = dataStart + padded(dataLength);
      int expected = Crc32c.of(pdu, dataStart, padded(dataLength));
      int actual = pdu.getIntLE(digestAt);
      if (expected != actual) {
        throw new PduException(
            Kind.DATA_DIGEST,
            "DataDigest",
            digestAt,
            String.format("data digest %08X, computed %08X", actual, expected));
      }
    }
    if (ahsLength != 0 && opcode != Opcode.SCSI_COMMAND) {
      throw new PduException(
          Kind.AHS,
          "TotalAHSLength",
          OFFSET_TOTAL_AHS_LENGTH,
          opcode + " carries no additional header segment");
    }
    DataSegment data =
        dataLength == 0
            ? DataSegment.EMPTY
            : DataSegment.wrap(ByteBufUtil.getBytes(pdu, dataStart, dataLength));
    boolean immediate = (first & IMMEDIATE) != 0 && opcode.sender() == Sender.INITIATOR;
    IscsiPdu decoded = decodeFields(opcode, immediate, pdu, ahsLength, dataStart, data);
    in.skipBytes(length);
    return decoded;
  }

  private static IscsiPdu decodeFields(
      Opcode opcode, boolean immediate, ByteBuf h, int ahsLength, int dataStart, DataSegment data)
      throws PduException {
    int flags = h.getUnsignedByte(OFFSET_FLAGS);
    long lun = h.getLong(OFFSET_LUN);
    int itt = h.getInt(OFFSET_ITT);
    int w20 = h.getInt(OFFSET_TTT);
    int w24 = h.getInt(OFFSET_CMD_SN);
    int w28 = h.getInt(OFFSET_EXP_STAT_SN);
    int w32 = h.getInt(OFFSET_MAX_CMD_SN);
    int w36 = h.getInt(OFFSET_DATA_SN);
    long w40 = h.getUnsignedInt(OFFSET_BUFFER_OFFSET);
    long w44 = h.getUnsignedInt(OFFSET_RESIDUAL);
    switch (opcode) {
      case NOP_OUT -> {
        if (itt == IscsiPdu.RESERVED_TAG && w20 == IscsiPdu.RESERVED_TAG) {
          throw invalid("Target Transfer Tag", OFFSET_TTT, "ITT and TTT are both FFFFFFFFh");
        }
        return new NopOut(immediate, lun, itt, w20, w24, w28, data);
      }
      case SCSI_COMMAND -> {
        return decodeScsiCommand(immediate, flags, lun, itt, h, ahsLength, data);
      }
      case TASK_MANAGEMENT_REQUEST -> {
        requireNoData(data);
        return new TaskManagementRequest(
            immediate, function(flags & 0x7F), lun, itt, w20, w24, w28, w32, w36);
      }
      case LOGIN_REQUEST -> {
        LoginBits bits = loginBits(flags);
        int versionMax = h.getUnsignedByte(2);
        int versionMin = h.getUnsignedByte(3);
        if (versionMin > versionMax) {
          throw invalid("Version-min", 3, "Version-min above Version-max");
        }
        return new LoginRequest(
            bits.transit,
            bits.continues,
            bits.current,
            bits.next,
            versionMax,
            versionMin,
            isid(h),
            h.getUnsignedShort(OFFSET_TSIH),
            itt,
            h.getUnsignedShort(OFFSET_CID),
            w24,
            w28,
            data);
      }
      case TEXT_REQUEST -> {
        requireNotFinalAndContinue(flags);
        return new TextRequest(
            immediate,
            (flags & FINAL) != 0,
            (flags & CONTINUE) != 0,
            lun,
            itt,
            w20,
            w24,
            w28,
            data);
      }
      case SCSI_DATA_OUT -> {
        return new DataOut((flags & FINAL) != 0, lun, itt, w20, w28, w36, w40, data);
      }
      case LOGOUT_REQUEST -> {
        requireNoData(data);
        int reason = flags & 0x7F;
        if (reason > LogoutReason.REMOVE_CONNECTION_FOR_RECOVERY.code()) {
          throw invalid("Reason Code", OFFSET_FLAGS, "reserved logout reason " + reason);
        }
        return new LogoutRequest(
            immediate,
            LogoutReason.fromCode(reason),
            itt,
            h.getUnsignedShort(OFFSET_CID),
            w24,
            w28);
      }
      case NOP_IN -> {
        if (itt != IscsiPdu.RESERVED_TAG && w20 != IscsiPdu.RESERVED_TAG) {
          throw invalid("Target Transfer Tag", OFFSET_TTT, "neither ITT nor TTT is FFFFFFFFh");
        }
        return new NopIn(lun, itt, w20, w24, w28, w32, data);
      }
      case SCSI_RESPONSE -> {
        return decodeScsiResponse(
            flags, h, itt, w20, w24, w28, w32, w36, w40, w44, dataStart, data);
      }
      case TASK_MANAGEMENT_RESPONSE -> {
        requireNoData(data);
        return new TaskManagementResponse(h.getUnsignedByte(2), itt, w24, w28, w32);
      }
      case LOGIN_RESPONSE -> {
        LoginBits bits = loginBits(flags);
        return new LoginResponse(
            bits.transit,
            bits.continues,
            bits.current,
            bits.next,
            h.getUnsignedByte(2),
            h.getUnsignedByte(3),
            isid(h),
            h.getUnsignedShort(OFFSET_TSIH),
            itt,
            w24,
            w28,
            w32,
            h.getUnsignedByte(OFFSET_STATUS_CLASS),
            h.getUnsignedByte(OFFSET_STATUS_CLASS + 1),
            data);
      }
      case TEXT_RESPONSE -> {
        requireNotFinalAndContinue(flags);
        return new TextResponse(
            (flags & FINAL) != 0, (flags & CONTINUE) != 0, lun, itt, w20, w24, w28, w32, data);
      }
      case SCSI_DATA_IN -> {
        return decodeDataIn(flags, h, lun, itt, w20, w24, w28, w32, w36, w40, w44, data);
      }
      case LOGOUT_RESPONSE -> {
        requireNoData(data);
        return new LogoutResponse(
            h.getUnsignedByte(2),
            itt,
            w24,
            w28,
            w32,
            h.getUnsignedShort(OFFSET_BUFFER_OFFSET),
            h.getUnsignedShort(OFFSET_BUFFER_OFFSET + 2));
      }
      case R2T -> {
        requireNoData(data);
        if (w44 == 0) {
          throw invalid("Desired Data Transfer Length", OFFSET_RESIDUAL, "an R2T for 0 bytes");
        }
        if (w20 == IscsiPdu.RESERVED_TAG) {
          throw invalid("Target Transfer Tag", OFFSET_TTT, "an R2T's TTT is FFFFFFFFh");
        }
        return new R2t(lun, itt, w20, w24, w28, w32, w36, w40, w44);
      }
      case ASYNC_MESSAGE -> {
        return new AsyncMessage(
            lun,
            w24,
            w28,
            w32,
            h.getUnsignedByte(36),
            h.getUnsignedByte(37),
            h.getUnsignedShort(38),
            h.getUnsignedShort(40),
            h.getUnsignedShort(42),
            data);
      }
      case REJECT -> {
        int code = h.getUnsignedByte(2);
        RejectReason reason;
        try {
          reason = RejectReason.fromCode(code);
        } catch (IllegalArgumentException e) {
          throw invalid("Reason", 2, e.getMessage());
        }
        return new Reject(reason, w24, w28, w32, w36, data);
      }
      default -> throw new IllegalStateException("opcode checked before: " + opcode);
    }
  }

  private static IscsiPdu decodeScsiCommand(
      boolean immediate, int flags, long lun, int itt, ByteBuf h, int ahsLength, DataSegment data)
      throws PduException {
    boolean read = (flags & 0x40) != 0;
    boolean write = (flags & 0x20) != 0;
    int attribute = flags & 0x07;
    if (attribute > TaskAttribute.ACA.code()) {
      throw invalid("ATTR", OFFSET_FLAGS, "reserved task attribute " + attribute);
    }
    long expected = h.getUnsignedInt(OFFSET_TTT);
    byte[] extended = null;
    long bidirectional = ScsiCommand.NO_BIDIRECTIONAL;
    int at = BHS_LENGTH;
    int end = BHS_LENGTH + ahsLength;
    while (at < end) {
      int ahsLengthField = h.getUnsignedShort(at);
      int type = h.getUnsignedByte(at + 2);
      int size = padded(AHS_HEADER_LENGTH + ahsLengthField);
      if (at + size > end) {
        throw new PduException(
            Kind.AHS, "AHSLength", at, "AHS of " + size + " bytes beyond TotalAHSLength");
      }
      if (type == AHS_EXTENDED_CDB) {
        if (extended != null || ahsLengthField < 2) {
          throw new PduException(
              Kind.AHS,
              "AHSLength",
              at,
              extended != null ? "a second extended CDB AHS" : "an empty extended CDB AHS");
        }
        if (CDB_IN_BHS + ahsLengthField - 1 > ScsiCommand.MAXIMUM_CDB_LENGTH) {
          throw new PduException(Kind.AHS, "AHSLength", at, "CDB longer than 260 bytes");
        }
        extended = ByteBufUtil.getBytes(h, at + 4, ahsLengthField - 1);
      } else if (type == AHS_BIDIRECTIONAL_READ_LENGTH) {
        if (bidirectional != ScsiCommand.NO_BIDIRECTIONAL || ahsLengthField != 5) {
          throw new PduException(
              Kind.AHS,
              "AHSLength",
              at,
              "a bidirectional read length AHS has AHSLength 5 and comes once");
        }
        if (!read || !write) {
          throw new PduException(
              Kind.AHS, "AHSType", at + 2, "a bidirectional read length without R and W");
        }
        bidirectional = h.getUnsignedInt(at + 4);
      } else {
        throw new PduException(
            Kind.AHS, "AHSType", at + 2, "AHS type " + type + " is not defined or not supported");
      }
      at += size;
    }
    if (!read && !write && expected != 0) {
      throw invalid(
          "Expected Data Transfer Length",
          OFFSET_TTT,
          "an expected data transfer length without the R or W bit");
    }
    if (!data.isEmpty() && (!write || data.length() > expected)) {
      throw invalid(
          "DataSegmentLength",
          OFFSET_DATA_SEGMENT_LENGTH,
          write ? "immediate data beyond the expected length" : "immediate data without the W bit");
    }
    byte[] cdb = new byte[CDB_IN_BHS + (extended == null ? 0 : extended.length)];
    h.getBytes(OFFSET_CDB, cdb, 0, CDB_IN_BHS);
    if (extended != null) {
      System.arraycopy(extended, 0, cdb, CDB_IN_BHS, extended.length);
    }
    return new ScsiCommand(
        immediate,
        (flags & FINAL) != 0,
        read,
        write,
        TaskAttribute.fromCode(attribute),
        lun,
        itt,
        expected,
        h.getInt(OFFSET_CMD_SN),
        h.getInt(OFFSET_EXP_STAT_SN),
        DataSegment.of(cdb),
        bidirectional,
        data);
  }

  private static IscsiPdu decodeScsiResponse(
      int flags,
      ByteBuf h,
      int itt,
      int snackTag,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int expDataSn,
      long bidirectionalResidual,
      long residual,
      int dataStart,
      DataSegment data)
      throws PduException {
    boolean bidiOverflow = (flags & 0x10) != 0;
    boolean bidiUnderflow = (flags & 0x08) != 0;
    boolean overflow = (flags & 0x04) != 0;
    boolean underflow = (flags & 0x02) != 0;
    if ((overflow && underflow) || (bidiOverflow && bidiUnderflow)) {
      throw invalid("flags", OFFSET_FLAGS, "overflow and underflow bits both set");
    }
    if (!overflow && !underflow && residual != 0) {
      throw invalid("Residual Count", OFFSET_RESIDUAL, "a residual count without O or U");
    }
    if (!bidiOverflow && !bidiUnderflow && bidirectionalResidual != 0) {
      throw invalid(
          "Bidirectional Read Residual Count",
          OFFSET_BUFFER_OFFSET,
          "a bidirectional residual without o or u");
    }
    DataSegment sense = DataSegment.EMPTY;
    DataSegment responseData = DataSegment.EMPTY;
    if (!data.isEmpty()) {
      byte[] bytes = data.bytes();
      if (bytes.length < 2) {
        throw invalid("SenseLength", dataStart, "a data segment shorter than its SenseLength");
      }
      int senseLength = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
      if (senseLength > bytes.length - 2) {
        throw invalid(
            "SenseLength",
            dataStart,
            "SenseLength " + senseLength + " beyond the data segment of " + bytes.length);
      }
      sense = DataSegment.of(java.util.Arrays.copyOfRange(bytes, 2, 2 + senseLength));
      responseData =
          DataSegment.of(java.util.Arrays.copyOfRange(bytes, 2 + senseLength, bytes.length));
    }
    return new ScsiResponse(
        bidiOverflow,
        bidiUnderflow,
        overflow,
        underflow,
        h.getUnsignedByte(2),
        h.getUnsignedByte(3),
        itt,
        snackTag,
        statSn,
        expCmdSn,
        maxCmdSn,
        expDataSn,
        bidirectionalResidual,
        residual,
        sense,
        responseData);
  }

  private static IscsiPdu decodeDataIn(
      int flags,
      ByteBuf h,
      long lun,
      int itt,
      int ttt,
      int statSn,
      int expCmdSn,
      int maxCmdSn,
      int dataSn,
      long bufferOffset,
      long residual,
      DataSegment data)
      throws PduException {
    boolean finalPdu = (flags & FINAL) != 0;
    boolean acknowledge = (flags & 0x40) != 0;
    boolean overflow = (flags & 0x04) != 0;
    boolean underflow = (flags & 0x02) != 0;
    boolean hasStatus = (flags & 0x01) != 0;
    int status = h.getUnsignedByte(3);
    if (hasStatus && !finalPdu) {
      throw invalid("flags", OFFSET_FLAGS, "the S bit without the F bit");
    }
    if (!hasStatus) {
      // Without S, the status byte and residual count are reserved (section 11.7.5/11.7.7).
      if (overflow || underflow) {
        throw invalid("flags", OFFSET_FLAGS, "the O or U bit without the S bit");
      }
      status = 0;
      residual = 0;
    } else {
      if (overflow && underflow) {
        throw invalid("flags", OFFSET_FLAGS, "the O and U bits are both set");
      }
      if (!overflow && !underflow && residual != 0) {
        throw invalid("Residual Count", OFFSET_RESIDUAL, "a residual count without O or U");
      }
    }
    return new DataIn(
        finalPdu,
        acknowledge,
        overflow,
        underflow,
        hasStatus,
        status,
        lun,
        itt,
        ttt,
        statSn,
        expCmdSn,
        maxCmdSn,
        dataSn,
        bufferOffset,
        residual,
        data);
  }

  private record LoginBits(boolean transit, boolean continues, Stage current, Stage next) {}

  private static LoginBits loginBits(int flags) throws PduException {
    boolean transit = (flags & 0x80) != 0;
    boolean continues = (flags & 0x40) != 0;
    int csg = (flags >>> 2) & 3;
    int nsg = flags & 3;
    if (transit && continues) {
      throw invalid("flags", OFFSET_FLAGS, "the T and C bits are both set");
    }
    if (csg == 2 || csg == Stage.FULL_FEATURE_PHASE.code()) {
      throw invalid("CSG", OFFSET_FLAGS, "CSG " + csg + " is not a login stage");
    }
    if (nsg == 2) {
      throw invalid("NSG", OFFSET_FLAGS, "NSG 2 is reserved");
    }
    if (transit && nsg <= csg) {
      throw invalid("NSG", OFFSET_FLAGS, "a transit from stage " + csg + " to stage " + nsg);
    }
    return new LoginBits(transit, continues, Stage.fromCode(csg), Stage.fromCode(nsg));
  }

  private static long isid(ByteBuf h) {
    return ((long) h.getUnsignedShort(OFFSET_ISID) << 32) | h.getUnsignedInt(OFFSET_ISID + 2);
  }

  private static TaskFunction function(int code) throws PduException {
    if (code < 1 || code > TaskFunction.values().length) {
      throw invalid("Function", OFFSET_FLAGS, "undefined task management function " + code);
    }
    return TaskFunction.fromCode(code);
  }

  private static void requireNoData(DataSegment data) throws PduException {
    if (!data.isEmpty()) {
      throw invalid("DataSegmentLength", OFFSET_DATA_SEGMENT_LENGTH, "this PDU has no data");
    }
  }

  private static void requireNotFinalAndContinue(int flags) throws PduException {
    if ((flags & FINAL) != 0 && (flags & CONTINUE) != 0) {
      throw invalid("flags", OFFSET_FLAGS, "the F and C bits are both set");
    }
  }

  private static PduException invalid(String field, int offset, String message) {
    return new PduException(Kind.INVALID_FIELD, field, offset, message);
  }

  // ------------------------------------------------------------------ encoding

  /** Encodes {@code pdu} into a new byte array. */
  public static byte[] encode(IscsiPdu pdu, Settings settings) {
    ByteBuf out = Unpooled.buffer();
    try {
      encode(pdu, settings, out);
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  /**
   * Writes {@code pdu} with its digests and padding to {@code out}.
   *
   * @throws IllegalArgumentException if the settings' sender does not send this opcode or the data
   *     segment is longer than the settings allow
   */
  public static void encode(IscsiPdu pdu, Settings settings, ByteBuf out) {
    encodeHeader(pdu, settings, out);
    DataSegment data = pdu.data();
    if (!data.isEmpty()) {
      int dataStart = out.writerIndex();
      ByteBuf held = data.buffer();
      if (held != null) {
        out.writeBytes(held, held.readerIndex(), held.readableBytes());
      } else {
        out.writeBytes(data.bytes());
      }
      out.writeZero(padded(data.length()) - data.length());
      if (settings.dataDigest()) {
        out.writeIntLE(Crc32c.of(out, dataStart, padded(data.length())));
      }
    }
  }

  /**
   * Encodes {@code pdu} as buffers for a Netty encoder to pass on: the header segments (with their
   * digest) in a buffer from {@code allocator}, then, when the data segment holds a buffer ({@link
   * DataSegment#retainedSlice}), that buffer itself, retained once more, and its padding and
   * digest; a data segment of bytes is copied in after the header. The PDU's own reference to its
   * data is left to its owner.
   *
   * @throws IllegalArgumentException as {@link #encode(IscsiPdu, Settings, ByteBuf)}
   */
  public static void encode(
      IscsiPdu pdu, Settings settings, ByteBufAllocator allocator, java.util.List<Object> out) {
    DataSegment data = pdu.data();
    int length = data.length();
    int digests =
        (settings.headerDigest() ? Crc32c.LENGTH : 0)
            + (settings.dataDigest() && length > 0 ? Crc32c.LENGTH : 0);
    ByteBuf held = data.buffer();
    int headerLength = BHS_LENGTH + additionalHeaderLength(pdu);
    ByteBuf first =
        allocator.ioBuffer(headerLength + digests + (held == null ? padded(length) : 0));
    try {
      if (held == null) {
        encode(pdu, settings, first);
        out.add(first);
        return;
      }
      encodeHeader(pdu, settings, first);
    } catch (RuntimeException e) {
      first.release();
      throw e;
    }
    out.add(first);
    out.add(held.retainedDuplicate());
    int padding = padded(length) - length;
    if (padding > 0 || settings.dataDigest()) {
      ByteBuf trailer = allocator.ioBuffer(padding + Crc32c.LENGTH);
      trailer.writeZero(padding);
      if (settings.dataDigest()) {
        trailer.writeIntLE(Crc32c.of(held, held.readerIndex(), length, padding));
      }
      out.add(trailer);
    }
  }

  private static int additionalHeaderLength(IscsiPdu pdu) {
    if (!(pdu instanceof ScsiCommand c)) {
      return 0;
    }
    return additionalHeaderSegments(c).length;
  }

  /** The header segments and their digest, checked as {@link #encode} checks a PDU. */
  private static void encodeHeader(IscsiPdu pdu, Settings settings, ByteBuf out) {
    if (pdu.opcode().sender() != settings.sender()) {
      throw new IllegalArgumentException(pdu.opcode() + " is not sent by the " + settings.sender());
    }
    DataSegment data = pdu.data();
    if (data.length() > settings.maxDataSegmentLength()) {
      throw new IllegalArgumentException(
          "data segment of "
              + data.length()
              + " bytes beyond MaxRecvDataSegmentLength "
              + settings.maxDataSegmentLength());
    }
    byte[] ahs = pdu instanceof ScsiCommand c ? additionalHeaderSegments(c) : new byte[0];
    ByteBuf h = Unpooled.buffer(BHS_LENGTH + ahs.length);
    try {
      h.writeZero(BHS_LENGTH);
      h.writeBytes(ahs);
      boolean immediate = false;
      h.setByte(OFFSET_TOTAL_AHS_LENGTH, ahs.length / 4);
      h.setMedium(OFFSET_DATA_SEGMENT_LENGTH, data.length());
      h.setInt(OFFSET_ITT, pdu.initiatorTaskTag());
      if (pdu instanceof NopOut p) {
        immediate = p.immediate();
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
      } else if (pdu instanceof ScsiCommand p) {
        immediate = p.immediate();
        h.setByte(
            OFFSET_FLAGS,
            (p.finalPdu() ? FINAL : 0)
                | (p.read() ? 0x40 : 0)
                | (p.write() ? 0x20 : 0)
                | p.attribute().code());
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, (int) p.expectedDataTransferLength());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
        h.setBytes(OFFSET_CDB, p.cdb().bytes(), 0, Math.min(CDB_IN_BHS, p.cdb().length()));
      } else if (pdu instanceof TaskManagementRequest p) {
        immediate = p.immediate();
        h.setByte(OFFSET_FLAGS, FINAL | p.function().code());
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.referencedTaskTag());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
        h.setInt(OFFSET_MAX_CMD_SN, p.refCmdSn());
        h.setInt(OFFSET_DATA_SN, p.expDataSn());
      } else if (pdu instanceof LoginRequest p) {
        immediate = true; // section 11.12: a Login Request is always immediate
        h.setByte(
            OFFSET_FLAGS, loginFlags(p.transit(), p.continues(), p.currentStage(), p.nextStage()));
        h.setByte(2, p.versionMax());
        h.setByte(3, p.versionMin());
        setIsid(h, p.isid());
        h.setShort(OFFSET_TSIH, p.tsih());
        h.setShort(OFFSET_CID, p.cid());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
      } else if (pdu instanceof TextRequest p) {
        immediate = p.immediate();
        h.setByte(OFFSET_FLAGS, (p.finalPdu() ? FINAL : 0) | (p.continues() ? CONTINUE : 0));
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
      } else if (pdu instanceof DataOut p) {
        h.setByte(OFFSET_FLAGS, p.finalPdu() ? FINAL : 0);
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
        h.setInt(OFFSET_DATA_SN, p.dataSn());
        h.setInt(OFFSET_BUFFER_OFFSET, (int) p.bufferOffset());
      } else if (pdu instanceof LogoutRequest p) {
        immediate = p.immediate();
        h.setByte(OFFSET_FLAGS, FINAL | p.reason().code());
        h.setShort(OFFSET_CID, p.cid());
        h.setInt(OFFSET_CMD_SN, p.cmdSn());
        h.setInt(OFFSET_EXP_STAT_SN, p.expStatSn());
      } else if (pdu instanceof NopIn p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      } else if (pdu instanceof ScsiResponse p) {
        h.setByte(
            OFFSET_FLAGS,
            FINAL
                | (p.bidirectionalOverflow() ? 0x10 : 0)
                | (p.bidirectionalUnderflow() ? 0x08 : 0)
                | (p.overflow() ? 0x04 : 0)
                | (p.underflow() ? 0x02 : 0));
        h.setByte(2, p.response());
        h.setByte(3, p.status());
        h.setInt(OFFSET_TTT, p.snackTag());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setInt(OFFSET_DATA_SN, p.expDataSn());
        h.setInt(OFFSET_BUFFER_OFFSET, (int) p.bidirectionalReadResidual());
        h.setInt(OFFSET_RESIDUAL, (int) p.residual());
      } else if (pdu instanceof TaskManagementResponse p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setByte(2, p.response());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      } else if (pdu instanceof LoginResponse p) {
        h.setByte(
            OFFSET_FLAGS, loginFlags(p.transit(), p.continues(), p.currentStage(), p.nextStage()));
        h.setByte(2, p.versionMax());
        h.setByte(3, p.versionActive());
        setIsid(h, p.isid());
        h.setShort(OFFSET_TSIH, p.tsih());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setByte(OFFSET_STATUS_CLASS, p.statusClass());
        h.setByte(OFFSET_STATUS_CLASS + 1, p.statusDetail());
      } else if (pdu instanceof TextResponse p) {
        h.setByte(OFFSET_FLAGS, (p.finalPdu() ? FINAL : 0) | (p.continues() ? CONTINUE : 0));
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      } else if (pdu instanceof DataIn p) {
        h.setByte(
            OFFSET_FLAGS,
            (p.finalPdu() ? FINAL : 0)
                | (p.acknowledge() ? 0x40 : 0)
                | (p.overflow() ? 0x04 : 0)
                | (p.underflow() ? 0x02 : 0)
                | (p.hasStatus() ? 0x01 : 0));
        h.setByte(3, p.status());
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setInt(OFFSET_DATA_SN, p.dataSn());
        h.setInt(OFFSET_BUFFER_OFFSET, (int) p.bufferOffset());
        h.setInt(OFFSET_RESIDUAL, (int) p.residual());
      } else if (pdu instanceof LogoutResponse p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setByte(2, p.response());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setShort(OFFSET_BUFFER_OFFSET, p.time2Wait());
        h.setShort(OFFSET_BUFFER_OFFSET + 2, p.time2Retain());
      } else if (pdu instanceof R2t p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setLong(OFFSET_LUN, p.lun());
        h.setInt(OFFSET_TTT, p.targetTransferTag());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setInt(OFFSET_DATA_SN, p.r2tSn());
        h.setInt(OFFSET_BUFFER_OFFSET, (int) p.bufferOffset());
        h.setInt(OFFSET_RESIDUAL, (int) p.desiredDataTransferLength());
      } else if (pdu instanceof AsyncMessage p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setLong(OFFSET_LUN, p.lun());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setByte(36, p.asyncEvent());
        h.setByte(37, p.asyncVCode());
        h.setShort(38, p.parameter1());
        h.setShort(40, p.parameter2());
        h.setShort(42, p.parameter3());
      } else if (pdu instanceof Reject p) {
        h.setByte(OFFSET_FLAGS, FINAL);
        h.setByte(2, p.reason().code());
        setStatusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
        h.setInt(OFFSET_DATA_SN, p.dataSn());
      }
      h.setByte(OFFSET_OPCODE, (immediate ? IMMEDIATE : 0) | pdu.opcode().code());
      out.writeBytes(h, 0, h.writerIndex());
      if (settings.headerDigest()) {
        out.writeIntLE(Crc32c.of(h, 0, h.writerIndex()));
      }
    } finally {
      h.release();
    }
  }

  private static byte[] additionalHeaderSegments(ScsiCommand command) {
    int extended = Math.max(0, command.cdb().length() - CDB_IN_BHS);
    boolean bidirectional = command.bidirectionalReadLength() != ScsiCommand.NO_BIDIRECTIONAL;
    int extendedSize = extended == 0 ? 0 : padded(AHS_HEADER_LENGTH + 1 + extended);
    ByteBuf ahs = Unpooled.buffer();
    try {
      if (extended > 0) {
        ahs.writeShort(extended + 1);
        ahs.writeByte(AHS_EXTENDED_CDB);
        ahs.writeByte(0);
        ahs.writeBytes(command.cdb().bytes(), CDB_IN_BHS, extended);
        ahs.writeZero(extendedSize - ahs.writerIndex());
      }
      if (bidirectional) {
        ahs.writeShort(5);
        ahs.writeByte(AHS_BIDIRECTIONAL_READ_LENGTH);
        ahs.writeByte(0);
        ahs.writeInt((int) command.bidirectionalReadLength());
      }
      return ByteBufUtil.getBytes(ahs);
    } finally {
      ahs.release();
    }
  }

  private static int loginFlags(boolean transit, boolean continues, Stage current, Stage next) {
    return (transit ? 0x80 : 0) | (continues ? 0x40 : 0) | (current.code() << 2) | next.code();
  }

  private static void setIsid(ByteBuf h, long isid) {
    h.setShort(OFFSET_ISID, (int) (isid >>> 32));
    h.setInt(OFFSET_ISID + 2, (int) isid);
  }

  private static void setStatusNumbers(ByteBuf h, int statSn, int expCmdSn, int maxCmdSn) {
    h.setInt(OFFSET_CMD_SN, statSn);
    h.setInt(OFFSET_EXP_STAT_SN, expCmdSn);
    h.setInt(OFFSET_MAX_CMD_SN, maxCmdSn);
  }

  // ------------------------------------------------------------------ Reject

  /**
   * The Reject a target answers a PDU with that it cannot take (section 11.17): the data segment is
   * the rejected PDU's Basic Header Segment, copied from {@code rejected}'s reader index (as many
   * of its 48 bytes as are readable). Reads nothing.
   */
  public static Reject reject(
      ByteBuf rejected, RejectReason reason, int statSn, int expCmdSn, int maxCmdSn) {
    int length = Math.min(BHS_LENGTH, rejected.readableBytes());
    return new Reject(
        reason,
        statSn,
        expCmdSn,
        maxCmdSn,
        0,
        DataSegment.of(ByteBufUtil.getBytes(rejected, rejected.readerIndex(), length)));
  }
}
