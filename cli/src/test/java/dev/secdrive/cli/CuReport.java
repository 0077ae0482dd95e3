package dev.secdrive.cli;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code iscsi-test-cu --verbose --test=FAMILY} run printed, test by test: passed, skipped
 * (passed after printing {@code [SKIPPED]}, which CUnit counts as passed) or failed. Tests are
 * named {@code Suite.Test}, as {@code --list} names them without the family.
 */
record CuReport(Map<String, Outcome> outcomes) {

  enum Outcome {
    PASSED,
    SKIPPED,
    FAILED
  }

  private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)");
  private static final Pattern TEST = Pattern.compile("^  Test: (\\S+) \\.\\.\\.(.*)$");

  CuReport {
    outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
  }

  /**
   * Reads the verbose output. A test's lines run from its {@code Test:} line to CUnit's verdict, a
   * line that starts with {@code passed} or {@code FAILED}; what follows the verdict on its line
   * (the next suite's set-up talking) is not the test's. A passed test that printed {@code
   * [SKIPPED]} before its verdict was skipped.
   *
   * @throws IllegalArgumentException when the output holds no test at all, or a test has no verdict
   */
  static CuReport parse(String output) {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    String suite = null;
    String current = null;
    boolean skipped = false;
    for (String line : output.split("\n", -1)) {
      if (line.startsWith("Run Summary")) {
        break;
      }
      Matcher s = SUITE.matcher(line);
      if (s.find()) {
        suite = s.group(1);
        continue;
      }
      String rest = line;
      Matcher t = TEST.matcher(line);
      if (t.find() && suite != null) {
        if (current != null) {
          throw new IllegalArgumentException("no verdict for " + current);
        }
        current = suite + "." + t.group(1);
        skipped = false;
        rest = t.group(2);
      }
      if (current == null) {
        continue;
      }
      String text = rest.strip();
      if (text.startsWith("passed")) {
        outcomes.put(current, skipped ? Outcome.SKIPPED : Outcome.PASSED);
        current = null;
      } else if (text.startsWith("FAILED")) {
        outcomes.put(current, Outcome.FAILED);
        current = null;
      } else if (text.contains("[SKIPPED]")) {
        skipped = true;
      }
    }
    if (current != null) {
      throw new IllegalArgumentException("no verdict for " + current);
    }
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException(
          "iscsi-test-cu printed no test results:\n"
              + output.substring(0, Math.min(2000, output.length())));
    }
    return new CuReport(outcomes);
  }

  /** How many tests ended each way. */
  Map<Outcome, Integer> counts() {
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) {
      counts.put(o, 0);
    }
    outcomes.values().forEach(o -> counts.merge(o, 1, Integer::sum));
    return counts;
  }
}
