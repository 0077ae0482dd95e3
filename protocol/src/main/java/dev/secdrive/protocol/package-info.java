/**
 * The secdrive wire protocol, shared by the emulator, the host driver and the license center:
 * {@code cdb} (commands), {@code data} (parameter data the commands return), {@code sense} (status
 * and sense data), {@code frame} (the transport frames and their Netty codecs), {@code security}
 * (the secure layer's payloads), {@code center} (the central site's HTTP API, shared by the license
 * center and the host driver). Byte-exact layouts are in {@code protocol/PROTOCOL.md}.
 */
package dev.secdrive.protocol;
