/**
 * The security command set: SECURITY PROTOCOL IN and OUT (SPC-4 6.30, 6.31), which hand protocol
 * 00h and vendor protocol F0h to the drive's {@link dev.secdrive.emulator.secure.SecureLayer}
 * (PROTOCOL.md "Secure layer"). Profiles name it {@code security}.
 */
package dev.secdrive.emulator.commands.security;
