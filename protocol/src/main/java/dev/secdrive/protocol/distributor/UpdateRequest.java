package dev.secdrive.protocol.distributor;

/** {@code POST /licenses/{serial}/update} (S103): the offer bought. */
public record UpdateRequest(String offerId) {}
