/**
 * Fault scripts: what goes wrong, where and when, in a YAML or JSON file checked against {@code
 * fault-script.schema.json} (media errors, torn writes, power loss, disconnects in a data transfer,
 * delays, line noise), seeded so that a run can be replayed. {@link
 * dev.secdrive.emulator.faults.FaultScript} reads one; each drive's {@link
 * dev.secdrive.emulator.firmware.Faults} fires its part, and the serial endpoints the line noise.
 */
package dev.secdrive.emulator.faults;
