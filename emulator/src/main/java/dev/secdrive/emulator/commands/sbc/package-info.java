/**
 * The SBC-3 command set: READ CAPACITY, READ, WRITE, VERIFY, SYNCHRONIZE CACHE and START STOP UNIT
 * against the user area of the loaded medium, as tgt keeps them in {@code usr/sbc.c}. Profiles name
 * it {@code sbc}; a read-only drive lists its reads and not its writes.
 */
package dev.secdrive.emulator.commands.sbc;
