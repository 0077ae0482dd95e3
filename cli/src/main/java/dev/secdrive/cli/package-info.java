/**
 * The {@code secdrive} command: {@code serve} runs the emulator, {@code media} makes and shows
 * media, {@code drive} sends commands to a drive through the host driver, {@code control} acts on a
 * running emulator, {@code demo} and {@code bench} show it working and measure it. The only module
 * that sees both the emulator and the host driver.
 */
package dev.secdrive.cli;
