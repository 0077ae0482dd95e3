package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.security.Certificate;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LicenseStateTest {

  private static final byte[] WRAPPED = new byte[40];

  private static final LicenseState.Licensor LICENSOR =
      new LicenseState.Licensor(Certificate.Role.LICENSOR, "test licensor", key(0x10));
  private static final LicenseState.Licensor CENTER =
      new LicenseState.Licensor(Certificate.Role.CENTRAL_SITE, "central site", key(0x30));

  @Test
  void format2RecordsTheLicensorOfEachLicense() {
    LicenseState state =
        new LicenseState(
            5,
            List.of(
                new LicenseState.License("album-1", LICENSOR, WRAPPED, 3),
                new LicenseState.License("game-2", CENTER, WRAPPED, 0xFFFF_FFFFL)));
    byte[] encoded = state.encode();
    assertEquals(2, encoded[4], "format byte");
    LicenseState decoded = LicenseState.decode(encoded);
    assertEquals(LICENSOR, decoded.find("album-1").orElseThrow().issuer().orElseThrow());
    assertEquals(CENTER, decoded.find("game-2").orElseThrow().issuer().orElseThrow());
    assertEquals("test licensor", decoded.find("album-1").orElseThrow().licensor());
    assertArrayEquals(encoded, decoded.encode());
  }

  @Test
  void format2LaysOutTheLicensorAsSubjectRoleAndKey() {
    byte[] encoded =
        new LicenseState(1, List.of(new LicenseState.License("t", LICENSOR, new byte[2], 7)))
            .encode();
    String expected =
        "53444c5302" // "SDLS" | format 2
            + "00000001" // version 1
            + "0001" // one license
            + "0174" // str8 "t"
            + "0d" // str8 "test licensor"
            + HexFormat.of().formatHex("test licensor".getBytes(StandardCharsets.UTF_8))
            + "02" // role: licensor
            + HexFormat.of().formatHex(key(0x10)) // Ed25519 public key
            + "020000" // 2 bytes wrapped key
            + "00000007"; // 7 plays
    assertEquals(expected, HexFormat.of().formatHex(encoded));
    // a licensor not recorded is an empty subject and role 0, with no key
    byte[] unrecorded =
        new LicenseState(1, List.of(new LicenseState.License("t", new byte[2], 7))).encode();
    assertEquals(
        "53444c53020000000100010174" + "0000" + "020000" + "00000007",
        HexFormat.of().formatHex(unrecorded));
  }

  @Test
  void aLicensorIsItsRoleAndKeyNotItsSubject() {
    LicenseState.Licensor renamed =
        new LicenseState.Licensor(Certificate.Role.LICENSOR, "renamed licensor", key(0x10));
    LicenseState.Licensor sameNameOtherKey =
        new LicenseState.Licensor(Certificate.Role.LICENSOR, "test licensor", key(0x50));
    LicenseState.Licensor sameKeyOtherRole =
        new LicenseState.Licensor(Certificate.Role.CENTRAL_SITE, "test licensor", key(0x10));
    assertTrue(LICENSOR.sameAs(renamed));
    assertFalse(LICENSOR.sameAs(sameNameOtherKey));
    assertFalse(LICENSOR.sameAs(sameKeyOtherRole));
  }

  @Test
  void aMalformedLicensorIsRefused() {
    // role 0 with a subject
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LicenseState.decode(
                hex("53444c53020000000100010174" + "014c00" + "020000" + "00000007")));
    // role 1 (drive), role 5 (unknown)
    for (String role : List.of("01", "05")) {
      String state =
          "53444c53020000000100010174"
              + "014c"
              + role
              + HexFormat.of().formatHex(key(0x10))
              + "020000"
              + "00000007";
      assertThrows(IllegalArgumentException.class, () -> LicenseState.decode(hex(state)));
    }
    // a key cut short
    assertThrows(
        IllegalArgumentException.class,
        () -> LicenseState.decode(hex("53444c53020000000100010174" + "014c02" + "1011")));
  }

  @Test
  void format1IsReadWithTheLicensorNotRecordedAndWrittenAsFormat2() {
    // "SDLS" | 01 | version 3 | one license: "t" | 2 bytes key | 7 plays
    byte[] format1 =
        HexFormat.of().parseHex("53444C530100000003000101740 2AABB00000007".replace(" ", ""));
    LicenseState decoded = LicenseState.decode(format1);
    assertEquals(3, decoded.version());
    LicenseState.License license = decoded.find("t").orElseThrow();
    assertFalse(license.licensorRecorded());
    assertEquals(7, license.playsLeft());
    assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xBB}, license.wrappedKey());
    byte[] upgraded = decoded.encode();
    assertEquals(2, upgraded[4]);
    assertArrayEquals(upgraded, LicenseState.decode(upgraded).encode());
    assertFalse(LicenseState.decode(upgraded).find("t").orElseThrow().licensorRecorded());
    assertTrue(LicenseState.decode(upgraded).find("t").orElseThrow().licensor().isEmpty());
  }

  @Test
  void anUnknownFormatIsRefused() {
    byte[] format3 = HexFormat.of().parseHex("53444C53030000000300 00".replace(" ", ""));
    assertThrows(IllegalArgumentException.class, () -> LicenseState.decode(format3));
  }

  @Test
  void aPlayKeepsTheLicensor() {
    LicenseState.License l = new LicenseState.License("a", LICENSOR, WRAPPED, 3).withPlaysLeft(2);
    assertEquals(LICENSOR, l.issuer().orElseThrow());
    assertEquals(2, l.playsLeft());
  }

  private static byte[] key(int first) {
    byte[] out = new byte[32];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
