package dev.secdrive.emulator.firmware;

/**
 * A snapshot of one drive, as the control API reports it.
 *
 * @param mediumId the medium in the drive (loaded or in the open tray), or null
 * @param commands commands executed since start
 */
public record DriveStatus(
    int lun,
    String profile,
    String deviceId,
    DriveState state,
    String mediumId,
    boolean writeProtected,
    boolean removalPrevented,
    long commands) {}
