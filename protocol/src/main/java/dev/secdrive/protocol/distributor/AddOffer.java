package dev.secdrive.protocol.distributor;

/**
 * {@code POST /contents/{contentId}/offers} (admin): an update of the content's license with new
 * use conditions, at a price (S101).
 */
public record AddOffer(
    String offerId, long priceCents, long plays, int days, int copies, int removableCopies) {}
