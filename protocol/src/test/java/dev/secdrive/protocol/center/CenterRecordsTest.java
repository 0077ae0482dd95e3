package dev.secdrive.protocol.center;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CenterRecordsTest {

  @Test
  void outOfRangeValuesAreRefusedNamingTheField() {
    assertEquals(
        "field 'scheme' must be 1..2, got 3",
        assertThrows(IllegalArgumentException.class, () -> new RegisterTitle("T", "T", 3, 0))
            .getMessage());
    assertEquals(
        "field 'priceCents' must be at least 0, got -5",
        assertThrows(IllegalArgumentException.class, () -> new RegisterTitle("T", "T", 1, -5))
            .getMessage());
    assertEquals(
        "field 'amountCents' must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> new Payment(0)).getMessage());
  }

  @Test
  void listsAreCopied() {
    List<Long> paid = new ArrayList<>(List.of(1L));
    PaymentAnswer answer = new PaymentAnswer("alice", 7, paid, 0);
    paid.add(2L);
    assertEquals(List.of(1L), answer.billsPaid());
  }

  /** The optional fields name components of their records. */
  @Test
  void optionalFieldsAreComponents() {
    assertEquals(true, names(CertificateRequest.class).containsAll(CertificateRequest.OPTIONAL));
    assertEquals(true, names(ConversionRequest.class).containsAll(ConversionRequest.OPTIONAL));
  }

  private static List<String> names(Class<? extends Record> type) {
    List<String> names = new ArrayList<>();
    for (var component : type.getRecordComponents()) {
      names.add(component.getName());
    }
    return names;
  }
}
