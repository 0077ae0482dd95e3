package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampledRangesTest {

  @Test
  void thresholdsFollowTheFlagByte() {
    assertEquals(-1, SampledRanges.threshold(1.0));
    assertEquals(1.0, SampledRanges.probability(-1));
    assertEquals(127, SampledRanges.threshold(0.5));
    assertEquals(0.5, SampledRanges.probability(127));
    // 0.1 * 256 = 25.6, so 26 of the 256 flag values examine: threshold 229
    assertEquals(229, SampledRanges.threshold(0.1));
    assertEquals(26 / 256.0, SampledRanges.probability(229));
    // the smallest p still examines one flag value in 256
    assertEquals(254, SampledRanges.threshold(0.0001));
    assertThrows(IllegalArgumentException.class, () -> SampledRanges.threshold(0));
    assertThrows(IllegalArgumentException.class, () -> SampledRanges.threshold(1.01));
    assertThrows(IllegalArgumentException.class, () -> SampledRanges.threshold(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> SampledRanges.probability(255));
  }

  @Test
  void oneDrawPerStretchOfARange() {
    assertEquals(10, SampledRanges.draws(1000, 100));
    assertEquals(11, SampledRanges.draws(1001, 100));
    assertEquals(1, SampledRanges.draws(50, 100));
  }

  @Test
  void rangesLieInsideTheTrackAndTheirShareFollowsP() {
    SplittableRandom random = new SplittableRandom(42);
    int threshold = SampledRanges.threshold(0.25);
    long examined = 0;
    long draws = 0;
    for (int rip = 0; rip < 2000; rip++) {
      List<SampledRanges.Range> ranges = SampledRanges.draw(2250, 150, threshold, random);
      assertTrue(!ranges.isEmpty(), "at least one range is examined");
      for (SampledRanges.Range r : ranges) {
        assertEquals(150, r.sectors());
        assertTrue(r.offset() >= 0 && r.offset() + r.sectors() <= 2250, "inside: " + r);
      }
      examined += ranges.size();
      draws += SampledRanges.draws(2250, 150);
    }
    // 15 draws a rip, p = 0.25: about 3.75 ranges a rip (plus the rare forced one)
    double share = examined / (double) draws;
    assertTrue(Math.abs(share - 0.25) < 0.02, "share examined " + share);
  }

  @Test
  void positionsAreDrawnFreshForEveryRip() {
    SplittableRandom random = new SplittableRandom(1);
    List<SampledRanges.Range> first = SampledRanges.draw(100_000, 100, -1, random);
    List<SampledRanges.Range> second = SampledRanges.draw(100_000, 100, -1, random);
    assertEquals(1000, first.size());
    assertTrue(!first.equals(second));
  }

  @Test
  void aShortTrackIsOneRangeAlwaysExamined() {
    assertEquals(
        List.of(new SampledRanges.Range(0, 40)),
        SampledRanges.draw(40, 100, 254, new SplittableRandom(3)));
  }

  @Test
  void startsAreUniformOverEveryPossibleStart() {
    SplittableRandom random = new SplittableRandom(9);
    int[] counts = new int[11];
    for (int i = 0; i < 22_000; i++) {
      for (SampledRanges.Range r : SampledRanges.draw(20, 10, -1, random)) {
        counts[(int) r.offset()]++;
      }
    }
    for (int c : counts) {
      assertTrue(Math.abs(c - 4000) < 300, "start counts " + java.util.Arrays.toString(counts));
    }
  }

  @Test
  void analyticMissProbabilityMatchesASimulation() {
    // A stretch caught by a third of the starts, p = 0.2, 12 draws.
    double p = SampledRanges.probability(SampledRanges.threshold(0.2));
    double q = 1 / 3.0;
    SplittableRandom random = new SplittableRandom(5);
    int trials = 40_000;
    int missed = 0;
    int threshold = SampledRanges.threshold(0.2);
    for (int t = 0; t < trials; t++) {
      boolean caught = false;
      for (SampledRanges.Range r : SampledRanges.draw(12 * 30, 30, threshold, random)) {
        // starts 0..330; the stretch is caught by starts in [0, 110)
        caught |= r.offset() < 331 / 3.0;
      }
      missed += caught ? 0 : 1;
    }
    double measured = missed / (double) trials;
    double analytic = SampledRanges.missProbability(p, 110 / 331.0, 12);
    assertTrue(
        Math.abs(measured - analytic) < 0.01, "measured " + measured + ", analytic " + analytic);
    assertTrue(analytic > 0.05 && analytic < 0.5, "a probability worth measuring: " + analytic);
    assertEquals(
        Math.pow(1 - p * q, 12) - q * Math.pow(1 - p, 12), SampledRanges.missProbability(p, q, 12));
  }
}
