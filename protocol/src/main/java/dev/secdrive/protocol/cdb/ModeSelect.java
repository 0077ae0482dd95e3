package dev.secdrive.protocol.cdb;

/** MODE SELECT(6) or (10): the two differ only in the CDB and the parameter header's size. */
public sealed interface ModeSelect extends Cdb permits ModeSelect6, ModeSelect10 {

  /** PF, byte 1 bit 4. */
  int PF = 0x10;

  /** SP, byte 1 bit 0. */
  int SP = 0x01;

  boolean pageFormat();

  boolean savePages();

  int parameterListLength();

  /** Byte offset in the CDB of PARAMETER LIST LENGTH, for sense field pointers. */
  int parameterListLengthOffset();

  @Override
  default String describe() {
    return opcode().text() + " length=" + parameterListLength();
  }
}
