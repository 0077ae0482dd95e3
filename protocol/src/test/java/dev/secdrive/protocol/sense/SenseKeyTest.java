package dev.secdrive.protocol.sense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SenseKeyTest {

  @Test
  void allSixteenFourBitValuesAreKeysInOrder() {
    assertEquals(16, SenseKey.values().length);
    for (int code = 0; code < 16; code++) {
      SenseKey key = SenseKey.fromCode(code);
      assertEquals(code, key.code());
      assertSame(SenseKey.values()[code], key);
    }
  }

  @Test
  void textsAreSpc4s() {
    assertEquals("NO SENSE", SenseKey.NO_SENSE.text());
    assertEquals("NOT READY", SenseKey.NOT_READY.text());
    assertEquals("ILLEGAL REQUEST", SenseKey.fromCode(5).text());
    assertEquals("UNIT ATTENTION", SenseKey.fromCode(6).text());
    assertEquals("DATA PROTECT", SenseKey.fromCode(7).text());
    assertEquals("MISCOMPARE", SenseKey.fromCode(0xE).text());
  }

  @Test
  void rejectsValuesOutsideFourBits() {
    assertEquals(
        "sense key out of range: 16",
        assertThrows(IllegalArgumentException.class, () -> SenseKey.fromCode(16)).getMessage());
    assertEquals(
        "sense key out of range: -1",
        assertThrows(IllegalArgumentException.class, () -> SenseKey.fromCode(-1)).getMessage());
  }
}
