package dev.secdrive.host.flow;

/**
 * Told how far a long transfer has come, from the calling thread, so a command line can draw a bar.
 */
@FunctionalInterface
public interface Progress {

  /** Ignores everything. */
  Progress NONE = (done, total) -> {};

  /**
   * @param done bytes transferred so far
   * @param total bytes to transfer in all
   */
  void update(long done, long total);
}
