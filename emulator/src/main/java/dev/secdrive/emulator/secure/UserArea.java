package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flows' access to the user area of the loaded medium: title headers and backup blobs. Reads go
 * to the medium; writes go through the {@link SecureLayer.UserAreaWrites} port, the way a WRITE
 * goes, so that injected write faults apply to them too.
 */
final class UserArea {

  private static final Logger log = LoggerFactory.getLogger(UserArea.class);

  private final String deviceId;
  private final SecureLayer.UserAreaWrites writes;

  /**
   * @param writes the firmware's user-area writes; null writes the medium directly (no faults)
   */
  UserArea(String deviceId, SecureLayer.UserAreaWrites writes) {
    this.deviceId = deviceId;
    this.writes = writes != null ? writes : new DirectWrites();
  }

  /** User-area writes without injected faults. */
  private final class DirectWrites implements SecureLayer.UserAreaWrites {
    @Override
    public void check(Medium medium, long lba, long blocks) {}

    @Override
    public void write(Medium medium, long lba, ByteBuffer data) throws CheckCondition {
      try {
        medium.write(lba, data);
        medium.force();
      } catch (IOException e) {
        log.error("drive {}: writing medium {} at LBA {} failed", deviceId, medium.id(), lba, e);
        throw new CheckCondition(
            SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR).withInformation(lba));
      }
    }
  }

  /** Reads whole blocks at {@code lba}; 03/11/00 with INFORMATION = the LBA if the medium fails. */
  void read(Medium medium, long lba, ByteBuffer into) throws CheckCondition {
    try {
      medium.read(lba, into);
    } catch (IOException e) {
      log.error("drive {}: reading medium {} at LBA {} failed", deviceId, medium.id(), lba, e);
      throw new CheckCondition(
          SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
              .withInformation(lba));
    }
  }

  /** See {@link SecureLayer.UserAreaWrites#check}. */
  void check(Medium medium, long lba, long blocks) throws CheckCondition {
    writes.check(medium, lba, blocks);
  }

  /** See {@link SecureLayer.UserAreaWrites#write}. */
  void write(Medium medium, long lba, ByteBuffer data) throws CheckCondition {
    writes.write(medium, lba, data);
  }

  /** A write-protected medium refuses every flow that writes (07/27/00). */
  static void requireWritable(Medium medium) throws CheckCondition {
    if (medium.metadata().readOnly()) {
      throw CheckCondition.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    }
  }

  /** Blocks outside the medium, or outside the title, are refused as a READ past the end is. */
  static CheckCondition lbaOutOfRange() {
    return CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
  }
}
