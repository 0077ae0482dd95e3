package dev.secdrive.protocol.distributor;

/**
 * {@code POST /copies} (S121-S131): a contents copy certificate for the content of the license
 * {@code licenseSerial} (held by client A), to the user's client {@code destinationClientId}.
 */
public record CopyRequest(byte[] licenseSerial, String destinationClientId) {}
