package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextKeysTest {

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static TextException failure(String text, int limit) {
    return assertThrows(TextException.class, () -> TextKeys.parse(ascii(text), limit));
  }

  @Test
  void parsesTgtsFirstLoginAnswerAndWritesItBack() throws Exception {
    // The data segment of tgt 1.0.85's first Login Response (see CaptureTest).
    byte[] text = ascii("TargetPortalGroupTag=1\0AuthMethod=CHAP\0");
    TextKeys keys = TextKeys.parse(text, 8192);
    assertEquals(List.of("TargetPortalGroupTag", "AuthMethod"), List.copyOf(keys.asMap().keySet()));
    assertEquals("CHAP", keys.get("AuthMethod").orElseThrow());
    assertArrayEquals(text, keys.encode());
    assertEquals(keys, TextKeys.of("TargetPortalGroupTag", "1", "AuthMethod", "CHAP"));
  }

  @Test
  void anEmptyTextHasNoKeys() throws Exception {
    assertEquals(TextKeys.EMPTY, TextKeys.parse(new byte[0], 8192));
    assertArrayEquals(new byte[0], TextKeys.EMPTY.encode());
  }

  @Test
  void keyNamesUpTo63BytesOfTheAllowedCharacters() throws Exception {
    String longest = "X-dev.secdrive+key@a_" + "k".repeat(63 - 21);
    assertEquals(63, longest.length());
    assertEquals("v", TextKeys.parse(ascii(longest + "=v\0"), 8192).get(longest).orElseThrow());
    TextException tooLong = failure(longest + "k=v\0", 8192);
    assertEquals(TextException.Kind.KEY, tooLong.kind());
    TextException space = failure("A=1\0Bad Key=v\0", 8192);
    assertEquals(TextException.Kind.KEY, space.kind());
    assertEquals(4, space.offset());
  }

  @Test
  void valuesUpTo255BytesAndCHAPChallengesUpTo8192() throws Exception {
    TextKeys.parse(ascii("TargetAlias=" + "a".repeat(255) + "\0"), 8192);
    TextException e = failure("TargetAlias=" + "a".repeat(256) + "\0", 8192);
    assertEquals(TextException.Kind.VALUE_TOO_LONG, e.kind());
    assertEquals("TargetAlias", e.key());
    assertEquals(12, e.offset());
    String challenge = "0x" + "AB".repeat(4095);
    assertEquals(8192, challenge.length());
    TextKeys.parse(ascii("CHAP_C=" + challenge + "\0"), 16384);
    assertEquals(
        TextException.Kind.VALUE_TOO_LONG, failure("CHAP_C=" + challenge + "A\0", 16384).kind());
  }

  @Test
  void theWholeTextRespectsItsLimit() throws Exception {
    String text = "InitiatorName=iqn.2026-12.dev.secdrive:host\0";
    TextKeys.parse(ascii(text), text.length());
    TextException e = failure(text, text.length() - 1);
    assertEquals(TextException.Kind.TOO_LONG, e.kind());
  }

  @Test
  void aKeyTwiceIsRefused() {
    TextException e = failure("HeaderDigest=None\0DataDigest=None\0HeaderDigest=CRC32C\0", 8192);
    assertEquals(TextException.Kind.DUPLICATE_KEY, e.kind());
    assertEquals("HeaderDigest", e.key());
    assertEquals(34, e.offset());
    assertThrows(IllegalArgumentException.class, () -> TextKeys.of("A", "1", "A", "2"));
  }

  @Test
  void malformedPairsAreRefusedWhereTheyStart() {
    assertEquals(TextException.Kind.UNTERMINATED, failure("A=1\0B=2", 8192).kind());
    assertEquals(4, failure("A=1\0B=2", 8192).offset());
    assertEquals(TextException.Kind.MALFORMED, failure("A=1\0B\0", 8192).kind());
    assertEquals(TextException.Kind.MALFORMED, failure("=1\0", 8192).kind());
    assertEquals(TextException.Kind.MALFORMED, failure("A=1\0\0", 8192).kind());
    TextException e =
        assertThrows(
            TextException.class,
            () -> TextKeys.parse(new byte[] {'A', '=', (byte) 0xC3, 0x28, 0}, 8192));
    assertEquals(TextException.Kind.ENCODING, e.kind());
  }

  @Test
  void valuesMayHoldEqualsSignsAndUtf8() throws Exception {
    byte[] text = "TargetAlias=Laufwerk=Ä\0".getBytes(StandardCharsets.UTF_8);
    assertEquals("Laufwerk=Ä", TextKeys.parse(text, 8192).get("TargetAlias").orElseThrow());
  }
}
