package dev.secdrive.protocol.center;

/**
 * {@code POST /users/{userId}/payments}: an amount paid (API.md "POST /users/{userId}/payments").
 */
public record Payment(long amountCents) {

  public Payment {
    if (amountCents < 1) {
      throw new IllegalArgumentException(
          "field 'amountCents' must be at least 1, got " + amountCents);
    }
  }
}
