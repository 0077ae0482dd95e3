package dev.secdrive.kit.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvolutionalCodeTest {

  @Test
  void decodesTheCleanCodeword() {
    int[] bits = randomBits(74, 1);
    int[] coded = ConvolutionalCode.encode(bits);
    assertEquals((74 + 8) * 3, coded.length);
    assertArrayEquals(bits, ConvolutionalCode.decode(soft(coded, 0, new SplittableRandom(2)), 74));
  }

  @Test
  void correctsHardErrorsUpToHalfTheFreeDistanceSpreadOut() {
    int[] bits = randomBits(74, 3);
    int[] coded = ConvolutionalCode.encode(bits);
    double[] soft = soft(coded, 0, new SplittableRandom(4));
    // free distance 18: eight wrong coded bits far apart are corrected
    for (int i = 0; i < 8; i++) {
      soft[i * 30 + 5] = -soft[i * 30 + 5];
    }
    assertArrayEquals(bits, ConvolutionalCode.decode(soft, 74));
  }

  @Test
  void decodesUnderGaussianNoiseWhereHardDecisionsAreOftenWrong() {
    // Es/N0 = -1.1 dB (sigma 0.8): about 11% of the coded bits read wrong one by one.
    SplittableRandom random = new SplittableRandom(5);
    int wrongCoded = 0;
    for (int trial = 0; trial < 20; trial++) {
      int[] bits = randomBits(74, 100 + trial);
      int[] coded = ConvolutionalCode.encode(bits);
      double[] soft = soft(coded, 0.8, random);
      for (int c = 0; c < coded.length; c++) {
        wrongCoded += (soft[c] > 0 ? 1 : 0) != coded[c] ? 1 : 0;
      }
      assertArrayEquals(bits, ConvolutionalCode.decode(soft, 74), "trial " + trial);
    }
    assertEquals(0.106, wrongCoded / (20.0 * 246), 0.03);
  }

  private static double[] soft(int[] coded, double sigma, SplittableRandom random) {
    double[] soft = new double[coded.length];
    for (int c = 0; c < coded.length; c++) {
      double g =
          Math.sqrt(-2 * Math.log(random.nextDouble(1e-300, 1)))
              * Math.cos(2 * Math.PI * random.nextDouble());
      soft[c] = (2 * coded[c] - 1) + sigma * g;
    }
    return soft;
  }

  private static int[] randomBits(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] bits = new int[n];
    for (int i = 0; i < n; i++) {
      bits[i] = random.nextInt(2);
    }
    return bits;
  }
}
