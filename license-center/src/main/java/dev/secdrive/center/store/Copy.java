package dev.secdrive.center.store;

import java.time.Instant;

/**
 * An issued copy: a copy certificate (scheme 1) or a conversion grant (scheme 2).
 *
 * @param deviceId the target drive the copy was issued to (null only for copies recorded before the
 *     drive was)
 */
public record Copy(
    long serial,
    String userId,
    String titleId,
    String mediumId,
    String deviceId,
    int scheme,
    Instant issuedAt) {}
