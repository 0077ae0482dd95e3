/**
 * Carriers of the secdrive frame protocol on the host side: a {@link
 * dev.secdrive.host.transport.Transport} submits command frames and completes futures with status
 * frames, matched by tag. {@link dev.secdrive.host.transport.TcpTransport} speaks the TCP carrier
 * of {@code protocol/PROTOCOL.md}.
 */
package dev.secdrive.host.transport;
