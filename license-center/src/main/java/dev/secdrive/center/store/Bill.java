package dev.secdrive.center.store;

import java.time.Instant;

/** A user's bill for one copy. */
public record Bill(
    long id,
    String userId,
    long copySerial,
    long amountCents,
    long paidCents,
    boolean paid,
    Instant createdAt) {}
