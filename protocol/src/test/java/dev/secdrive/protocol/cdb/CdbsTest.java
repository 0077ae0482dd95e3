package dev.secdrive.protocol.cdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.protocol.cdb.InvalidCdbException.Kind;
import dev.secdrive.protocol.sense.FieldPointer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CdbsTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  private static InvalidCdbException rejected(String hex) {
    return assertThrows(InvalidCdbException.class, () -> Cdbs.decode(hex(hex)));
  }

  /** The kind and the field pointer; the device turns them into sense (FirmwareSenseTest). */
  private static void assertRejected(InvalidCdbException e, Kind kind, FieldPointer pointer) {
    assertEquals(kind, e.kind(), "kind");
    assertEquals(pointer, e.fieldPointer(), "field pointer");
  }

  @Test
  void unknownOperationCodeIsInvalidCommandOperationCodeAtByteZero() {
    InvalidCdbException e = rejected("04 00 00 00 00 00"); // FORMAT UNIT
    assertRejected(e, Kind.UNSUPPORTED_OPERATION_CODE, FieldPointer.cdb(0));
    assertEquals("unsupported operation code 04h", e.getMessage());
  }

  @Test
  void unknownOperationCodeIsReportedBeforeTheLength() {
    // C0h is vendor specific: no implied length, and not implemented.
    assertRejected(rejected("C0"), Kind.UNSUPPORTED_OPERATION_CODE, FieldPointer.cdb(0));
  }

  @ParameterizedTest
  @CsvSource({
    "9E 11 00 00 00 00 00 00 00 00 00 00 00 20 00 00, 11h, 9Eh", // READ LONG(16)
    "9E 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00, 00h, 9Eh",
    "A3 0A 00 00 00 00 00 00 10 00 00 00, 0Ah, A3h", // REPORT TARGET PORT GROUPS
    "AB 02 00 00 00 00 00 00 00 40 00 00, 02h, ABh",
    "AB 1F 00 00 00 00 00 00 00 40 00 00, 1Fh, ABh",
  })
  void unknownServiceActionIsInvalidFieldAtByteOneBitFour(
      String cdb, String serviceAction, String operationCode) {
    InvalidCdbException e = rejected(cdb);
    assertRejected(e, Kind.UNSUPPORTED_SERVICE_ACTION, FieldPointer.cdb(1, 4));
    assertEquals(
        "unsupported service action " + serviceAction + " of operation code " + operationCode,
        e.getMessage());
  }

  @Test
  void serviceActionIsReadFromTheLowFiveBitsOfByteOne() {
    // Bits 7-5 of byte 1 are reserved in SERVICE ACTION IN(16): 0xF0 & 0x1F = 10h.
    Cdb cdb = assertDoesNotThrowInvalid(hex("9E F0 00 00 00 00 00 00 00 00 00 00 00 20 00 00"));
    assertEquals(new ReadCapacity16(0, 32, false, 0), cdb);
  }

  @Test
  void serviceActionOperationCodeWithoutByteOneIsInvalidField() {
    InvalidCdbException e = rejected("9E");
    assertRejected(e, Kind.INVALID_LENGTH, FieldPointer.cdb(0));
    assertEquals("operation code 9Eh needs a service action", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Opcode.class)
  void tooShortAndTooLongCdbsAreInvalidField(Opcode opcode) {
    for (int length : new int[] {opcode.cdbLength() - 1, opcode.cdbLength() + 1}) {
      byte[] cdb = new byte[length];
      cdb[0] = (byte) opcode.code();
      if (opcode.hasServiceAction()) {
        cdb[1] = (byte) opcode.serviceAction();
      }
      InvalidCdbException e = assertThrows(InvalidCdbException.class, () -> Cdbs.decode(cdb));
      assertRejected(e, Kind.INVALID_LENGTH, FieldPointer.cdb(0));
      assertEquals(
          opcode.text() + " takes a " + opcode.cdbLength() + "-byte CDB, got " + length + " bytes",
          e.getMessage());
    }
  }

  @Test
  void wrongLengthMessage() {
    assertEquals(
        "READ(10) takes a 10-byte CDB, got 6 bytes", rejected("28 00 00 00 00 00").getMessage());
  }

  @Test
  void emptyCdbIsInvalidCommandOperationCode() {
    InvalidCdbException e = assertThrows(InvalidCdbException.class, () -> Cdbs.decode(new byte[0]));
    assertRejected(e, Kind.UNSUPPORTED_OPERATION_CODE, FieldPointer.cdb(0));
    assertEquals("empty CDB", e.getMessage());
  }

  @Test
  void describeNamesTheCommandAndItsRange() throws Exception {
    assertEquals(
        "READ(10) lba=4660 blocks=16",
        Cdbs.decode(hex("28 18 00 00 12 34 00 00 10 00")).describe());
    assertEquals(
        "READ(16) lba=18446744073709551614 blocks=1",
        Cdbs.decode(hex("88 00 FF FF FF FF FF FF FF FE 00 00 00 01 00 00")).describe());
    assertEquals("INQUIRY page=80h", Cdbs.decode(hex("12 01 80 00 FF 00")).describe());
    assertEquals("INQUIRY", Cdbs.decode(hex("12 00 00 00 24 00")).describe());
    assertEquals("START STOP UNIT (eject)", StartStopUnit.eject().describe());
    assertEquals("START STOP UNIT (load)", StartStopUnit.load().describe());
    assertEquals("START STOP UNIT (stop)", StartStopUnit.spin(false).describe());
    assertEquals("START STOP UNIT (start)", StartStopUnit.spin(true).describe());
    assertEquals(
        "PREVENT ALLOW MEDIUM REMOVAL (prevent)", PreventAllowMediumRemoval.of(true).describe());
    assertEquals("TEST UNIT READY", new TestUnitReady().describe());
  }

  @Test
  void factoriesEncodeTheDocumentedBytes() {
    assertArrayEquals(hex("1B 00 00 00 02 00"), StartStopUnit.eject().encode());
    assertArrayEquals(hex("1B 00 00 00 03 00"), StartStopUnit.load().encode());
    assertArrayEquals(hex("1E 00 00 00 01 00"), PreventAllowMediumRemoval.of(true).encode());
    assertArrayEquals(hex("12 01 83 00 FF 00"), Inquiry.vpd(0x83, 0xFF).encode());
    assertArrayEquals(
        hex("4A 01 00 00 10 00 00 00 08 00"), GetEventStatusNotification.media(8).encode());
    assertArrayEquals(
        hex("A3 0C 00 00 00 00 00 00 10 00 00 00"),
        ReportSupportedOperationCodes.all(4096).encode());
    assertArrayEquals(
        hex("2F 02 00 00 00 10 00 00 04 00"),
        new Verify10(16, 4, Verify10.BYTCHK_COMPARE).encode());
  }

  @Test
  void blockCommandsExposeTheirFieldOffsets() throws Exception {
    BlockCommand read10 = (BlockCommand) Cdbs.decode(hex("28 E0 00 00 00 01 00 00 02 00"));
    assertEquals(2, read10.lbaFieldOffset());
    assertEquals(7, read10.lengthFieldOffset());
    assertEquals(7, read10.protect());
    BlockCommand write16 = new Write16(1, 2);
    assertEquals(2, write16.lbaFieldOffset());
    assertEquals(10, write16.lengthFieldOffset());
    assertEquals(0, new SynchronizeCache10().blocks());
  }

  @Test
  void twelveByteReadsAndWritesCarryA32BitLength() throws Exception {
    Cdb read = Cdbs.decode(hex("A8 18 00 01 02 03 00 01 00 00 05 00"));
    assertEquals(new Read12(0, true, true, 0x010203, 5, 0x10000L, 0), read);
    BlockCommand write = (BlockCommand) Cdbs.decode(hex("AA 00 FF FF FF FF FF FF FF FF 00 00"));
    assertEquals(0xFFFF_FFFFL, write.lba());
    assertEquals(0xFFFF_FFFFL, write.blocks());
    assertEquals(6, write.lengthFieldOffset());
    assertArrayEquals(
        hex("AA 08 00 00 00 07 00 00 00 02 00 00"),
        new Write12(0, false, true, 7, 0, 2, 0).encode());
  }

  /**
   * Property: any byte string either decodes to a record, or is rejected with {@link
   * InvalidCdbException}; nothing else escapes. A record encodes back to the same length and
   * operation code, keeps every bit the command's usage data says the device examines, and decodes
   * from its own encoding to an equal record.
   */
  @Test
  void randomCdbsDecodeOrAreRejectedAndDecodedOnesRoundTrip() {
    Random random = new Random(0x5EC_D21E);
    Opcode[] opcodes = Opcode.values();
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < 100_000; i++) {
      byte[] cdb;
      if (random.nextBoolean()) {
        cdb = new byte[random.nextInt(21)];
        random.nextBytes(cdb);
      } else {
        // Biased towards implemented commands so the decoders themselves are exercised.
        Opcode opcode = opcodes[random.nextInt(opcodes.length)];
        int length = random.nextInt(10) == 0 ? random.nextInt(21) : opcode.cdbLength();
        cdb = new byte[length];
        random.nextBytes(cdb);
        if (length > 0) {
          cdb[0] = (byte) opcode.code();
        }
        if (length > 1 && opcode.hasServiceAction() && random.nextInt(10) != 0) {
          cdb[1] = (byte) (cdb[1] & 0xE0 | opcode.serviceAction());
        }
      }
      Cdb record;
      try {
        record = Cdbs.decode(cdb.clone());
      } catch (InvalidCdbException e) {
        rejected++;
        assertNotNull(e.kind());
        assertTrue(e.fieldPointer().inCdb());
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("decode threw " + e + " for " + HexFormat.of().formatHex(cdb), e);
      }
      decoded++;
      String where = HexFormat.of().formatHex(cdb);
      byte[] encoded = record.encode();
      assertEquals(cdb.length, encoded.length, where);
      assertEquals(cdb[0], encoded[0], where);
      byte[] examined = record.opcode().usageData();
      if (record.opcode().hasServiceAction()) {
        examined[1] = 0x1F; // the usage data holds the service action value itself
      }
      for (int b = 1; b < cdb.length; b++) {
        int mask = examined[b] & 0xFF;
        if ((cdb[b] & mask) != (encoded[b] & mask)) {
          fail(
              String.format(
                  "%s: byte %d examined bits %02X lost: %02X -> %02X",
                  where, b, mask, cdb[b] & 0xFF, encoded[b] & 0xFF));
        }
      }
      assertEquals(
          cdb[cdb.length - 1], encoded[encoded.length - 1], "CONTROL byte kept whole: " + where);
      Cdb again = assertDoesNotThrowInvalid(encoded);
      assertEquals(record, again, where);
      assertArrayEquals(encoded, again.encode(), where);
    }
    assertTrue(decoded > 30_000, "only " + decoded + " random CDBs decoded");
    assertTrue(rejected > 30_000, "only " + rejected + " random CDBs rejected");
  }

  private static Cdb assertDoesNotThrowInvalid(byte[] cdb) {
    try {
      return Cdbs.decode(cdb);
    } catch (InvalidCdbException e) {
      throw new AssertionError(
          "rejected " + HexFormat.of().formatHex(cdb) + ": " + e.getMessage(), e);
    }
  }
}
