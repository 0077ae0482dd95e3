package dev.secdrive.cli;

import dev.secdrive.kit.watermark.WatermarkReport;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code secdrive bench --watermark}: the audio watermark's report (issue 13 item 3), measured by
 * kit's {@link WatermarkReport} on generated tones, noise and a music-like mix: SNR, bit errors
 * after MP3 at 128 kbit/s (lame) and resampling 44.1 → 48 → 44.1 kHz (sox), the shortest excerpt
 * that decodes from random offsets, and false positives on unmarked audio and under a wrong key.
 */
final class WatermarkBench {

  private final PrintWriter out;
  private final int trials;
  private final int falseTrials;

  WatermarkBench(PrintWriter out, int trials, int falseTrials) {
    this.out = out;
    this.trials = trials;
    this.falseTrials = falseTrials;
  }

  void run() throws IOException {
    new WatermarkReport(out, trials, falseTrials, 30, 13).run();
  }
}
