/**
 * Parameter data: what commands return in their data-in phase (standard INQUIRY data and VPD pages
 * 00h, 80h, 83h and B0h, READ CAPACITY data, mode parameters, media serial number, LUN list,
 * supported operation codes, media event status). The emulator encodes these records and the host
 * driver decodes them; each knows its own layout (SPC-4 6.6.2, 7.8; SBC-3 5.15, 5.16, 6.5.3; MMC-6
 * 6.6).
 */
package dev.secdrive.protocol.data;
