package dev.secdrive.host.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Where embodiment 2 of seed 004 (claims 8-13, FIG. 4-6) looks for the watermark: ranges of a given
 * number of sectors, each starting at a sector address drawn from a random number generator (claim
 * 9), examined only when the random value exceeds a threshold (claim 10).
 *
 * <p>One draw per stretch of {@code rangeSectors} sectors of the track (FIG. 6 S28: the check
 * repeats to the end of the data), so the ranges examined hold on average p times the track's
 * length of audio. They start anywhere and may overlap, so they cover less of it: about 1 - e^-p
 * (63% at p = 1). Sampling thins the detector's work; only FULL mode examines every sector. A draw
 * is a 64-bit value v: its lowest byte is the detection flag (FIG. 4's RA-1a), compared with the
 * threshold; the other 56 bits, reduced modulo the number of possible starts, give the range's
 * first sector. Positions are drawn fresh for every rip from the caller's generator (the ripper's
 * {@link java.security.SecureRandom}); tests and the benchmark pass a seeded one.
 */
public final class SampledRanges {

  /** The flag is the value's lowest byte, as FIG. 4 has it. */
  public static final int FLAG_VALUES = 256;

  /** A range of a track: its first sector, counted from the track's start, and its length. */
  public record Range(long offset, int sectors) {
    public Range {
      if (offset < 0 || sectors < 1) {
        throw new IllegalArgumentException("range at " + offset + " of " + sectors + " sectors");
      }
    }
  }

  private SampledRanges() {}

  /**
   * The claim-10 threshold that examines a draw with probability as close to {@code p} as the
   * flag's 256 values allow: a draw is examined when its flag exceeds the threshold, so threshold t
   * examines (255 - t) / 256 of the draws; -1 examines every draw.
   *
   * @throws IllegalArgumentException if p is not in (0, 1]
   */
  public static int threshold(double p) {
    if (!(p > 0 && p <= 1)) {
      throw new IllegalArgumentException("sampling probability " + p + " is not in (0, 1]");
    }
    long examined = Math.max(1, Math.round(p * FLAG_VALUES));
    return (int) (FLAG_VALUES - 1 - examined);
  }

  /** The probability with which threshold {@code t} examines a draw. */
  public static double probability(int threshold) {
    if (threshold < -1 || threshold > FLAG_VALUES - 2) {
      throw new IllegalArgumentException("threshold " + threshold + " outside -1..254");
    }
    return (FLAG_VALUES - 1 - threshold) / (double) FLAG_VALUES;
  }

  /** How many draws a track of {@code trackSectors} gets: one per stretch of a range's length. */
  public static int draws(long trackSectors, int rangeSectors) {
    requireSizes(trackSectors, rangeSectors);
    return (int) ((trackSectors + rangeSectors - 1) / rangeSectors);
  }

  /**
   * The ranges one rip examines (claims 9-10). A track no longer than one range is one range,
   * always examined. When no draw exceeds the threshold, one more draw is examined whatever its
   * flag: the ripper needs the payload at least once to know the copy control (its cost is one
   * range).
   */
  public static List<Range> draw(
      long trackSectors, int rangeSectors, int threshold, RandomGenerator random) {
    requireSizes(trackSectors, rangeSectors);
    probability(threshold);
    if (trackSectors <= rangeSectors) {
      return List.of(new Range(0, (int) trackSectors));
    }
    long starts = trackSectors - rangeSectors + 1;
    int draws = draws(trackSectors, rangeSectors);
    List<Range> out = new ArrayList<>();
    for (int i = 0; i < draws; i++) {
      long v = random.nextLong();
      int flag = (int) (v & 0xFF);
      if (flag > threshold) {
        out.add(new Range(Long.remainderUnsigned(v >>> 8, starts), rangeSectors));
      }
    }
    if (out.isEmpty()) {
      out.add(new Range(Long.remainderUnsigned(random.nextLong() >>> 8, starts), rangeSectors));
    }
    return List.copyOf(out);
  }

  /**
   * The probability that a rip misses a substituted stretch, analytically: each of the k draws is
   * examined with probability p and, when examined, catches the stretch with probability q (the
   * share of start addresses whose range the detector refuses), independently; so (1 - pq)^k, less
   * the forced draw's chance q(1 - p)^k of catching it when no draw was examined.
   */
  public static double missProbability(double p, double q, int draws) {
    return Math.pow(1 - p * q, draws) - q * Math.pow(1 - p, draws);
  }

  private static void requireSizes(long trackSectors, int rangeSectors) {
    if (trackSectors < 1) {
      throw new IllegalArgumentException("a track of " + trackSectors + " sectors");
    }
    if (rangeSectors < 1) {
      throw new IllegalArgumentException("a range of " + rangeSectors + " sectors");
    }
  }
}
