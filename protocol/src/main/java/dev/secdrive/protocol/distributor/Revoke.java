package dev.secdrive.protocol.distributor;

/** {@code POST /revocations} (admin): the client to revoke, federation-wide. */
public record Revoke(String clientId) {}
