package dev.secdrive.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * JSON Schema (draft 2020-12) for secdrive's data files: the drive profiles here, and every other
 * file a user writes by hand and a module validates before it reads it (the emulator's fault
 * scripts). Messages name the field by its path ({@code $.faults[2].lba}) and say what is wrong in
 * plain English.
 */
public final class JsonSchemas {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonSchemas() {}

  /**
   * Compiles the schema in the class path resource {@code resource}, relative to {@code anchor}.
   *
   * @throws IllegalStateException if it is missing
   * @throws UncheckedIOException if it cannot be read
   */
  public static JsonSchema load(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema " + resource + " is not on the classpath");
      }
      JsonNode node = MAPPER.readTree(in);
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).pathType(PathType.LEGACY).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node, config);
    } catch (IOException e) {
      throw new UncheckedIOException("schema " + resource + " cannot be read: " + e, e);
    }
  }

  /** Where a parse failed, for a message: {@code " at line 3, column 7"}, or empty. */
  public static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
    com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
    return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** What is wrong with {@code tree}, a message per problem; empty if it is valid. */
  public static List<String> problems(JsonSchema schema, JsonNode tree) {
    return schema.validate(tree).stream().map(JsonSchemas::describe).sorted().toList();
  }

  /** One validation message, with the path of a missing or unknown property spelled out. */
  static String describe(ValidationMessage message) {
    String property = message.getProperty();
    if (property != null) {
      String path = message.getInstanceLocation().append(property).toString();
      switch (message.getType()) {
        case "required":
          return path + ": required property '" + property + "' not found";
        case "additionalProperties":
        case "unevaluatedProperties":
          return path + ": property '" + property + "' is not defined in the schema";
        default:
          break;
      }
    }
    return message.getMessage();
  }
}
