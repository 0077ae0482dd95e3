package dev.secdrive.host.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.kit.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP+JSON plumbing the terminal's clients of a service share ({@link CenterClient}, {@link
 * DistributorClient}): the base URL, timeouts, JSON bodies, percent-encoded routes, the services'
 * {@code {"error": ...}} refusals, and answers checked against the record of the API.
 */
final class JsonHttp {

  /** Lenient on what it reads: a newer service may add fields, and each call checks its own. */
  static final ObjectMapper JSON =
      Json.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Makes the exception of a refusal: the HTTP status and the service's own words. */
  @FunctionalInterface
  interface Refusal {
    FlowException of(int status, String reason);
  }

  private final URI base;
  private final String service;
  private final String api;
  private final Refusal refusal;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param url the service's base URL, e.g. {@code http://127.0.0.1:7150}
   * @param service how messages name it, e.g. "the central site"
   * @param api the document its answers follow, e.g. "license-center/API.md"
   * @throws FlowException if the URL is not an http(s) URL
   */
  JsonHttp(String url, String service, String api, Refusal refusal) {
    this(url, service, api, refusal, TIMEOUT);
  }

  /** As above, waiting at most {@code timeout} for each answer. */
  JsonHttp(String url, String service, String api, Refusal refusal, Duration timeout) {
    this.timeout = timeout;
    this.base = parse(url, service);
    this.service = service;
    this.api = api;
    this.refusal = refusal;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  private static URI parse(String url, String service) {
    String what = service.startsWith("the ") ? service.substring(4) : service;
    URI parsed;
    try {
      parsed = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw new FlowException(what + " URL '" + url + "' is malformed: " + e.getReason());
    }
    if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())
        || parsed.getHost() == null) {
      throw new FlowException(
          what + " URL '" + url + "' must be http://host:port or https://host:port");
    }
    return parsed;
  }

  URI base() {
    return base;
  }

  String service() {
    return service;
  }

  /**
   * A call answered with a JSON object.
   *
   * @param authorization the {@code Authorization} header, or null for none
   * @throws FlowException the service's refusal (made by the {@link Refusal}), or why it could not
   *     be asked
   */
  JsonNode call(String method, String path, Object body, String authorization) {
    JsonNode answer = answer(method, path, body, authorization);
    if (!answer.isObject()) {
      throw new FlowException(
          service + " answered " + method + " " + path + " with something not a JSON object");
    }
    return answer;
  }

  /** A GET answered with a JSON array of {@code type}. */
  <T> List<T> list(String path, String authorization, Class<T> type) {
    JsonNode answer = answer("GET", path, null, authorization);
    if (!answer.isArray()) {
      throw new FlowException(service + " answered GET " + path + " with something not a list");
    }
    List<T> out = new ArrayList<>();
    answer.forEach(e -> out.add(read(e, type)));
    return out;
  }

  private JsonNode answer(String method, String path, Object body, String authorization) {
    HttpResponse<byte[]> response =
        send(request(method, path, body, authorization), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode answer = tree(response.body());
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw refused(status, answer, response.body());
    }
    if (answer == null) {
      throw new FlowException(
          service + " answered " + method + " " + path + " with something not a JSON object");
    }
    return answer;
  }

  /** {@link #call} read as {@code type}. */
  <T> T call(String method, String path, Object body, String authorization, Class<T> type) {
    return read(call(method, path, body, authorization), type);
  }

  /**
   * A GET answered with octets, streamed into {@code out} with {@code progress} (the total is the
   * answer's {@code Content-Length}, or 0 if it has none).
   *
   * @return the number of bytes received
   * @throws UncheckedIOException if {@code out} cannot be written
   */
  long download(String path, String authorization, OutputStream out, Progress progress) {
    HttpResponse<InputStream> response =
        send(request("GET", path, null, authorization), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      int status = response.statusCode();
      if (status / 100 != 2) {
        byte[] body = in.readAllBytes();
        throw refused(status, tree(body), body);
      }
      long total = response.headers().firstValueAsLong("Content-Length").orElse(0);
      byte[] buffer = new byte[1 << 16];
      long done = 0;
      progress.update(0, total);
      for (int n; (n = read(in, buffer)) > 0; ) {
        try {
          out.write(buffer, 0, n);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        done += n;
        progress.update(done, Math.max(total, done));
      }
      if (total > 0 && done != total) {
        throw new FlowException(
            service + " ended GET " + path + " after " + done + " of " + total + " bytes");
      }
      return done;
    } catch (IOException e) {
      throw new FlowException("cannot read " + service + "'s answer to GET " + path + ": " + e, e);
    }
  }

  private int read(InputStream in, byte[] buffer) {
    try {
      return in.read(buffer);
    } catch (IOException e) {
      throw new FlowException(service + " broke off its answer: " + e, e);
    }
  }

  private HttpRequest request(String method, String path, Object body, String authorization) {
    URI uri = base.resolve(base.getPath() + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (body != null) {
      try {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return request.build();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new FlowException(
          service + " at " + base + " did not answer within " + timeout.toMillis() + " ms", e);
    } catch (ConnectException e) {
      throw new FlowException("cannot reach " + service + " at " + base + ": connection refused");
    } catch (IOException e) {
      throw new FlowException("cannot reach " + service + " at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlowException("interrupted while waiting for " + service, e);
    }
  }

  private static JsonNode tree(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private FlowException refused(int status, JsonNode answer, byte[] body) {
    String reason = null;
    if (answer != null && answer.isObject() && answer.path("error").isTextual()) {
      reason = answer.get("error").asText();
    }
    if (reason == null) {
      reason = new String(body, StandardCharsets.UTF_8).strip();
    }
    return refusal.of(status, reason.isEmpty() ? "no reason given" : reason);
  }

  /** A path of the API: its segments, each percent-encoded. */
  static String route(String... segments) {
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return path.toString();
  }

  <T> T read(JsonNode answer, Class<T> type) {
    try {
      return JSON.treeToValue(answer, type);
    } catch (JsonProcessingException e) {
      throw new FlowException(
          service + "'s answer is not what " + api + " says: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw new FlowException(service + "'s answer is not what " + api + " says: " + e);
    }
  }

  <T> T present(T value, String field) {
    if (value == null) {
      throw new FlowException(service + "'s answer lacks the field '" + field + "'");
    }
    return value;
  }
}
