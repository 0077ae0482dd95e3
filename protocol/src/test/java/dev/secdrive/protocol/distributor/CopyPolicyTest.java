package dev.secdrive.protocol.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CopyPolicyTest {

  @Test
  void theThreePoliciesPriceACopy() {
    assertEquals(0, CopyPolicy.FREE.priceOf(999));
    assertEquals(999, CopyPolicy.FULL.priceOf(999));
    assertEquals(249, CopyPolicy.reduced(25).priceOf(999)); // rounded down
  }

  @Test
  void theTextFormRoundTrips() {
    for (CopyPolicy p :
        new CopyPolicy[] {CopyPolicy.FREE, CopyPolicy.FULL, CopyPolicy.reduced(40)}) {
      assertEquals(p, CopyPolicy.parse(p.toString()));
    }
    assertEquals(CopyPolicy.reduced(5), CopyPolicy.parse(" Reduced:5 "));
  }

  @Test
  void badPoliciesNameTheField() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CopyPolicy.reduced(0))
            .getMessage()
            .contains("'percent'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new CopyPolicy("full", 10))
            .getMessage()
            .contains("'percent'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CopyPolicy.parse("half"))
            .getMessage()
            .contains("'policy'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CopyPolicy.parse("reduced:x"))
            .getMessage()
            .contains("reduced:N"));
  }
}
