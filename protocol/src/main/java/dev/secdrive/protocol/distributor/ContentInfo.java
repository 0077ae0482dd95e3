package dev.secdrive.protocol.distributor;

/** One entry of the catalog (S31-S32). */
public record ContentInfo(
    String contentId,
    String name,
    String codec,
    String licenseId,
    long priceCents,
    long plays,
    int days,
    int copies,
    int removableCopies,
    long length) {}
