package dev.secdrive.protocol.distributor;

/**
 * {@code POST /contents} (admin): a content, its license's use conditions and its price. {@code
 * plays} 4294967295 = unlimited; {@code days} 0 = no end.
 */
public record AddContent(
    String contentId,
    String name,
    String codec,
    String licenseId,
    long priceCents,
    long plays,
    int days,
    int copies,
    int removableCopies,
    byte[] data) {}
