package dev.secdrive.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A command frame: one SCSI command for one logical unit, with its data-out bytes. Owns {@code
 * dataOut}; release the frame when done with it.
 *
 * @param tag the host's tag for this command, echoed in the status frame; unsigned 32 bits
 * @param lun the logical unit, 0..255
 * @param direction the data phase direction
 * @param cdb the command descriptor block, 1..16 bytes
 * @param expectedDataInLength how many data-in bytes the host will accept; 0 for data-out
 * @param dataOut data-out bytes; empty for data-in commands
 */
public record CommandFrame(
    int tag, int lun, Direction direction, byte[] cdb, long expectedDataInLength, ByteBuf dataOut)
    implements Frame, ByteBufHolder {

  public CommandFrame {
    if (lun < 0 || lun > 0xFF) {
      throw new IllegalArgumentException("LUN out of range: " + lun);
    }
    if (cdb.length < 1 || cdb.length > MAXIMUM_CDB_LENGTH) {
      throw new IllegalArgumentException("CDB length out of range: " + cdb.length);
    }
    if (expectedDataInLength < 0 || expectedDataInLength > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("expected data-in length out of range");
    }
    if (direction == Direction.IN && dataOut.isReadable()) {
      throw new IllegalArgumentException("a data-in command carries no data-out bytes");
    }
    if (direction == Direction.OUT && expectedDataInLength != 0) {
      throw new IllegalArgumentException("a data-out command expects no data-in bytes");
    }
    cdb = cdb.clone();
  }

  /** A data-in (or no-data) command. */
  public static CommandFrame dataIn(int tag, int lun, byte[] cdb, long expectedDataInLength) {
    return new CommandFrame(
        tag, lun, Direction.IN, cdb, expectedDataInLength, Unpooled.EMPTY_BUFFER);
  }

  /** A data-out command; the frame takes ownership of {@code data}. */
  public static CommandFrame dataOut(int tag, int lun, byte[] cdb, ByteBuf data) {
    return new CommandFrame(tag, lun, Direction.OUT, cdb, 0, data);
  }

  @Override
  public byte[] cdb() {
    return cdb.clone();
  }

  /** The CDB without a defensive copy, for codecs. */
  byte[] cdbBytes() {
    return cdb;
  }

  @Override
  public ByteBuf content() {
    return dataOut;
  }

  @Override
  public CommandFrame copy() {
    return replace(dataOut.copy());
  }

  @Override
  public CommandFrame duplicate() {
    return replace(dataOut.duplicate());
  }

  @Override
  public CommandFrame retainedDuplicate() {
    return replace(dataOut.retainedDuplicate());
  }

  @Override
  public CommandFrame replace(ByteBuf content) {
    return new CommandFrame(tag, lun, direction, cdb, expectedDataInLength, content);
  }

  @Override
  public int refCnt() {
    return dataOut.refCnt();
  }

  @Override
  public CommandFrame retain() {
    dataOut.retain();
    return this;
  }

  @Override
  public CommandFrame retain(int increment) {
    dataOut.retain(increment);
    return this;
  }

  @Override
  public CommandFrame touch() {
    dataOut.touch();
    return this;
  }

  @Override
  public CommandFrame touch(Object hint) {
    dataOut.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return dataOut.release();
  }

  @Override
  public boolean release(int decrement) {
    return dataOut.release(decrement);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CommandFrame f
        && f.tag == tag
        && f.lun == lun
        && f.direction == direction
        && java.util.Arrays.equals(f.cdb, cdb)
        && f.expectedDataInLength == expectedDataInLength
        && f.dataOut.equals(dataOut);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(tag, lun, direction, expectedDataInLength)
        + java.util.Arrays.hashCode(cdb);
  }

  @Override
  public String toString() {
    return String.format(
        "CommandFrame[tag=%s, lun=%d, %s, cdb=%s, expectedDataIn=%d, dataOut=%d bytes]",
        Integer.toUnsignedString(tag),
        lun,
        direction,
        java.util.HexFormat.of().formatHex(cdb),
        expectedDataInLength,
        dataOut.readableBytes());
  }
}
