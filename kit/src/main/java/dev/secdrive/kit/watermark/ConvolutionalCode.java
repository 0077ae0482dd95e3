package dev.secdrive.kit.watermark;

import java.util.Arrays;

/**
 * The rate-1/3, constraint-length-9 convolutional code of IS-95 (generators 557, 663, 711 octal,
 * free distance 18), terminated with 8 zero tail bits, and its soft-decision Viterbi decoder. The
 * decoder takes one correlation per coded bit (positive for 1) and returns the input bits of the
 * codeword with the largest total correlation, which is maximum likelihood for Gaussian noise and
 * needs no estimate of the noise's scale.
 */
final class ConvolutionalCode {

  static final int CONSTRAINT = 9;
  static final int RATE = 3;
  private static final int[] GENERATORS = {0557, 0663, 0711};
  private static final int STATES = 1 << (CONSTRAINT - 1);

  private ConvolutionalCode() {}

  /** Coded bits for {@code inputBits} input bits, tail included. */
  static int codedLength(int inputBits) {
    return (inputBits + CONSTRAINT - 1) * RATE;
  }

  static int[] encode(int[] bits) {
    int[] out = new int[codedLength(bits.length)];
    int state = 0;
    for (int t = 0; t < bits.length + CONSTRAINT - 1; t++) {
      int bit = t < bits.length ? bits[t] : 0;
      int register = (state << 1) | bit;
      for (int g = 0; g < RATE; g++) {
        out[t * RATE + g] = Integer.bitCount(register & GENERATORS[g]) & 1;
      }
      state = register & (STATES - 1);
    }
    return out;
  }

  /**
   * The input bits whose codeword correlates best with {@code soft}.
   *
   * @param soft {@link #codedLength}({@code inputBits}) values, positive where a 1 is likelier
   */
  static int[] decode(double[] soft, int inputBits) {
    int steps = inputBits + CONSTRAINT - 1;
    // The branch metric of the 2^RATE output patterns at each step, and each register's pattern.
    int[] pattern = new int[2 * STATES];
    for (int register = 0; register < 2 * STATES; register++) {
      int p = 0;
      for (int g = 0; g < RATE; g++) {
        p = (p << 1) | (Integer.bitCount(register & GENERATORS[g]) & 1);
      }
      pattern[register] = p;
    }
    double[] metric = new double[STATES];
    double[] next = new double[STATES];
    Arrays.fill(metric, Double.NEGATIVE_INFINITY);
    metric[0] = 0;
    byte[][] survivor = new byte[steps][STATES];
    double[] branch = new double[1 << RATE];
    for (int t = 0; t < steps; t++) {
      for (int p = 0; p < branch.length; p++) {
        double m = 0;
        for (int g = 0; g < RATE; g++) {
          double s = soft[t * RATE + g];
          m += ((p >> (RATE - 1 - g)) & 1) == 1 ? s : -s;
        }
        branch[p] = m;
      }
      boolean tail = t >= inputBits;
      for (int state = 0; state < STATES; state++) {
        int bit = state & 1;
        if (tail && bit == 1) {
          next[state] = Double.NEGATIVE_INFINITY;
          continue;
        }
        int a = state >> 1;
        int b = a | (STATES >> 1);
        double ma = metric[a] + branch[pattern[(a << 1) | bit]];
        double mb = metric[b] + branch[pattern[(b << 1) | bit]];
        if (ma >= mb) {
          next[state] = ma;
          survivor[t][state] = 0;
        } else {
          next[state] = mb;
          survivor[t][state] = 1;
        }
      }
      double[] swap = metric;
      metric = next;
      next = swap;
    }
    int[] bits = new int[inputBits];
    int state = 0;
    for (int t = steps - 1; t >= 0; t--) {
      if (t < inputBits) {
        bits[t] = state & 1;
      }
      state = (state >> 1) | (survivor[t][state] << (CONSTRAINT - 2));
    }
    return bits;
  }
}
