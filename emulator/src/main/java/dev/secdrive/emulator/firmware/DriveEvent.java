package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.Medium;

/** What can happen to a drive's loading mechanism. */
public sealed interface DriveEvent {

  /** A person puts a medium into the drive (control API). */
  record Insert(Medium medium) implements DriveEvent {}

  /** A person takes the medium out; {@code force} overrides a host's PREVENT (control API). */
  record Remove(boolean force) implements DriveEvent {}

  /** START STOP UNIT with LOEJ=1, START=0. */
  record Eject() implements DriveEvent {}

  /** START STOP UNIT with LOEJ=1, START=1. */
  record Load() implements DriveEvent {}

  /** START STOP UNIT with LOEJ=0, START=1. */
  record Start() implements DriveEvent {}

  /** START STOP UNIT with LOEJ=0, START=0. */
  record Stop() implements DriveEvent {}

  /** The load time has passed since the medium was loaded. */
  record SpinUpComplete() implements DriveEvent {}
}
