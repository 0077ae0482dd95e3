package dev.secdrive.kit.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a JSON object into a record through its canonical constructor, field by component name,
 * with refusals that name the field and the type it must have. Jackson could bind records itself,
 * but its messages name Java types and token kinds; an API's caller needs "field 'scheme' (an
 * integer) is required". The record's compact constructor then checks values, and an {@link
 * IllegalArgumentException} it throws becomes a 400 with its message.
 *
 * <p>Components may be {@code String}, {@code int}, {@code long}, {@code boolean} or {@code byte[]}
 * (hexadecimal in JSON).
 */
final class RecordBinding<R extends Record> {

  private static final ConcurrentHashMap<Class<?>, RecordBinding<?>> BINDINGS =
      new ConcurrentHashMap<>();
  private static final HexFormat HEX = HexFormat.of();

  private final RecordComponent[] components;
  private final Constructor<R> constructor;
  private final List<String> names;

  private RecordBinding(Class<R> type) {
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      names.add(components[i].getName());
      if (!readable(types[i])) {
        throw new IllegalArgumentException(
            type.getName() + "." + names.get(i) + " has a type JSON bodies cannot carry");
      }
    }
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("a record has its canonical constructor", e);
    }
    this.names = List.copyOf(names);
  }

  @SuppressWarnings("unchecked")
  static <R extends Record> RecordBinding<R> of(Class<R> type) {
    return (RecordBinding<R>) BINDINGS.computeIfAbsent(type, t -> new RecordBinding<>(type));
  }

  /** The field names, in component order. */
  List<String> names() {
    return names;
  }

  R bind(JsonNode object, Set<String> optional) {
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      String name = components[i].getName();
      values[i] = value(name, components[i].getType(), object.get(name), optional.contains(name));
    }
    try {
      return constructor.newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException refused) {
        throw HttpError.badRequest(refused.getMessage());
      }
      throw new IllegalStateException("cannot build " + constructor.getName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + constructor.getName(), e);
    }
  }

  private static Object value(String name, Class<?> type, JsonNode node, boolean optional) {
    boolean absent = node == null || node.isNull();
    if (absent && optional && !type.isPrimitive()) {
      return null;
    }
    if (type == String.class || type == byte[].class) {
      if (absent || !node.isTextual()) {
        throw HttpError.badRequest("field '" + name + "' (a string) is required");
      }
      if (type == String.class) {
        return node.asText();
      }
      try {
        return HEX.parseHex(node.asText());
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("field '" + name + "' is not hexadecimal: " + e.getMessage());
      }
    }
    if (type == boolean.class) {
      if (absent || !node.isBoolean()) {
        throw HttpError.badRequest("field '" + name + "' (true or false) is required");
      }
      return node.booleanValue();
    }
    boolean fits =
        !absent
            && node.isIntegralNumber()
            && (type == long.class ? node.canConvertToLong() : node.canConvertToInt());
    if (!fits) {
      throw HttpError.badRequest(
          "field '" + name + "' (an integer) is required, got " + (absent ? "nothing" : node));
    }
    return type == long.class ? (Object) node.asLong() : (Object) node.asInt();
  }

  private static boolean readable(Class<?> type) {
    return type == String.class
        || type == byte[].class
        || type == boolean.class
        || type == int.class
        || type == long.class;
  }
}
