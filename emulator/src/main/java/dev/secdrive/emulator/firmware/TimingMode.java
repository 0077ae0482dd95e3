package dev.secdrive.emulator.firmware;

/** How long commands take. */
public enum TimingMode {
  /** Every command completes at once; media load instantly. For tests and CI. */
  FAST,
  /** The profile's load time, average seek time and sustained transfer rates. */
  REALISTIC
}
