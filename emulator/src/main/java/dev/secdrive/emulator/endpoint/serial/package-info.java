/**
 * The serial carrier on the device side: a serial port (jssc) runs the link layer of {@code
 * dev.secdrive.protocol.link}, and the frames it carries enter the same Netty pipeline as TCP
 * through a local channel, with a reply cache in front so a command retried with the same tag is
 * answered, not executed again.
 */
package dev.secdrive.emulator.endpoint.serial;
