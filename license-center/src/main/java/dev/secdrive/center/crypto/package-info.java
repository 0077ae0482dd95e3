/**
 * The central site's cryptographic primitives (PROTOCOL.md "Keys", "Scheme 1", "Scheme 2"): the
 * secdrive KDF, AES-256-GCM, sealing to an X25519 key, Ed25519 signatures.
 */
package dev.secdrive.center.crypto;
