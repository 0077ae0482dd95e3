package dev.secdrive.protocol.frame;

import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A status frame: how a command ended, its sense data when it ended in CHECK CONDITION (autosense:
 * the sense travels with the status), and its data-in bytes. Owns {@code dataIn}.
 *
 * @param tag the tag of the command this answers
 * @param status the SCSI status
 * @param residual the residual count, unsigned 32 bits (see {@code underflow}, {@code overflow})
 * @param underflow the device returned {@code residual} bytes fewer than the host expected
 * @param overflow the device had {@code residual} bytes more than the host expected; they were
 *     dropped
 * @param sense sense data, 0..252 bytes
 * @param dataIn data-in bytes
 */
public record StatusFrame(
    int tag,
    ScsiStatus status,
    long residual,
    boolean underflow,
    boolean overflow,
    byte[] sense,
    ByteBuf dataIn)
    implements Frame, ByteBufHolder {

  static final int FLAG_UNDERFLOW = 0x01;
  static final int FLAG_OVERFLOW = 0x02;

  public StatusFrame {
    if (status == null) {
      throw new NullPointerException("status");
    }
    if (residual < 0 || residual > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("residual out of range: " + residual);
    }
    if (underflow && overflow) {
      throw new IllegalArgumentException("a residual is an underflow or an overflow, not both");
    }
    if (sense.length > MAXIMUM_SENSE_LENGTH) {
      throw new IllegalArgumentException("sense longer than 252 bytes: " + sense.length);
    }
    sense = sense.clone();
  }

  /** GOOD status with data; the residual is derived from what the host expected. */
  public static StatusFrame good(int tag, long expected, ByteBuf data) {
    long actual = data.readableBytes();
    return new StatusFrame(
        tag,
        ScsiStatus.GOOD,
        Math.abs(expected - actual),
        actual < expected,
        actual > expected,
        new byte[0],
        data);
  }

  /** CHECK CONDITION with sense data and no data-in. */
  public static StatusFrame checkCondition(int tag, long expected, byte[] sense) {
    return new StatusFrame(
        tag,
        ScsiStatus.CHECK_CONDITION,
        expected,
        expected > 0,
        false,
        sense,
        Unpooled.EMPTY_BUFFER);
  }

  @Override
  public byte[] sense() {
    return sense.clone();
  }

  byte[] senseBytes() {
    return sense;
  }

  int flags() {
    return (underflow ? FLAG_UNDERFLOW : 0) | (overflow ? FLAG_OVERFLOW : 0);
  }

  @Override
  public ByteBuf content() {
    return dataIn;
  }

  @Override
  public StatusFrame copy() {
    return replace(dataIn.copy());
  }

  @Override
  public StatusFrame duplicate() {
    return replace(dataIn.duplicate());
  }

  @Override
  public StatusFrame retainedDuplicate() {
    return replace(dataIn.retainedDuplicate());
  }

  @Override
  public StatusFrame replace(ByteBuf content) {
    return new StatusFrame(tag, status, residual, underflow, overflow, sense, content);
  }

  @Override
  public int refCnt() {
    return dataIn.refCnt();
  }

  @Override
  public StatusFrame retain() {
    dataIn.retain();
    return this;
  }

  @Override
  public StatusFrame retain(int increment) {
    dataIn.retain(increment);
    return this;
  }

  @Override
  public StatusFrame touch() {
    dataIn.touch();
    return this;
  }

  @Override
  public StatusFrame touch(Object hint) {
    dataIn.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return dataIn.release();
  }

  @Override
  public boolean release(int decrement) {
    return dataIn.release(decrement);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StatusFrame f
        && f.tag == tag
        && f.status == status
        && f.residual == residual
        && f.underflow == underflow
        && f.overflow == overflow
        && java.util.Arrays.equals(f.sense, sense)
        && f.dataIn.equals(dataIn);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(tag, status, residual) + java.util.Arrays.hashCode(sense);
  }

  @Override
  public String toString() {
    return String.format(
        "StatusFrame[tag=%s, %s, residual=%d%s, sense=%s, dataIn=%d bytes]",
        Integer.toUnsignedString(tag),
        status,
        residual,
        underflow ? " (underflow)" : overflow ? " (overflow)" : "",
        java.util.HexFormat.of().formatHex(sense),
        dataIn.readableBytes());
  }
}
