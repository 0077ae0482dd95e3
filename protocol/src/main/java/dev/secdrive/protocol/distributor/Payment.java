package dev.secdrive.protocol.distributor;

/**
 * {@code POST /users/{userId}/payments} (admin): money received; answered {@link PaymentAnswer}.
 */
public record Payment(long amountCents) {}
