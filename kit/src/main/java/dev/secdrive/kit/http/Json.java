package dev.secdrive.kit.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.HexFormat;

/**
 * The JSON mapping of secdrive's HTTP APIs: records map by their component names, binary values
 * ({@code byte[]}) are hexadecimal strings rather than Jackson's base64, absent values are left out
 * rather than written as {@code null}, and trailing garbage after a document is an error.
 */
public final class Json {

  private static final HexFormat HEX = HexFormat.of();

  private Json() {}

  /** A builder with secdrive's conventions, for a mapper to configure further. */
  public static JsonMapper.Builder builder() {
    SimpleModule hex = new SimpleModule("secdrive-hex");
    hex.addSerializer(byte[].class, new HexSerializer());
    hex.addDeserializer(byte[].class, new HexDeserializer());
    return JsonMapper.builder()
        .addModule(hex)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  private static final class HexSerializer extends JsonSerializer<byte[]> {
    @Override
    public void serialize(byte[] value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      out.writeString(HEX.formatHex(value));
    }
  }

  private static final class HexDeserializer extends JsonDeserializer<byte[]> {
    @Override
    public byte[] deserialize(JsonParser in, DeserializationContext context) throws IOException {
      if (in.currentToken() != JsonToken.VALUE_STRING) {
        return (byte[]) context.handleUnexpectedToken(byte[].class, in);
      }
      try {
        return HEX.parseHex(in.getText());
      } catch (IllegalArgumentException e) {
        return (byte[])
            context.handleWeirdStringValue(byte[].class, in.getText(), "not hexadecimal");
      }
    }
  }
}
