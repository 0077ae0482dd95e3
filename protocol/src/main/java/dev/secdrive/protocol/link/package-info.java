/**
 * The serial link layer: carries the same frames as TCP over a line that corrupts, drops and
 * inserts bytes. Link frames are COBS-encoded with a CRC-32C and delimited by a zero byte, so a
 * receiver resynchronises at the next delimiter ({@link dev.secdrive.protocol.link.LinkCodec});
 * each protocol frame travels as a message of chunks of a few KiB, acknowledged and retransmitted
 * one by one ({@link dev.secdrive.protocol.link.ReliableLink}). Nothing here does I/O or starts a
 * thread: {@code dev.secdrive.kit.serial.LineRunner} pumps a link over a real line. Layouts are in
 * {@code protocol/PROTOCOL.md}, "Serial".
 */
package dev.secdrive.protocol.link;
