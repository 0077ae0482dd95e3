package dev.secdrive.kit.serial;

/**
 * What a noisy serial line does to the bytes crossing it, in each direction independently: the
 * fault relay of a loopback rig, and a fault script's line noise on the emulator's own ports, draw
 * it with a {@link LineNoiseStream}.
 *
 * @param bitErrorRate probability that a transmitted bit is inverted, each bit independently
 * @param dropRate probability that a byte is lost
 * @param duplicateRate probability that a byte (one not lost) is delivered twice
 * @param seed seeds the faults from a to b; b to a uses {@code seed + 1}
 */
public record LineNoise(double bitErrorRate, double dropRate, double duplicateRate, long seed) {

  /** A perfect line. */
  public static final LineNoise NONE = new LineNoise(0, 0, 0, 0);

  public LineNoise {
    checkRate("bit error rate", bitErrorRate);
    checkRate("drop rate", dropRate);
    checkRate("duplicate rate", duplicateRate);
  }

  /** The same faults with another seed. */
  public LineNoise withSeed(long newSeed) {
    return new LineNoise(bitErrorRate, dropRate, duplicateRate, newSeed);
  }

  private static void checkRate(String name, double rate) {
    if (!(rate >= 0 && rate <= 1)) { // also rejects NaN
      throw new IllegalArgumentException(name + " must be in [0, 1], not " + rate);
    }
  }
}
