package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How blocks reach the user area of the loaded medium: with the injected write faults, the forced
 * write of FUA, and the drive's service time. WRITE(10)/(16) and the secure layer's user-area
 * writes (a BACKUP to the user area, CONVERT WRITE) all take this path, so a fault injected for a
 * WRITE applies to them too and the secure layer never calls back into the firmware.
 */
public final class UserArea implements SecureLayer.UserAreaWrites {

  private static final Logger log = LoggerFactory.getLogger(UserArea.class);

  private final int lun;
  private final Faults faults;
  private final TimingModel timing;
  private final LongConsumer service;
  private volatile boolean writeCache = true;

  /**
   * @param service adds to the running command's service time
   */
  public UserArea(int lun, Faults faults, TimingModel timing, LongConsumer service) {
    this.lun = lun;
    this.faults = faults;
    this.timing = timing;
    this.service = service;
  }

  /**
   * Whether the write cache is enabled (WCE of the Caching mode page, SBC-3 6.4.5): a GOOD write
   * then sits in the host's page cache until SYNCHRONIZE CACHE or FUA; when disabled every write
   * reaches the medium before GOOD, as if it had FUA. Enabled from power-on and after a reset.
   */
  public boolean writeCache() {
    return writeCache;
  }

  public void writeCache(boolean enabled) {
    writeCache = enabled;
  }

  /**
   * Writes whole blocks from {@code source} at {@code lba}, as WRITE does: an injected write error
   * stops the write before the failing block and answers MEDIUM ERROR 0C/00 naming it.
   *
   * @param fua force the blocks to the medium before GOOD, not only into the host's page cache
   */
  public void writeBlocks(Medium medium, long lba, ByteBuffer source, boolean fua)
      throws CheckCondition {
    write(
        medium,
        lba,
        source,
        fua,
        faults.firstWriteError(lba, source.remaining() / medium.blockSize()));
  }

  /**
   * Writes what {@link #writeBlocks} writes, {@code failing} being its first injected write error
   * (-1: none). A script's torn write or power loss at this write comes first: the blocks before
   * the tear reach the medium itself, then the power goes (no answer) or the write fails 0C/00
   * naming the first block not written.
   */
  private void write(Medium medium, long lba, ByteBuffer source, boolean fua, long failing)
      throws CheckCondition {
    int bytes = source.remaining();
    long blocks = bytes / medium.blockSize();
    Faults.WriteFault torn = faults.writing(lba, blocks);
    if (torn != null) {
      tear(medium, lba, source, torn);
    }
    if (failing >= 0) {
      source.limit(source.position() + (int) (failing - lba) * medium.blockSize());
    }
    try {
      medium.write(lba, source);
      if (fua || !writeCache) {
        medium.force();
      }
    } catch (IOException e) {
      log.error("LUN {}: writing medium {} at LBA {} failed", lun, medium.id(), lba, e);
      throw mediumError(AdditionalSense.WRITE_ERROR, lba);
    }
    if (failing >= 0) {
      throw mediumError(AdditionalSense.WRITE_ERROR, failing);
    }
    service.accept(timing.accessNanos(lba, blocks, bytes, true));
  }

  /**
   * Writes the blocks of a torn write that reach the medium, then fails it as {@code torn} says.
   */
  private void tear(Medium medium, long lba, ByteBuffer source, Faults.WriteFault torn)
      throws CheckCondition {
    if (torn.blocks() > 0) {
      ByteBuffer part = source.duplicate();
      part.limit(part.position() + (int) torn.blocks() * medium.blockSize());
      try {
        medium.write(lba, part);
        medium.force(); // what a torn write leaves is on the medium, not in a cache
      } catch (IOException e) {
        log.error("LUN {}: writing medium {} at LBA {} failed", lun, medium.id(), lba, e);
        throw mediumError(AdditionalSense.WRITE_ERROR, lba);
      }
    }
    if (torn.powerLoss()) {
      throw new PowerLoss(torn.description());
    }
    throw mediumError(AdditionalSense.WRITE_ERROR, lba + torn.blocks());
  }

  /**
   * MEDIUM ERROR with VALID set and the failing LBA in INFORMATION (DESIGN.md "SCSI semantics").
   */
  public static CheckCondition mediumError(AdditionalSense sense, long lba) {
    return new CheckCondition(SenseData.of(SenseKey.MEDIUM_ERROR, sense).withInformation(lba));
  }

  /**
   * The secure layer's user-area writes go the way of a WRITE, with its write faults and service
   * time; unlike a WRITE, a blob that would hit a failing block is refused before any of it is
   * written, since half a blob is of no use to anyone.
   */
  @Override
  public void check(Medium medium, long lba, long blocks) throws CheckCondition {
    long failing = faults.firstWriteError(lba, blocks);
    if (failing >= 0) {
      throw mediumError(AdditionalSense.WRITE_ERROR, failing);
    }
  }

  /**
   * Writes a blob the secure layer has {@link #check checked} first, as every flow does: the check
   * was the write's one access for the faults, so it is not looked up again here.
   */
  @Override
  public void write(Medium medium, long lba, ByteBuffer data) throws CheckCondition {
    write(medium, lba, data, true, -1);
  }
}
