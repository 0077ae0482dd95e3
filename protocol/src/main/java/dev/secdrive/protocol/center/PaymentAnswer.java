package dev.secdrive.protocol.center;

import java.util.List;

/** The answer to a payment: the bills it settled and what is still owed. */
public record PaymentAnswer(String userId, long paymentId, List<Long> billsPaid, long owedCents) {

  public PaymentAnswer {
    billsPaid = List.copyOf(billsPaid);
  }
}
