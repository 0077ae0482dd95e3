package dev.secdrive.protocol.distributor;

/**
 * Preregistration of a drive (S11-S14): its certificate, a challenge of {@code POST
 * /clients/challenges} and the drive's registration proof (SDRP) of that challenge for this user
 * and distributor, which shows that the caller can use the drive whose public certificate it sends.
 */
public record ClientRequest(byte[] driveCertificate, byte[] challenge, byte[] proof) {}
