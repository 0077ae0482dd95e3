package dev.secdrive.protocol.distributor;

/** A recorded revocation: the client, its leaf, and the EKB version it made. */
public record Revocation(String clientId, long leafId, int ekbVersion, String revokedAt) {}
