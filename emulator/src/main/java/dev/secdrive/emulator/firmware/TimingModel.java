package dev.secdrive.emulator.firmware;

import dev.secdrive.profiles.Timing;

/**
 * Service times of one drive: load (spin-up) time, a seek when an access does not continue where
 * the previous one ended, and transfer time at the sustained rate.
 */
public final class TimingModel {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final TimingMode mode;
  private final Timing timing;
  private long headPosition = -1;

  public TimingModel(TimingMode mode, Timing timing) {
    this.mode = mode;
    this.timing = timing;
  }

  /** The spin-up time of a newly loaded medium. */
  public long loadNanos() {
    return mode == TimingMode.FAST ? 0 : timing.loadMillis() * NANOS_PER_MILLI;
  }

  /** Service time of a media access of {@code bytes} starting at block {@code lba}. */
  public long accessNanos(long lba, long blocks, long bytes, boolean write) {
    if (mode == TimingMode.FAST) {
      return 0;
    }
    long seek = lba == headPosition ? 0 : Math.round(timing.averageSeekMillis() * NANOS_PER_MILLI);
    headPosition = lba + blocks;
    double bytesPerSecond = (write ? timing.writeMBps() : timing.readMBps()) * 1e6;
    return seek + Math.round(bytes / bytesPerSecond * 1e9);
  }

  void mediumChanged() {
    headPosition = -1;
  }
}
