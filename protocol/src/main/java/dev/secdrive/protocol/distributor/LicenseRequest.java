package dev.secdrive.protocol.distributor;

/** {@code POST /licenses} (S71): a license for a content, for one of the user's clients. */
public record LicenseRequest(String contentId, String clientId) {}
