package dev.secdrive.protocol.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The signed bytes of copy requests, byte for byte as license-center/API.md gives them. */
class CopyRequestsTest {

  /** A stand-in for the site's certificate: the encoding takes its bytes as they are. */
  private static final byte[] SITE = {1, 2, 3};

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void aCertificateRequestIsLabelKindThreeIdsAndTheDriveCertificate() {
    assertEquals(
        "7365636472697665 2d636f70792d7265 71756573742d7633 00 01".replace(" ", "")
            + "0003010203"
            + "05616c696365"
            + "0753572d30303031"
            + "074d4f2d34373131"
            + "0002"
            + "0d0e",
        HEX.formatHex(
            CopyRequests.certificate(SITE, "alice", "SW-0001", "MO-4711", new byte[] {13, 14})));
  }

  @Test
  void aConversionRequestEndsWithTheDriveCertificate() {
    assertEquals(
        "7365636472697665"
            + "2d636f70792d7265"
            + "71756573742d7633"
            + "00"
            + "02"
            + "0003010203"
            + "05616c696365"
            + "084449442d30303032"
            + "074d4f2d34373132"
            + "0003"
            + "0a0b0c",
        HEX.formatHex(
            CopyRequests.conversion(
                SITE, "alice", "DID-0002", "MO-4712", new byte[] {10, 11, 12})));
  }

  @Test
  void theSameRequestAtAnotherSiteIsOtherBytes() {
    assertNotEquals(
        HEX.formatHex(CopyRequests.certificate(SITE, "a", "b", "c", new byte[0])),
        HEX.formatHex(CopyRequests.certificate(new byte[] {1, 2, 4}, "a", "b", "c", new byte[0])));
  }

  @Test
  void fieldsCannotSlideIntoEachOther() {
    assertNotEquals(
        HEX.formatHex(CopyRequests.certificate(SITE, "ab", "c", "d", new byte[0])),
        HEX.formatHex(CopyRequests.certificate(SITE, "a", "bc", "d", new byte[0])));
    assertNotEquals(
        HEX.formatHex(CopyRequests.certificate(SITE, "a", "b", "c", new byte[0])),
        HEX.formatHex(CopyRequests.conversion(SITE, "a", "b", "c", new byte[0])));
  }
}
