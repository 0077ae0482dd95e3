package dev.secdrive.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The report of one {@code secdrive bench} run: a line per case on the command's output, the same
 * numbers collected for {@code --json}, which prints them as one JSON object after the report.
 */
final class BenchReport {

  private final PrintWriter out;
  private final boolean json;
  private final Map<String, Object> results = new LinkedHashMap<>();

  BenchReport(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  PrintWriter out() {
    return out;
  }

  /** The results {@code --json} prints, in the order they were measured. */
  Map<String, Object> results() {
    return results;
  }

  void put(String key, Object value) {
    results.put(key, value);
  }

  /** A case and its result, aligned. */
  void line(String name, String value) {
    out.printf("%-52s %s%n", name, value);
    out.flush();
  }

  /** Ends the report: the results as JSON when asked for. */
  void finish() {
    if (json) {
      Json.print(out, results);
    }
    out.flush();
  }

  static String mbps(double bytesPerSecond) {
    return String.format("%,.0f MB/s", bytesPerSecond / 1e6);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
