package dev.secdrive.emulator.media;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * What {@code medium.json} holds: the medium's identity and geometry.
 *
 * @param format metadata format version, {@link #FORMAT}
 * @param id the medium ID, written at manufacture (the ID area)
 * @param type the medium type, as the drive profiles name it
 * @param blockSize bytes per logical block
 * @param blockCount logical blocks in the user area
 * @param secureAreaBytes size of the secure area
 * @param pressed a pressed (read-only) medium, such as a CD-ROM master
 * @param writeProtected the write-protect tab
 * @param label the text printed on the medium's label
 * @param created when the medium was made
 */
public record MediumMetadata(
    int format,
    String id,
    String type,
    int blockSize,
    long blockCount,
    int secureAreaBytes,
    boolean pressed,
    boolean writeProtected,
    String label,
    Instant created) {

  public static final int FORMAT = 1;

  /** Medium IDs: 1-32 characters, letters, digits, '.', '_' and '-', starting alphanumeric. */
  public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  public MediumMetadata {
    if (format != FORMAT) {
      throw new IllegalArgumentException("unsupported medium format " + format);
    }
    checkId(id);
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("medium type missing");
    }
    if (blockSize <= 0 || Integer.bitCount(blockSize) != 1 && blockSize != 2352) {
      throw new IllegalArgumentException("bad block size " + blockSize);
    }
    if (blockCount <= 0) {
      throw new IllegalArgumentException("bad block count " + blockCount);
    }
    if (secureAreaBytes < 0) {
      throw new IllegalArgumentException("bad secure area size " + secureAreaBytes);
    }
    if (label == null) {
      label = "";
    }
    if (created == null) {
      throw new IllegalArgumentException("creation time missing");
    }
  }

  /** Throws IllegalArgumentException naming the problem if {@code id} is not a valid medium ID. */
  public static String checkId(String id) {
    if (id == null || !ID_PATTERN.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "invalid medium ID '"
              + id
              + "': use 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return id;
  }

  public long capacityBytes() {
    return blockSize * blockCount;
  }

  /** Whether writes are refused: pressed, or the write-protect tab is set. */
  public boolean readOnly() {
    return pressed || writeProtected;
  }

  public MediumMetadata withWriteProtected(boolean writeProtected) {
    return new MediumMetadata(
        format,
        id,
        type,
        blockSize,
        blockCount,
        secureAreaBytes,
        pressed,
        writeProtected,
        label,
        created);
  }
}
