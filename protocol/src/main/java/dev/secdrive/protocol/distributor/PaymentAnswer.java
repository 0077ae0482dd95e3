package dev.secdrive.protocol.distributor;

/** The bills a payment settled, oldest first, and what the user still owes. */
public record PaymentAnswer(String userId, long paymentId, int billsPaid, long stillOwedCents) {}
