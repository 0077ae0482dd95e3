package dev.secdrive.protocol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Golden byte vectors from {@code src/test/resources/vectors/}: JSON arrays of {@code {name, type,
 * hex, expected}}.
 *
 * <p>{@code expected} lists a record's fields the way Jackson would serialise the record: component
 * names as keys, booleans, numbers, strings, enum constant names, nested records as objects, lists
 * as arrays. Two conventions differ from Jackson: {@code byte[]} components are upper-case hex
 * strings, and a {@link ByteBuf} component (a frame's data phase) is a hex string under the key
 * {@code dataHex}. Numbers compare by value; a Java {@code int} or {@code long} that is negative
 * also matches its unsigned reading, because tags and 64-bit LBAs are unsigned on the wire.
 */
public final class GoldenVectors {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private GoldenVectors() {}

  /** One vector. */
  public record Vector(String file, String name, String type, byte[] bytes, JsonNode expected) {

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public String toString() {
      return file + ": " + name;
    }
  }

  /** Loads {@code vectors/<file>} from the test class path. */
  public static List<Vector> load(String file) {
    String resource = "/vectors/" + file;
    try (InputStream in = GoldenVectors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      JsonNode root = MAPPER.readTree(in);
      if (!root.isArray() || root.isEmpty()) {
        throw new IllegalStateException(resource + " is not a non-empty JSON array");
      }
      List<Vector> vectors = new ArrayList<>();
      for (JsonNode node : root) {
        vectors.add(
            new Vector(
                file,
                required(node, "name").asText(),
                required(node, "type").asText(),
                Hex.parse(required(node, "hex").asText()),
                required(node, "expected")));
      }
      return vectors;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalStateException("vector without '" + field + "': " + node);
    }
    return value;
  }

  /**
   * Converts a decoded value to the shape of {@code expected}: records to maps keyed by component
   * name (a {@link ByteBuf} component under {@code dataHex}), byte arrays and buffers to hex, enums
   * to their names, lists element by element. Numbers, booleans and strings stay as they are.
   */
  public static Object tree(Object value) {
    if (value == null
        || value instanceof Boolean
        || value instanceof String
        || value instanceof Integer
        || value instanceof Long) {
      return value;
    }
    if (value instanceof byte[] bytes) {
      return Hex.format(bytes);
    }
    if (value instanceof java.util.Optional<?> optional) {
      return optional.map(GoldenVectors::tree).orElse(null); // empty reads as null
    }
    if (value instanceof ByteBuf buffer) {
      return Hex.format(buffer);
    }
    if (value instanceof Enum<?> constant) {
      return constant.name();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(GoldenVectors::tree).toList();
    }
    if (value instanceof Record record) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (RecordComponent component : record.getClass().getRecordComponents()) {
        Object field = invoke(component, record);
        if (field instanceof ByteBuf buffer) {
          fields.put("dataHex", Hex.format(buffer));
        } else {
          fields.put(component.getName(), tree(field));
        }
      }
      return fields;
    }
    throw new IllegalArgumentException("no tree form for " + value.getClass().getName());
  }

  private static Object invoke(RecordComponent component, Record record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "accessor " + component.getName() + " failed", e.getTargetException());
    }
  }

  /**
   * Asserts that {@code actual} (a {@link #tree} result) has exactly the fields and values of
   * {@code expected}; the message names the path of the first difference.
   */
  public static void assertMatches(JsonNode expected, Object actual, String what) {
    String difference = difference("", expected, actual);
    if (difference != null) {
      throw new AssertionError(
          what + ": " + difference + "\n  expected " + expected + "\n  actual   " + actual);
    }
  }

  private static String difference(String path, JsonNode expected, Object actual) {
    String here = path.isEmpty() ? "(root)" : path;
    if (expected.isNull()) {
      return actual == null ? null : here + " should be null but is " + actual;
    }
    if (actual == null) {
      return here + " is null, expected " + expected;
    }
    if (expected.isObject()) {
      if (!(actual instanceof Map<?, ?> map)) {
        return here + " should be an object but is " + actual;
      }
      List<String> expectedKeys = new ArrayList<>();
      expected.fieldNames().forEachRemaining(expectedKeys::add);
      if (!new java.util.HashSet<>(expectedKeys).equals(map.keySet())) {
        return here + " has fields " + map.keySet() + ", expected " + expectedKeys;
      }
      for (String key : expectedKeys) {
        String inner =
            difference(path.isEmpty() ? key : path + "." + key, expected.get(key), map.get(key));
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (expected.isArray()) {
      if (!(actual instanceof List<?> list)) {
        return here + " should be an array but is " + actual;
      }
      if (list.size() != expected.size()) {
        return here + " has " + list.size() + " elements, expected " + expected.size();
      }
      Iterator<?> items = list.iterator();
      for (int i = 0; i < expected.size(); i++) {
        String inner = difference(path + "[" + i + "]", expected.get(i), items.next());
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (expected.isIntegralNumber()) {
      BigInteger want = expected.bigIntegerValue();
      BigInteger signed;
      BigInteger unsigned;
      if (actual instanceof Integer i) {
        signed = BigInteger.valueOf(i);
        unsigned = BigInteger.valueOf(Integer.toUnsignedLong(i));
      } else if (actual instanceof Long l) {
        signed = BigInteger.valueOf(l);
        unsigned = new BigInteger(Long.toUnsignedString(l));
      } else {
        return here + " should be a number but is " + actual;
      }
      return want.equals(signed) || want.equals(unsigned)
          ? null
          : here + " is " + actual + " (unsigned " + unsigned + "), expected " + want;
    }
    if (expected.isBoolean()) {
      return Objects.equals(expected.booleanValue(), actual)
          ? null
          : here + " is " + actual + ", expected " + expected.booleanValue();
    }
    if (expected.isTextual()) {
      return Objects.equals(expected.textValue(), actual)
          ? null
          : here + " is \"" + actual + "\", expected \"" + expected.textValue() + "\"";
    }
    return here + ": unsupported expected value " + expected;
  }
}
