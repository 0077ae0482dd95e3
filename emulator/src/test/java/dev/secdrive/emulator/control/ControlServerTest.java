package dev.secdrive.emulator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP control API against a running emulator. */
class ControlServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  @TempDir Path anchors;

  private MediumStore store;
  private Emulator emulator;
  private URI base;
  private String token;

  private final Authority authority = Authority.create();

  @BeforeEach
  void start() {
    store = MediumStore.openOrCreate(dir);
    store.create(
        new MediumStore.Spec("MO-0001", "mo-640", 2048, 310_352, 65536, false, "MO", null));
    store.create(
        new MediumStore.Spec(
            "DVD-0001", "dvd-ram-4.7", 2048, 2_295_104, 65536, false, "DVD", null));
    emulator =
        Emulator.builder()
            .mediaDirectory(dir)
            .anchorDirectory(anchors)
            .enrol(authority)
            .drive(new DriveConfig(0, "mo-640", "DEV0", null))
            .drive(new DriveConfig(1, "dvd-ram", null, null))
            .control(new InetSocketAddress("127.0.0.1", 0))
            .ioThreads(1)
            .start();
    token = emulator.controlToken().orElseThrow().value();
    InetSocketAddress address = emulator.controlAddress().orElseThrow();
    base = URI.create("http://127.0.0.1:" + address.getPort());
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  private record Reply(int status, JsonNode body, String contentType) {}

  private Reply get(String path) throws Exception {
    return send("GET", path, null);
  }

  private Reply post(String path, String body) throws Exception {
    return send("POST", path, body);
  }

  private Reply send(String method, String path, String body) throws Exception {
    return body == null
        ? send(method, path, null, "Authorization", "Bearer " + token)
        : send(
            method,
            path,
            body,
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            "application/json");
  }

  private Reply send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(),
        JSON.readTree(response.body()),
        response.headers().firstValue("Content-Type").orElse(""));
  }

  private static void assertError(Reply reply, int status, String... fragments) {
    assertEquals(status, reply.status(), reply.body().toString());
    String message = reply.body().path("error").asText();
    assertFalse(message.isEmpty(), reply.body().toString());
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), "'" + message + "' should mention '" + fragment + "'");
    }
  }

  // ------------------------------------------------------------------ status

  @Test
  void listsTheDrives() throws Exception {
    Reply reply = get("/drives");
    assertEquals(200, reply.status());
    assertEquals("application/json", reply.contentType());
    JsonNode drives = reply.body();
    assertTrue(drives.isArray());
    assertEquals(2, drives.size());
    JsonNode mo = drives.get(0);
    assertEquals(0, mo.get("lun").asInt());
    assertEquals("mo-640", mo.get("profile").asText());
    assertEquals("DEV0", mo.get("deviceId").asText());
    assertEquals("NO_MEDIUM", mo.get("state").asText());
    assertTrue(mo.get("mediumId").isNull());
    assertFalse(mo.get("writeProtected").asBoolean());
    assertFalse(mo.get("removalPrevented").asBoolean());
    JsonNode dvd = drives.get(1);
    assertEquals(1, dvd.get("lun").asInt());
    assertEquals("dvd-ram", dvd.get("profile").asText());
    assertTrue(dvd.get("deviceId").asText().matches("SDD[0-9A-F]{12}"), dvd.toString());

    Reply one = get("/drives/1");
    assertEquals(200, one.status());
    assertEquals(dvd, one.body());
    assertEquals(200, get("/drives/").status());
  }

  @Test
  void listsTheMedia() throws Exception {
    Reply reply = get("/media");
    assertEquals(200, reply.status());
    assertEquals(2, reply.body().size());
    assertEquals("DVD-0001", reply.body().get(0).get("id").asText());
    assertEquals("dvd-ram-4.7", reply.body().get(0).get("type").asText());
    assertEquals("MO-0001", reply.body().get(1).get("id").asText());
    assertEquals(310_352, reply.body().get(1).get("blockCount").asLong());
  }

  // ------------------------------------------------------------------ insert, remove

  @Test
  void insertThenStatusThenRemove() throws Exception {
    Reply inserted = post("/drives/0/insert", "{\"medium\": \"MO-0001\"}");
    assertEquals(200, inserted.status(), inserted.body().toString());
    assertEquals("MO-0001", inserted.body().get("mediumId").asText());
    assertEquals("READY", inserted.body().get("state").asText());

    Reply status = get("/drives/0");
    assertEquals("MO-0001", status.body().get("mediumId").asText());
    assertEquals("MO-0001", get("/drives").body().get(0).get("mediumId").asText());
    assertEquals("MO-0001", emulator.drive(0).medium().id());

    Reply removed = post("/drives/0/remove", "{}");
    assertEquals(200, removed.status(), removed.body().toString());
    assertTrue(removed.body().get("mediumId").isNull());
    assertEquals("NO_MEDIUM", removed.body().get("state").asText());

    assertError(post("/drives/0/remove", ""), 409, "no medium");
    // the medium was closed: it can go into the other drive... of the right type, so back in
    assertEquals(200, post("/drives/0/insert", "{\"medium\":\"MO-0001\"}").status());
  }

  @Test
  void removeWhilePreventedNeedsForce() throws Exception {
    assertEquals(200, post("/drives/0/insert", "{\"medium\":\"MO-0001\"}").status());
    Nexus host = new Nexus("test host");
    execute(host, new RequestSense(false, 18, 0).encode());
    assertEquals(ScsiStatus.GOOD, execute(host, PreventAllowMediumRemoval.of(true).encode()));
    assertTrue(get("/drives/0").body().get("removalPrevented").asBoolean());

    assertError(post("/drives/0/remove", "{\"force\": false}"), 409, "prevent");
    assertEquals("MO-0001", get("/drives/0").body().get("mediumId").asText());
    Reply forced = post("/drives/0/remove", "{\"force\": true}");
    assertEquals(200, forced.status(), forced.body().toString());
    assertTrue(forced.body().get("mediumId").isNull());
  }

  private ScsiStatus execute(Nexus host, byte[] cdb) {
    Response response =
        emulator.target().execute(host, 0, cdb, ByteBuffer.allocate(0), new DataIn.Heap());
    return response.status();
  }

  @Test
  void aPressedCdDaDiscGoesIntoTheCdDaDriveOnly() throws Exception {
    dev.secdrive.emulator.media.CdAudioDisc.press(
        dir,
        "CDDA-0001",
        "audio",
        java.util.Optional.of("0123456789012"),
        List.of(
            new dev.secdrive.emulator.media.CdAudioDisc.Track(
                java.util.Optional.of("USSD12600001"), new byte[2352 * 4])));
    assertError(post("/drives/0/insert", "{\"medium\":\"CDDA-0001\"}"), 409, "cd-da", "mo-640");

    emulator.close();
    emulator =
        Emulator.builder()
            .mediaDirectory(dir)
            .anchorDirectory(anchors)
            .enrol(authority)
            .drive(new DriveConfig(0, "cdda", "DEV-CD", null))
            .control(new InetSocketAddress("127.0.0.1", 0))
            .ioThreads(1)
            .start();
    token = emulator.controlToken().orElseThrow().value();
    base = URI.create("http://127.0.0.1:" + emulator.controlAddress().orElseThrow().getPort());
    Reply inserted = post("/drives/0/insert", "{\"medium\":\"CDDA-0001\"}");
    assertEquals(200, inserted.status(), inserted.body().toString());
    assertEquals("CDDA-0001", inserted.body().get("mediumId").asText());
    assertEquals(true, inserted.body().get("writeProtected").asBoolean()); // pressed
    assertEquals(200, post("/drives/0/remove", "{}").status());
  }

  @Test
  void insertOfAnUnknownMediumIsAConflictNamingIt() throws Exception {
    assertError(post("/drives/0/insert", "{\"medium\":\"NOPE-42\"}"), 409, "NOPE-42");
    assertError(post("/drives/0/insert", "{\"medium\":\"../etc\"}"), 409, "invalid medium ID");
    assertEquals("NO_MEDIUM", get("/drives/0").body().get("state").asText());
  }

  @Test
  void insertOfAnIncompatibleMediumIsAConflict() throws Exception {
    assertError(
        post("/drives/0/insert", "{\"medium\":\"DVD-0001\"}"), 409, "mo-640", "dvd-ram-4.7");
    assertEquals("NO_MEDIUM", get("/drives/0").body().get("state").asText());
    // the refused medium was closed again: the DVD drive can take it
    Reply dvd = post("/drives/1/insert", "{\"medium\":\"DVD-0001\"}");
    assertEquals(200, dvd.status(), dvd.body().toString());
    assertEquals("DVD-0001", dvd.body().get("mediumId").asText());
  }

  @Test
  void insertIntoAnOccupiedDriveOrOfAMediumInUseIsAConflict() throws Exception {
    assertEquals(200, post("/drives/1/insert", "{\"medium\":\"DVD-0001\"}").status());
    assertError(post("/drives/1/insert", "{\"medium\":\"DVD-0001\"}"), 409, "already in drive 1");
    store.create(
        new MediumStore.Spec("DVD-0002", "dvd-ram-2.6", 2048, 1_218_960, 65536, false, "", null));
    assertError(post("/drives/1/insert", "{\"medium\":\"DVD-0002\"}"), 409, "DVD-0001");
    // DVD-0002 was not left open
    assertEquals(200, post("/drives/1/remove", "{}").status());
    assertEquals(200, post("/drives/1/insert", "{\"medium\":\"DVD-0002\"}").status());
  }

  // ------------------------------------------------------------------ write protect

  @Test
  void writeProtectOnAndOff() throws Exception {
    assertError(post("/drives/0/write-protect", "{\"enabled\": true}"), 409, "no medium");
    assertEquals(200, post("/drives/0/insert", "{\"medium\":\"MO-0001\"}").status());
    Reply on = post("/drives/0/write-protect", "{\"enabled\": true}");
    assertEquals(200, on.status(), on.body().toString());
    assertTrue(on.body().get("writeProtected").asBoolean());
    assertTrue(store.info("MO-0001").writeProtected(), "persisted in medium.json");
    assertTrue(emulator.drive(0).medium().metadata().readOnly());

    Reply off = post("/drives/0/write-protect", "{\"enabled\": false}");
    assertEquals(200, off.status());
    assertFalse(off.body().get("writeProtected").asBoolean());
    assertFalse(store.info("MO-0001").writeProtected());

    assertError(post("/drives/0/write-protect", "{}"), 400, "enabled");
    assertError(post("/drives/0/write-protect", "{\"enabled\": \"yes\"}"), 400, "enabled");
  }

  // ------------------------------------------------------------------ faults

  @Test
  void faultsCanBeAddedListedAndCleared() throws Exception {
    Reply empty = get("/drives/0/faults");
    assertEquals(200, empty.status());
    assertEquals(0, empty.body().get("readErrors").size());
    assertEquals(0, empty.body().get("writeErrors").size());

    Reply added = post("/drives/0/faults", "{\"readErrors\": [7, 5], \"writeErrors\": [9]}");
    assertEquals(200, added.status(), added.body().toString());
    assertEquals(JSON.readTree("[5, 7]"), added.body().get("readErrors"));
    assertEquals(JSON.readTree("[9]"), added.body().get("writeErrors"));
    assertEquals(List.of(5L, 7L), emulator.drive(0).faults().readErrors());
    assertEquals(List.of(9L), emulator.drive(0).faults().writeErrors());
    assertEquals(added.body(), get("/drives/0/faults").body());
    assertEquals(0, get("/drives/1/faults").body().get("readErrors").size(), "per drive");

    Reply cleared = send("DELETE", "/drives/0/faults", null);
    assertEquals(200, cleared.status());
    assertEquals(0, cleared.body().get("readErrors").size());
    assertTrue(emulator.drive(0).faults().readErrors().isEmpty());
    assertTrue(emulator.drive(0).faults().writeErrors().isEmpty());
  }

  @Test
  void badFaultsAreBadRequestsAndChangeNothing() throws Exception {
    assertEquals(200, post("/drives/0/faults", "{\"readErrors\": [3]}").status());
    assertError(post("/drives/0/faults", "{\"readErrors\": [-1]}"), 400, "LBA");
    assertError(post("/drives/0/faults", "{\"writeErrors\": [\"ten\"]}"), 400, "LBA");
    assertError(post("/drives/0/faults", "{\"writeErrors\": [8.5]}"), 400, "LBA", "8.5");
    assertError(post("/drives/0/faults", "{\"readErrors\": 5}"), 400, "readErrors", "array");
    assertError(post("/drives/0/faults", "{\"readErrors\": {\"a\": 6}}"), 400, "array");
    // a bad entry anywhere refuses the whole request
    assertError(
        post("/drives/0/faults", "{\"readErrors\": [7, 8], \"writeErrors\": [9, -1]}"), 400, "-1");
    assertError(send("PUT", "/drives/0/faults", "{}"), 400, "PUT");
    assertEquals(List.of(3L), emulator.drive(0).faults().readErrors());
    assertTrue(emulator.drive(0).faults().writeErrors().isEmpty());
    assertEquals(JSON.readTree("[3]"), get("/drives/0/faults").body().get("readErrors"));
  }

  @Test
  void powerLossStepIsSetThroughTheFaultsEndpoint() throws Exception {
    Reply armed =
        post("/drives/0/faults", "{\"powerLossAtStep\": \"restore:secure-area-renamed\"}");
    assertEquals(200, armed.status(), armed.body().toString());
    assertEquals("restore:secure-area-renamed", armed.body().get("powerLossAtStep").asText());
    assertEquals("restore:secure-area-renamed", emulator.drive(0).faults().powerLossAtStep());
    assertError(
        post("/drives/0/faults", "{\"powerLossAtStep\": \"restore:nowhere\"}"),
        400,
        "powerLossAtStep",
        "restore:verified");
    assertEquals(200, send("DELETE", "/drives/0/faults", null).status());
    assertTrue(get("/drives/0/faults").body().get("powerLossAtStep").isNull());
  }

  @Test
  void eraseDestroysTheSecureAreaOfTheMediumInTheDrive() throws Exception {
    assertError(post("/drives/0/secure-area/erase", ""), 409, "no medium");
    assertEquals(200, post("/drives/0/insert", "{\"medium\": \"MO-0001\"}").status());
    Path secure = dir.resolve("MO-0001").resolve("secure.bin");
    java.nio.file.Files.write(secure, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.WRITE);
    Reply erased = post("/drives/0/secure-area/erase", "");
    assertEquals(200, erased.status(), erased.body().toString());
    assertEquals("MO-0001", erased.body().get("mediumId").asText());
    byte[] bytes = java.nio.file.Files.readAllBytes(secure);
    assertEquals(65536, bytes.length);
    assertTrue(java.util.Arrays.equals(new byte[65536], bytes), "all zero");
    assertError(send("GET", "/drives/0/secure-area/erase", null), 400, "POST");
  }

  @Test
  void clearingReservationsIsAPostWithAnEmptyObject() throws Exception {
    Reply cleared = post("/drives/0/reservations/clear", "");
    assertEquals(200, cleared.status(), cleared.body().toString());
    assertEquals(0, cleared.body().get("lun").asInt());
    assertError(post("/drives/0/reservations/clear", "{\"force\": true}"), 400, "force");
    assertError(send("GET", "/drives/0/reservations/clear", null), 400, "POST");
    assertError(post("/drives/7/reservations/clear", ""), 404, "LUN 7");
  }

  @Test
  void theSecureLayerFilesAreNotMedia() throws Exception {
    Path drive = dir.resolve(".secdrive").resolve("drives").resolve("DEV0");
    assertTrue(java.nio.file.Files.exists(drive.resolve("keys.json")));
    assertTrue(java.nio.file.Files.exists(drive.resolve("state.sealed")));
    assertEquals(2, get("/media").body().size());
    if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      for (Path secret : List.of(drive.resolve("keys.json"), drive.resolve("state.sealed"))) {
        assertEquals(
            "rw-------",
            java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(secret)));
      }
    }
  }

  // ------------------------------------------------------------------ errors

  @Test
  void unknownLunIsNotFound() throws Exception {
    assertError(get("/drives/7"), 404, "LUN 7");
    assertError(post("/drives/7/insert", "{\"medium\":\"MO-0001\"}"), 404, "LUN 7");
    assertError(get("/drives/255/faults"), 404, "LUN 255");
    assertError(get("/drives/1000"), 404);
    assertError(get("/nothing-here"), 404, "/nothing-here");
    assertError(get("/drives/0/bogus"), 404, "/drives/0/bogus");
  }

  @Test
  void badJsonIsABadRequest() throws Exception {
    assertError(post("/drives/0/insert", "{not json"), 400, "not valid JSON");
    assertError(post("/drives/0/insert", "[\"MO-0001\"]"), 400, "JSON object");
    assertError(post("/drives/0/remove", "{\"force\": "), 400, "not valid JSON");
    assertEquals("NO_MEDIUM", get("/drives/0").body().get("state").asText());
  }

  @Test
  void missingFieldIsABadRequest() throws Exception {
    assertError(post("/drives/0/insert", "{}"), 400, "medium");
    assertError(post("/drives/0/insert", ""), 400, "medium");
    assertError(post("/drives/0/insert", "{\"medium\": 5}"), 400, "medium");
    assertError(post("/drives/0/insert", "{\"medium\": \"\"}"), 400, "medium");
  }

  @Test
  void wrongMethodIsRefused() throws Exception {
    assertError(get("/drives/0/insert"), 400, "GET", "POST");
    assertError(post("/drives", "{}"), 400, "POST");
    assertError(send("DELETE", "/drives/0", null), 400, "DELETE");
  }

  // ------------------------------------------------------------------ only the owner

  private String token() {
    return token;
  }

  @Test
  void aFaultScriptIsArmedShownAndDisarmedAndARefusedOneChangesNothing() throws Exception {
    Reply armed =
        send(
            "PUT",
            "/faults",
            "{\"seed\": 5, \"faults\": [{\"media-error\": {\"lun\": 0, \"lba\": 9}}]}");
    assertEquals(200, armed.status(), armed.body().toString());
    assertEquals(5, armed.body().path("script").path("seed").asLong());
    assertEquals("media-error", armed.body().path("fired").path("0").get(0).path("kind").asText());
    assertError(
        send("PUT", "/faults", "{\"faults\": [{\"media-error\": {\"lun\": 9, \"lba\": 1}}]}"),
        400,
        "$.faults[0].media-error.lun: no drive on LUN 9");
    assertError(
        send("PUT", "/faults", "{\"faults\": [{\"delay\": {}}]}"),
        400,
        "fault script in the request body: $.faults[0].delay: give one of fixed-ms");
    assertError(send("PUT", "/faults", "{\"faults\": [], \"extra\": 1}"), 400, "extra");
    assertEquals(5, get("/faults").body().path("script").path("seed").asLong(), "still armed");
    assertEquals(200, send("DELETE", "/faults", null).status());
    assertEquals(0, get("/faults").body().path("script").path("faults").size());
    assertError(send("POST", "/faults", "{}"), 400, "use GET, PUT or DELETE");
  }

  @Test
  void aCaptureGoesUnderTheMediaDirectoryByNameAndNeverOverAFile() throws Exception {
    assertFalse(get("/capture").body().path("capturing").asBoolean());
    Reply started = post("/capture", "{\"name\": \"run-1\"}");
    assertEquals(200, started.status(), started.body().toString());
    java.nio.file.Path file = dir.resolve(".captures").resolve("run-1.pcapng");
    assertEquals(file.toAbsolutePath().toString(), started.body().path("file").asText());
    assertTrue(started.body().path("capturing").asBoolean());
    for (String name : List.of("../escape", "/etc/passwd", ".hidden", "a b", "", "x".repeat(65))) {
      assertError(
          post("/capture", JSON.createObjectNode().put("name", name).toString()),
          400,
          "field 'name'");
    }
    Reply ended = send("DELETE", "/capture", null);
    assertFalse(ended.body().path("capturing").asBoolean());
    assertEquals(file.toAbsolutePath().toString(), ended.body().path("file").asText());
    assertTrue(java.nio.file.Files.size(file) > 0, "a pcapng section at least");
    assertError(post("/capture", "{\"name\": \"run-1\"}"), 409, "exists already");
    assertFalse(get("/capture").body().path("capturing").asBoolean());
    assertFalse(java.nio.file.Files.exists(dir.resolve("escape.pcapng")));
  }

  @Test
  void theFrontPanelPageNeedsNoTokenButItsEventStreamDoes() throws Exception {
    for (String[] file :
        new String[][] {
          {"/panel", "text/html; charset=utf-8", "<script src=\"/panel.js\""},
          {"/panel.js", "text/javascript; charset=utf-8", "sessionStorage"},
          {"/panel.css", "text/css; charset=utf-8", ".drive"}
        }) {
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(base.resolve(file[0])).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode(), file[0]);
      assertEquals(file[1], page.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(page.body().contains(file[2]), file[0]);
      assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
      assertFalse(page.body().contains(token()), "the page holds no token");
    }
    assertEquals(401, send("GET", "/events", null, "Accept", "text/event-stream").status());

    HttpResponse<java.util.stream.Stream<String>> events =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve("/events"))
                .header("Authorization", "Bearer " + token())
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, events.statusCode());
    try (java.util.stream.Stream<String> lines = events.body()) {
      String data =
          lines.filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
      JsonNode state = JSON.readTree(data);
      JsonNode drive = state.path("drives").get(0);
      assertEquals(0, drive.path("lun").asInt());
      assertEquals("mo-640", drive.path("profile").asText());
      assertTrue(drive.has("licenses") && drive.has("lastSense") && drive.has("commands"));
      assertTrue(state.path("media").isArray());
    }
  }

  @Test
  void theCommandLogLevelIsSetPerDrive() throws Exception {
    assertEquals("off", get("/drives/0/log").body().path("level").asText());
    assertEquals(
        "all", post("/drives/0/log", "{\"level\": \"all\"}").body().path("level").asText());
    assertEquals(
        dev.secdrive.emulator.observe.CommandLog.ALL, emulator.target().instruments().level(0));
    assertError(
        post("/drives/0/log", "{\"level\": \"loud\"}"),
        400,
        "command log level must be off, errors or all, not 'loud'");
    assertError(post("/drives/0/log", "{}"), 400, "field 'level' (off, errors or all) is required");
  }

  @Test
  void everyRequestNeedsTheToken() throws Exception {
    String insert = "{\"medium\":\"MO-0001\"}";
    for (Reply refused :
        List.of(
            send("GET", "/drives", null, "Accept", "application/json"),
            send("GET", "/media", null, "Authorization", "Bearer " + "0".repeat(64)),
            send("POST", "/drives/0/insert", insert, "Content-Type", "application/json"),
            send(
                "POST",
                "/drives/0/insert",
                insert,
                "Content-Type",
                "application/json",
                "Authorization",
                "Bearer " + token().substring(1)),
            send("GET", "/metrics", null, "Accept", "text/plain"),
            send("GET", "/faults", null, "Accept", "application/json"),
            send(
                "PUT",
                "/faults",
                "{\"faults\": [{\"power-loss\": {\"write\": 1}}]}",
                "Content-Type",
                "application/json"),
            send("DELETE", "/faults", null, "Accept", "application/json"),
            send("POST", "/capture", "{\"name\": \"x\"}", "Content-Type", "application/json"),
            send("GET", "/capture", null, "Accept", "application/json"),
            send(
                "POST",
                "/drives/0/log",
                "{\"level\": \"all\"}",
                "Content-Type",
                "application/json"))) {
      assertEquals(401, refused.status(), refused.body().toString());
    }
    assertTrue(emulator.target().faultScript().faults().isEmpty(), "no script was armed");
    assertEquals("off", get("/drives/0/log").body().path("level").asText());
    HttpResponse<String> none =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve("/drives")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(
        "Bearer realm=\"secdrive-control\"",
        none.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertError(
        send("GET", "/drives", null, "Authorization", "Bearer x"),
        401,
        "the control token is wrong");
    assertTrue(get("/drives/0").body().path("mediumId").isNull(), "nothing was inserted");
  }

  @Test
  void webPagesAreRefusedEvenWithTheToken() throws Exception {
    String insert = "{\"medium\":\"MO-0001\"}";
    String bearer = "Bearer " + token();
    Reply crossSite =
        send(
            "POST",
            "/drives/0/insert",
            insert,
            "Authorization",
            bearer,
            "Content-Type",
            "application/json",
            "Origin",
            "https://evil.example");
    assertError(crossSite, 403, "web pages");
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
      assertError(
          send("POST", "/drives/0/insert", insert, "Authorization", bearer, "Content-Type", type),
          415,
          "application/json",
          type);
    }
    assertError(send("POST", "/drives/0/insert", "medium=MO-0001", "Authorization", bearer), 415);
    assertTrue(get("/drives/0").body().path("mediumId").isNull(), "nothing was inserted");

    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host.
    try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /drives HTTP/1.1\r\nHost: evil.example\r\nAuthorization: "
                      + bearer
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
      assertFalse(answer.contains("mo-640"), answer);
    }
  }

  @Test
  void theTokenIsOwnerOnlyMadeOnceAndReused() throws Exception {
    ControlToken first = emulator.controlToken().orElseThrow();
    assertTrue(first.created());
    assertEquals(ControlToken.defaultFile(dir), first.file());
    assertEquals(
        PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(first.file()));
    assertFalse(first.toString().contains(first.value()), "toString names the file only");
    emulator.close();
    emulator = startOn(dir, new InetSocketAddress("127.0.0.1", 0), false);
    ControlToken again = emulator.controlToken().orElseThrow();
    assertFalse(again.created());
    assertEquals(first.value(), again.value());
  }

  @Test
  void aLooseTokenFileIsRefusedAtStart() throws Exception {
    Path file = emulator.controlToken().orElseThrow().file();
    emulator.close();
    emulator = null;
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    UncheckedIOException refused =
        assertThrows(
            UncheckedIOException.class,
            () -> startOn(dir, new InetSocketAddress("127.0.0.1", 0), false));
    assertEquals(
        file + " holds a secret but others may read or write it: chmod 600 " + file,
        refused.getCause().getMessage());
  }

  @Test
  void aRemoteAddressNeedsTheFlagAndAnExistingToken() throws Exception {
    Path other = dir.resolve("remote");
    MediumStore.openOrCreate(other);
    InetSocketAddress any = new InetSocketAddress("0.0.0.0", 0);
    IllegalArgumentException noFlag =
        assertThrows(IllegalArgumentException.class, () -> startOn(other, any, false));
    assertTrue(noFlag.getMessage().contains("not a loopback address"), noFlag.getMessage());
    UncheckedIOException noToken =
        assertThrows(UncheckedIOException.class, () -> startOn(other, any, true));
    assertTrue(
        noToken.getCause().getMessage().startsWith("no control token at "),
        noToken.getCause().getMessage());
    assertFalse(Files.exists(ControlToken.defaultFile(other)), "no token is made for a remote API");

    startOn(other, new InetSocketAddress("127.0.0.1", 0), false).close(); // makes the token
    try (Emulator remote = startOn(other, any, true)) {
      int port = remote.controlAddress().orElseThrow().getPort();
      HttpResponse<String> reply =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/drives"))
                  .header("Authorization", "Bearer " + remote.controlToken().orElseThrow().value())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, reply.statusCode(), reply.body());
    }
  }

  /** An emulator on {@code media}, enrolled as the one of each test is. */
  private Emulator startOn(Path media, InetSocketAddress control, boolean remote) {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(anchors)
        .enrol(authority)
        .drive(new DriveConfig(0, "mo-640", null, null))
        .control(control)
        .remoteControl(remote)
        .ioThreads(1)
        .start();
  }

  @Test
  void closeStopsTheApi() {
    emulator.close();
    emulator = null;
    assertThrows(IOException.class, () -> get("/drives"));
  }
}
