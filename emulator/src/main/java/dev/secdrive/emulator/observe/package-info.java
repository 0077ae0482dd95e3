/**
 * What the emulator tells about the commands it serves: a log line per command at the level each
 * drive asks for ({@link dev.secdrive.emulator.observe.CommandLog}), and meters in the Prometheus
 * text format ({@link dev.secdrive.emulator.observe.Instruments}) that the control API serves at
 * {@code GET /metrics}.
 */
package dev.secdrive.emulator.observe;
