package dev.secdrive.protocol.distributor;

/** {@code POST /sessions}: a user's ID and password, for a session token. */
public record SessionRequest(String userId, String password) {}
