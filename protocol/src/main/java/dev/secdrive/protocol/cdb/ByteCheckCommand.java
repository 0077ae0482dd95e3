package dev.secdrive.protocol.cdb;

/**
 * A block command with a BYTCHK field (SBC-3): VERIFY, which checks the medium and may compare it
 * with the data-out buffer, and WRITE AND VERIFY, which writes the data-out buffer first.
 */
public sealed interface ByteCheckCommand extends BlockCommand
    permits Verify10, Verify12, Verify16, WriteAndVerify10, WriteAndVerify12, WriteAndVerify16 {

  /** BYTCHK 00b: the blocks are checked on the medium only. */
  int BYTCHK_NONE = 0b00;

  /** BYTCHK 01b: the blocks are also compared with the data-out buffer. */
  int BYTCHK_COMPARE = 0b01;

  /** The BYTCHK field, byte 1 bits 2-1. */
  int byteCheck();
}
