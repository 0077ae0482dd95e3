package dev.secdrive.protocol.distributor;

/**
 * The new client (S12-S14): its ID, its leaf in the distributor's category, the drive it is for,
 * and the service data (SDSV) sealed to that drive, for REGISTER CLIENT.
 */
public record ClientRegistration(
    String clientId, long leafId, String deviceId, byte[] clientPublicKey, byte[] serviceData) {}
