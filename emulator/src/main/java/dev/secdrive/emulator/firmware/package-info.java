/**
 * Drive firmware: the device server of one logical unit. {@link
 * dev.secdrive.emulator.firmware.Firmware} decodes CDBs and executes them against the loaded medium
 * following SPC-4, SBC-3 and MMC-6; {@link dev.secdrive.emulator.firmware.Mechanism} is the loading
 * mechanism's state machine (no medium, tray open, becoming ready, ready, stopped); {@link
 * dev.secdrive.emulator.firmware.Target} routes commands to LUNs. Unit attentions and PREVENT state
 * are kept per I_T nexus (SAM-5 5.15, SPC-4 6.13). No Netty types here: data phases are NIO buffers
 * and time comes from an injected clock.
 */
package dev.secdrive.emulator.firmware;
