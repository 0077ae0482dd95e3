/**
 * The serial carrier on the device side: a serial port (through {@code dev.secdrive.kit.serial})
 * runs the link layer of {@code dev.secdrive.protocol.link}; each message it delivers is decoded
 * once into a frame and handed to the shared command handler, with a reply cache so that a command
 * retried with the same tag is answered, not executed again. PROTOCOL.md, "Serial".
 */
package dev.secdrive.emulator.endpoint.serial;
