/**
 * What every carrier shares: {@link dev.secdrive.emulator.endpoint.CommandHandler} turns command
 * frames into firmware calls and status frames, one I_T nexus per channel. Carriers ({@code tcp},
 * later {@code serial}) only add framing in front of it.
 */
package dev.secdrive.emulator.endpoint;
