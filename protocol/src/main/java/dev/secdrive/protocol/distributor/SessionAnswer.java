package dev.secdrive.protocol.distributor;

/** A session token (only its hash is kept) and when it expires (ISO-8601). */
public record SessionAnswer(String userId, String token, String expiresAt) {}
