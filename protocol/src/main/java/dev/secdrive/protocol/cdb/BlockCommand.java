package dev.secdrive.protocol.cdb;

/** A command that addresses a range of logical blocks on the medium (SBC-3 4.5). */
public sealed interface BlockCommand extends Cdb
    permits Read6,
        Read10,
        Write10,
        Read12,
        Write12,
        Read16,
        Write16,
        ByteCheckCommand,
        WriteSameCommand,
        OrWrite16,
        CompareAndWrite,
        PreFetch10,
        PreFetch16,
        SynchronizeCache10,
        SynchronizeCache16 {

  long lba();

  /** Number of blocks; for SYNCHRONIZE CACHE, 0 means "to the last LBA". */
  long blocks();

  /** Byte offset in the CDB of the transfer length field, for sense field pointers. */
  int lengthFieldOffset();

  /** Byte offset in the CDB of the LBA field: byte 2 in every block CDB (SBC-3). */
  default int lbaFieldOffset() {
    return BlockLayout.LBA_OFFSET;
  }

  /** The protection field (RDPROTECT, WRPROTECT, VRPROTECT) in byte 1 bits 7-5, or 0. */
  int protect();

  /** FUA, byte 1 bit 3, in the CDBs that have it: the write reaches the medium before GOOD. */
  default boolean fua() {
    return false;
  }

  @Override
  default String describe() {
    return opcode().text() + " lba=" + lba() + " blocks=" + blocks();
  }
}
