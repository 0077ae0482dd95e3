package dev.secdrive.protocol.distributor;

/** A bill: {@code kind} license, update or copy; {@code reference} the serial billed, hex. */
public record Bill(
    long billId,
    String kind,
    String reference,
    long amountCents,
    long paidCents,
    boolean paid,
    String createdAt) {}
