package dev.secdrive.emulator.control;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.Faults;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.emulator.secure.SecureLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP control API of an emulator:
 *
 * <pre>
 * GET    /drives                      every drive's status
 * GET    /drives/{lun}                one drive's status
 * POST   /drives/{lun}/insert         {"medium": "ID"}
 * POST   /drives/{lun}/remove         {"force": false}
 * POST   /drives/{lun}/write-protect  {"enabled": true}
 * GET    /drives/{lun}/faults         injected media errors
 * POST   /drives/{lun}/faults         {"readErrors": [lba, ...], "writeErrors": [lba, ...],
 *                                      "powerLossAtStep": "restore:secure-area-renamed"}
 * DELETE /drives/{lun}/faults         clear them
 * POST   /drives/{lun}/secure-area/erase  destroy the secure area of the medium in the drive
 * GET    /media                       the media directory
 * </pre>
 *
 * Errors answer 400 (bad request body), 404 (no such drive or path) or 409 (the drive refuses),
 * with {@code {"error": "..."}}.
 */
public final class ControlServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private static final Pattern DRIVE_PATH =
      Pattern.compile("/drives/(\\d{1,3})(/[a-z-]+(?:/[a-z-]+)?)?/?");

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final Emulator emulator;
  private final HttpServer server;
  private final ExecutorService executor;

  private ControlServer(Emulator emulator, HttpServer server, ExecutorService executor) {
    this.emulator = emulator;
    this.server = server;
    this.executor = executor;
  }

  /** Starts the control API on {@code address}. */
  public static ControlServer start(Emulator emulator, InetSocketAddress address) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException("cannot listen for control on " + address + ": " + e.getMessage(), e));
    }
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "secdrive-control");
              thread.setDaemon(true);
              return thread;
            });
    ControlServer control = new ControlServer(emulator, server, executor);
    server.createContext("/", control::handle);
    server.setExecutor(executor);
    server.start();
    return control;
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
      String path = exchange.getRequestURI().getPath();
      Object result;
      try {
        result = route(method, path, exchange.getRequestBody());
        send(exchange, 200, result);
      } catch (NotFound e) {
        send(exchange, 404, error(e.getMessage()));
      } catch (BadRequest e) {
        send(exchange, 400, error(e.getMessage()));
      } catch (DriveControlException | MediumException e) {
        send(exchange, 409, error(e.getMessage()));
      } catch (RuntimeException e) {
        log.error("control request {} {} failed", method, path, e);
        send(exchange, 500, error("internal error: " + e));
      }
    }
  }

  private Object route(String method, String path, InputStream body) throws IOException {
    if (path.equals("/drives") || path.equals("/drives/")) {
      requireMethod(method, "GET", path);
      return emulator.status();
    }
    if (path.equals("/media") || path.equals("/media/")) {
      requireMethod(method, "GET", path);
      return emulator.media().list();
    }
    Matcher m = DRIVE_PATH.matcher(path);
    if (!m.matches()) {
      throw new NotFound("no such resource: " + path);
    }
    int lun = Integer.parseInt(m.group(1));
    if (emulator.target().unit(lun) == null) {
      throw new NotFound("no drive on LUN " + lun);
    }
    String action = m.group(2) == null ? "" : m.group(2);
    switch (action) {
      case "" -> {
        requireMethod(method, "GET", path);
        return emulator.drive(lun).status();
      }
      case "/insert" -> {
        requireMethod(method, "POST", path);
        JsonNode request = read(body, "medium");
        return emulator.insert(lun, text(request, "medium"));
      }
      case "/remove" -> {
        requireMethod(method, "POST", path);
        JsonNode request = read(body, "force");
        JsonNode force = request.path("force");
        if (!force.isMissingNode() && !force.isBoolean()) {
          throw new BadRequest("field 'force' must be true or false, got " + force);
        }
        return emulator.remove(lun, force.asBoolean(false));
      }
      case "/write-protect" -> {
        requireMethod(method, "POST", path);
        JsonNode request = read(body, "enabled");
        JsonNode enabled = request.get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
          throw new BadRequest("field 'enabled' (true or false) is required");
        }
        return emulator.setWriteProtected(lun, enabled.booleanValue());
      }
      case "/faults" -> {
        Faults faults = emulator.drive(lun).faults();
        switch (method) {
          case "GET" -> {}
          case "POST" -> {
            JsonNode request = read(body, "readErrors", "writeErrors", "powerLossAtStep");
            // Check the whole request before injecting anything: a 400 leaves the faults as
            // they were.
            List<Long> readErrors = lbas(request, "readErrors");
            List<Long> writeErrors = lbas(request, "writeErrors");
            String step = powerLossStep(request);
            readErrors.forEach(faults::addReadError);
            writeErrors.forEach(faults::addWriteError);
            if (step != null) {
              faults.setPowerLossAtStep(step);
            }
          }
          case "DELETE" -> faults.clear();
          default -> throw new BadRequest("method " + method + " not allowed on " + path);
        }
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("readErrors", faults.readErrors());
        result.put("writeErrors", faults.writeErrors());
        result.put("powerLossAtStep", faults.powerLossAtStep());
        return result;
      }
      case "/secure-area/erase" -> {
        requireMethod(method, "POST", path);
        read(body);
        return emulator.eraseSecureArea(lun);
      }
      default -> throw new NotFound("no such resource: " + path);
    }
  }

  private static String powerLossStep(JsonNode request) {
    JsonNode step = request.path("powerLossAtStep");
    if (step.isMissingNode() || step.isNull()) {
      return null;
    }
    List<String> known = new ArrayList<>();
    known.addAll(SecureLayer.PROVISION_STEPS);
    known.addAll(SecureLayer.RESTORE_STEPS);
    known.addAll(SecureLayer.PLAYBACK_STEPS);
    if (!step.isTextual() || !known.contains(step.asText())) {
      throw new BadRequest(
          "field 'powerLossAtStep' must be one of the drive's step names ("
              + String.join(", ", known)
              + "), got "
              + step);
    }
    return step.asText();
  }

  private static List<Long> lbas(JsonNode request, String field) {
    JsonNode list = request.path(field);
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new BadRequest("field '" + field + "' must be an array of LBAs, got " + list);
    }
    List<Long> lbas = new ArrayList<>();
    for (JsonNode lba : list) {
      lbas.add(lba(lba));
    }
    return lbas;
  }

  private static long lba(JsonNode node) {
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
      throw new BadRequest("LBA must be a non-negative integer, got " + node);
    }
    return node.asLong();
  }

  private static void requireMethod(String method, String expected, String path) {
    if (!method.equals(expected)) {
      throw new BadRequest(
          "method " + method + " not allowed on " + path + " (use " + expected + ")");
    }
  }

  /** Reads a JSON object whose fields are all in {@code allowed}, so a typo is not ignored. */
  private static JsonNode read(InputStream body, String... allowed) throws IOException {
    byte[] bytes = body.readNBytes(64 << 10);
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (!node.isObject()) {
        throw new BadRequest("request body must be a JSON object");
      }
      List<String> known = List.of(allowed);
      for (var names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!known.contains(name)) {
          throw new BadRequest(
              "unknown field '" + name + "' (known: " + String.join(", ", known) + ")");
        }
      }
      return node;
    } catch (JacksonException e) {
      throw new BadRequest("request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new BadRequest("field '" + field + "' (a string) is required");
    }
    return value.asText();
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

  private static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }

  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
