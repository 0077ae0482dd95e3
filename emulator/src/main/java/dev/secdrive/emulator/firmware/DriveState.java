package dev.secdrive.emulator.firmware;

/** States of a drive's loading mechanism. */
public enum DriveState {
  /** Tray closed (or slot empty), no medium. */
  NO_MEDIUM,
  /** Tray open or medium ejected; a medium may sit in the tray, but it is not loaded. */
  TRAY_OPEN,
  /** A medium is loaded and spinning up: NOT READY, 04/01. */
  BECOMING_READY,
  /** A medium is loaded and ready for media access. */
  READY,
  /** The medium is loaded but stopped (START STOP UNIT with START=0): NOT READY, 04/02. */
  STOPPED
}
