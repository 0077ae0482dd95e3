/**
 * The SPC-4 command set: the primary commands every device type shares (TEST UNIT READY, REQUEST
 * SENSE, INQUIRY with VPD pages 00h, 80h, 83h and B0h, MODE SENSE(6), PREVENT ALLOW MEDIUM REMOVAL,
 * REPORT LUNS, REPORT SUPPORTED OPERATION CODES, READ MEDIA SERIAL NUMBER), as tgt keeps them in
 * {@code usr/spc.c}. Profiles name it {@code spc}.
 */
package dev.secdrive.emulator.commands.spc;
