package dev.secdrive.kit.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AesKeyWrapTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] RFC5649_KEK =
      HEX.parseHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");

  @Test
  void matchesRfc5649Section6() throws Exception {
    byte[] twenty = HEX.parseHex("c37b7e6492584340bed12207808941155068f738");
    byte[] wrapped = AesKeyWrap.wrap(RFC5649_KEK, twenty);
    assertEquals(
        "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a", HEX.formatHex(wrapped));
    assertArrayEquals(twenty, AesKeyWrap.unwrap(RFC5649_KEK, wrapped));

    byte[] seven = HEX.parseHex("466f7250617369");
    assertEquals(
        "afbeb0f07dfbf5419200f2ccb50bb24f", HEX.formatHex(AesKeyWrap.wrap(RFC5649_KEK, seven)));
  }

  @Test
  void aDamagedOrForeignWrapDoesNotUnwrap() throws Exception {
    byte[] kek = Bytes.random(32);
    byte[] key = Bytes.random(32);
    byte[] wrapped = AesKeyWrap.wrap(kek, key);
    assertEquals(40, wrapped.length);
    assertArrayEquals(key, AesKeyWrap.unwrap(kek, wrapped));

    assertThrows(AuthenticationException.class, () -> AesKeyWrap.unwrap(Bytes.random(32), wrapped));
    wrapped[3] ^= 1;
    assertThrows(AuthenticationException.class, () -> AesKeyWrap.unwrap(kek, wrapped));
    assertThrows(AuthenticationException.class, () -> AesKeyWrap.unwrap(kek, new byte[5]));
  }
}
