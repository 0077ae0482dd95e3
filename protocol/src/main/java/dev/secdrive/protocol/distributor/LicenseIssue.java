package dev.secdrive.protocol.distributor;

/**
 * A license issued (S82-S85) or updated (S104): its serial, the SDLI for INSTALL LICENSE, and its
 * bill (absent when free).
 */
public record LicenseIssue(byte[] serial, String licenseId, byte[] license, Bill bill) {}
