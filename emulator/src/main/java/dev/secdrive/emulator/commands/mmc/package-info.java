/**
 * The MMC-6 command set: GET EVENT STATUS NOTIFICATION, polled, media class (MMC-6 6.6), and for CD
 * drives GET CONFIGURATION (6.7), MODE SENSE(10) with page 2Ah (SPC-4 6.12, MMC-6 7.2), READ
 * TOC/PMA/ATIP (6.33), READ SUB-CHANNEL (6.32), READ CD (6.26) and READ CD MSF (6.27) on pressed
 * CD-DA discs and CD-ROMs. Profiles name it {@code mmc}; PROTOCOL.md "CD-DA" lays out every byte.
 */
package dev.secdrive.emulator.commands.mmc;
