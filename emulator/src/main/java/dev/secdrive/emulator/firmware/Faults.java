package dev.secdrive.emulator.firmware;

import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Media errors on demand: LBAs that fail to read (MEDIUM ERROR 11/00) or to write (MEDIUM ERROR
 * 0C/00), for testing how a host copes. The sense's INFORMATION field names the failing LBA.
 */
public final class Faults {

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
  }

  public List<Long> readErrors() {
    return List.copyOf(readErrors);
  }

  public List<Long> writeErrors() {
    return List.copyOf(writeErrors);
  }

  /** The first failing LBA in [lba, lba + blocks), or -1. */
  long firstReadError(long lba, long blocks) {
    return first(readErrors, lba, blocks);
  }

  long firstWriteError(long lba, long blocks) {
    return first(writeErrors, lba, blocks);
  }

  private static long first(NavigableSet<Long> set, long lba, long blocks) {
    Long hit = set.ceiling(lba);
    return hit != null && hit < lba + blocks ? hit : -1;
  }
}
