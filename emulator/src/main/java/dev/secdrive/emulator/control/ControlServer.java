package dev.secdrive.emulator.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.faults.FaultScriptException;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.Faults;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.emulator.observe.CommandLog;
import dev.secdrive.emulator.observe.Instruments;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.kit.http.Binary;
import dev.secdrive.kit.http.HttpError;
import dev.secdrive.kit.http.Json;
import dev.secdrive.kit.http.JsonServer;
import dev.secdrive.kit.http.Request;
import dev.secdrive.kit.metrics.Metrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * GET    /drives/{lun}/log            the drive's command log level
 * POST   /drives/{lun}/log            {"level": "off" | "errors" | "all"}
 * GET    /media                       the media directory
 * GET    /metrics                     every meter, in the Prometheus text format
 * GET    /faults                      the fault script armed, and how often each fault fired
 * PUT    /faults                      a fault script (fault-script.schema.json) to arm instead
 * DELETE /faults                      disarm it
 * GET    /events                      the front panel's event stream (Server-Sent Events)
 * GET    /panel                       the front panel, a page (no token: it holds no data)
 * GET    /capture                     the capture being written, or null
 * POST   /capture                     {"name": "run-1"}: capture to <media-dir>/.captures/run-1.pcapng
 * DELETE /capture                     end it
 * </pre>
 *
 * Errors answer 400 (bad request body or method), 404 (no such drive or path) or 409 (the drive
 * refuses), with {@code {"error": "..."}}.
 *
 * <p>This API acts on the drives as a person's hand does and can destroy a secure area, so only its
 * owner may use it:
 *
 * <ul>
 *   <li>every request, GETs included, carries {@code Authorization: Bearer <token>} with the {@link
 *       ControlToken} of the media directory ({@code <media-dir>/.secdrive/control-token},
 *       owner-only, created on the first start); without it or with another one the answer is 401
 *       with {@code WWW-Authenticate}, and the comparison takes the same time however much of a
 *       guess was right. The one exception is the front panel's static page, script and style
 *       ({@link FrontPanel}), which hold no data; the page's own requests carry the token;
 *   <li>other web pages are refused before the token is looked at: a request with an {@code Origin}
 *       other than this server's own answers 403, a {@code Host} that is not a loopback name 421
 *       (DNS rebinding), and a body that is not {@code Content-Type: application/json} 415, which
 *       no HTML form can send; every answer forbids framing and foreign scripts;
 *   <li>it listens on a loopback address unless remote control is asked for explicitly, and then
 *       only with a token that exists already, so a token is never made on a server that others can
 *       reach;
 *   <li>kit's {@link JsonServer} bounds it: connections, a request deadline, bounded concurrency
 *       (503 when busy) and body (413).
 * </ul>
 */
public final class ControlServer implements AutoCloseable {

  private static final Pattern DRIVE_PATH =
      Pattern.compile("/drives/(\\d{1,3})(/[a-z-]+(?:/[a-z-]+)?)?/?");

  static final ObjectMapper JSON =
      Json.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .build();

  /**
   * Connections the API admits at once; when all are open, the one quiet longest gives way to a new
   * one (kit's {@code JsonServer}).
   */
  public static final int MAX_CONNECTIONS = 64;

  /** Every route, the LUN written {@code {}}: what the request log and its metrics name. */
  private static final Set<String> ROUTES =
      Set.of(
          "/drives",
          "/drives/{}",
          "/drives/{}/insert",
          "/drives/{}/remove",
          "/drives/{}/write-protect",
          "/drives/{}/faults",
          "/drives/{}/reservations/clear",
          "/drives/{}/secure-area/erase",
          "/drives/{}/log",
          "/media",
          "/metrics",
          "/faults",
          "/capture",
          "/events",
          "/panel",
          "/panel.js",
          "/panel.css");

  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

  private final Emulator emulator;
  private final ControlToken token;
  private final FrontPanel panel;
  private final JsonServer server;

  private ControlServer(Emulator emulator, InetSocketAddress address, ControlToken token) {
    this.emulator = emulator;
    this.token = token;
    this.panel = new FrontPanel(emulator, JSON);
    this.server =
        JsonServer.builder("secdrive-control", this::route)
            .sameOrigin()
            .maxConcurrent(2)
            .maxQueued(8)
            .maxBody(64 << 10)
            .maxConnections(MAX_CONNECTIONS)
            .jsonBodiesOnly()
            .json(JSON)
            .errors(ControlServer::refusal)
            .routes(ROUTES)
            .metrics(emulator.target().instruments().registry())
            .start(address);
  }

  /**
   * Starts the control API on {@code address} with the token in {@code tokenFile}.
   *
   * @param remote whether {@code address} may be other than a loopback address; if it is, the token
   *     must exist already
   * @throws IllegalArgumentException if {@code address} is not a loopback address and {@code
   *     remote} is false
   * @throws java.io.UncheckedIOException if the token cannot be read or made (missing for a remote
   *     address, malformed, readable by others) or the address cannot be bound
   */
  public static ControlServer start(
      Emulator emulator, InetSocketAddress address, Path tokenFile, boolean remote) {
    boolean loopback = address.getAddress() != null && address.getAddress().isLoopbackAddress();
    ControlToken token;
    if (loopback) {
      token = ControlToken.loadOrCreate(tokenFile);
    } else if (!remote) {
      throw new IllegalArgumentException(
          "the control API would listen on "
              + address.getHostString()
              + ", which is not a loopback address: anyone who reaches it with the token acts on"
              + " the drives; allow it explicitly (serve --control-remote)");
    } else {
      token = ControlToken.load(tokenFile);
    }
    return new ControlServer(emulator, address, token);
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** The token every request must carry. */
  public ControlToken token() {
    return token;
  }

  @Override
  public void close() {
    server.close();
    panel.close();
  }

  /** A wrong method is a bad request here (400), as this API has always answered it. */
  private static HttpError notAllowed(Request request, String allowed) {
    return HttpError.badRequest(
        "method "
            + request.method()
            + " not allowed on "
            + request.rawPath()
            + " (use "
            + allowed
            + ")");
  }

  private static void requireMethod(Request request, String expected) {
    if (!request.method().equals(expected)) {
      throw notAllowed(request, expected);
    }
  }

  private static HttpError refusal(Request request, RuntimeException e) {
    if (e instanceof DriveControlException || e instanceof MediumException) {
      return new HttpError(409, e.getMessage());
    }
    if (e instanceof FaultScriptException) {
      return HttpError.badRequest(e.getMessage());
    }
    return null;
  }

  private Object route(Request request) throws IOException {
    Object answer = answer(request);
    if (!request.method().equals("GET")) {
      panel.changed(); // a person's hand moved: the panel shows it at once
    }
    return answer;
  }

  private Object answer(Request request) throws IOException {
    Binary page = panel.file(request.rawPath());
    if (page != null) {
      requireMethod(request, "GET");
      return page; // static, holds nothing: no token needed to load it
    }
    request.requireBearer(
        token.bytes(),
        "control token",
        "of the emulator's media directory (.secdrive/" + ControlToken.FILE_NAME + ")",
        "secdrive-control");
    String path = request.rawPath();
    if (path.equals("/drives") || path.equals("/drives/")) {
      requireMethod(request, "GET");
      return emulator.status();
    }
    if (path.equals("/media") || path.equals("/media/")) {
      requireMethod(request, "GET");
      return emulator.media().list();
    }
    if (path.equals("/faults")) {
      return faultScript(request);
    }
    if (path.equals("/events")) {
      requireMethod(request, "GET");
      return panel.events();
    }
    if (path.equals("/capture")) {
      return capture(request);
    }
    if (path.equals("/metrics")) {
      requireMethod(request, "GET");
      return Metrics.scrape(emulator.target().instruments().registry());
    }
    Matcher m = DRIVE_PATH.matcher(path);
    if (!m.matches()) {
      throw HttpError.notFound("no such resource: " + path);
    }
    int lun = Integer.parseInt(m.group(1));
    if (emulator.target().unit(lun) == null) {
      throw HttpError.notFound("no drive on LUN " + lun);
    }
    String action = m.group(2) == null ? "" : m.group(2);
    switch (action) {
      case "" -> {
        requireMethod(request, "GET");
        return emulator.drive(lun).status();
      }
      case "/insert" -> {
        requireMethod(request, "POST");
        JsonNode body = request.object(Set.of("medium"));
        return emulator.insert(lun, text(body, "medium"));
      }
      case "/remove" -> {
        requireMethod(request, "POST");
        JsonNode force = request.object(Set.of("force")).path("force");
        if (!force.isMissingNode() && !force.isBoolean()) {
          throw HttpError.badRequest("field 'force' must be true or false, got " + force);
        }
        return emulator.remove(lun, force.asBoolean(false));
      }
      case "/write-protect" -> {
        requireMethod(request, "POST");
        JsonNode enabled = request.object(Set.of("enabled")).get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
          throw HttpError.badRequest("field 'enabled' (true or false) is required");
        }
        return emulator.setWriteProtected(lun, enabled.booleanValue());
      }
      case "/faults" -> {
        return faults(request, emulator.drive(lun).faults());
      }
      case "/log" -> {
        Instruments instruments = emulator.target().instruments();
        if (request.method().equals("POST")) {
          JsonNode level = request.object(Set.of("level")).get("level");
          if (level == null || !level.isTextual()) {
            throw HttpError.badRequest("field 'level' (off, errors or all) is required");
          }
          try {
            instruments.setLevel(lun, CommandLog.parse(level.asText()));
          } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
          }
        } else {
          requireMethod(request, "GET");
        }
        return Map.of("lun", lun, "level", instruments.level(lun).text());
      }
      case "/reservations/clear" -> {
        requireMethod(request, "POST");
        request.object(Set.of());
        return emulator.clearReservations(lun);
      }
      case "/secure-area/erase" -> {
        requireMethod(request, "POST");
        request.object(Set.of());
        return emulator.eraseSecureArea(lun);
      }
      default -> throw HttpError.notFound("no such resource: " + path);
    }
  }

  /** Capture names: a file name of letters, digits, '.', '_' and '-', not starting with '.'. */
  private static final Pattern CAPTURE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  /** The directory of the media directory that captures started over the API go to. */
  public static final String CAPTURES = ".captures";

  /**
   * The capture: shown, started or ended. A capture started here goes to {@code
   * <media-dir>/.captures/NAME.pcapng} and never replaces a file; a client names no path.
   */
  private Map<String, Object> capture(Request request) throws IOException {
    var captures = emulator.target().captures();
    switch (request.method()) {
      case "GET" -> {
        return captureState(captures.session(), true);
      }
      case "POST" -> {
        String name = text(request.object(Set.of("name")), "name");
        if (!CAPTURE_NAME.matcher(name).matches()) {
          throw HttpError.badRequest(
              "field 'name' must be 1-64 letters, digits, '.', '_' or '-', not starting with '.',"
                  + " got '"
                  + name
                  + "'");
        }
        Path directory = emulator.media().directory().resolve(CAPTURES);
        Path file = directory.resolve(name + ".pcapng");
        try {
          java.nio.file.Files.createDirectories(directory);
          if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            java.nio.file.Files.setPosixFilePermissions(
                directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
          }
        } catch (IOException e) {
          throw new HttpError(409, "cannot create " + directory + ": " + e.getMessage());
        }
        if (java.nio.file.Files.exists(file)) {
          throw new HttpError(409, "capture " + file + " exists already; choose another name");
        }
        try {
          return captureState(captures.start(file), true);
        } catch (java.io.UncheckedIOException e) {
          throw new HttpError(409, e.getMessage());
        }
      }
      case "DELETE" -> {
        return captureState(captures.stop(), false);
      }
      default -> throw notAllowed(request, "GET, POST or DELETE");
    }
  }

  private static Map<String, Object> captureState(
      dev.secdrive.emulator.capture.Captures.Session session, boolean running) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("capturing", session != null && running);
    state.put("file", session == null ? null : session.file().toAbsolutePath().toString());
    state.put("packets", session == null ? 0 : session.packets());
    return state;
  }

  /** The target's fault script: shown, replaced or disarmed; a refused one changes nothing. */
  private Map<String, Object> faultScript(Request request) throws IOException {
    Target target = emulator.target();
    switch (request.method()) {
      case "GET" -> {}
      case "PUT" -> {
        FaultScript script =
            FaultScript.parse("in the request body", request.object(Set.of("seed", "faults")));
        target.arm(script);
        log.info("fault script armed: {} faults, seed {}", script.faults().size(), script.seed());
      }
      case "DELETE" -> target.arm(FaultScript.none());
      default -> throw notAllowed(request, "GET, PUT or DELETE");
    }
    Map<String, Object> fired = new LinkedHashMap<>();
    for (Firmware unit : target.units().values()) {
      fired.put(Integer.toString(unit.lun()), unit.faults().firings());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("script", target.faultScript().source());
    result.put("fired", fired);
    return result;
  }

  private static Map<String, Object> faults(Request request, Faults faults) throws IOException {
    switch (request.method()) {
      case "GET" -> {}
      case "POST" -> {
        JsonNode body = request.object(Set.of("readErrors", "writeErrors", "powerLossAtStep"));
        // Check the whole request before injecting anything: a 400 leaves the faults as they were.
        List<Long> readErrors = lbas(body, "readErrors");
        List<Long> writeErrors = lbas(body, "writeErrors");
        String step = powerLossStep(body);
        readErrors.forEach(faults::addReadError);
        writeErrors.forEach(faults::addWriteError);
        if (step != null) {
          faults.setPowerLossAtStep(step);
        }
      }
      case "DELETE" -> faults.clear();
      default -> throw notAllowed(request, "GET, POST or DELETE");
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("readErrors", faults.readErrors());
    result.put("writeErrors", faults.writeErrors());
    result.put("powerLossAtStep", faults.powerLossAtStep());
    return result;
  }

  private static String powerLossStep(JsonNode request) {
    JsonNode step = request.path("powerLossAtStep");
    if (step.isMissingNode() || step.isNull()) {
      return null;
    }
    List<String> known = SecureLayer.STEPS;
    if (!step.isTextual() || !known.contains(step.asText())) {
      throw HttpError.badRequest(
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
      throw HttpError.badRequest("field '" + field + "' must be an array of LBAs, got " + list);
    }
    List<Long> lbas = new ArrayList<>();
    for (JsonNode lba : list) {
      lbas.add(lba(lba));
    }
    return lbas;
  }

  private static long lba(JsonNode node) {
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
      throw HttpError.badRequest("LBA must be a non-negative integer, got " + node);
    }
    return node.asLong();
  }

  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw HttpError.badRequest("field '" + field + "' (a string) is required");
    }
    return value.asText();
  }
}
