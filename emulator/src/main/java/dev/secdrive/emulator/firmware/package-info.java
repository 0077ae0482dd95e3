/**
 * Drive firmware: the device server of one logical unit. {@link
 * dev.secdrive.emulator.firmware.Firmware} is the dispatcher: it decodes CDBs, looks them up in the
 * unit's command table of {@link dev.secdrive.emulator.firmware.Command} rows and calls the handler
 * of the command set ({@code dev.secdrive.emulator.commands}) the row names, and it is the one
 * place where a {@link dev.secdrive.emulator.firmware.CheckCondition} or an undecodable CDB becomes
 * CHECK CONDITION. Command sets see their unit through {@link
 * dev.secdrive.emulator.firmware.UnitContext}; {@link dev.secdrive.emulator.firmware.UserArea} is
 * the user-area write path the SBC set and the secure layer share; {@link
 * dev.secdrive.emulator.firmware.Mechanism} is the loading mechanism's state machine (no medium,
 * tray open, becoming ready, ready, stopped); {@link dev.secdrive.emulator.firmware.Target} routes
 * commands to LUNs. Unit attentions and PREVENT state are kept per I_T nexus in {@link
 * dev.secdrive.emulator.firmware.NexusState} (SAM-5 5.15, SPC-4 6.13). No Netty types here: data
 * phases are NIO buffers and time comes from an injected clock.
 */
package dev.secdrive.emulator.firmware;
