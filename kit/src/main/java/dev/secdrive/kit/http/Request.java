package dev.secdrive.kit.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.kit.crypto.Bytes;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request to a {@link JsonServer}: its method, its decoded path segments, and its body read as
 * a JSON object or a record, at most the server's body limit. Every refusal is an {@link HttpError}
 * with a message that names the field at fault.
 */
public final class Request {

  private final String method;
  private final String rawPath;
  private final HttpHeaders headers;
  private final byte[] body;
  private final ObjectMapper json;
  private final List<String> segments;
  private final String remoteAddress;

  /**
   * @param target the request target as sent, e.g. {@code /titles/SW%201/key?x=1}
   * @param body the whole body, already bounded by the server
   * @param remoteAddress the peer's IP address (no port), or null if unknown
   * @throws HttpError 400 if the path has a malformed %-escape
   */
  Request(
      String method,
      String target,
      HttpHeaders headers,
      byte[] body,
      ObjectMapper json,
      String remoteAddress) {
    this.method = method;
    int query = target.indexOf('?');
    this.rawPath = query < 0 ? target : target.substring(0, query);
    this.headers = headers;
    this.body = body;
    this.json = json;
    this.segments = segments(rawPath);
    this.remoteAddress = remoteAddress;
  }

  /** The peer's IP address as text (no port), or null if unknown. */
  public String remoteAddress() {
    return remoteAddress;
  }

  public String method() {
    return method;
  }

  /** The path as sent, e.g. {@code /titles/SW%201/key}. */
  public String rawPath() {
    return rawPath;
  }

  /** The path's segments, percent-decoded, empty ones dropped: {@code [titles, SW 1, key]}. */
  public List<String> segments() {
    return segments;
  }

  /** The path as segments joined again, for messages: {@code /titles/SW 1/key}. */
  public String path() {
    return "/" + String.join("/", segments);
  }

  /** The first value of header {@code name}, or null. */
  public String header(String name) {
    return headers.get(name);
  }

  /**
   * @throws HttpError 405 if the method is not {@code expected}
   */
  public void requireMethod(String expected) {
    if (!method().equals(expected)) {
      throw new HttpError(
          405, "method " + method() + " not allowed on " + path() + " (use " + expected + ")");
    }
  }

  /**
   * Checks {@code Authorization: Bearer <token>} in constant time, so the comparison does not tell
   * how much of a guessed token was right.
   *
   * @param token the token expected, as bytes of its ASCII form
   * @param what names the token in refusals, e.g. "admin token"
   * @param where says where the caller finds it, e.g. "of the data directory"
   * @throws HttpError 401 with {@code WWW-Authenticate} if the token is missing or wrong
   */
  public void requireBearer(byte[] token, String what, String where, String realm) {
    Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\"");
    String header = header("Authorization");
    String prefix = "Bearer ";
    if (header == null || !header.startsWith(prefix)) {
      throw new HttpError(
          401,
          "this endpoint needs 'Authorization: Bearer <token>' with the " + what + " " + where,
          challenge);
    }
    byte[] presented = header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!Bytes.constantTimeEquals(presented, token)) {
      throw new HttpError(401, "the " + what + " is wrong", challenge);
    }
  }

  /** The body, at most the server's limit: a longer one was answered 413 before any handler ran. */
  public byte[] body() throws IOException {
    return body.clone();
  }

  /**
   * The body as a JSON object whose fields are all in {@code allowed}, so that a typo is refused
   * rather than ignored; an empty body is an empty object.
   */
  public JsonNode object(Set<String> allowed) throws IOException {
    byte[] bytes = body();
    List<String> known = new ArrayList<>(allowed);
    known.sort(null);
    return bytes.length == 0 ? json.createObjectNode() : parse(bytes, known);
  }

  /**
   * The body as the record {@code type}, each component read from the field of its name (see {@link
   * RecordBinding}); an empty body is refused.
   *
   * @param optional the components that may be absent (null then)
   */
  public <R extends Record> R read(Class<R> type, Set<String> optional) throws IOException {
    RecordBinding<R> binding = RecordBinding.of(type);
    byte[] bytes = body();
    if (bytes.length == 0) {
      throw HttpError.badRequest(
          "request body must be a JSON object with " + String.join(", ", binding.names()));
    }
    return binding.bind(parse(bytes, binding.names()), optional);
  }

  /** As {@link #read(Class, Set)} with every component required. */
  public <R extends Record> R read(Class<R> type) throws IOException {
    return read(type, Set.of());
  }

  /** Parses a JSON object whose fields are all in {@code known}, named in that order if not. */
  private JsonNode parse(byte[] bytes, List<String> known) {
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (JacksonException e) {
      throw HttpError.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpError.badRequest("request body is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw HttpError.badRequest("request body must be a JSON object");
    }
    for (var names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw HttpError.badRequest(
            "unknown field '" + name + "' (known: " + String.join(", ", known) + ")");
      }
    }
    return node;
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        try {
          out.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest("path " + rawPath + " has a malformed %-escape");
        }
      }
    }
    return List.copyOf(out);
  }
}
