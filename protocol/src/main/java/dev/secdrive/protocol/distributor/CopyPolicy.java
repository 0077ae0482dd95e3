package dev.secdrive.protocol.distributor;

import java.util.Locale;

/**
 * What a contents copy certificate costs (S141): {@code free}, {@code full} (the content's price)
 * or {@code reduced} ({@code percent} of the price, 1..99, rounded down).
 */
public record CopyPolicy(String policy, int percent) {

  public CopyPolicy {
    switch (policy == null ? "" : policy) {
      case "free", "full" -> {
        if (percent != 0) {
          throw new IllegalArgumentException(
              "field 'percent' is only for policy 'reduced', got " + percent);
        }
      }
      case "reduced" -> {
        if (percent < 1 || percent > 99) {
          throw new IllegalArgumentException(
              "field 'percent' of policy 'reduced' must be 1..99, got " + percent);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "field 'policy' must be free, reduced or full, got '" + policy + "'");
    }
  }

  public static final CopyPolicy FREE = new CopyPolicy("free", 0);
  public static final CopyPolicy FULL = new CopyPolicy("full", 0);

  public static CopyPolicy reduced(int percent) {
    return new CopyPolicy("reduced", percent);
  }

  /**
   * Parses {@code free}, {@code full} or {@code reduced:N}.
   *
   * @throws IllegalArgumentException naming the form if {@code text} is none of them
   */
  public static CopyPolicy parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("reduced:")) {
      try {
        return reduced(Integer.parseInt(t.substring("reduced:".length())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("copy policy 'reduced:N' needs a number N, got " + text);
      }
    }
    return new CopyPolicy(t, 0);
  }

  /** What a copy of a content priced {@code priceCents} costs. */
  public long priceOf(long priceCents) {
    return switch (policy) {
      case "free" -> 0;
      case "full" -> priceCents;
      default -> priceCents * percent / 100;
    };
  }

  @Override
  public String toString() {
    return policy.equals("reduced") ? "reduced:" + percent : policy;
  }
}
