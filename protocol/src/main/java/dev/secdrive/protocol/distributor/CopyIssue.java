package dev.secdrive.protocol.distributor;

/**
 * A contents copy certificate (S135-S141): its serial, the SDCC for STORE CERTIFICATE on client A,
 * the serial of the license for client B inside it, and its bill (absent when free).
 */
public record CopyIssue(byte[] serial, byte[] certificate, byte[] destinationLicense, Bill bill) {}
