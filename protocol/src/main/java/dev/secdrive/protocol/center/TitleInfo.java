package dev.secdrive.protocol.center;

/** A title of the contents identifier file ({@code GET /titles}, {@code GET /titles/{id}}). */
public record TitleInfo(
    String titleId, String name, int scheme, long priceCents, String registeredAt) {}
