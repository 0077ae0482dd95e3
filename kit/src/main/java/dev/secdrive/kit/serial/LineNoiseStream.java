package dev.secdrive.kit.serial;

import java.util.SplittableRandom;

/**
 * The noise of one direction of a line, at the rates of a {@link LineNoise}. Rather than drawing a
 * random number per bit or byte, it draws the distance to the next fault from the geometric
 * distribution and copies everything up to there untouched, so a low rate costs next to nothing.
 * The distances carry over from one call to the next, which makes the faults depend on the stream,
 * not on how it was split into reads.
 */
public final class LineNoiseStream {

  private final SplittableRandom flipRandom;
  private final SplittableRandom dropRandom;
  private final SplittableRandom duplicateRandom;
  private final Geometric flip;
  private final Geometric drop;
  private final Geometric duplicate;

  /** Input bytes to pass before the next dropped one. */
  private long untilDrop;

  /** Delivered input bytes to pass before the next duplicated one. */
  private long untilDuplicate;

  /** Output bits to pass before the next flipped one. */
  private long untilFlip;

  private volatile long bitsFlipped;
  private volatile long bytesDropped;
  private volatile long bytesDuplicated;

  /** The noise of {@code faults} drawn from {@code seed}: the same seed, the same noise. */
  public LineNoiseStream(LineNoise faults, long seed) {
    // One generator for the direction, split into a stream per kind of fault: drawn from a
    // single stream, the order of the draws (and so the faults) would depend on where the reads
    // split the input.
    SplittableRandom random = new SplittableRandom(seed);
    this.flipRandom = random.split();
    this.dropRandom = random.split();
    this.duplicateRandom = random.split();
    this.flip = new Geometric(faults.bitErrorRate());
    this.drop = new Geometric(faults.dropRate());
    this.duplicate = new Geometric(faults.duplicateRate());
    this.untilDrop = drop.next(dropRandom);
    this.untilDuplicate = duplicate.next(duplicateRandom);
    this.untilFlip = flip.next(flipRandom);
  }

  /**
   * Copies {@code n} bytes of {@code in} to {@code out} (which must hold {@code 2 * n}) with drops,
   * duplicates and bit errors applied; returns the number of bytes in {@code out}.
   */
  public int apply(byte[] in, int n, byte[] out) {
    int i = 0;
    int o = 0;
    long dropped = 0;
    long duplicated = 0;
    while (true) {
      int run = (int) Math.min(n - i, Math.min(untilDrop, untilDuplicate));
      System.arraycopy(in, i, out, o, run);
      i += run;
      o += run;
      untilDrop -= run;
      untilDuplicate -= run;
      if (i == n) {
        break;
      }
      if (untilDrop == 0) {
        i++;
        dropped++;
        untilDrop = drop.next(dropRandom);
      } else { // untilDuplicate == 0
        out[o++] = in[i];
        out[o++] = in[i];
        i++;
        duplicated++;
        untilDrop--;
        untilDuplicate = duplicate.next(duplicateRandom);
      }
    }

    long bits = 8L * o;
    long flipped = 0;
    long bit = untilFlip;
    while (bit < bits) {
      out[(int) (bit >>> 3)] ^= (byte) (1 << (bit & 7));
      flipped++;
      bit += 1 + flip.next(flipRandom);
      if (bit < 0) { // overflowed: a rate so low the next flip never comes
        bit = Long.MAX_VALUE;
      }
    }
    untilFlip = bit == Long.MAX_VALUE ? bit : bit - bits;

    bitsFlipped += flipped;
    bytesDropped += dropped;
    bytesDuplicated += duplicated;
    return o;
  }

  /** Bits inverted so far. */
  public long bitsFlipped() {
    return bitsFlipped;
  }

  /** Bytes lost so far. */
  public long bytesDropped() {
    return bytesDropped;
  }

  /** Bytes delivered twice so far. */
  public long bytesDuplicated() {
    return bytesDuplicated;
  }

  /**
   * The number of successes before the first failure in Bernoulli trials that fail with probability
   * {@code p}: {@code floor(ln U / ln(1 - p))} for U uniform in (0, 1].
   */
  static final class Geometric {

    private final double p;
    private final double logOneMinusP;

    Geometric(double p) {
      this.p = p;
      this.logOneMinusP = Math.log1p(-p);
    }

    /** The gap to the next event; {@link Long#MAX_VALUE} (never) when p is 0. */
    long next(SplittableRandom random) {
      if (p <= 0) {
        return Long.MAX_VALUE;
      }
      if (p >= 1) {
        return 0;
      }
      double u = 1.0 - random.nextDouble(); // (0, 1], so the log is finite
      double gap = Math.floor(Math.log(u) / logOneMinusP);
      return gap >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) gap;
    }
  }
}
