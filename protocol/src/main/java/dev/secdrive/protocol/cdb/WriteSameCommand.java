package dev.secdrive.protocol.cdb;

/** WRITE SAME(10) and (16) (SBC-3): the fields the device server checks besides the range. */
public sealed interface WriteSameCommand extends BlockCommand permits WriteSame10, WriteSame16 {

  /** ANCHOR: anchor the blocks (logical block provisioning). */
  boolean anchor();

  /** UNMAP: unmap the blocks instead of writing them (logical block provisioning). */
  boolean unmap();

  /** NDOB: no data-out buffer, write zeros; WRITE SAME(16) only. */
  boolean noDataOutBuffer();
}
