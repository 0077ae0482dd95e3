/**
 * The serial line, shared by the emulator and the host driver: {@link
 * dev.secdrive.kit.serial.SerialPortLine} opens a port through jssc and says in words what is wrong
 * with it, and {@link dev.secdrive.kit.serial.LineRunner} pumps any {@link
 * dev.secdrive.kit.serial.Line} with two threads, paced to a baud rate; {@link
 * dev.secdrive.kit.serial.MemoryLine} is a line in memory for tests and rigs. What the bytes mean —
 * the link layer of {@code protocol/PROTOCOL.md}, "Serial" — is plugged in by the caller, so the
 * kit knows no wire format.
 */
package dev.secdrive.kit.serial;
