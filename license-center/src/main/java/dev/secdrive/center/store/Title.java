package dev.secdrive.center.store;

import java.time.Instant;

/**
 * An entry of the contents identifier file.
 *
 * @param kd scheme 1: the title's key Kd as stored, sealed under a key derived from KM ({@code
 *     CenterKeys.sealTitleKey}; 32 bytes of Kd itself in rows written before keys were sealed);
 *     scheme 2: null (Ka is derived from KM)
 */
public record Title(
    String titleId, String name, int scheme, byte[] kd, long priceCents, Instant registeredAt) {}
