package dev.secdrive.center.store;

/** A copy was refused because the user has bills not yet paid. */
public final class UnpaidBillsException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int count;
  private final long totalCents;

  public UnpaidBillsException(int count, long totalCents) {
    super(count + " unpaid bill(s) totalling " + totalCents + " cents", null, false, false);
    this.count = count;
    this.totalCents = totalCents;
  }

  public int count() {
    return count;
  }

  public long totalCents() {
    return totalCents;
  }
}
