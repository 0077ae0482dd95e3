package dev.secdrive.protocol.distributor;

/** {@code POST /clients} (S11): the drive's certificate (SDCT, role DRIVE, from the authority). */
public record ClientRequest(byte[] driveCertificate) {}
