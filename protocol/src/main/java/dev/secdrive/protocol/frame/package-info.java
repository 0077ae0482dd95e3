/**
 * Transport frames and their codecs: the command frame a host sends, the status frame the device
 * answers with, the protocol-error frame a device sends before closing a connection over broken
 * framing, and the TCP carrier (a four-byte length prefix). The byte layout is specified in {@code
 * protocol/PROTOCOL.md}; field order follows the USB Mass Storage Bulk-Only Transport CBW/CSW where
 * they overlap.
 */
package dev.secdrive.protocol.frame;
