package dev.secdrive.protocol.cd;

/**
 * A CD address in minutes, seconds and frames (1/75 s), binary as MMC-6 transfers it (BCD only in
 * the Q sub-channel, {@link QSubChannel}). LBA 0 is 00:02:00: the 150 frames of track 1's pregap
 * come first (MMC-6 4.2.3.4, table 17). Lead-in addresses, LBA -45150 to -151, are 90:00:00 to
 * 99:59:74.
 *
 * @param minute 0-99
 * @param second 0-59
 * @param frame 0-74
 */
public record Msf(int minute, int second, int frame) {

  public static final int FRAMES_PER_SECOND = 75;
  public static final int PREGAP_FRAMES = 150;
  private static final int FRAMES_PER_MINUTE = 60 * FRAMES_PER_SECOND;
  private static final long LEAD_IN_OFFSET = 450_150;

  /** The smallest LBA an MSF address can name, 90:00:00. */
  public static final long MINIMUM_LBA = 90L * FRAMES_PER_MINUTE - LEAD_IN_OFFSET;

  /** The largest LBA an MSF address below the lead-in range can name, 89:59:74. */
  public static final long MAXIMUM_LBA = 90L * FRAMES_PER_MINUTE - 1 - PREGAP_FRAMES;

  public Msf {
    if (minute < 0 || minute > 99 || second < 0 || second > 59 || frame < 0 || frame > 74) {
      throw new IllegalArgumentException(
          String.format(
              "MSF %d:%d:%d out of range (minute 0-99, second 0-59, frame 0-74)",
              minute, second, frame));
    }
  }

  /** Whether minute, second and frame are in range, without making an address. */
  public static boolean valid(int minute, int second, int frame) {
    return minute >= 0 && minute <= 99 && second >= 0 && second <= 59 && frame >= 0 && frame <= 74;
  }

  /** The address of {@code lba} (MMC-6 table 17); {@code lba} from -45150 to 404849. */
  public static Msf fromLba(long lba) {
    if (lba < MINIMUM_LBA || lba > MAXIMUM_LBA) {
      throw new IllegalArgumentException("LBA " + lba + " has no MSF address");
    }
    long frames = lba >= -PREGAP_FRAMES ? lba + PREGAP_FRAMES : lba + LEAD_IN_OFFSET;
    return ofFrames(frames);
  }

  /** A duration or track-relative address of {@code frames} frames, without the pregap. */
  public static Msf ofFrames(long frames) {
    if (frames < 0 || frames >= 100L * FRAMES_PER_MINUTE) {
      throw new IllegalArgumentException(frames + " frames do not fit an MSF address");
    }
    return new Msf(
        (int) (frames / FRAMES_PER_MINUTE),
        (int) (frames / FRAMES_PER_SECOND % 60),
        (int) (frames % FRAMES_PER_SECOND));
  }

  /** Frames from 00:00:00. */
  public long frames() {
    return (long) minute * FRAMES_PER_MINUTE + second * FRAMES_PER_SECOND + frame;
  }

  /** The LBA of this address (MMC-6 table 17). */
  public long toLba() {
    return minute >= 90 ? frames() - LEAD_IN_OFFSET : frames() - PREGAP_FRAMES;
  }

  /** The 4-byte address field of MMC-6 responses with MSF set: 00h, M, S, F. */
  public int toAddressField() {
    return minute << 16 | second << 8 | frame;
  }

  /** Reads a 4-byte MSF address field (byte 0 reserved). */
  public static Msf fromAddressField(int field) {
    return new Msf(field >>> 16 & 0xFF, field >>> 8 & 0xFF, field & 0xFF);
  }

  @Override
  public String toString() {
    return String.format("%02d:%02d:%02d", minute, second, frame);
  }
}
