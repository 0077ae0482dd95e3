package dev.secdrive.profiles;

/**
 * How fast a drive is. MB means 10^6 bytes.
 *
 * @param loadMillis time from medium insertion to ready, in milliseconds, at least 0
 * @param averageSeekMillis average seek time in milliseconds, at least 0
 * @param readMBps sustained read rate in MB per second, more than 0
 * @param writeMBps sustained write rate in MB per second, more than 0 (a read-only drive may give
 *     the read rate here)
 */
public record Timing(int loadMillis, double averageSeekMillis, double readMBps, double writeMBps) {

  public Timing {
    if (loadMillis < 0) {
      throw new IllegalArgumentException("loadMillis must be at least 0, was " + loadMillis);
    }
    if (!Double.isFinite(averageSeekMillis) || averageSeekMillis < 0) {
      throw new IllegalArgumentException(
          "averageSeekMillis must be at least 0, was " + averageSeekMillis);
    }
    if (!Double.isFinite(readMBps) || readMBps <= 0) {
      throw new IllegalArgumentException("readMBps must be more than 0, was " + readMBps);
    }
    if (!Double.isFinite(writeMBps) || writeMBps <= 0) {
      throw new IllegalArgumentException("writeMBps must be more than 0, was " + writeMBps);
    }
  }
}
