package dev.secdrive.protocol.distributor;

/** An update offer of a content's license (S101-S102). */
public record OfferInfo(
    String offerId,
    String contentId,
    long priceCents,
    long plays,
    int days,
    int copies,
    int removableCopies) {}
