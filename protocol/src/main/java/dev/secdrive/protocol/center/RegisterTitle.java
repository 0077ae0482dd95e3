package dev.secdrive.protocol.center;

/** {@code POST /titles}: a title to register (API.md "POST /titles"). */
public record RegisterTitle(String titleId, String name, int scheme, long priceCents) {

  public RegisterTitle {
    if (scheme < 1 || scheme > 2) {
      throw new IllegalArgumentException("field 'scheme' must be 1..2, got " + scheme);
    }
    if (priceCents < 0) {
      throw new IllegalArgumentException(
          "field 'priceCents' must be at least 0, got " + priceCents);
    }
  }
}
