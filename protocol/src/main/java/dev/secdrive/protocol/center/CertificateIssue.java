package dev.secdrive.protocol.center;

/**
 * The answer to a {@link CertificateRequest}: the copy certificate, Kd sealed to the user key, the
 * copy's bill, and whether this is a copy the user already had (API.md "Issuing is idempotent").
 */
public record CertificateIssue(
    long serial, byte[] copyCertificate, byte[] sealedKey, BillInfo bill, boolean reissued) {}
