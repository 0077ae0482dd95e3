package dev.secdrive.host.api;

/**
 * The medium's size from READ CAPACITY.
 *
 * @param lastLba the last logical block address
 * @param blockSize bytes per logical block
 */
public record Capacity(long lastLba, int blockSize) {

  public long blocks() {
    return lastLba + 1;
  }

  public long bytes() {
    return blocks() * blockSize;
  }
}
