/**
 * iSCSI (RFC 7143) on the wire: the PDUs of section 11 as records of one sealed interface ({@link
 * dev.secdrive.protocol.iscsi.IscsiPdu}), their codec with the Basic Header Segment, additional
 * header segments and CRC32C digests ({@link dev.secdrive.protocol.iscsi.PduCodec}), the text
 * key=value data segment of sections 6 and 13 ({@link dev.secdrive.protocol.iscsi.TextKeys}), the
 * login negotiation of section 13 as a pure function ({@link
 * dev.secdrive.protocol.iscsi.Negotiation}), and CHAP (RFC 1994 as RFC 7143 section 12.1.3 uses it,
 * {@link dev.secdrive.protocol.iscsi.Chap}). No I/O and no state beyond the values passed in: the
 * emulator's iSCSI endpoint and the host driver's iSCSI transport both build on this package.
 */
package dev.secdrive.protocol.iscsi;
