package dev.secdrive.protocol.distributor;

/** {@code POST /users} (admin): a federation-wide user ID, a name, and the password here. */
public record RegisterUser(String userId, String name, String password) {}
