package dev.secdrive.protocol.center;

/** The answer to {@code POST /titles}: the title and its encryption key Kd, once. */
public record RegisteredTitle(
    String titleId, String name, int scheme, long priceCents, String registeredAt, byte[] key) {}
