package dev.secdrive.protocol.center;

/** The answer to {@code POST /users}: the registered user; {@code signingKey} may be null. */
public record UserInfo(
    String userId, String name, byte[] userKey, byte[] signingKey, String registeredAt) {}
