/**
 * Command descriptor blocks: one record per command secdrive implements, in the layouts of SPC-4
 * (TEST UNIT READY, REQUEST SENSE, INQUIRY, MODE SENSE(6), PREVENT ALLOW MEDIUM REMOVAL, REPORT
 * LUNS, REPORT SUPPORTED OPERATION CODES, READ MEDIA SERIAL NUMBER), SBC-3 (READ CAPACITY, READ,
 * WRITE, VERIFY, SYNCHRONIZE CACHE, START STOP UNIT) and MMC-6 (GET EVENT STATUS NOTIFICATION, and
 * for CD-DA READ TOC/PMA/ATIP, READ CD, READ CD MSF, READ SUB-CHANNEL, GET CONFIGURATION) and MODE
 * SENSE(10).
 *
 * <p>Each record decodes and encodes its own bytes; {@link dev.secdrive.protocol.cdb.Cdbs#decode}
 * dispatches on the operation code. A CDB that cannot be decoded raises {@link
 * dev.secdrive.protocol.cdb.InvalidCdbException}, which names the kind of error and the field
 * pointer; the device maps it to sense and answers CHECK CONDITION: a bad CDB is a command error,
 * never a framing error.
 */
package dev.secdrive.protocol.cdb;
