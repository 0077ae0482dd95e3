package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void concatKeepsOrder() {
    assertArrayEquals(
        new byte[] {1, 2, 3}, Bytes.concat(new byte[] {1}, new byte[0], new byte[] {2, 3}));
  }

  @Test
  void constantTimeEqualsComparesContentAndLength() {
    assertTrue(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 2}));
    assertFalse(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 3}));
    assertFalse(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1}));
  }

  @Test
  void randomHasTheLengthAsked() {
    assertEquals(0, Bytes.random(0).length);
    assertEquals(33, Bytes.random(33).length);
  }
}
