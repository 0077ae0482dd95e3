package dev.secdrive.protocol.center;

/**
 * {@code POST /users}: a user, the X25519 user key keys are sealed to, and the Ed25519 key that
 * signs the user's copy requests (API.md "POST /users").
 */
public record RegisterUser(String userId, String name, byte[] userKey, byte[] signingKey) {}
