/**
 * Cryptographic primitives on raw byte arrays, one small class per primitive: HKDF-SHA256 (RFC
 * 5869), AES-256-GCM (NIST SP 800-38D), AES-256-CTR, AES key wrap with padding (RFC 5649),
 * HMAC-SHA256 (RFC 2104), X25519 (RFC 7748) and Ed25519 (RFC 8032) on the raw 32-byte keys that
 * travel on secdrive's wire. JCA where Java 17 has the primitive, Bouncy Castle for HKDF and KWP
 * (DESIGN.md, "Security model").
 *
 * <p>Nothing here knows secdrive's key hierarchy: the labels and the versioned HKDF info live in
 * {@code dev.secdrive.protocol.security.KeyLabels}, and each module derives its keys from them. A
 * check that refuses (a tag, a wrapped key, a low-order X25519 key) throws the checked {@link
 * dev.secdrive.kit.crypto.AuthenticationException}; a malformed signature simply does not verify.
 */
package dev.secdrive.kit.crypto;
