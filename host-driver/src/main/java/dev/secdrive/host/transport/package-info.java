/**
 * Carriers of commands on the host side: a {@link dev.secdrive.host.transport.Transport} submits
 * CDBs and completes futures with status frames. {@link dev.secdrive.host.transport.TcpTransport}
 * and {@link dev.secdrive.host.transport.SerialTransport} speak the TCP and serial carriers of
 * {@code protocol/PROTOCOL.md} (matched by tag); {@link dev.secdrive.host.transport.IscsiTransport}
 * is an iSCSI initiator (RFC 7143: login with None or CHAP in {@code LoginExchange}, the session's
 * PDUs in {@code IscsiSession}), PROTOCOL.md "iSCSI", "The host driver's initiator".
 */
package dev.secdrive.host.transport;
