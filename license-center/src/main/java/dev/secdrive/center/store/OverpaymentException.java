package dev.secdrive.center.store;

/** A payment larger than what the user owes: refused whole, so no money goes unaccounted. */
public final class OverpaymentException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long owedCents;

  public OverpaymentException(long amountCents, long owedCents) {
    super(
        "a payment of " + amountCents + " cents exceeds the " + owedCents + " cents owed",
        null,
        false,
        false);
    this.owedCents = owedCents;
  }

  public long owedCents() {
    return owedCents;
  }
}
