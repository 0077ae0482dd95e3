/**
 * SCSI status and sense data: the status byte (SAM-5 5.3), the sense key and additional sense code
 * table (SPC-4 4.5.6, only the conditions secdrive emulates), and fixed-format sense data (SPC-4
 * 4.5.3) with its sense-key specific field pointer (SPC-4 4.5.2.4.2).
 */
package dev.secdrive.protocol.sense;
