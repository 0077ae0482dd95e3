package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The session's CmdSN window (RFC 7143 4.2.2.1) and the CmdSNs aborted before they arrived. */
class CommandWindowTest {

  @Test
  void aCommandAheadOfTheWindowWaitsAndTheWindowJumpsPastItWhenTheGapFills() {
    CommandWindow window = new CommandWindow();
    window.expect(0xFFFF_FFFE); // serial arithmetic across the wrap
    window.advance(false, 0xFFFF_FFFF);
    assertEquals(0xFFFF_FFFE, window.expCmdSn(), "a gap: ExpCmdSN stays");
    window.advance(true, 0xFFFF_FFFE);
    assertEquals(0xFFFF_FFFE, window.expCmdSn(), "an immediate PDU takes no CmdSN");
    window.advance(false, 0xFFFF_FFFE);
    assertEquals(0, window.expCmdSn());
    assertTrue(window.inWindow(CommandWindow.SIZE - 1));
    assertFalse(window.inWindow(CommandWindow.SIZE));
    assertFalse(window.inWindow(-1));
  }

  @Test
  void anAbortedCmdSnIsDroppedWhileAheadAndForgottenOnceTheWindowIsPastIt() {
    CommandWindow window = new CommandWindow();
    window.expect(10);
    window.abortBeforeArrival(11);
    assertTrue(window.takeAborted(11), "it comes while 10 is still due: dropped");
    window.abortBeforeArrival(12);
    window.advance(false, 10);
    window.advance(false, 11);
    assertEquals(13, window.expCmdSn(), "12 counts as received");
    assertFalse(window.takeAborted(12), "forgotten: a late 12 is below the window anyway");
    assertFalse(window.inWindow(12));
  }
}
