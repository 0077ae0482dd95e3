/**
 * Captures of what crosses the emulator's carriers, as pcapng for Wireshark: a TCP or iSCSI
 * connection's bytes as IPv4/IPv6 TCP segments, a serial port's line bytes (LINKTYPE_USER1) and its
 * link-layer messages, the secdrive frames (LINKTYPE_USER0), one interface per endpoint, and a
 * comment on the packet where a fault fired. Only what is on the wire is written, so no key or
 * secure-area byte can be in a capture that is not on the wire already. {@code
 * tools/wireshark/secdrive.lua} reads the secdrive frames and hands their CDBs and data to
 * Wireshark's SCSI dissector.
 */
package dev.secdrive.emulator.capture;
