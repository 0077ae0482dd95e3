/**
 * Packet captures in pcapng (draft-ietf-opsawg-pcapng) that Wireshark and tshark read: a {@link
 * dev.secdrive.kit.capture.PcapngWriter} of interfaces, packets with their direction and comments,
 * and {@link dev.secdrive.kit.capture.TcpSegments}, which dresses a TCP connection's bytes as the
 * IPv4 or IPv6 segments a capture on the wire would hold, so that Wireshark reassembles the stream
 * and its dissectors (iSCSI, SCSI, a Lua one) read it as they read a live capture. Knows no device.
 */
package dev.secdrive.kit.capture;
