package dev.secdrive.kit.watermark;

import dev.secdrive.kit.audio.Pcm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The keyed, blind audio watermark of CD audio (issue 13 item 3; seed 004, the watermark that the
 * first rip of embodiment 1 detects and that embodiment 2 samples). WATERMARK.md in this module
 * gives the design and the measured figures; in short:
 *
 * <ul>
 *   <li>The audio is cut into frames of {@value #FRAME_SIZE} samples on a grid from the track's
 *       first sample, Hann-windowed. Bins {@value #FIRST_BIN} to {@value #LAST_BIN} of each frame's
 *       spectrum (689 Hz to 11.7 kHz) form groups of {@value #GROUP} adjacent bins, paired under
 *       the key into {@value #PAIRS} pairs of nearby groups; a pair carries a sign by raising one
 *       group's magnitudes and lowering the other's (patchwork), both channels alike. Each frame's
 *       mark is scaled to {@value #TARGET_SNR} dB below the frame.
 *   <li>{@value #SYNC_PAIRS} pairs of every frame carry a keyed pseudo-random sync pattern; the
 *       others carry the payload's 74 bits (state, identifier, CRC-24) coded with a rate-1/3
 *       constraint-9 convolutional code, each coded bit spread over 27 pairs in frames all over a
 *       block of {@value #BLOCK_FRAMES} frames, and scrambled under the key.
 *   <li>The block repeats unchanged for the whole track, so any stretch of it holds every coded
 *       bit; a stretch shorter than a block holds a part of every coded bit's pairs, and decodes if
 *       the part is large enough.
 *   <li>Detection searches the frame grid (every {@value #SEARCH_STEP} samples) and the position in
 *       the block (all {@value #BLOCK_FRAMES}) for the sync pattern, decodes the best few positions
 *       whose sync score reaches {@value #SYNC_THRESHOLD} standard deviations with soft-decision
 *       Viterbi, and accepts a decode only if its CRC-24 matches.
 *   <li>Verification ({@link #verify(Pcm, Detection)}) checks every stretch of {@link
 *       #SEGMENT_FRAMES} of an excerpt against a payload and alignment already found, so that a
 *       spliced stretch of unmarked audio shows where the whole-excerpt decode would pass it.
 * </ul>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class Watermark {

  /** Samples per frame. */
  public static final int FRAME_SIZE = 1024;

  /** The lowest marked bin (689 Hz at 44.1 kHz). */
  public static final int FIRST_BIN = 16;

  /** Marked bins per frame. */
  public static final int BINS = 256;

  /** The highest marked bin (11.7 kHz). */
  public static final int LAST_BIN = FIRST_BIN + BINS - 1;

  /**
   * Adjacent bins that are raised or lowered together: the analysis window spreads each bin's
   * change over its neighbours, which then agree with it.
   */
  public static final int GROUP = 4;

  /** Groups of bins per frame. */
  public static final int GROUPS = BINS / GROUP;

  /** Group pairs per frame. */
  public static final int PAIRS = GROUPS / 2;

  /** Pairs per frame that carry the sync pattern. */
  public static final int SYNC_PAIRS = 6;

  /** Pairs per frame that carry the payload. */
  public static final int DATA_PAIRS = PAIRS - SYNC_PAIRS;

  /** Frames in the block that repeats through the track. */
  public static final int BLOCK_FRAMES = 256;

  /** Nearby bins among which pairs are drawn: a pair never spans more than this. */
  static final int SUBBAND = 4;

  /** The frame-grid search step of detection, in samples. */
  public static final int SEARCH_STEP = 32;

  /** The sync score (standard deviations of unmarked audio) a candidate must reach. */
  public static final double SYNC_THRESHOLD = 5.0;

  /** How many sync candidates above the threshold are decoded, best first. */
  static final int CANDIDATES = 6;

  /** The change of a bin's log magnitude every marked bin gets, at least. */
  static final double BASE_STRENGTH = 0.04;

  /** The further change per neper a bin lies below the frame's loudest marked bin. */
  static final double RELATIVE_STRENGTH = 0.03;

  /**
   * The level, relative to a frame's loudest bin, to which a raised bin below it is filled (at
   * least {@link #FILL_FLOOR}).
   */
  static final double FILL = 1e-3;

  /**
   * The signal-to-noise ratio, in dB, each frame's mark is scaled to (never above {@link
   * #MAX_BOOST} times its strength from the rules above): the frame's whole-band energy against the
   * mark's.
   */
  static final double TARGET_SNR = 31.5;

  /** How far a frame's mark may be raised towards {@link #TARGET_SNR}. */
  static final double MAX_BOOST = 3;

  /** The largest change of a bin's log magnitude. */
  static final double MAX_STRENGTH = 0.25;

  /** Bins this far (power ratio) below a frame's loudest marked bin read as the floor. */
  static final double FLOOR = 1e-8;

  /**
   * A windowed bin magnitude this small is within a few times the 16-bit rounding noise (about 5.5
   * per bin): no mark is written there and detection reads it as the floor.
   */
  static final double QUIET = 30;

  /**
   * The magnitude, in the mark's spectrum, to which raised empty bins are filled at least: three
   * times {@link #QUIET}, so that a filled group reads above the detector's floor after rounding to
   * 16 bits however quiet the frame's loudest bin is (a fill relative to the loudest bin alone left
   * quiet tonal frames without one).
   */
  static final double FILL_FLOOR = 3 * QUIET;

  /**
   * The mean square, in 16-bit steps squared, of a fill of {@link #FILL_FLOOR} in half the marked
   * bins (1.98). A channel of a frame whose mark budget ({@link #TARGET_SNR} below it) reaches this
   * is filled by {@link #embed}, which fills from half of it (scaled down to the budget, by at most
   * 3 dB), and counts as filled in {@link #verify}: the margin keeps a frame on the boundary filled
   * at nearly full strength where verification counts it.
   */
  static final double FILL_BUDGET = BINS * FILL_FLOOR * FILL_FLOOR / FRAME_SIZE / FRAME_SIZE;

  /**
   * The least mark budget, in 16-bit steps squared, of an unfilled channel of a frame for its pairs
   * to count in {@link #verify}: below it the multiplied mark is weaker than the 16-bit rounding
   * (1/12 per sample) and does not survive it (white noise under about -56 dBFS peak).
   */
  static final double MARK_BUDGET = 0.085;

  /**
   * Sample frames in one segment of {@link #verify}: 56 frames, 1.30 s. Long enough that marked
   * audio scores far above {@link #VERIFY_THRESHOLD} after the measured attacks, short enough that
   * a spliced stretch of 1.5 s holds a whole segment (WATERMARK.md).
   */
  public static final int SEGMENT_FRAMES = 56 * FRAME_SIZE;

  /** Sample frames from one segment's start to the next's: 6 frames, 0.14 s. */
  public static final int SEGMENT_HOP = 6 * FRAME_SIZE;

  /** Search steps either side of the given grid that {@link #verify} tries. */
  static final int VERIFY_STEPS = 2;

  /**
   * The correlation, in standard deviations of unmarked audio, from which a segment is {@link
   * Coverage.State#MARKED}.
   */
  public static final double VERIFY_THRESHOLD = 5.0;

  /**
   * How strongly, in standard deviations, a segment may prefer another codeword to the expected
   * payload's on the coded bits where they differ, and still be {@link Coverage.State#MARKED}.
   */
  static final double PAYLOAD_GAP = 4.0;

  /**
   * The share of a segment's pairs that {@link #embed} changes readably (see {@link #verify}),
   * below which the segment is {@link Coverage.State#SILENT}.
   */
  static final double SILENT_SHARE = 0.25;

  /** Measured: the shortest excerpt that decodes from random offsets (WATERMARK.md). */
  static final int MINIMUM_EXCERPT_FRAMES = 300 * Pcm.CD_FRAMES_PER_SECTOR;

  /** Overlap of one frame's mark into its neighbours, in samples, each side. */
  static final int FADE = 64;

  /**
   * The analysis window of embedding and detection (Hann): its spectrum of a frame depends on the
   * audio, not on where the frame's edges cut it, so the mark survives a grid a few samples off.
   */
  private static final double[] WINDOW = new double[FRAME_SIZE];

  static {
    for (int t = 0; t < FRAME_SIZE; t++) {
      WINDOW[t] = 0.5 - 0.5 * Math.cos(2 * Math.PI * (t + 0.5) / FRAME_SIZE);
    }
  }

  /** The Hann window's mean square, 3/8: a windowed frame holds that share of its energy. */
  private static final double WINDOW_POWER = 0.375;

  private static final int CODED_BITS = ConvolutionalCode.codedLength(Payload.BITS);

  private final int[][] up = new int[BLOCK_FRAMES][PAIRS];
  private final int[][] down = new int[BLOCK_FRAMES][PAIRS];
  private final int[][] syncSign = new int[BLOCK_FRAMES][SYNC_PAIRS];
  private final int[][] scramble = new int[BLOCK_FRAMES][DATA_PAIRS];
  private final int[][] slotBit = new int[BLOCK_FRAMES][DATA_PAIRS];
  private final double[] fade = new double[2 * FADE];

  public Watermark(WatermarkKey key) {
    KeyedStream pairs = new KeyedStream(key, "pairs");
    int[] subband = new int[SUBBAND];
    int[] order = new int[PAIRS];
    for (int j = 0; j < BLOCK_FRAMES; j++) {
      int[] u = new int[PAIRS];
      int[] d = new int[PAIRS];
      for (int band = 0; band < GROUPS / SUBBAND; band++) {
        for (int b = 0; b < SUBBAND; b++) {
          subband[b] = band * SUBBAND + b;
        }
        pairs.shuffle(subband);
        for (int k = 0; k < SUBBAND / 2; k++) {
          u[band * SUBBAND / 2 + k] = subband[2 * k];
          d[band * SUBBAND / 2 + k] = subband[2 * k + 1];
        }
      }
      for (int i = 0; i < PAIRS; i++) {
        order[i] = i;
      }
      pairs.shuffle(order); // which pairs are sync differs from frame to frame
      for (int i = 0; i < PAIRS; i++) {
        up[j][i] = u[order[i]];
        down[j][i] = d[order[i]];
      }
    }
    KeyedStream sync = new KeyedStream(key, "sync");
    for (int[] row : syncSign) {
      for (int i = 0; i < row.length; i++) {
        row[i] = sync.nextSign();
      }
    }
    KeyedStream scrambling = new KeyedStream(key, "scramble");
    for (int[] row : scramble) {
      for (int i = 0; i < row.length; i++) {
        row[i] = scrambling.nextSign();
      }
    }
    int[] slots = new int[BLOCK_FRAMES * DATA_PAIRS];
    for (int s = 0; s < slots.length; s++) {
      slots[s] = s % CODED_BITS;
    }
    new KeyedStream(key, "interleave").shuffle(slots);
    for (int s = 0; s < slots.length; s++) {
      slotBit[s / DATA_PAIRS][s % DATA_PAIRS] = slots[s];
    }
    for (int t = 0; t < fade.length; t++) {
      fade[t] = 0.5 - 0.5 * Math.cos(Math.PI * (t + 0.5) / fade.length);
    }
  }

  /** Frames in the block that repeats through a marked track. */
  public static int blockFrames() {
    return BLOCK_FRAMES * FRAME_SIZE;
  }

  /**
   * The shortest excerpt, in frames, from which the payload was measured to decode from random
   * offsets, after an MP3 round trip at 128 kbit/s and after resampling (WATERMARK.md).
   */
  public int minimumExcerptFrames() {
    return MINIMUM_EXCERPT_FRAMES;
  }

  /**
   * {@code original} with the watermark carrying {@code payload}, the block grid starting at its
   * first frame.
   *
   * @throws IllegalArgumentException if {@code original} is not 44,100 Hz stereo
   */
  public Pcm embed(Pcm original, Payload payload) {
    if (!original.isCdAudio()) {
      throw new IllegalArgumentException(
          "the watermark is embedded in 16-bit 44,100 Hz stereo audio, not " + original);
    }
    int[] coded = ConvolutionalCode.encode(payload.toBits());
    int frames = original.frames();
    int channels = original.channels();
    short[] in = original.samples();
    short[] out = new short[in.length];
    DoubleFFT_1D fft = new DoubleFFT_1D(FRAME_SIZE);
    double[] spectrum = new double[FRAME_SIZE];
    double[] strength = new double[BINS];
    int[] direction = new int[GROUPS];
    double[][] mark = new double[channels][frames];
    for (int k = 0; (k + 1) * FRAME_SIZE <= frames; k++) {
      int j = k % BLOCK_FRAMES;
      for (int i = 0; i < PAIRS; i++) {
        int sign =
            i < SYNC_PAIRS
                ? syncSign[j][i]
                : scramble[j][i - SYNC_PAIRS] * (2 * coded[slotBit[j][i - SYNC_PAIRS]] - 1);
        direction[up[j][i]] = sign;
        direction[down[j][i]] = -sign;
      }
      int start = k * FRAME_SIZE;
      for (int c = 0; c < channels; c++) {
        for (int t = 0; t < FRAME_SIZE; t++) {
          spectrum[t] = in[(start + t) * channels + c] * WINDOW[t];
        }
        fft.realForward(spectrum);
        double loudest = 0;
        for (int b = 0; b < BINS; b++) {
          int bin = FIRST_BIN + b;
          double re = spectrum[2 * bin];
          double im = spectrum[2 * bin + 1];
          strength[b] = Math.sqrt(re * re + im * im);
          loudest = Math.max(loudest, strength[b]);
        }
        double frameEnergy = spectrum[0] * spectrum[0] + spectrum[1] * spectrum[1];
        for (int bin = 1; bin < FRAME_SIZE / 2; bin++) {
          frameEnergy +=
              2
                  * (spectrum[2 * bin] * spectrum[2 * bin]
                      + spectrum[2 * bin + 1] * spectrum[2 * bin + 1]);
        }
        Arrays.fill(spectrum, 0, 2 * FIRST_BIN, 0);
        Arrays.fill(spectrum, 2 * (LAST_BIN + 1), FRAME_SIZE, 0);
        spectrum[1] = 0;
        double fill =
            budget(frameEnergy) >= FILL_BUDGET / 2 ? Math.max(loudest * FILL, FILL_FLOOR) : 0;
        for (int b = 0; b < BINS; b++) {
          int bin = FIRST_BIN + b;
          double magnitude = strength[b];
          int sign = direction[b / GROUP];
          if (sign > 0 && magnitude < fill) {
            // An all but empty bin cannot be raised by a factor: it gets a floor of its own, a
            // quiet noise in the raised groups only, so that pure tones carry the mark too.
            double re = spectrum[2 * bin];
            double im = spectrum[2 * bin + 1];
            double phase = magnitude > 0 ? Math.atan2(im, re) : bin * 2.399963;
            spectrum[2 * bin] = (fill - magnitude) * Math.cos(phase);
            spectrum[2 * bin + 1] = (fill - magnitude) * Math.sin(phase);
            continue;
          }
          double gain = 0;
          if (magnitude > loudest * 1e-4 && magnitude > QUIET) {
            double s =
                Math.min(
                    MAX_STRENGTH,
                    BASE_STRENGTH + RELATIVE_STRENGTH * Math.log(loudest / magnitude));
            gain = Math.exp(sign * s) - 1;
          }
          spectrum[2 * bin] *= gain;
          spectrum[2 * bin + 1] *= gain;
        }
        scaleToTarget(spectrum, frameEnergy);
        fft.realInverse(spectrum, true);
        double[] m = mark[c];
        // The frame's mark, continued periodically FADE samples into each neighbour and faded
        // across the boundary, so that neighbouring marks cross-fade instead of clicking.
        for (int t = -FADE; t < FRAME_SIZE + FADE; t++) {
          int at = start + t;
          if (at < 0 || at >= frames) {
            continue;
          }
          double w;
          if (t < FADE) {
            w = fade[t + FADE];
          } else if (t >= FRAME_SIZE - FADE) {
            w = fade[FRAME_SIZE + FADE - 1 - t];
          } else {
            w = 1;
          }
          m[at] += w * spectrum[Math.floorMod(t, FRAME_SIZE)];
        }
      }
    }
    for (int f = 0; f < frames; f++) {
      for (int c = 0; c < channels; c++) {
        long v = Math.round(in[f * channels + c] + mark[c][f]);
        out[f * channels + c] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
      }
    }
    return new Pcm(original.sampleRate(), channels, out);
  }

  /**
   * The mean square, in 16-bit steps squared, of the mark that a frame of windowed energy {@code
   * frameEnergy} (summed as {@link #embed} sums it) carries at {@link #TARGET_SNR}.
   */
  private static double budget(double frameEnergy) {
    return frameEnergy
        / WINDOW_POWER
        * Math.pow(10, -TARGET_SNR / 10)
        / ((double) FRAME_SIZE * FRAME_SIZE);
  }

  /**
   * Scales a frame's mark spectrum to the signal-to-noise ratio the frame can carry ({@link
   * #TARGET_SNR}): up where the audio hides more, never louder than the target. {@code frameEnergy}
   * is the windowed frame's, so it is divided by the window's mean square.
   */
  private static void scaleToTarget(double[] spectrum, double frameEnergy) {
    double markEnergy = 0;
    for (int bin = FIRST_BIN; bin <= LAST_BIN; bin++) {
      markEnergy +=
          spectrum[2 * bin] * spectrum[2 * bin] + spectrum[2 * bin + 1] * spectrum[2 * bin + 1];
    }
    markEnergy *= 2;
    if (markEnergy == 0) {
      return;
    }
    double scale =
        Math.min(
            MAX_BOOST,
            Math.sqrt(frameEnergy / WINDOW_POWER * Math.pow(10, -TARGET_SNR / 10) / markEnergy));
    for (int bin = FIRST_BIN; bin <= LAST_BIN; bin++) {
      spectrum[2 * bin] *= scale;
      spectrum[2 * bin + 1] *= scale;
    }
  }

  /**
   * The watermark in {@code excerpt}, if it carries one under this key: blind (without the
   * original), from any stretch of a marked track at least {@link #minimumExcerptFrames()} long. A
   * longer excerpt is searched in windows of two blocks until one decodes.
   *
   * @return empty when no mark is found: unmarked audio, another key, or too little of it
   */
  public Optional<Detection> detect(Pcm excerpt) {
    if (excerpt.sampleRate() != Pcm.CD_SAMPLE_RATE) {
      throw new IllegalArgumentException("the watermark is read at 44,100 Hz, not " + excerpt);
    }
    int window = 2 * BLOCK_FRAMES * FRAME_SIZE;
    int frames = excerpt.frames();
    for (int start = 0; start == 0 || start + window / 2 <= frames; start += window) {
      int end = Math.min(frames, start + window);
      if (frames - end < window / 2) {
        end = frames; // a short remainder joins the last window
      }
      Optional<Detection> found = detectWindow(excerpt, start, end);
      if (found.isPresent()) {
        return found;
      }
      if (end == frames) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * Checks every stretch of {@code excerpt} against {@code detection}'s payload and alignment: the
   * detection must come from this excerpt, or from one that starts at the same sample frame (a
   * detection on the first seconds of a track verifies the whole track). For a detection made in
   * another excerpt use {@link #verify(Pcm, Payload, long)}.
   *
   * @throws IllegalArgumentException as {@link #verify(Pcm, Payload, long)}
   */
  public Coverage verify(Pcm excerpt, Detection detection) {
    if (detection == null) {
      throw new IllegalArgumentException("detection is missing");
    }
    return verify(
        excerpt, detection.payload(), Math.floorMod(-detection.offsetFrames(), blockFrames()));
  }

  /**
   * Checks every stretch of {@code excerpt} against a known payload and block grid: segments of
   * {@link #SEGMENT_FRAMES} every {@link #SEGMENT_HOP} frames, each correlated with the signs that
   * every pair of every frame must carry (sync pattern, and the payload re-encoded and scrambled)
   * at the grid and {@value #VERIFY_STEPS} search steps either side. A segment is {@link
   * Coverage.State#SILENT} when {@link #embed} changes under {@value #SILENT_SHARE} of its pairs
   * readably: a pair counts in a frame with a channel that can carry a fill ({@link #FILL_BUDGET}),
   * or whose two groups both hold audio above the floor in a frame that can carry a mark above the
   * 16-bit rounding ({@link #MARK_BUDGET}); digital silence, dither, tonal audio quieter than a
   * sine of about -53 dBFS peak do not; else {@link Coverage.State#MARKED} when the correlation
   * reaches {@value #VERIFY_THRESHOLD} standard deviations and the segment's own best codeword
   * (Viterbi over its coded bits) does not beat the payload's by {@value #PAYLOAD_GAP} or more on
   * the bits where they differ; else {@link Coverage.State#UNMARKED}. WATERMARK.md gives the
   * measured figures.
   *
   * @param gridOffsetFrames where a block starts, in sample frames from the excerpt's start, modulo
   *     {@link #blockFrames()}: for a detection in the same excerpt {@code
   *     floorMod(-detection.offsetFrames(), blockFrames())}; for an excerpt that starts {@code n}
   *     frames after the one detected, {@code floorMod(-detection.offsetFrames() - n,
   *     blockFrames())}
   * @throws IllegalArgumentException if the excerpt is not at 44,100 Hz or is shorter than {@link
   *     #SEGMENT_FRAMES} plus a frame, or the payload is missing
   */
  public Coverage verify(Pcm excerpt, Payload payload, long gridOffsetFrames) {
    List<Coverage.Segment> segments = new ArrayList<>();
    for (Measured m : measure(excerpt, payload, gridOffsetFrames)) {
      Coverage.State state;
      if (m.share < SILENT_SHARE) {
        state = Coverage.State.SILENT;
      } else if (m.score >= VERIFY_THRESHOLD && m.gap < PAYLOAD_GAP) {
        state = Coverage.State.MARKED;
      } else {
        state = Coverage.State.UNMARKED;
      }
      segments.add(new Coverage.Segment(m.start, m.end, state, m.score));
    }
    return new Coverage(segments);
  }

  /**
   * A verification segment before it is judged: its frames, its best correlation, and the share of
   * its pairs with at least one group above the floor.
   */
  record Measured(long start, long end, double score, double gap, double share) {}

  /** {@link #verify}'s segments with their raw figures. */
  List<Measured> measure(Pcm excerpt, Payload payload, long gridOffsetFrames) {
    if (excerpt == null) {
      throw new IllegalArgumentException("excerpt is missing");
    }
    if (excerpt.sampleRate() != Pcm.CD_SAMPLE_RATE) {
      throw new IllegalArgumentException("the watermark is read at 44,100 Hz, not " + excerpt);
    }
    if (payload == null) {
      throw new IllegalArgumentException("payload is missing");
    }
    int segment = SEGMENT_FRAMES / FRAME_SIZE;
    int hop = SEGMENT_HOP / FRAME_SIZE;
    long grid = Math.floorMod(gridOffsetFrames, (long) blockFrames());
    int first = (int) (grid % FRAME_SIZE);
    int count = (excerpt.frames() - first) / FRAME_SIZE;
    if (count < segment) {
      throw new IllegalArgumentException(
          "an excerpt of "
              + excerpt.frames()
              + " frames is too short to verify: segments are "
              + SEGMENT_FRAMES
              + " frames on the block grid, which starts at frame "
              + first);
    }
    int[] coded = ConvolutionalCode.encode(payload.toBits());
    int[][] signs = signs(coded);
    // block position of the frame at `first`
    int phase = (int) Math.floorMod((first - grid) / FRAME_SIZE, (long) BLOCK_FRAMES);
    int shifts = 2 * VERIFY_STEPS + 1;
    double[][] sum = new double[shifts][count + 1];
    double[][] squares = new double[shifts][count + 1];
    int[] informative = new int[count + 1];
    float[][] diffs = new float[shifts][count * PAIRS];
    DoubleFFT_1D fft = new DoubleFFT_1D(FRAME_SIZE);
    double[] spectrum = new double[FRAME_SIZE];
    double[] power = new double[GROUPS];
    double[] lm = new double[GROUPS];
    long[] markable = new long[1];
    for (int k = 0; k < count; k++) {
      int j = (phase + k) % BLOCK_FRAMES;
      int[] u = up[j];
      int[] d = down[j];
      int[] s = signs[j];
      for (int x = 0; x < shifts; x++) {
        int start = first + k * FRAME_SIZE + (x - VERIFY_STEPS) * SEARCH_STEP;
        double a = 0;
        double q = 0;
        if (start >= 0 && start + FRAME_SIZE <= excerpt.frames()) {
          groupLogs(excerpt, start, fft, spectrum, power, lm, markable);
          int live = 0;
          for (int i = 0; i < PAIRS; i++) {
            double diff = lm[u[i]] - lm[d[i]];
            diffs[x][k * PAIRS + i] = (float) diff;
            a += s[i] * diff;
            q += diff * diff;
            if (((markable[0] >>> u[i]) & 1) != 0 && ((markable[0] >>> d[i]) & 1) != 0) {
              live++;
            }
          }
          if (x == VERIFY_STEPS) {
            informative[k + 1] = live;
          }
        }
        sum[x][k + 1] = sum[x][k] + a;
        squares[x][k + 1] = squares[x][k] + q;
      }
      informative[k + 1] += informative[k];
    }
    List<Measured> out = new ArrayList<>();
    for (int k = 0; ; k += hop) {
      int from = Math.min(k, count - segment);
      int to = from + segment;
      double best = Double.NEGATIVE_INFINITY;
      int bestShift = VERIFY_STEPS;
      for (int x = 0; x < shifts; x++) {
        double q = squares[x][to] - squares[x][from];
        double z = q > 0 ? (sum[x][to] - sum[x][from]) / Math.sqrt(q) : 0;
        if (z > best) {
          best = z;
          bestShift = x;
        }
      }
      double share = (informative[to] - informative[from]) / (double) (segment * PAIRS);
      out.add(
          new Measured(
              first + (long) from * FRAME_SIZE,
              first + (long) to * FRAME_SIZE,
              best,
              gap(diffs[bestShift], phase, from, to, coded),
              share));
      if (to == count) {
        return out;
      }
    }
  }

  /**
   * How strongly frames {@code from} to {@code to} prefer another codeword to {@code coded}: the
   * segment's own maximum-likelihood codeword (Viterbi, no CRC), and the correlation of the coded
   * bits where it differs from {@code coded}, in their standard deviations; 0 when it agrees.
   */
  private double gap(float[] diffs, int phase, int from, int to, int[] coded) {
    double[] soft = new double[CODED_BITS];
    double[] squares = new double[CODED_BITS];
    for (int k = from; k < to; k++) {
      int j = (phase + k) % BLOCK_FRAMES;
      for (int i = 0; i < DATA_PAIRS; i++) {
        double diff = diffs[k * PAIRS + SYNC_PAIRS + i];
        soft[slotBit[j][i]] += scramble[j][i] * diff;
        squares[slotBit[j][i]] += diff * diff;
      }
    }
    int[] best = ConvolutionalCode.encode(ConvolutionalCode.decode(soft, Payload.BITS));
    double sum = 0;
    double q = 0;
    for (int c = 0; c < CODED_BITS; c++) {
      if (best[c] != coded[c]) {
        sum += (2 * best[c] - 1) * soft[c];
        q += squares[c];
      }
    }
    return q > 0 ? sum / Math.sqrt(q) : 0;
  }

  /** The sign every pair of every block position carries for {@code coded}. */
  private int[][] signs(int[] coded) {
    int[][] signs = new int[BLOCK_FRAMES][PAIRS];
    for (int j = 0; j < BLOCK_FRAMES; j++) {
      for (int i = 0; i < PAIRS; i++) {
        signs[j][i] =
            i < SYNC_PAIRS
                ? syncSign[j][i]
                : scramble[j][i - SYNC_PAIRS] * (2 * coded[slotBit[j][i - SYNC_PAIRS]] - 1);
      }
    }
    return signs;
  }

  /** A sync candidate: frame grid offset, block position of the first frame, score. */
  private record Candidate(int offset, int phase, double score) {}

  private Optional<Detection> detectWindow(Pcm excerpt, int from, int to) {
    int offsets = FRAME_SIZE / SEARCH_STEP;
    double[][][] logs = new double[offsets][][];
    List<Candidate> best = new ArrayList<>();
    for (int o = 0; o < offsets; o++) {
      int offset = from + o * SEARCH_STEP;
      int count = (to - offset) / FRAME_SIZE;
      if (count < 2) {
        continue;
      }
      logs[o] = logMagnitudes(excerpt, offset, count);
      double[] scores = syncScores(logs[o]);
      for (int p = 0; p < BLOCK_FRAMES; p++) {
        if (scores[p] >= SYNC_THRESHOLD) {
          best.add(new Candidate(o, p, scores[p]));
        }
      }
    }
    best.sort(Comparator.comparingDouble(Candidate::score).reversed());
    List<Candidate> tried = new ArrayList<>();
    for (Candidate candidate : best) {
      if (tried.size() == CANDIDATES) {
        break;
      }
      if (tried.stream().anyMatch(t -> same(t, candidate))) {
        continue; // a neighbouring offset of a position already decoded
      }
      tried.add(candidate);
      double[][] lm = logs[candidate.offset];
      Payload payload =
          Payload.fromBits(ConvolutionalCode.decode(soft(lm, candidate.phase), Payload.BITS));
      if (payload != null) {
        long first = from + (long) candidate.offset * SEARCH_STEP;
        long offsetFrames =
            Math.floorMod(
                (long) candidate.phase * FRAME_SIZE - first, (long) BLOCK_FRAMES * FRAME_SIZE);
        return Optional.of(
            new Detection(payload, candidate.score, offsetFrames, lm.length / BLOCK_FRAMES));
      }
    }
    return Optional.empty();
  }

  /**
   * What the benchmark measures of one excerpt: the best sync candidate's score, and at it the
   * coded bits read wrong (hard decisions before Viterbi) and the payload bits decoded wrong
   * against {@code expected}, CRC or not. Scores below the threshold are still decoded here.
   */
  Analysis analyse(Pcm excerpt, Payload expected) {
    int[] truth = expected.toBits();
    int[] coded = ConvolutionalCode.encode(truth);
    int offsets = FRAME_SIZE / SEARCH_STEP;
    Candidate top = null;
    double[][] topLogs = null;
    for (int o = 0; o < offsets; o++) {
      int count = (excerpt.frames() - o * SEARCH_STEP) / FRAME_SIZE;
      if (count < 2) {
        continue;
      }
      double[][] lm = logMagnitudes(excerpt, o * SEARCH_STEP, count);
      double[] scores = syncScores(lm);
      for (int p = 0; p < BLOCK_FRAMES; p++) {
        if (top == null || scores[p] > top.score) {
          top = new Candidate(o, p, scores[p]);
          topLogs = lm;
        }
      }
    }
    if (top == null) {
      return new Analysis(0, CODED_BITS, Payload.BITS, false);
    }
    double[] soft = soft(topLogs, top.phase);
    int codedErrors = 0;
    for (int c = 0; c < CODED_BITS; c++) {
      if ((soft[c] > 0 ? 1 : 0) != coded[c]) {
        codedErrors++;
      }
    }
    int[] bits = ConvolutionalCode.decode(soft, Payload.BITS);
    int payloadErrors = 0;
    for (int i = 0; i < bits.length; i++) {
      payloadErrors += bits[i] != truth[i] ? 1 : 0;
    }
    return new Analysis(top.score, codedErrors, payloadErrors, detect(excerpt).isPresent());
  }

  /** {@link #analyse}'s answer. */
  record Analysis(double score, int codedErrors, int payloadErrors, boolean detected) {}

  /** Two candidates for one alignment: the same block position within a step or two of grid. */
  private static boolean same(Candidate a, Candidate b) {
    int shiftA = a.phase * FRAME_SIZE - a.offset * SEARCH_STEP;
    int shiftB = b.phase * FRAME_SIZE - b.offset * SEARCH_STEP;
    int period = BLOCK_FRAMES * FRAME_SIZE;
    int distance = Math.floorMod(shiftA - shiftB, period);
    return Math.min(distance, period - distance) <= 2 * SEARCH_STEP;
  }

  /**
   * The log power of the marked bins, both channels summed, of {@code count} frames from {@code
   * offset}; bins more than 40 dB below the frame's mean read as that floor, so that what a codec
   * dropped and digital silence carry no sign.
   */
  private static double[][] logMagnitudes(Pcm excerpt, int offset, int count) {
    DoubleFFT_1D fft = new DoubleFFT_1D(FRAME_SIZE);
    double[] spectrum = new double[FRAME_SIZE];
    double[] power = new double[GROUPS];
    double[][] lm = new double[count][GROUPS];
    for (int f = 0; f < count; f++) {
      groupLogs(excerpt, offset + f * FRAME_SIZE, fft, spectrum, power, lm[f], null);
    }
    return lm;
  }

  /**
   * One frame's row of {@link #logMagnitudes}, from sample frame {@code start}, into {@code lm};
   * {@code spectrum} and {@code power} are scratch space. When {@code markable} is given, its first
   * element gets a bit for each group that {@link #embed} changes in this frame whichever sign it
   * carries and the detector can read: every group when any channel's mark budget holds a fill
   * ({@link #FILL_BUDGET}, from the channel's whole-band energy, so audio outside the marked band
   * or in one channel only counts); else, from the channels whose budget reaches {@link
   * #MARK_BUDGET}, the groups above the 80 dB floor whose summed power is above the floor of {@link
   * #QUIET} per bin. A pair counts when both its groups do: a note against an empty group says
   * nothing of the mark.
   */
  private static void groupLogs(
      Pcm excerpt,
      int start,
      DoubleFFT_1D fft,
      double[] spectrum,
      double[] power,
      double[] lm,
      long[] markable) {
    int channels = excerpt.channels();
    short[] samples = excerpt.samples();
    Arrays.fill(power, 0);
    long mask = 0;
    int filledChannels = 0;
    for (int c = 0; c < channels; c++) {
      for (int t = 0; t < FRAME_SIZE; t++) {
        spectrum[t] = samples[(start + t) * channels + c] * WINDOW[t];
      }
      fft.realForward(spectrum);
      double loudest = 0;
      for (int b = 0; b < BINS; b++) {
        double re = spectrum[2 * (FIRST_BIN + b)];
        double im = spectrum[2 * (FIRST_BIN + b) + 1];
        double p = re * re + im * im;
        power[b / GROUP] += p;
        loudest = Math.max(loudest, p);
      }
      if (markable != null) {
        loudest = Math.sqrt(loudest);
        double frameEnergy = spectrum[0] * spectrum[0] + spectrum[1] * spectrum[1];
        for (int bin = 1; bin < FRAME_SIZE / 2; bin++) {
          frameEnergy +=
              2
                  * (spectrum[2 * bin] * spectrum[2 * bin]
                      + spectrum[2 * bin + 1] * spectrum[2 * bin + 1]);
        }
        double budget = budget(frameEnergy);
        if (budget >= FILL_BUDGET) {
          filledChannels++;
        } else if (budget >= MARK_BUDGET) {
          double least = loudest * 1e-4;
          for (int b = 0; b < BINS; b++) {
            double re = spectrum[2 * (FIRST_BIN + b)];
            double im = spectrum[2 * (FIRST_BIN + b) + 1];
            if (re * re + im * im > least * least) {
              mask |= 1L << (b / GROUP);
            }
          }
        }
      }
    }
    double loudest = 0;
    for (double p : power) {
      loudest = Math.max(loudest, p);
    }
    double floor = Math.max(loudest * FLOOR, GROUP * channels * QUIET * QUIET);
    for (int b = 0; b < GROUPS; b++) {
      lm[b] = 0.5 * Math.log(Math.max(power[b], floor));
    }
    if (markable != null) {
      double quiet = GROUP * channels * QUIET * QUIET;
      for (int b = 0; b < GROUPS; b++) {
        if (power[b] <= quiet) {
          mask &= ~(1L << b); // at the floor: no sign the detector could read
        }
      }
      // A filled channel writes every pair readably (a raised group holds at least the fill,
      // above the floor of both channels summed), whatever the other channel holds.
      markable[0] = filledChannels > 0 ? -1L : mask;
    }
  }

  /**
   * For each block position of the first frame, the sync pattern's correlation with the first
   * block's worth of frames, in units of its standard deviation under random signs: Σ s·d / √(Σ d²)
   * over the sync pairs' log-magnitude differences d. For audio that does not carry this key's
   * pattern the signs s are independent of d, and Hoeffding's inequality bounds the chance of a
   * score ≥ z by exp(−z²/2) whatever the audio.
   */
  private double[] syncScores(double[][] lm) {
    int count = Math.min(lm.length, BLOCK_FRAMES);
    double[] sum = new double[BLOCK_FRAMES];
    double[] squares = new double[BLOCK_FRAMES];
    for (int f = 0; f < count; f++) {
      double[] frame = lm[f];
      for (int j = 0; j < BLOCK_FRAMES; j++) {
        int[] u = up[j];
        int[] d = down[j];
        int[] s = syncSign[j];
        double a = 0;
        double q = 0;
        for (int i = 0; i < SYNC_PAIRS; i++) {
          double diff = frame[u[i]] - frame[d[i]];
          a += s[i] * diff;
          q += diff * diff;
        }
        int p = Math.floorMod(j - f, BLOCK_FRAMES);
        sum[p] += a;
        squares[p] += q;
      }
    }
    double[] scores = new double[BLOCK_FRAMES];
    for (int p = 0; p < BLOCK_FRAMES; p++) {
      scores[p] = squares[p] > 0 ? sum[p] / Math.sqrt(squares[p]) : 0;
    }
    return scores;
  }

  /** Each coded bit's correlation over all of its pairs in the frames, descrambled. */
  private double[] soft(double[][] lm, int phase) {
    double[] soft = new double[CODED_BITS];
    for (int f = 0; f < lm.length; f++) {
      int j = (phase + f) % BLOCK_FRAMES;
      double[] frame = lm[f];
      for (int i = 0; i < DATA_PAIRS; i++) {
        double diff = frame[up[j][SYNC_PAIRS + i]] - frame[down[j][SYNC_PAIRS + i]];
        soft[slotBit[j][i]] += scramble[j][i] * diff;
      }
    }
    return soft;
  }
}
