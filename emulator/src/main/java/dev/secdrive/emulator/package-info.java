/**
 * The emulator process: {@link dev.secdrive.emulator.Emulator} wires drives (firmware + profile +
 * media) to a TCP endpoint and an optional HTTP control API, and is the in-process control API a
 * test harness calls (insert, remove, write-protect, faults).
 */
package dev.secdrive.emulator;
