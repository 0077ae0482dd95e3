package dev.secdrive.protocol.sense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScsiStatusTest {

  @ParameterizedTest
  @EnumSource(ScsiStatus.class)
  void looksUpEveryStatusByCode(ScsiStatus status) {
    assertSame(status, ScsiStatus.fromCode(status.code()));
    assertEquals(Optional.of(status), ScsiStatus.find(status.code()));
  }

  @Test
  void codesAreSam5s() {
    assertEquals(0x00, ScsiStatus.GOOD.code());
    assertEquals(0x02, ScsiStatus.CHECK_CONDITION.code());
    assertEquals(0x04, ScsiStatus.CONDITION_MET.code());
    assertEquals(0x08, ScsiStatus.BUSY.code());
    assertEquals(0x18, ScsiStatus.RESERVATION_CONFLICT.code());
    assertEquals(0x28, ScsiStatus.TASK_SET_FULL.code());
    assertEquals(0x30, ScsiStatus.ACA_ACTIVE.code());
    assertEquals(0x40, ScsiStatus.TASK_ABORTED.code());
  }

  @Test
  void everyOtherByteIsUnknown() {
    Set<Integer> defined = Set.of(0x00, 0x02, 0x04, 0x08, 0x18, 0x28, 0x30, 0x40);
    for (int code = 0; code < 256; code++) {
      assertEquals(
          defined.contains(code),
          ScsiStatus.find(code).isPresent(),
          "0x" + Integer.toHexString(code));
    }
    assertEquals(Optional.empty(), ScsiStatus.find(-1));
    assertEquals(Optional.empty(), ScsiStatus.find(256));
  }

  @Test
  void fromCodeRejectsUnknownStatus() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ScsiStatus.fromCode(0x01));
    assertEquals("unknown SCSI status 0x01", e.getMessage());
    assertEquals(
        "unknown SCSI status 0x22",
        assertThrows(IllegalArgumentException.class, () -> ScsiStatus.fromCode(0x22)).getMessage());
  }
}
