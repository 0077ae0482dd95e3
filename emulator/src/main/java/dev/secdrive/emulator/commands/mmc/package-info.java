/**
 * The MMC-6 command set: GET EVENT STATUS NOTIFICATION, polled, media class (MMC-6 6.6). Profiles
 * name it {@code mmc}.
 */
package dev.secdrive.emulator.commands.mmc;
