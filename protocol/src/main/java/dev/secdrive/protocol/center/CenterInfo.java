package dev.secdrive.protocol.center;

/**
 * {@code GET /center}: the center's name, its certificate (role central site), its Ed25519 public
 * key and the licensing authority's (API.md "GET /center").
 */
public record CenterInfo(
    String name, byte[] certificate, byte[] publicKey, byte[] authorityPublicKey) {}
