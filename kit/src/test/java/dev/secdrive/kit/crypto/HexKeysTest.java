package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HexKeysTest {

  @Test
  void parsesAndFormatsBothCases() {
    assertArrayEquals(new byte[] {0x0a, (byte) 0xff}, HexKeys.parse("k", "0AfF", 2));
    assertArrayEquals(new byte[3], HexKeys.parse("k", "000000", HexKeys.ANY_LENGTH));
    assertEquals("0aff", HexKeys.format(new byte[] {0x0a, (byte) 0xff}));
  }

  @Test
  void refusalsNameTheFieldButNotTheValue() {
    assertEquals(
        "field 'key' is missing",
        assertThrows(IllegalArgumentException.class, () -> HexKeys.parse("key", null, 32))
            .getMessage());
    assertEquals(
        "field 'key' is not hexadecimal",
        assertThrows(IllegalArgumentException.class, () -> HexKeys.parse("key", "secretzz", 4))
            .getMessage());
    assertEquals(
        "field 'key' is not hexadecimal",
        assertThrows(IllegalArgumentException.class, () -> HexKeys.parse("key", "abc", 4))
            .getMessage());
    assertEquals(
        "field 'key' has 2 bytes, expected 32",
        assertThrows(IllegalArgumentException.class, () -> HexKeys.parse("key", "abcd", 32))
            .getMessage());
  }
}
