package dev.secdrive.protocol.center;

/** {@code GET /titles/{titleId}/key}: the title's encryption key again. */
public record TitleKey(String titleId, byte[] key) {}
