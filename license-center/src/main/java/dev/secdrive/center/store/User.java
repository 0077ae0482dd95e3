package dev.secdrive.center.store;

import java.time.Instant;

/**
 * A registered user: the X25519 user key KU (32 bytes) copy keys are sealed to, and the Ed25519
 * public key (32 bytes) that verifies the user's copy requests, null for a user registered before
 * copy requests were signed.
 */
public record User(
    String userId, String name, byte[] userKey, byte[] signingKey, Instant registeredAt) {}
