package dev.secdrive.protocol.iscsi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The text of a Login or Text data segment (RFC 7143 section 6.1): {@code key=value} pairs, each
 * terminated by a NUL byte, in the order they were written. A text that spans PDUs (the C bit) is
 * parsed once its PDUs have been concatenated: a pair may be split across them.
 *
 * <p>Limits: a key name is 1..63 bytes of letters, digits, {@code . - + @ _}; a value is at most
 * 255 bytes, except the binary {@code CHAP_C} and {@code CHAP_R}, at most 8192; no key twice.
 */
public final class TextKeys {

  /** The answer to a key the responder does not know (section 6.2). */
  public static final String NOT_UNDERSTOOD = "NotUnderstood";

  /** The answer to a key that has no meaning in this session (section 6.2). */
  public static final String IRRELEVANT = "Irrelevant";

  /** The answer to an offer the responder refuses (section 6.2). */
  public static final String REJECT = "Reject";

  public static final int MAXIMUM_KEY_LENGTH = 63;
  public static final int MAXIMUM_VALUE_LENGTH = 255;
  public static final int MAXIMUM_LARGE_VALUE_LENGTH = 8192;

  /** One pair. */
  public record Pair(String key, String value) {
    public Pair {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  public static final TextKeys EMPTY = new TextKeys(new LinkedHashMap<>());

  private final Map<String, String> pairs;

  private TextKeys(LinkedHashMap<String, String> pairs) {
    this.pairs = Collections.unmodifiableMap(pairs);
  }

  /**
   * The pairs, in order.
   *
   * @throws IllegalArgumentException if a key repeats or a pair breaks section 6.1's limits
   */
  public static TextKeys of(List<Pair> pairs) {
    LinkedHashMap<String, String> map = new LinkedHashMap<>();
    for (Pair pair : pairs) {
      String problem = keyProblem(pair.key().getBytes(StandardCharsets.UTF_8));
      if (problem != null) {
        throw new IllegalArgumentException(problem + ": " + pair.key());
      }
      byte[] value = pair.value().getBytes(StandardCharsets.UTF_8);
      if (value.length > maximumValueLength(pair.key()) || pair.value().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("value of " + pair.key() + " too long or with NUL");
      }
      if (map.put(pair.key(), pair.value()) != null) {
        throw new IllegalArgumentException("key twice: " + pair.key());
      }
    }
    return new TextKeys(map);
  }

  /** The pairs of {@code keyValues}, which alternates keys and values. */
  public static TextKeys of(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("an odd number of strings");
    }
    List<Pair> pairs = new java.util.ArrayList<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      pairs.add(new Pair(keyValues[i], keyValues[i + 1]));
    }
    return of(pairs);
  }

  /**
   * Parses a text.
   *
   * @param limit the largest text the carrier allows, in bytes
   * @throws TextException if the text breaks section 6.1
   */
  public static TextKeys parse(byte[] text, int limit) throws TextException {
    if (text.length > limit) {
      throw new TextException(
          TextException.Kind.TOO_LONG, null, limit, text.length + " bytes beyond " + limit);
    }
    LinkedHashMap<String, String> map = new LinkedHashMap<>();
    int start = 0;
    while (start < text.length) {
      int end = start;
      while (end < text.length && text[end] != 0) {
        end++;
      }
      if (end == text.length) {
        throw new TextException(
            TextException.Kind.UNTERMINATED, null, start, "the last pair has no NUL terminator");
      }
      int equals = start;
      while (equals < end && text[equals] != '=') {
        equals++;
      }
      if (equals == end || equals == start) {
        throw new TextException(
            TextException.Kind.MALFORMED, null, start, "a pair that is not key=value");
      }
      byte[] keyBytes = java.util.Arrays.copyOfRange(text, start, equals);
      String problem = keyProblem(keyBytes);
      String key = new String(keyBytes, StandardCharsets.US_ASCII);
      if (problem != null) {
        throw new TextException(TextException.Kind.KEY, key, start, problem);
      }
      int valueLength = end - equals - 1;
      if (valueLength > maximumValueLength(key)) {
        throw new TextException(
            TextException.Kind.VALUE_TOO_LONG,
            key,
            equals + 1,
            "value of " + valueLength + " bytes beyond " + maximumValueLength(key));
      }
      String value;
      try {
        value =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(text, equals + 1, valueLength))
                .toString();
      } catch (CharacterCodingException e) {
        throw new TextException(TextException.Kind.ENCODING, key, equals + 1, "not UTF-8");
      }
      if (map.put(key, value) != null) {
        throw new TextException(TextException.Kind.DUPLICATE_KEY, key, start, "key twice: " + key);
      }
      start = end + 1;
    }
    return new TextKeys(map);
  }

  private static String keyProblem(byte[] key) {
    if (key.length == 0 || key.length > MAXIMUM_KEY_LENGTH) {
      return "a key name of " + key.length + " bytes (1.." + MAXIMUM_KEY_LENGTH + ")";
    }
    for (byte b : key) {
      boolean allowed =
          (b >= 'a' && b <= 'z')
              || (b >= 'A' && b <= 'Z')
              || (b >= '0' && b <= '9')
              || b == '.'
              || b == '-'
              || b == '+'
              || b == '@'
              || b == '_';
      if (!allowed) {
        return String.format("character 0x%02X in a key name", b & 0xFF);
      }
    }
    return null;
  }

  private static int maximumValueLength(String key) {
    return key.equals(Chap.CHAP_C) || key.equals(Chap.CHAP_R)
        ? MAXIMUM_LARGE_VALUE_LENGTH
        : MAXIMUM_VALUE_LENGTH;
  }

  /** The text as it goes into a data segment: every pair NUL-terminated, no padding. */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pairs.forEach(
        (key, value) -> {
          out.writeBytes(key.getBytes(StandardCharsets.US_ASCII));
          out.write('=');
          out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
          out.write(0);
        });
    return out.toByteArray();
  }

  /** The pairs as an unmodifiable map in text order. */
  public Map<String, String> asMap() {
    return pairs;
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(pairs.get(key));
  }

  public boolean isEmpty() {
    return pairs.isEmpty();
  }

  /** These pairs followed by {@code other}'s. */
  public TextKeys with(TextKeys other) {
    List<Pair> all = new java.util.ArrayList<>();
    pairs.forEach((k, v) -> all.add(new Pair(k, v)));
    other.pairs.forEach((k, v) -> all.add(new Pair(k, v)));
    return of(all);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TextKeys t
        && List.copyOf(t.pairs.entrySet()).equals(List.copyOf(pairs.entrySet()));
  }

  @Override
  public int hashCode() {
    return List.copyOf(pairs.entrySet()).hashCode();
  }

  @Override
  public String toString() {
    return String.join(
        " ", pairs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }
}
