/**
 * The secdrive wire protocol, shared by the emulator and the host driver and nothing else: {@code
 * cdb} (commands), {@code data} (parameter data the commands return), {@code sense} (status and
 * sense data), {@code frame} (the transport frames and their Netty codecs). Byte-exact layouts are
 * in {@code protocol/PROTOCOL.md}.
 */
package dev.secdrive.protocol;
