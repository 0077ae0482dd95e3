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

  /** The fault that fired in the command running now; the drive runs one command at a time. */
  private String fired;

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
      fired = "power-loss step=" + step;
      throw new PowerLoss(step);
    }
  }

  public List<Long> readErrors() {
    return List.copyOf(readErrors);
  }

  public List<Long> writeErrors() {
    return List.copyOf(writeErrors);
  }

  /** The first failing LBA in [lba, lba + blocks), or -1; a hit is the command's fault. */
  public long firstReadError(long lba, long blocks) {
    return fired("read-error", first(readErrors, lba, blocks));
  }

  /** The first LBA in [lba, lba + blocks) that fails to write, or -1; a hit is the fault. */
  public long firstWriteError(long lba, long blocks) {
    return fired("write-error", first(writeErrors, lba, blocks));
  }

  /**
   * The fault that fired since the last call ({@code read-error lba=2048}), or null; the firmware
   * takes it when a command ends, so each command's log line names its own.
   */
  public String takeFired() {
    String fault = fired;
    fired = null;
    return fault;
  }

  private long fired(String kind, long lba) {
    if (lba >= 0) {
      fired = kind + " lba=" + lba;
    }
    return lba;
  }

  private static long first(NavigableSet<Long> set, long lba, long blocks) {
    Long hit = set.ceiling(lba);
    return hit != null && hit < lba + blocks ? hit : -1;
  }
}
