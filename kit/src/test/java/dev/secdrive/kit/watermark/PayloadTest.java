package dev.secdrive.kit.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {

  @Test
  void crc24IsOpenPgps() {
    // RFC 4880 6.1's CRC-24; the catalogue check value of "123456789".
    assertEquals(0x21CF02, Payload.crc24("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void bitsRoundTripForEveryStateAndEdgeIdentifiers() {
    for (CopyControl state : CopyControl.values()) {
      for (long id : new long[] {0, 1, 0x5EC0_D41F_E013L, Payload.MAX_CONTENT_ID}) {
        Payload payload = new Payload(state, id);
        int[] bits = payload.toBits();
        assertEquals(Payload.BITS, bits.length);
        assertEquals(payload, Payload.fromBits(bits));
      }
    }
  }

  @Test
  void aWrongBitAnywhereIsRejectedNotMisread() {
    int[] bits = new Payload(CopyControl.NO_MORE_COPIES, 123_456_789L).toBits();
    for (int i = 0; i < bits.length; i++) {
      bits[i] ^= 1;
      assertNull(Payload.fromBits(bits), "bit " + i);
      bits[i] ^= 1;
    }
  }

  @Test
  void stateAndIdentifierAreChecked() {
    assertEquals(
        "content identifier 281474976710656 is outside 0..281474976710655 (48 bits)",
        assertThrows(
                IllegalArgumentException.class, () -> new Payload(CopyControl.COPY_FREE, 1L << 48))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Payload(CopyControl.COPY_FREE, -1));
    assertThrows(IllegalArgumentException.class, () -> new Payload(null, 1));
    assertEquals(CopyControl.COPY_ONCE, CopyControl.fromCode(1));
    assertThrows(IllegalArgumentException.class, () -> CopyControl.fromCode(3));
  }
}
