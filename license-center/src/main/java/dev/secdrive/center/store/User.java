package dev.secdrive.center.store;

import java.time.Instant;

/** A registered user and the X25519 user key KU (32 bytes) copy keys are sealed to. */
public record User(String userId, String name, byte[] userKey, Instant registeredAt) {}
