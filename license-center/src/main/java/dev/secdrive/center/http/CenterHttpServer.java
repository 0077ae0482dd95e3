package dev.secdrive.center.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secdrive.center.CentralSite;
import dev.secdrive.center.Refusal;
import dev.secdrive.center.store.Bill;
import dev.secdrive.center.store.Copy;
import dev.secdrive.center.store.Store;
import dev.secdrive.center.store.StoreException;
import dev.secdrive.center.store.Title;
import dev.secdrive.center.store.User;
import dev.secdrive.kit.crypto.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central site's HTTP and JSON API (license-center/API.md). Request bodies are JSON objects
 * whose fields are all known, binary values are lower- or upper-case hex; every refusal answers
 * {@code {"error": "..."}} with the status of its {@link Refusal.Kind}. Administrative endpoints
 * need {@code Authorization: Bearer <admin token>}.
 */
public final class CenterHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CenterHttpServer.class);
  private static final int MAX_BODY = 64 << 10;
  private static final HexFormat HEX = HexFormat.of();

  static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final CentralSite site;
  private final byte[] adminToken;
  private final HttpServer server;
  private final ExecutorService executor;

  private CenterHttpServer(
      CentralSite site, byte[] adminToken, HttpServer server, ExecutorService executor) {
    this.site = site;
    this.adminToken = adminToken.clone();
    this.server = server;
    this.executor = executor;
  }

  /** Starts serving {@code site} on {@code address}. */
  public static CenterHttpServer start(
      CentralSite site, String adminToken, InetSocketAddress address) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException("cannot listen on " + address + ": " + e.getMessage(), e));
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread thread = new Thread(r, "secdrive-center-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    CenterHttpServer http =
        new CenterHttpServer(
            site, adminToken.getBytes(StandardCharsets.US_ASCII), server, executor);
    server.createContext("/", http::handle);
    server.setExecutor(executor);
    server.start();
    return http;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      try {
        send(exchange, 200, route(exchange, method, segments(path)));
      } catch (Refusal e) {
        if (e.kind() == Refusal.Kind.UNAUTHORIZED && !path.startsWith("/copies/")) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"secdrive-center\"");
        }
        send(exchange, e.kind().status(), error(e.getMessage()));
      } catch (StoreException e) {
        // As for 500 below: the database's message (SQL, table names, hosts) stays in the log.
        String reference = HEX.formatHex(Bytes.random(4));
        log.error(
            "center request {} {} failed in the database (reference {})",
            method,
            path,
            reference,
            e);
        send(exchange, 503, error("database unavailable (reference " + reference + ")"));
      } catch (RuntimeException e) {
        // The detail (a stack trace, SQL, file names) stays in the log; the client gets a reference
        // to quote, so an operator can find it without the service telling strangers its insides.
        String reference = HEX.formatHex(Bytes.random(4));
        log.error("center request {} {} failed (reference {})", method, path, reference, e);
        send(exchange, 500, error("internal error (reference " + reference + ")"));
      }
    }
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        try {
          out.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw bad("path " + rawPath + " has a malformed %-escape");
        }
      }
    }
    return out;
  }

  private Object route(HttpExchange exchange, String method, List<String> path) throws IOException {
    InputStream body = exchange.getRequestBody();
    String first = path.isEmpty() ? "" : path.get(0);
    int n = path.size();
    switch (first) {
      case "center" -> {
        if (n == 1) {
          requireMethod(method, "GET", path);
          return center();
        }
      }
      case "titles" -> {
        if (n == 1) {
          if (method.equals("POST")) {
            requireAdmin(exchange);
            JsonNode request = read(body, "titleId", "name", "scheme", "priceCents");
            CentralSite.RegisteredTitle registered =
                site.registerTitle(
                    text(request, "titleId"),
                    text(request, "name"),
                    (int) integer(request, "scheme", 1, 2),
                    integer(request, "priceCents", 0, Long.MAX_VALUE));
            ObjectNode out = title(registered.title());
            out.put("key", HEX.formatHex(registered.key()));
            return out;
          }
          requireMethod(method, "GET", path);
          ArrayNode out = JSON.createArrayNode();
          site.titles().forEach(t -> out.add(title(t)));
          return out;
        }
        if (n == 2) {
          requireMethod(method, "GET", path);
          return title(site.title(path.get(1)));
        }
        if (n == 3 && path.get(2).equals("key")) {
          requireMethod(method, "GET", path);
          requireAdmin(exchange);
          String id = path.get(1);
          return JSON.createObjectNode()
              .put("titleId", id)
              .put("key", HEX.formatHex(site.titleKey(id)));
        }
      }
      case "users" -> {
        if (n == 1) {
          requireMethod(method, "POST", path);
          requireAdmin(exchange);
          JsonNode request = read(body, "userId", "name", "userKey", "signingKey");
          return user(
              site.registerUser(
                  text(request, "userId"),
                  text(request, "name"),
                  hex(request, "userKey"),
                  hex(request, "signingKey")));
        }
        if (n == 2) {
          requireMethod(method, "GET", path);
          requireAdmin(exchange); // copies, bills and keys are the user's and the site's business
          return profile(site.profile(path.get(1)));
        }
        if (n == 3 && path.get(2).equals("payments")) {
          requireMethod(method, "POST", path);
          requireAdmin(exchange);
          JsonNode request = read(body, "amountCents");
          String userId = path.get(1);
          Store.Payment payment =
              site.pay(userId, integer(request, "amountCents", 1, Long.MAX_VALUE));
          ObjectNode out = JSON.createObjectNode();
          out.put("userId", userId);
          out.put("paymentId", payment.paymentId());
          ArrayNode settled = out.putArray("billsPaid");
          payment.billsPaid().forEach(settled::add);
          out.put("owedCents", payment.stillOwedCents());
          return out;
        }
      }
      case "copies" -> {
        if (n == 2 && path.get(1).equals("certificate")) {
          requireMethod(method, "POST", path);
          JsonNode request = read(body, "userId", "titleId", "mediumId", "signature");
          CentralSite.CertificateIssue issue =
              site.issueCertificate(
                  text(request, "userId"),
                  text(request, "titleId"),
                  text(request, "mediumId"),
                  optionalHex(request, "signature"));
          ObjectNode out = JSON.createObjectNode();
          out.put("serial", issue.certificate().serial());
          out.put("copyCertificate", HEX.formatHex(issue.certificate().encode()));
          out.put("sealedKey", HEX.formatHex(issue.sealedKey().encode()));
          out.set("bill", bill(issue.bill()));
          out.put("reissued", issue.reissued());
          return out;
        }
        if (n == 2 && path.get(1).equals("conversion")) {
          requireMethod(method, "POST", path);
          JsonNode request =
              read(body, "userId", "titleId", "mediumId", "driveCertificate", "signature");
          CentralSite.ConversionIssue issue =
              site.issueConversion(
                  text(request, "userId"),
                  text(request, "titleId"),
                  text(request, "mediumId"),
                  hex(request, "driveCertificate"),
                  optionalHex(request, "signature"));
          ObjectNode out = JSON.createObjectNode();
          out.put("serial", issue.grant().serial());
          out.put("deviceId", issue.grant().deviceId());
          out.put("grant", HEX.formatHex(issue.grant().encode()));
          out.set("bill", bill(issue.bill()));
          out.put("reissued", issue.reissued());
          return out;
        }
      }
      default -> {}
    }
    throw new Refusal(Refusal.Kind.NOT_FOUND, "no such resource: /" + String.join("/", path));
  }

  // ------------------------------------------------------------------ answers

  private ObjectNode center() {
    ObjectNode out = JSON.createObjectNode();
    out.put("name", site.keys().name());
    out.put("certificate", HEX.formatHex(site.keys().certificate().encode()));
    out.put("publicKey", HEX.formatHex(site.keys().certificate().ed25519PublicKey()));
    out.put("authorityPublicKey", HEX.formatHex(site.keys().authorityPublicKey()));
    return out;
  }

  private static ObjectNode title(Title t) {
    return JSON.createObjectNode()
        .put("titleId", t.titleId())
        .put("name", t.name())
        .put("scheme", t.scheme())
        .put("priceCents", t.priceCents())
        .put("registeredAt", t.registeredAt().toString());
  }

  private static ObjectNode user(User u) {
    ObjectNode out =
        JSON.createObjectNode()
            .put("userId", u.userId())
            .put("name", u.name())
            .put("userKey", HEX.formatHex(u.userKey()));
    if (u.signingKey() != null) {
      out.put("signingKey", HEX.formatHex(u.signingKey()));
    }
    return out.put("registeredAt", u.registeredAt().toString());
  }

  private static ObjectNode profile(CentralSite.Profile p) {
    ObjectNode out = user(p.user());
    out.put("owedCents", p.owedCents());
    ArrayNode copies = out.putArray("copies");
    for (Copy c : p.copies()) {
      ObjectNode copy =
          copies
              .addObject()
              .put("serial", c.serial())
              .put("titleId", c.titleId())
              .put("mediumId", c.mediumId())
              .put("scheme", c.scheme());
      if (c.deviceId() != null) {
        copy.put("deviceId", c.deviceId());
      }
      copy.put("issuedAt", c.issuedAt().toString());
    }
    ArrayNode bills = out.putArray("bills");
    p.bills().forEach(b -> bills.add(bill(b)));
    return out;
  }

  private static ObjectNode bill(Bill b) {
    return JSON.createObjectNode()
        .put("id", b.id())
        .put("serial", b.copySerial())
        .put("amountCents", b.amountCents())
        .put("paidCents", b.paidCents())
        .put("paid", b.paid())
        .put("createdAt", b.createdAt().toString());
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  // ------------------------------------------------------------------ requests

  private void requireAdmin(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String prefix = "Bearer ";
    if (header == null || !header.startsWith(prefix)) {
      throw new Refusal(
          Refusal.Kind.UNAUTHORIZED,
          "this endpoint needs 'Authorization: Bearer <token>' with the admin token of the data"
              + " directory");
    }
    byte[] presented = header.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
    // Constant time: the comparison must not tell how much of a guessed token was right.
    if (!MessageDigest.isEqual(presented, adminToken)) {
      throw new Refusal(Refusal.Kind.UNAUTHORIZED, "the admin token is wrong");
    }
  }

  private static void requireMethod(String method, String expected, List<String> path) {
    if (!method.equals(expected)) {
      throw new Refusal(
          Refusal.Kind.METHOD_NOT_ALLOWED,
          "method "
              + method
              + " not allowed on /"
              + String.join("/", path)
              + " (use "
              + expected
              + ")");
    }
  }

  /** Reads a JSON object whose fields are all in {@code allowed}, so a typo is not ignored. */
  private static JsonNode read(InputStream body, String... allowed) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      throw bad("request body larger than " + MAX_BODY + " bytes");
    }
    if (bytes.length == 0) {
      throw bad("request body must be a JSON object with " + String.join(", ", allowed));
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw bad("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw bad("request body must be a JSON object");
    }
    List<String> known = List.of(allowed);
    for (var names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw bad("unknown field '" + name + "' (known: " + String.join(", ", known) + ")");
      }
    }
    return node;
  }

  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || !value.isTextual()) {
      throw bad("field '" + field + "' (a string) is required");
    }
    return value.asText();
  }

  private static long integer(JsonNode request, String field, long min, long max) {
    JsonNode value = request.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw bad("field '" + field + "' (an integer) is required, got " + value);
    }
    long v = value.asLong();
    if (v < min || v > max) {
      throw bad(
          "field '"
              + field
              + "' must be "
              + (max == Long.MAX_VALUE ? "at least " + min : min + ".." + max)
              + ", got "
              + v);
    }
    return v;
  }

  private static byte[] hex(JsonNode request, String field) {
    String value = text(request, field);
    try {
      return HEX.parseHex(value);
    } catch (IllegalArgumentException e) {
      throw bad("field '" + field + "' is not hexadecimal: " + e.getMessage());
    }
  }

  /** A hex field that may be absent (null then), so the caller can say why it is needed. */
  private static byte[] optionalHex(JsonNode request, String field) {
    return request.has(field) ? hex(request, field) : null;
  }

  private static Refusal bad(String message) {
    return new Refusal(Refusal.Kind.BAD_REQUEST, message);
  }
}
