package dev.secdrive.protocol.center;

/**
 * The answer to a {@link CertificateRequest}: the copy certificate (Kd inside it, sealed to the
 * target drive), the copy's bill, and whether this is a copy the user already had (API.md "Issuing
 * is idempotent").
 */
public record CertificateIssue(
    long serial, byte[] copyCertificate, BillInfo bill, boolean reissued) {}
