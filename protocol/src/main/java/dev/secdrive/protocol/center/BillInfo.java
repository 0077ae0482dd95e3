package dev.secdrive.protocol.center;

/** A bill: one per issued copy, of the title's price ({@code serial} is the copy's). */
public record BillInfo(
    long id, long serial, long amountCents, long paidCents, boolean paid, String createdAt) {}
