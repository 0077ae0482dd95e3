package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CmdSN window of RFC 7143 section 4.2.2.1, across the 32-bit wrap. */
class SequenceNumbersTest {

  @Test
  void theWindowOpensClosesAndIsNeverTakenBack() {
    SequenceNumbers sn = new SequenceNumbers();
    sn.cmdSn = 0xFFFF_FFFE;
    sn.expCmdSn = 0xFFFF_FFFE;
    sn.maxCmdSn = 0xFFFF_FFFF;
    assertTrue(sn.open());
    sn.cmdSn += 2; // wrapped to 0: beyond MaxCmdSN FFFFFFFFh
    assertFalse(sn.open());
    sn.window(0xFFFF_FFFF, 0xFFFF_FFFE); // ExpCmdSN moves on; a smaller MaxCmdSN is ignored
    assertEquals(0xFFFF_FFFF, sn.maxCmdSn);
    assertEquals(0xFFFF_FFFF, sn.expCmdSn);
    sn.window(1, 5 - 10); // MaxCmdSN below ExpCmdSN - 1: both ignored
    assertEquals(0xFFFF_FFFF, sn.expCmdSn);
    assertFalse(sn.open());
    sn.window(1, 3);
    assertEquals(1, sn.expCmdSn);
    assertEquals(3, sn.maxCmdSn);
    assertTrue(sn.open());
  }

  @Test
  void expStatSnFollowsTheStatusesAcrossTheWrap() {
    SequenceNumbers sn = new SequenceNumbers();
    sn.expStatSn = 0xFFFF_FFFF;
    sn.statSn(0xFFFF_FFFF);
    assertEquals(0, sn.expStatSn);
    sn.statSn(0xFFFF_FFF0); // an old StatSN does not move it back
    assertEquals(0, sn.expStatSn);
    assertTrue(SequenceNumbers.serialLess(0xFFFF_FFFF, 0));
    assertFalse(SequenceNumbers.serialLess(0, 0xFFFF_FFFF));
  }
}
