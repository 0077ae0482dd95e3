/**
 * The secure layer's payloads: the parameter lists and data of SECURITY PROTOCOL IN/OUT (SPC-4
 * 6.30/6.31, protocol 00h of SPC-4 7.7.1 and secdrive's vendor protocol F0h), certificates, title
 * headers and backup blobs, byte for byte as PROTOCOL.md "Secure layer" lays them out. No keys live
 * here; {@link dev.secdrive.protocol.security.Sealing} is the one KDF and X25519 seal every sealed
 * record uses, from kit's primitives.
 */
package dev.secdrive.protocol.security;
