package dev.secdrive.protocol.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The signed bytes of copy requests, byte for byte as license-center/API.md gives them. */
class CopyRequestsTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void aCertificateRequestIsLabelKindAndThreeLengthPrefixedIds() {
    assertEquals(
        "7365636472697665 2d636f70792d7265 71756573742d7631 00 01".replace(" ", "")
            + "05616c696365"
            + "0753572d30303031"
            + "074d4f2d34373131",
        HEX.formatHex(CopyRequests.certificate("alice", "SW-0001", "MO-4711")));
  }

  @Test
  void aConversionRequestEndsWithTheDriveCertificate() {
    assertEquals(
        "7365636472697665"
            + "2d636f70792d7265"
            + "71756573742d7631"
            + "00"
            + "02"
            + "05616c696365"
            + "084449442d30303032"
            + "074d4f2d34373132"
            + "0003"
            + "0a0b0c",
        HEX.formatHex(
            CopyRequests.conversion("alice", "DID-0002", "MO-4712", new byte[] {10, 11, 12})));
  }

  @Test
  void fieldsCannotSlideIntoEachOther() {
    assertNotEquals(
        HEX.formatHex(CopyRequests.certificate("ab", "c", "d")),
        HEX.formatHex(CopyRequests.certificate("a", "bc", "d")));
    assertNotEquals(
        HEX.formatHex(CopyRequests.certificate("a", "b", "c")),
        HEX.formatHex(CopyRequests.conversion("a", "b", "c", new byte[0])));
  }
}
