package dev.secdrive.profiles;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A kind of medium a drive accepts.
 *
 * @param type identifier of the medium type, e.g. {@code mo-640}; the same identifier means the
 *     same geometry in every profile
 * @param description one line for people
 * @param blockSize logical block length in bytes: 512, 1024, 2048, 2352 or 4096
 * @param blockCount number of logical blocks, at least 1
 * @param pressed true for pressed (read-only) media, such as CD-ROM masters
 * @param mmcProfile in a multimedia drive (peripheral device type 05h), the MMC-6 profile the
 *     medium is (4.1.3, table 'Profile List'): {@code cd-rom} or {@code dvd-ram}; null elsewhere
 */
public record MediumType(
    String type,
    String description,
    int blockSize,
    long blockCount,
    boolean pressed,
    String mmcProfile) {

  /** The MMC-6 profiles a medium may name, and their profile numbers. */
  public static final Map<String, Integer> MMC_PROFILES =
      Map.of("cd-rom", 0x0008, "dvd-ram", 0x0012);

  /** The logical block lengths a medium may have. */
  public static final Set<Integer> BLOCK_SIZES = Set.of(512, 1024, 2048, 2352, 4096);

  static final Pattern IDENTIFIER = Pattern.compile("[a-z0-9][a-z0-9.-]{0,31}");

  public MediumType {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(description, "description");
    if (!IDENTIFIER.matcher(type).matches()) {
      throw new IllegalArgumentException("medium type '" + type + "' is not a valid identifier");
    }
    if (!BLOCK_SIZES.contains(blockSize)) {
      throw new IllegalArgumentException(
          "blockSize must be one of 512, 1024, 2048, 2352, 4096, was " + blockSize);
    }
    if (blockCount < 1) {
      throw new IllegalArgumentException("blockCount must be at least 1, was " + blockCount);
    }
    if (mmcProfile != null && !MMC_PROFILES.containsKey(mmcProfile)) {
      throw new IllegalArgumentException(
          "mmcProfile must be one of "
              + new TreeSet<>(MMC_PROFILES.keySet())
              + ", was '"
              + mmcProfile
              + "'");
    }
  }

  /** A medium of a drive that is not a multimedia device. */
  public MediumType(
      String type, String description, int blockSize, long blockCount, boolean pressed) {
    this(type, description, blockSize, blockCount, pressed, null);
  }

  /** The MMC-6 profile number of {@link #mmcProfile}, or 0000h (none) when it is null. */
  public int mmcProfileNumber() {
    return mmcProfile == null ? 0 : MMC_PROFILES.get(mmcProfile);
  }

  /** The capacity of the medium in bytes, {@code blockSize * blockCount}. */
  public long capacityBytes() {
    return Math.multiplyExact((long) blockSize, blockCount);
  }
}
