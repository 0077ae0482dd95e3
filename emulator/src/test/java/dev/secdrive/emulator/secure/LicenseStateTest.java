package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LicenseStateTest {

  private static final byte[] WRAPPED = new byte[40];

  @Test
  void format2RecordsTheLicensorOfEachLicense() {
    LicenseState state =
        new LicenseState(
            5,
            List.of(
                new LicenseState.License("album-1", "test licensor", WRAPPED, 3),
                new LicenseState.License("game-2", "central site", WRAPPED, 0xFFFF_FFFFL)));
    byte[] encoded = state.encode();
    assertEquals(2, encoded[4], "format byte");
    LicenseState decoded = LicenseState.decode(encoded);
    assertEquals("test licensor", decoded.find("album-1").orElseThrow().licensor());
    assertEquals("central site", decoded.find("game-2").orElseThrow().licensor());
    assertArrayEquals(encoded, decoded.encode());
  }

  @Test
  void format1IsReadWithTheLicensorNotRecordedAndWrittenAsFormat2() {
    // "SDLS" | 01 | version 3 | one license: "t" | 2 bytes key | 7 plays
    byte[] format1 =
        HexFormat.of().parseHex("53444C530100000003000101740 2AABB00000007".replace(" ", ""));
    LicenseState decoded = LicenseState.decode(format1);
    assertEquals(3, decoded.version());
    LicenseState.License license = decoded.find("t").orElseThrow();
    assertFalse(license.licensorRecorded());
    assertEquals(7, license.playsLeft());
    assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xBB}, license.wrappedKey());
    byte[] upgraded = decoded.encode();
    assertEquals(2, upgraded[4]);
    assertArrayEquals(upgraded, LicenseState.decode(upgraded).encode());
    assertTrue(LicenseState.decode(upgraded).find("t").orElseThrow().licensor().isEmpty());
  }

  @Test
  void anUnknownFormatIsRefused() {
    byte[] format3 = HexFormat.of().parseHex("53444C53030000000300 00".replace(" ", ""));
    assertThrows(IllegalArgumentException.class, () -> LicenseState.decode(format3));
  }

  @Test
  void aPlayKeepsTheLicensor() {
    LicenseState.License l = new LicenseState.License("a", "L", WRAPPED, 3).withPlaysLeft(2);
    assertEquals("L", l.licensor());
    assertEquals(2, l.playsLeft());
  }
}
