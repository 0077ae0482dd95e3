package dev.secdrive.protocol.cdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OpcodeTest {

  @ParameterizedTest
  @EnumSource(Opcode.class)
  void findsEveryCommandByCodeAndServiceAction(Opcode opcode) {
    assertEquals(Optional.of(opcode), Opcode.find(opcode.code(), opcode.serviceAction()));
    assertSame(opcode, Opcode.fromCode(opcode.code(), opcode.serviceAction()));
    assertEquals(opcode.hasServiceAction(), Opcode.hasServiceAction(opcode.code()));
  }

  @ParameterizedTest
  @EnumSource(Opcode.class)
  void findsEveryCommandByItsStandardName(Opcode opcode) {
    assertEquals(Optional.of(opcode), Opcode.fromText(opcode.text()));
  }

  @ParameterizedTest
  @EnumSource(Opcode.class)
  void usageDataFitsTheCdb(Opcode opcode) {
    byte[] usage = opcode.usageData();
    assertEquals(opcode.cdbLength(), usage.length, "usage data length");
    assertEquals(Opcode.cdbLength(opcode.code()), opcode.cdbLength(), "group code length");
    assertEquals(opcode.code(), usage[0] & 0xFF, "byte 0 is the operation code");
    // SPC-4 6.35.3: every CDB's CONTROL byte is examined for NACA.
    assertEquals(Cdb.CONTROL_NACA, usage[usage.length - 1] & Cdb.CONTROL_NACA, "NACA is examined");
    if (opcode.hasServiceAction()) {
      // SPC-4 6.35.3: the service action itself goes where the SERVICE ACTION field is.
      assertEquals(opcode.serviceAction(), usage[1] & 0xFF, "byte 1 is the service action");
    }
  }

  @Test
  void usageDataIsAFreshCopy() {
    byte[] first = Opcode.READ_10.usageData();
    first[1] = 0;
    assertNotSame(first, Opcode.READ_10.usageData());
    assertEquals((byte) 0xF8, Opcode.READ_10.usageData()[1]);
  }

  @Test
  void usageDataOfReadTenMarksRdprotectDpoFuaLbaGroupLengthAndNaca() {
    assertArrayEquals(HexFormat.of().parseHex("28F8FFFFFFFF1FFFFF04"), Opcode.READ_10.usageData());
  }

  @Test
  void unknownOperationCodeIsRejectedWithItsValueInTheMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Opcode.fromCode(0x04, Opcode.NO_SERVICE_ACTION));
    assertEquals("unknown operation code 04h", e.getMessage());
  }

  @Test
  void unknownServiceActionIsRejectedWithBothValuesInTheMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Opcode.fromCode(0x9E, 0x11));
    assertEquals("unknown operation code 9Eh/11h", e.getMessage());
  }

  @Test
  void serviceActionIsPartOfTheKey() {
    assertEquals(Optional.empty(), Opcode.find(0x9E, Opcode.NO_SERVICE_ACTION));
    assertEquals(Optional.empty(), Opcode.find(0x28, 0x10));
    assertEquals(Optional.empty(), Opcode.find(0xA3, 0x0D));
  }

  @Test
  void noServiceActionDoesNotAliasServiceActionFFh() {
    // NO_SERVICE_ACTION is -1; it must not collide with a real 16-bit service action.
    assertEquals(Optional.empty(), Opcode.find(0x12, 0xFF));
    assertEquals(Optional.empty(), Opcode.find(0x00, 0xFFFF));
  }

  @Test
  void sixteenBitServiceActionsAreNotTruncated() {
    // REPORT SUPPORTED OPERATION CODES carries a 16-bit REQUESTED SERVICE ACTION.
    assertEquals(Optional.empty(), Opcode.find(0x9E, 0x0110));
    assertEquals(Optional.empty(), Opcode.find(0xAB, 0x0101));
    assertEquals(Optional.of(Opcode.READ_CAPACITY_16), Opcode.find(0x9E, 0x0010));
  }

  @Test
  void outOfRangeLookupsFindNothing() {
    assertEquals(Optional.empty(), Opcode.find(-1, Opcode.NO_SERVICE_ACTION));
    assertEquals(Optional.empty(), Opcode.find(0x100, Opcode.NO_SERVICE_ACTION));
    assertEquals(Optional.empty(), Opcode.find(0x128, Opcode.NO_SERVICE_ACTION));
    assertEquals(Optional.empty(), Opcode.find(0x9E, 0x10010));
    assertEquals(Optional.empty(), Opcode.find(0x9E, -2));
    assertFalse(Opcode.hasServiceAction(-1));
    assertFalse(Opcode.hasServiceAction(0x100));
  }

  @Test
  void fromTextIsExact() {
    assertEquals(Optional.of(Opcode.READ_10), Opcode.fromText("READ(10)"));
    assertEquals(Optional.empty(), Opcode.fromText("read(10)"));
    assertEquals(Optional.empty(), Opcode.fromText("READ(32)"));
    assertEquals(Optional.empty(), Opcode.fromText(""));
  }

  @Test
  void serviceActionOperationCodes() {
    for (int code = 0; code < 256; code++) {
      assertEquals(
          Set.of(0x9E, 0xA3, 0xAB).contains(code),
          Opcode.hasServiceAction(code),
          String.format("%02Xh", code));
    }
  }

  @Test
  void cdbLengthFollowsTheGroupCode() {
    // SPC-4 4.2.5.1: group 0 six bytes, groups 1 and 2 ten, group 4 sixteen, group 5 twelve;
    // groups 3 (reserved / variable length), 6 and 7 (vendor specific) imply no length.
    for (int code = 0; code < 256; code++) {
      int expected;
      if (code <= 0x1F) {
        expected = 6;
      } else if (code <= 0x5F) {
        expected = 10;
      } else if (code <= 0x7F) {
        expected = 0;
      } else if (code <= 0x9F) {
        expected = 16;
      } else if (code <= 0xBF) {
        expected = 12;
      } else {
        expected = 0;
      }
      assertEquals(expected, Opcode.cdbLength(code), String.format("%02Xh", code));
    }
  }

  @Test
  void groupBoundaries() {
    assertEquals(6, Opcode.cdbLength(0x1F));
    assertEquals(10, Opcode.cdbLength(0x20));
    assertEquals(10, Opcode.cdbLength(0x5F));
    assertEquals(0, Opcode.cdbLength(0x60));
    assertEquals(0, Opcode.cdbLength(0x7F));
    assertEquals(16, Opcode.cdbLength(0x80));
    assertEquals(16, Opcode.cdbLength(0x9F));
    assertEquals(12, Opcode.cdbLength(0xA0));
    assertEquals(12, Opcode.cdbLength(0xBF));
    assertEquals(0, Opcode.cdbLength(0xC0));
    assertEquals(0, Opcode.cdbLength(0xFF));
  }

  @Test
  void textsAreTheStandardsNames() {
    assertEquals("TEST UNIT READY", Opcode.TEST_UNIT_READY.text());
    assertEquals("READ CAPACITY(16)", Opcode.READ_CAPACITY_16.text());
    assertEquals(
        "REPORT SUPPORTED OPERATION CODES", Opcode.REPORT_SUPPORTED_OPERATION_CODES.text());
    assertTrue(Opcode.READ_16.hasServiceAction() == false);
    assertEquals(Opcode.NO_SERVICE_ACTION, Opcode.READ_16.serviceAction());
  }
}
