package dev.secdrive.protocol.distributor;

/**
 * A registration challenge (before S11), for the drive to sign in its registration proof: issued to
 * {@code userId}, good until {@code expiresAt} (ISO-8601), opaque to the client.
 */
public record RegistrationChallenge(String userId, byte[] challenge, String expiresAt) {}
