package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.media.WriteSteps;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Faults on demand: LBAs that fail to read (MEDIUM ERROR 11/00) or to write (MEDIUM ERROR 0C/00),
 * for testing how a host copes (the sense's INFORMATION field names the failing LBA); and a power
 * loss at a named internal step of a secure-layer operation, for proving crash safety.
 */
public final class Faults implements WriteSteps {

  private volatile String powerLossAtStep;

  private final NavigableSet<Long> readErrors = new ConcurrentSkipListSet<>();
  private final NavigableSet<Long> writeErrors = new ConcurrentSkipListSet<>();

  public void addReadError(long lba) {
    readErrors.add(lba);
  }

  public void addWriteError(long lba) {
    writeErrors.add(lba);
  }

  public void clear() {
    readErrors.clear();
    writeErrors.clear();
    powerLossAtStep = null;
  }

  /**
   * Cuts the power when the drive reaches {@code step} (one of the secure layer's step names, e.g.
   * {@code restore:secure-area-renamed}); null disarms it.
   */
  public void setPowerLossAtStep(String step) {
    this.powerLossAtStep = step;
  }

  /** The armed power-loss step, or null. */
  public String powerLossAtStep() {
    return powerLossAtStep;
  }

  /**
   * @throws PowerLoss if the power loss is armed for {@code step}; it fires once
   */
  @Override
  public void reached(String step) {
    String armed = powerLossAtStep;
    if (armed != null && armed.equals(step)) {
      powerLossAtStep = null;
      throw new PowerLoss(step);
    }
  }

  public List<Long> readErrors() {
    return List.copyOf(readErrors);
  }

  public List<Long> writeErrors() {
    return List.copyOf(writeErrors);
  }

  /** The first failing LBA in [lba, lba + blocks), or -1. */
  public long firstReadError(long lba, long blocks) {
    return first(readErrors, lba, blocks);
  }

  /** The first LBA in [lba, lba + blocks) that fails to write, or -1. */
  public long firstWriteError(long lba, long blocks) {
    return first(writeErrors, lba, blocks);
  }

  private static long first(NavigableSet<Long> set, long lba, long blocks) {
    Long hit = set.ceiling(lba);
    return hit != null && hit < lba + blocks ? hit : -1;
  }
}
