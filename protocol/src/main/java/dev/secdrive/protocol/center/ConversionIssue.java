package dev.secdrive.protocol.center;

/**
 * The answer to a {@link ConversionRequest}: the grant sealed to the drive, and the copy's bill.
 */
public record ConversionIssue(
    long serial, String deviceId, byte[] grant, BillInfo bill, boolean reissued) {}
