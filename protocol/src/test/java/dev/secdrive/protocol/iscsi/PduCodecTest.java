package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

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
import dev.secdrive.protocol.iscsi.PduCodec.Settings;
import dev.secdrive.protocol.iscsi.PduException.Kind;
import dev.secdrive.protocol.testing.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden vectors written by hand from the figures of RFC 7143 section 11, one or more per PDU:
 * decode the bytes and compare with the record, encode the record and compare with the bytes.
 */
class PduCodecTest {

  private static final Settings FROM_INITIATOR = Settings.login(Sender.INITIATOR);
  private static final Settings FROM_TARGET = Settings.login(Sender.TARGET);
  private static final int FFFFFFFF = IscsiPdu.RESERVED_TAG;

  private record Vector(String name, String hex, IscsiPdu pdu) {}

  private static DataSegment bytes(String hex) {
    return DataSegment.of(Hex.parse(hex));
  }

  private static DataSegment text(String text) {
    return DataSegment.of(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hexOf(String text) {
    return Hex.format(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static final byte[] SENSE_INVALID_FIELD =
      Hex.parse("70 00 05 00 00 00 00 0A 00 00 00 00 24 00 00 00 00 00");

  private static final List<Vector> VECTORS =
      List.of(
          new Vector(
              "NOP-Out ping, immediate, 5 bytes of data padded to 8",
              "40 80 00 00  00 00 00 05  00 00 00 00 00 00 00 00  00 00 00 10  FF FF FF FF"
                  + " 00 00 00 20  00 00 00 30  00000000 00000000 00000000 00000000"
                  + " 68 65 6C 6C 6F 00 00 00",
              new NopOut(true, 0, 0x10, FFFFFFFF, 0x20, 0x30, text("hello"))),
          new Vector(
              "SCSI Command READ(10), LUN 1 (peripheral), F R SIMPLE, 512 bytes",
              "01 C1 00 00  00 00 00 00  00 01 00 00 00 00 00 00  00 00 00 01  00 00 02 00"
                  + " 00 00 00 02  00 00 00 03  28 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00",
              new ScsiCommand(
                  false,
                  true,
                  true,
                  false,
                  TaskAttribute.SIMPLE,
                  Lun.encode(1),
                  1,
                  512,
                  2,
                  3,
                  bytes("28 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"),
                  ScsiCommand.NO_BIDIRECTIONAL,
                  DataSegment.EMPTY)),
          new Vector(
              "SCSI Command TEST UNIT READY, LUN 300 (flat space addressing 412Ch)",
              "01 81 00 00  00 00 00 00  41 2C 00 00 00 00 00 00  00 00 00 05  00 00 00 00"
                  + " 00 00 00 06  00 00 00 07  00000000 00000000 00000000 00000000",
              new ScsiCommand(
                  false,
                  true,
                  false,
                  false,
                  TaskAttribute.SIMPLE,
                  Lun.encode(300),
                  5,
                  0,
                  6,
                  7,
                  DataSegment.of(new byte[16]),
                  ScsiCommand.NO_BIDIRECTIONAL,
                  DataSegment.EMPTY)),
          new Vector(
              "SCSI Command WRITE(10) with 4 bytes of immediate data, ORDERED",
              "01 A2 00 00  00 00 00 04  00 00 00 00 00 00 00 00  00 00 00 08  00 00 02 00"
                  + " 00 00 00 09  00 00 00 0A  2A 00 00 00 00 10 00 00 01 00 00 00 00 00 00 00"
                  + " CA FE F0 0D",
              new ScsiCommand(
                  false,
                  true,
                  false,
                  true,
                  TaskAttribute.ORDERED,
                  0,
                  8,
                  512,
                  9,
                  10,
                  bytes("2A 00 00 00 00 10 00 00 01 00 00 00 00 00 00 00"),
                  ScsiCommand.NO_BIDIRECTIONAL,
                  bytes("CA FE F0 0D"))),
          new Vector(
              "SCSI Command, 32-byte CDB (extended CDB AHS) and bidirectional read length AHS",
              "01 E1 00 00  07 00 00 00  00 00 00 00 00 00 00 00  00 00 00 07  00 00 10 00"
                  + " 00 00 00 08  00 00 00 09  7F 00 00 00 00 00 00 18 00 01 02 03 04 05 06 07"
                  + " 00 11 01 00  08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17"
                  + " 00 05 02 00  00 00 08 00",
              new ScsiCommand(
                  false,
                  true,
                  true,
                  true,
                  TaskAttribute.SIMPLE,
                  0,
                  7,
                  0x1000,
                  8,
                  9,
                  bytes(
                      "7F 00 00 00 00 00 00 18 00 01 02 03 04 05 06 07"
                          + " 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17"),
                  0x800,
                  DataSegment.EMPTY)),
          new Vector(
              "SCSI Response GOOD, no data",
              "21 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 01  00 00 00 00"
                  + " 00 00 00 05  00 00 00 06  00 00 00 25  00 00 00 01  00 00 00 00  00 00 00 00",
              new ScsiResponse(
                  false,
                  false,
                  false,
                  false,
                  0,
                  0,
                  1,
                  0,
                  5,
                  6,
                  0x25,
                  1,
                  0,
                  0,
                  DataSegment.EMPTY,
                  DataSegment.EMPTY)),
          new Vector(
              "SCSI Response CHECK CONDITION, 18 bytes of sense after SenseLength, underflow 256",
              "21 82 00 02  00 00 00 14  00 00 00 00 00 00 00 00  00 00 00 02  00 00 00 00"
                  + " 00 00 00 06  00 00 00 07  00 00 00 26  00 00 00 00  00 00 00 00  00 00 01 00"
                  + " 00 12  70 00 05 00 00 00 00 0A 00 00 00 00 24 00 00 00 00 00",
              new ScsiResponse(
                  false,
                  false,
                  false,
                  true,
                  0,
                  2,
                  2,
                  0,
                  6,
                  7,
                  0x26,
                  0,
                  0,
                  0x100,
                  DataSegment.of(SENSE_INVALID_FIELD),
                  DataSegment.EMPTY)),
          new Vector(
              "Task Management Function Request ABORT TASK, immediate",
              "42 81 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 0A  00 00 00 07"
                  + " 00 00 00 0B  00 00 00 0C  00 00 00 08  00 00 00 00  00000000 00000000",
              new TaskManagementRequest(true, TaskFunction.ABORT_TASK, 0, 10, 7, 11, 12, 8, 0)),
          new Vector(
              "Task Management Function Response, function complete",
              "22 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 0A  00 00 00 00"
                  + " 00 00 00 0D  00 00 00 0C  00 00 00 2B  00000000 00000000 00000000",
              new TaskManagementResponse(
                  TaskManagementResponse.FUNCTION_COMPLETE, 10, 13, 12, 0x2B)),
          new Vector(
              "SCSI Data-Out, final, 4 bytes at buffer offset 512",
              "05 80 00 00  00 00 00 04  00 00 00 00 00 00 00 00  00 00 00 01  00 00 00 11"
                  + " 00 00 00 00  00 00 00 04  00 00 00 00  00 00 00 03  00 00 02 00  00 00 00 00"
                  + " DE AD BE EF",
              new DataOut(true, 0, 1, 0x11, 4, 3, 512, bytes("DE AD BE EF"))),
          new Vector(
              "SCSI Data-In with status (F, S, U): GOOD, 3 bytes, residual 509",
              "25 83 00 00  00 00 00 03  00 00 00 00 00 00 00 00  00 00 00 02  FF FF FF FF"
                  + " 00 00 00 07  00 00 00 08  00 00 00 27  00 00 00 00  00 00 00 00  00 00 01 FD"
                  + " 01 02 03 00",
              new DataIn(
                  true,
                  false,
                  false,
                  true,
                  true,
                  0,
                  0,
                  2,
                  FFFFFFFF,
                  7,
                  8,
                  0x27,
                  0,
                  0,
                  509,
                  bytes("01 02 03"))),
          new Vector(
              "SCSI Data-In, not final, DataSN 1 at offset 4",
              "25 00 00 00  00 00 00 04  00 00 00 00 00 00 00 00  00 00 00 02  FF FF FF FF"
                  + " 00 00 00 00  00 00 00 08  00 00 00 27  00 00 00 01  00 00 00 04  00 00 00 00"
                  + " 05 06 07 08",
              new DataIn(
                  false,
                  false,
                  false,
                  false,
                  false,
                  0,
                  0,
                  2,
                  FFFFFFFF,
                  0,
                  8,
                  0x27,
                  1,
                  4,
                  0,
                  bytes("05 06 07 08"))),
          new Vector(
              "R2T for 8 KiB at offset 8 KiB",
              "31 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 03  00 00 00 12"
                  + " 00 00 00 09  00 00 00 0A  00 00 00 29  00 00 00 00  00 00 20 00  00 00 20 00",
              new R2t(0, 3, 0x12, 9, 10, 0x29, 0, 0x2000, 0x2000)),
          new Vector(
              "Asynchronous Message: target requests logout within 5 seconds",
              "32 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  FF FF FF FF  00 00 00 00"
                  + " 00 00 00 0A  00 00 00 0B  00 00 00 2A  01 00 00 00  00 00 00 05  00 00 00 00",
              new AsyncMessage(0, 10, 11, 0x2A, 1, 0, 0, 0, 5, DataSegment.EMPTY)),
          new Vector(
              "Text Request SendTargets=All",
              "04 80 00 00  00 00 00 10  00 00 00 00 00 00 00 00  00 00 00 04  FF FF FF FF"
                  + " 00 00 00 01  00 00 00 01  00000000 00000000 00000000 00000000"
                  + hexOf("SendTargets=All\0"),
              new TextRequest(false, true, false, 0, 4, FFFFFFFF, 1, 1, text("SendTargets=All\0"))),
          new Vector(
              "Text Response, continued (C bit), TTT 1",
              "24 40 00 00  00 00 00 0C  00 00 00 00 00 00 00 00  00 00 00 04  00 00 00 01"
                  + " 00 00 00 01  00 00 00 02  00 00 00 02  00000000 00000000 00000000"
                  + hexOf("TargetName=i"),
              new TextResponse(false, true, 0, 4, 1, 1, 2, 2, text("TargetName=i"))),
          new Vector(
              "Login Request: security to operational negotiation, ISID 80 12 34 56 00 00",
              "43 81 00 00  00 00 00 10  80 12 34 56 00 00  00 00  00 00 00 00  00 00 00 00"
                  + " 00 00 00 01  00 00 00 00  00000000 00000000 00000000 00000000"
                  + hexOf("AuthMethod=None\0"),
              new LoginRequest(
                  true,
                  false,
                  Stage.SECURITY_NEGOTIATION,
                  Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                  0,
                  0,
                  0x8012_3456_0000L,
                  0,
                  0,
                  0,
                  1,
                  0,
                  text("AuthMethod=None\0"))),
          new Vector(
              "Login Response: operational negotiation to full feature phase, TSIH 1, success",
              "23 87 00 00  00 00 00 00  80 12 34 56 00 00  00 01  00 00 00 00  00 00 00 00"
                  + " 00 00 00 00  00 00 00 01  00 00 00 01  00 00 00 00  00000000 00000000",
              new LoginResponse(
                  true,
                  false,
                  Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                  Stage.FULL_FEATURE_PHASE,
                  0,
                  0,
                  0x8012_3456_0000L,
                  1,
                  0,
                  0,
                  1,
                  1,
                  0,
                  0,
                  DataSegment.EMPTY)),
          new Vector(
              "Login Response: authentication failure 0201h",
              "23 00 00 00  00 00 00 00  80 12 34 56 00 00  00 00  00 00 00 00  00 00 00 00"
                  + " 00 00 00 00  00 00 00 01  00 00 00 01  02 01 00 00  00000000 00000000",
              new LoginResponse(
                  false,
                  false,
                  Stage.SECURITY_NEGOTIATION,
                  Stage.SECURITY_NEGOTIATION,
                  0,
                  0,
                  0x8012_3456_0000L,
                  0,
                  0,
                  0,
                  1,
                  1,
                  2,
                  1,
                  DataSegment.EMPTY)),
          new Vector(
              "Logout Request: close the session, immediate",
              "46 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 05  00 00 00 00"
                  + " 00 00 00 06  00 00 00 07  00000000 00000000 00000000 00000000",
              new LogoutRequest(true, LogoutReason.CLOSE_SESSION, 5, 0, 6, 7)),
          new Vector(
              "Logout Request: remove connection 2 for recovery",
              "06 82 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 05  00 02 00 00"
                  + " 00 00 00 06  00 00 00 07  00000000 00000000 00000000 00000000",
              new LogoutRequest(false, LogoutReason.REMOVE_CONNECTION_FOR_RECOVERY, 5, 2, 6, 7)),
          new Vector(
              "Logout Response: closed, Time2Wait 2, Time2Retain 20",
              "26 80 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 05  00 00 00 00"
                  + " 00 00 00 07  00 00 00 07  00 00 00 26  00 00 00 00  00 02 00 14  00 00 00 00",
              new LogoutResponse(LogoutResponse.CLOSED_SUCCESSFULLY, 5, 7, 7, 0x26, 2, 20)),
          new Vector(
              "Reject: protocol error, carrying the rejected header",
              "3F 80 04 00  00 00 00 30  00 00 00 00 00 00 00 00  FF FF FF FF  00 00 00 00"
                  + " 00 00 00 08  00 00 00 09  00 00 00 28  00 00 00 00  00000000 00000000"
                  + " 20 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 FF FF FF FF"
                  + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
              new Reject(
                  RejectReason.PROTOCOL_ERROR,
                  8,
                  9,
                  0x28,
                  0,
                  bytes(
                      "20 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 FF FF FF FF"
                          + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                          + " 00"))),
          new Vector(
              "NOP-In answering a ping, echoing its data",
              "20 80 00 00  00 00 00 05  00 00 00 00 00 00 00 00  00 00 00 10  FF FF FF FF"
                  + " 00 00 00 08  00 00 00 21  00 00 00 40  00000000 00000000 00000000"
                  + " 68 65 6C 6C 6F 00 00 00",
              new NopIn(0, 0x10, FFFFFFFF, 8, 0x21, 0x40, text("hello"))));

  @TestFactory
  Stream<DynamicTest> goldenVectors() {
    return VECTORS.stream()
        .map(
            v ->
                dynamicTest(
                    v.name(),
                    () -> {
                      Settings settings =
                          v.pdu().opcode().sender() == Sender.INITIATOR
                              ? FROM_INITIATOR
                              : FROM_TARGET;
                      byte[] bytes = Hex.parse(v.hex());
                      ByteBuf in = Unpooled.wrappedBuffer(bytes);
                      assertEquals(bytes.length, PduCodec.pduLength(in, settings), "pduLength");
                      assertEquals(v.pdu(), PduCodec.decode(in, settings), "decoded");
                      assertEquals(0, in.readableBytes(), "decode consumes the whole PDU");
                      assertEquals(
                          Hex.format(bytes),
                          Hex.format(PduCodec.encode(v.pdu(), settings)),
                          "encoded");
                    }));
  }

  @Test
  void everyOpcodeButSnackHasAVector() {
    Set<Opcode> covered = VECTORS.stream().map(v -> v.pdu().opcode()).collect(Collectors.toSet());
    Set<Opcode> all = EnumSet.allOf(Opcode.class);
    all.remove(Opcode.SNACK_REQUEST);
    assertEquals(all, covered);
  }

  // ------------------------------------------------------------------ digests

  @Test
  void headerAndDataDigestsFollowTheirSegmentsLeastSignificantByteFirst() throws Exception {
    Settings digests = new Settings(Sender.INITIATOR, 8192, true, true);
    NopOut ping = new NopOut(true, 0, 0x10, FFFFFFFF, 0x20, 0x30, text("hello"));
    byte[] plain = PduCodec.encode(ping, FROM_INITIATOR);
    byte[] wire = PduCodec.encode(ping, digests);
    assertEquals(48 + 4 + 8 + 4, wire.length);
    byte[] header = java.util.Arrays.copyOf(plain, 48);
    byte[] paddedData = java.util.Arrays.copyOfRange(plain, 48, 56);
    assertEquals(Crc32c.of(header), littleEndian(wire, 48), "header digest");
    assertEquals(Crc32c.of(paddedData), littleEndian(wire, 60), "data digest over data and pad");
    assertEquals(ping, PduCodec.decode(Unpooled.wrappedBuffer(wire), digests));
  }

  @Test
  void noDataDigestWithoutData() throws Exception {
    Settings digests = new Settings(Sender.TARGET, 8192, true, true);
    R2t r2t = new R2t(0, 3, 0x12, 9, 10, 0x29, 0, 0x2000, 0x2000);
    byte[] wire = PduCodec.encode(r2t, digests);
    assertEquals(52, wire.length);
    assertEquals(r2t, PduCodec.decode(Unpooled.wrappedBuffer(wire), digests));
  }

  @Test
  void aHeaderDigestErrorIsDiscardedNotRejected() {
    Settings digests = new Settings(Sender.INITIATOR, 8192, true, false);
    byte[] wire =
        PduCodec.encode(new NopOut(true, 0, 1, FFFFFFFF, 1, 1, DataSegment.EMPTY), digests);
    wire[20] ^= 1; // a flipped bit in the TTT
    PduException e = failure(wire, digests);
    assertEquals(Kind.HEADER_DIGEST, e.kind());
    assertEquals("HeaderDigest", e.field());
    assertEquals(48, e.offset());
    assertEquals(java.util.Optional.empty(), e.rejectReason());
  }

  @Test
  void aDataDigestErrorIsRejectedWithReason02() {
    Settings digests = new Settings(Sender.INITIATOR, 8192, false, true);
    byte[] wire = PduCodec.encode(new NopOut(true, 0, 1, FFFFFFFF, 1, 1, text("hello")), digests);
    wire[50] ^= 0x20;
    PduException e = failure(wire, digests);
    assertEquals(Kind.DATA_DIGEST, e.kind());
    assertEquals(56, e.offset());
    assertEquals(RejectReason.DATA_DIGEST_ERROR, e.rejectReason().orElseThrow());
  }

  private static int littleEndian(byte[] bytes, int at) {
    return (bytes[at] & 0xFF)
        | (bytes[at + 1] & 0xFF) << 8
        | (bytes[at + 2] & 0xFF) << 16
        | (bytes[at + 3] & 0xFF) << 24;
  }

  // ------------------------------------------------------------------ bad input

  private static PduException failure(byte[] bytes, Settings settings) {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    PduException e = assertThrows(PduException.class, () -> PduCodec.decode(in, settings));
    assertEquals(0, in.readerIndex(), "a failed decode reads nothing");
    return e;
  }

  private static byte[] valid(IscsiPdu pdu) {
    return PduCodec.encode(
        pdu, pdu.opcode().sender() == Sender.INITIATOR ? FROM_INITIATOR : FROM_TARGET);
  }

  private static final NopOut PING = new NopOut(true, 0, 1, FFFFFFFF, 1, 1, DataSegment.EMPTY);

  @Test
  void aShortHeaderIsTruncatedAtItsLength() {
    for (int length = 0; length < 48; length++) {
      PduException e = failure(java.util.Arrays.copyOf(valid(PING), length), FROM_INITIATOR);
      assertEquals(Kind.TRUNCATED, e.kind());
      assertEquals(length, e.offset());
    }
  }

  @Test
  void aMissingDataSegmentIsTruncated() {
    byte[] bytes = valid(new NopOut(true, 0, 1, FFFFFFFF, 1, 1, text("hello")));
    PduException e = failure(java.util.Arrays.copyOf(bytes, 55), FROM_INITIATOR);
    assertEquals(Kind.TRUNCATED, e.kind());
    assertEquals("DataSegmentLength", e.field());
  }

  @Test
  void everyReservedOpcodeIsNotSupported() {
    int reserved = 0;
    for (int code = 0; code < 64; code++) {
      if (Opcode.isDefined(code)) {
        continue;
      }
      reserved++;
      byte[] bytes = valid(PING);
      bytes[0] = (byte) code;
      Settings settings = code >= 0x20 ? FROM_TARGET : FROM_INITIATOR;
      PduException e = failure(bytes, settings);
      assertEquals(Kind.RESERVED_OPCODE, e.kind(), "opcode " + code);
      assertEquals("Opcode", e.field());
      assertEquals(0, e.offset());
      assertEquals(RejectReason.COMMAND_NOT_SUPPORTED, e.rejectReason().orElseThrow());
    }
    assertEquals(64 - Opcode.values().length, reserved);
  }

  @Test
  void snackIsNotSupported() {
    byte[] bytes = valid(PING);
    bytes[0] = 0x10;
    assertEquals(Kind.UNSUPPORTED_OPCODE, failure(bytes, FROM_INITIATOR).kind());
  }

  @Test
  void aTargetOpcodeFromTheInitiatorIsAProtocolError() {
    byte[] bytes = valid(new NopIn(0, 1, FFFFFFFF, 1, 1, 1, DataSegment.EMPTY));
    PduException e = failure(bytes, FROM_INITIATOR);
    assertEquals(Kind.WRONG_DIRECTION, e.kind());
    assertEquals(RejectReason.PROTOCOL_ERROR, e.rejectReason().orElseThrow());
  }

  @Test
  void dataSegmentLengthUpToTheLimitIsTakenAndBeyondItRefused() throws Exception {
    Settings limit = new Settings(Sender.INITIATOR, 512, false, false);
    NopOut atLimit = new NopOut(true, 0, 1, FFFFFFFF, 1, 1, DataSegment.of(new byte[512]));
    byte[] bytes = PduCodec.encode(atLimit, new Settings(Sender.INITIATOR, 1024, false, false));
    assertEquals(atLimit, PduCodec.decode(Unpooled.wrappedBuffer(bytes), limit));
    NopOut beyond = new NopOut(true, 0, 1, FFFFFFFF, 1, 1, DataSegment.of(new byte[513]));
    byte[] tooLong = PduCodec.encode(beyond, new Settings(Sender.INITIATOR, 1024, false, false));
    PduException e = failure(tooLong, limit);
    assertEquals(Kind.DATA_SEGMENT_TOO_LONG, e.kind());
    assertEquals("DataSegmentLength", e.field());
    assertEquals(5, e.offset());
    // Refused from the header alone, before the data arrives.
    PduException early = failure(java.util.Arrays.copyOf(tooLong, 48), limit);
    assertEquals(Kind.DATA_SEGMENT_TOO_LONG, early.kind());
    assertThrows(IllegalArgumentException.class, () -> PduCodec.encode(beyond, limit));
  }

  @Test
  void anUndefinedAhsTypeIsRefusedAtItsOffset() {
    byte[] bytes = Hex.parse(VECTORS.get(4).hex());
    bytes[48 + 20 + 2] = 0x03; // the second AHS: type 3 is reserved
    PduException e = failure(bytes, FROM_INITIATOR);
    assertEquals(Kind.AHS, e.kind());
    assertEquals("AHSType", e.field());
    assertEquals(70, e.offset());
    assertEquals(RejectReason.INVALID_PDU_FIELD, e.rejectReason().orElseThrow());
  }

  @Test
  void anAhsLongerThanTotalAhsLengthIsRefused() {
    byte[] bytes = Hex.parse(VECTORS.get(4).hex());
    bytes[48 + 20 + 1] = 0x09; // AHSLength 9 does not fit in the 8 bytes left
    PduException e = failure(bytes, FROM_INITIATOR);
    assertEquals(Kind.AHS, e.kind());
    assertEquals("AHSLength", e.field());
    assertEquals(68, e.offset());
  }

  @Test
  void anAhsOnAnotherOpcodeIsRefused() {
    byte[] ping = valid(PING);
    byte[] bytes = new byte[52];
    System.arraycopy(ping, 0, bytes, 0, 48);
    bytes[4] = 1;
    assertEquals("TotalAHSLength", failure(bytes, FROM_INITIATOR).field());
  }

  @Test
  void loginBitsThatContradictEachOtherAreRefused() {
    byte[] bytes = Hex.parse(VECTORS.get(16).hex());
    bytes[1] = (byte) 0xC1; // T and C
    assertEquals("flags", failure(bytes, FROM_INITIATOR).field());
    bytes[1] = (byte) 0x8C; // CSG 3
    assertEquals("CSG", failure(bytes, FROM_INITIATOR).field());
    bytes[1] = (byte) 0x84; // transit from stage 1 to stage 0
    PduException e = failure(bytes, FROM_INITIATOR);
    assertEquals("NSG", e.field());
    assertEquals(1, e.offset());
  }

  @Test
  void immediateDataWithoutTheWriteBitIsRefused() {
    byte[] bytes = Hex.parse(VECTORS.get(3).hex());
    bytes[1] = (byte) 0xC2; // R instead of W, keep the 4 data bytes
    PduException e = failure(bytes, FROM_INITIATOR);
    assertEquals(Kind.INVALID_FIELD, e.kind());
    assertEquals("DataSegmentLength", e.field());
  }

  @Test
  void aSenseLengthBeyondTheDataSegmentIsRefused() {
    byte[] bytes = Hex.parse(VECTORS.get(6).hex());
    bytes[49] = 0x13; // SenseLength 19 of 18 bytes
    PduException e = failure(bytes, FROM_TARGET);
    assertEquals("SenseLength", e.field());
    assertEquals(48, e.offset());
  }

  @Test
  void dataOnAPduThatHasNoneIsRefused() {
    byte[] r2t = valid(new R2t(0, 3, 0x12, 9, 10, 0x29, 0, 0x2000, 0x2000));
    byte[] bytes = java.util.Arrays.copyOf(r2t, 52);
    bytes[7] = 4;
    PduException e = failure(bytes, FROM_TARGET);
    assertEquals("DataSegmentLength", e.field());
    assertEquals(5, e.offset());
  }

  @Test
  void theStatusBitNeedsTheFinalBit() {
    byte[] bytes = Hex.parse(VECTORS.get(10).hex());
    bytes[1] = 0x01;
    assertEquals("flags", failure(bytes, FROM_TARGET).field());
  }

  @Test
  void aRejectCarriesTheRejectedHeader() {
    byte[] bytes = Hex.parse(VECTORS.get(0).hex());
    bytes[0] = 0x3E; // reserved
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    PduException e = assertThrows(PduException.class, () -> PduCodec.decode(in, FROM_INITIATOR));
    Reject reject = PduCodec.reject(in, e.rejectReason().orElseThrow(), 1, 2, 3);
    assertEquals(RejectReason.COMMAND_NOT_SUPPORTED, reject.reason());
    assertArrayEquals(java.util.Arrays.copyOf(bytes, 48), reject.data().toByteArray());
    assertEquals(IscsiPdu.RESERVED_TAG, reject.initiatorTaskTag());
  }

  @Test
  void decodingStopsAtTheEndOfOnePdu() throws Exception {
    byte[] one = valid(PING);
    byte[] two = valid(new NopOut(false, 0, 2, FFFFFFFF, 2, 1, text("ab")));
    ByteBuf in = Unpooled.wrappedBuffer(one, two);
    assertEquals(PING, PduCodec.decode(in, FROM_INITIATOR));
    assertEquals(2, PduCodec.decode(in, FROM_INITIATOR).initiatorTaskTag());
    assertEquals(0, in.readableBytes());
  }

  // ------------------------------------------------------------------ LUN

  @Test
  void lunsUseSingleLevelPeripheralOrFlatAddressing() throws Exception {
    assertEquals(0L, Lun.encode(0));
    assertEquals(0x00FF_0000_0000_0000L, Lun.encode(255));
    assertEquals(0x4100_0000_0000_0000L, Lun.encode(256));
    assertEquals(0x7FFF_0000_0000_0000L, Lun.encode(16383));
    for (int lun : new int[] {0, 1, 255, 256, 300, 16383}) {
      assertEquals(lun, Lun.decode(Lun.encode(lun)));
    }
    assertThrows(IllegalArgumentException.class, () -> Lun.encode(16384));
    assertThrows(IllegalArgumentException.class, () -> Lun.encode(-1));
  }

  @Test
  void otherLunStructuresAreRefusedAtTheirByte() {
    PduException bus = assertThrows(PduException.class, () -> Lun.decode(0x0101_0000_0000_0000L));
    assertEquals(8, bus.offset());
    PduException logical =
        assertThrows(PduException.class, () -> Lun.decode(0x8001_0000_0000_0000L));
    assertEquals(8, logical.offset());
    PduException level = assertThrows(PduException.class, () -> Lun.decode(0x0001_0001_0000_0000L));
    assertEquals(10, level.offset());
  }

  // ------------------------------------------------------------------ records

  @Test
  void recordsRefuseWhatTheWireCannotCarry() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new TextRequest(false, true, true, 0, 1, FFFFFFFF, 1, 1, DataSegment.EMPTY));
    assertThrows(
        IllegalArgumentException.class, () -> new R2t(0, 3, 0x12, 9, 10, 0x29, 0, 0x2000, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new NopIn(0, 1, 2, 1, 1, 1, DataSegment.EMPTY));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ScsiCommand(
                false,
                true,
                false,
                false,
                TaskAttribute.SIMPLE,
                0,
                1,
                0,
                1,
                1,
                DataSegment.of(new byte[261]),
                ScsiCommand.NO_BIDIRECTIONAL,
                DataSegment.EMPTY));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new LoginRequest(
                true,
                false,
                Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                Stage.SECURITY_NEGOTIATION,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                DataSegment.EMPTY));
  }
}
