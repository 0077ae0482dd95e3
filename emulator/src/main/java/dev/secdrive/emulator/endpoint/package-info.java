/**
 * Where hosts attach to the emulator. Every carrier is an {@link
 * dev.secdrive.emulator.endpoint.Endpoint} ({@code tcp}, {@code serial}, later {@code iscsi}); what
 * all of them need — backpressure, service delays, the reply cache, protocol-error answers, the end
 * of a nexus — is written once in {@link dev.secdrive.emulator.endpoint.CommandHandler}, which
 * takes decoded command frames and answers status frames. Carriers only frame bytes and plug their
 * differences in as a {@link dev.secdrive.emulator.endpoint.CommandHandler.Carrier}. DESIGN.md,
 * "Transport framing"; the frames are in {@code protocol/PROTOCOL.md}.
 */
package dev.secdrive.emulator.endpoint;
