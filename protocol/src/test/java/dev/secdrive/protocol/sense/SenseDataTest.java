package dev.secdrive.protocol.sense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SenseDataTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  @ParameterizedTest
  @EnumSource(AdditionalSense.class)
  void roundTripsEveryEmulatedCondition(AdditionalSense sense) {
    for (SenseKey key : SenseKey.values()) {
      SenseData data = SenseData.of(key, sense);
      byte[] bytes = data.encode();
      assertEquals(SenseData.FIXED_LENGTH, bytes.length);
      assertEquals(0x70, bytes[0] & 0xFF, "current, fixed format, VALID clear");
      assertEquals(10, bytes[7], "ADDITIONAL SENSE LENGTH");
      assertEquals(data, SenseData.decode(bytes));
      assertTrue(SenseData.decode(bytes).is(key, sense));
      assertEquals(Optional.of(sense), data.additionalSense());
    }
  }

  @Test
  void roundTripsInformationAndFieldPointers() {
    SenseData[] cases = {
      SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
          .withInformation(0xFFFF_FFFFL),
      SenseData.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(1, 0)),
      SenseData.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(9, 7)),
      SenseData.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(65535)),
      SenseData.of(
          SenseKey.ILLEGAL_REQUEST,
          AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
          FieldPointer.parameter(7)),
      new SenseData(false, SenseKey.COMPLETED, 0xFF, 0xFF, 0, null),
    };
    for (SenseData data : cases) {
      assertEquals(data, SenseData.decode(data.encode()), data.toString());
    }
  }

  @Test
  void encodesTheFixedFormatLayout() {
    SenseData data =
        SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE)
            .withInformation(0x0102_0304L);
    assertArrayEquals(hex("F0 00 05 01 02 03 04 0A 00 00 00 00 21 00 00 00 00 00"), data.encode());
    SenseData pointer =
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            FieldPointer.cdb(0x0102, 5));
    assertArrayEquals(
        hex("70 00 05 00 00 00 00 0A 00 00 00 00 24 00 00 CD 01 02"), pointer.encode());
  }

  @Test
  void describesKeyConditionAndCodes() {
    assertEquals(
        "NOT READY: MEDIUM NOT PRESENT (02/3A/00)",
        SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT).describe());
  }

  @Test
  void describesTheFieldPointer() {
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00) at CDB byte 1 bit 4",
        SenseData.of(
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB,
                FieldPointer.cdb(1, 4))
            .describe());
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN PARAMETER LIST (05/26/00) at parameter list byte 2",
        SenseData.of(
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameter(2))
            .describe());
  }

  @Test
  void describesAnUnknownConditionByItsCodes() {
    SenseData foreign = new SenseData(false, SenseKey.HARDWARE_ERROR, 0x3E, 0x03, 0, null);
    assertEquals(Optional.empty(), foreign.additionalSense());
    assertEquals("HARDWARE ERROR: ASC 3EH ASCQ 03H (04/3E/03)", foreign.describe());
  }

  @Test
  void decodesDescriptorFormatForKeyAndCodes() {
    // 72h: byte 1 sense key, byte 2 ASC, byte 3 ASCQ, byte 7 additional length (SPC-4 4.5.2).
    SenseData current = SenseData.decode(hex("72 05 24 00 00 00 00 00"));
    assertEquals(new SenseData(false, SenseKey.ILLEGAL_REQUEST, 0x24, 0x00, 0, null), current);
    SenseData deferred = SenseData.decode(hex("73 03 11 00"));
    assertEquals(new SenseData(false, SenseKey.MEDIUM_ERROR, 0x11, 0x00, 0, null), deferred);
    assertEquals("MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00)", deferred.describe());
  }

  @Test
  void decodesDeferredFixedFormat() {
    SenseData data = SenseData.decode(hex("F1 00 04 00 00 00 2A 0A 00 00 00 00 44 00 00 00 00 00"));
    assertTrue(data.valid());
    assertEquals(SenseKey.HARDWARE_ERROR, data.key());
    assertEquals(42, data.information());
  }

  @Test
  void decodesShortFixedFormatWithoutSenseKeySpecificBytes() {
    // 14 bytes reach ASCQ; the field pointer (bytes 15-17) is absent.
    SenseData data = SenseData.decode(hex("70 00 02 00 00 00 00 06 00 00 00 00 3A 02"));
    assertEquals(
        SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN), data);
    assertNull(data.fieldPointer());
  }

  @Test
  void ignoresTheFieldPointerWhenSksvIsClear() {
    SenseData data = SenseData.decode(hex("70 00 05 00 00 00 00 0A 00 00 00 00 24 00 00 4C 00 01"));
    assertNull(data.fieldPointer());
  }

  @Test
  void rejectsInputTooShortOrNotSense() {
    IllegalArgumentException tooShort =
        assertThrows(IllegalArgumentException.class, () -> SenseData.decode(hex("70 00 02")));
    assertEquals("sense data too short: 3 bytes", tooShort.getMessage());
    IllegalArgumentException fixedTooShort =
        assertThrows(
            IllegalArgumentException.class,
            () -> SenseData.decode(hex("70 00 02 00 00 00 00 0A 00 00 00 00 3A")));
    assertEquals("fixed-format sense data too short: 13 bytes", fixedTooShort.getMessage());
    IllegalArgumentException notSense =
        assertThrows(IllegalArgumentException.class, () -> SenseData.decode(new byte[18]));
    assertEquals("unknown sense response code 0x00", notSense.getMessage());
    IllegalArgumentException vendor =
        assertThrows(IllegalArgumentException.class, () -> SenseData.decode(hex("FF 00 00 00")));
    assertEquals("unknown sense response code 0x7F", vendor.getMessage());
  }

  @Test
  void withInformationSetsValid() {
    SenseData data =
        SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
            .withInformation(7);
    assertTrue(data.valid());
    assertEquals(7, data.information());
    assertEquals(0x80, data.encode()[0] & 0x80);
  }

  @Test
  void withInformationForAnLbaBeyondFourBytesLeavesValidClear() {
    SenseData data = SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    assertSame(data, data.withInformation(0x1_0000_0000L));
    assertSame(data, data.withInformation(-1L)); // 64-bit LBAs with the top bit set
    assertFalse(data.withInformation(0x1_0000_0000L).valid());
    assertEquals(0x70, data.withInformation(0x1_0000_0000L).encode()[0] & 0xFF);
  }

  @Test
  void isComparesKeyAndCodes() {
    SenseData data = SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT);
    assertTrue(data.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
    assertFalse(data.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN));
    assertFalse(data.is(SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_NOT_PRESENT));
  }

  @Test
  void additionalSenseLookup() {
    assertEquals(Optional.of(AdditionalSense.WRITE_PROTECTED), AdditionalSense.find(0x27, 0x00));
    assertEquals(
        Optional.of(AdditionalSense.KEY_NOT_ESTABLISHED), AdditionalSense.find(0x6F, 0x02));
    assertEquals(Optional.empty(), AdditionalSense.find(0x27, 0x01));
    assertEquals(
        "MEDIUM NOT PRESENT - TRAY OPEN", AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN.text());
  }
}
