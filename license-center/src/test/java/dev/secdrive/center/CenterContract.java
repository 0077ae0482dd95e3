package dev.secdrive.center;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.center.crypto.Crypto;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.center.store.Store;
import dev.secdrive.center.store.Title;
import dev.secdrive.center.store.UnknownUserException;
import dev.secdrive.center.store.UnpaidBillsException;
import dev.secdrive.center.store.User;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRequests;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central site's store and HTTP API, over a real socket on 127.0.0.1, run once per database:
 * {@link CenterH2Test} (the embedded default) and {@link CenterPostgresIT}.
 */
abstract class CenterContract {

  private static final HexFormat HEX = HexFormat.of();
  private static final String DRIVE_KEY = "ab".repeat(32);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** The database of one test; called once per test, with that test's data directory. */
  abstract JdbcConfig database(Path dataDir) throws Exception;

  /** Drops what {@link #database} made. */
  void dropDatabase() throws Exception {}

  @TempDir Path dataDir;

  TestAuthority authority;

  /** The target drive of scheme-1 requests that name none. */
  TestAuthority.Drive drive;

  JdbcConfig jdbc;
  LicenseCenter center;
  String token;

  @BeforeEach
  void startCenter() throws Exception {
    authority = new TestAuthority();
    drive = authority.drive("DRIVE-1");
    LicenseCenter.setup(dataDir, "Test Copy Center", authority.publicKey(), authority::certify);
    jdbc = database(dataDir);
    center = LicenseCenter.start(dataDir, jdbc, new InetSocketAddress("127.0.0.1", 0));
    token = LicenseCenter.adminToken(dataDir);
  }

  @AfterEach
  void stopCenter() throws Exception {
    if (center != null) {
      center.close();
    }
    dropDatabase();
  }

  // ------------------------------------------------------------------ HTTP helpers

  record Reply(int status, JsonNode body) {
    String error() {
      return body.path("error").asText();
    }
  }

  Reply call(String method, String path, String body, String bearer) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + center.address().getPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(
        "application/json", response.headers().firstValue("Content-Type").orElse(""), path);
    return new Reply(response.statusCode(), JSON.readTree(response.body()));
  }

  Reply get(String path) throws Exception {
    return call("GET", path, null, null);
  }

  Reply post(String path, Object body) throws Exception {
    return call("POST", path, JSON.writeValueAsString(body), null);
  }

  Reply admin(String path, Object body) throws Exception {
    return call("POST", path, JSON.writeValueAsString(body), token);
  }

  static ObjectNode json(Object... pairs) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < pairs.length; i += 2) {
      node.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
    }
    return node;
  }

  static void assertRefused(Reply reply, int status, String fragment) {
    assertEquals(status, reply.status(), reply.body().toString());
    assertTrue(
        reply.error().contains(fragment), "'" + reply.error() + "' should say '" + fragment + "'");
  }

  /** Registers a title and returns its key. */
  byte[] title(String id, int scheme, long price) throws Exception {
    Reply reply =
        admin(
            "/titles",
            json("titleId", id, "name", "Title " + id, "scheme", scheme, "priceCents", price));
    assertEquals(200, reply.status(), reply.body().toString());
    return HEX.parseHex(reply.body().get("key").asText());
  }

  /**
   * The Ed25519 signing keys of the users: those {@link #user} registered, and a key of its own for
   * any other user named in a request (whom the center does not know).
   */
  final Map<String, RawKeyPair> signingKeys = new ConcurrentHashMap<>();

  /** Registers a user and returns the X25519 private key of its user key. */
  byte[] user(String id) throws Exception {
    RawKeyPair key = X25519.generate();
    RawKeyPair signing = Ed25519.generate();
    Reply reply =
        admin(
            "/users",
            json(
                "userId",
                id,
                "name",
                "User " + id,
                "userKey",
                HEX.formatHex(key.publicKey()),
                "signingKey",
                HEX.formatHex(signing.publicKey())));
    assertEquals(200, reply.status(), reply.body().toString());
    signingKeys.put(id, signing);
    return key.privateKey();
  }

  /** A scheme-2 request signed by its user. */
  ObjectNode signed(ObjectNode body) {
    return signed(CopyRequests.CONVERSION, body);
  }

  /**
   * The request's signature by the signing key of its user (API.md "Signed copy requests"), for a
   * request of {@code kind}.
   */
  ObjectNode signed(int kind, ObjectNode body) {
    if (!body.has("userId") || !body.has("titleId") || !body.has("mediumId")) {
      return body; // refused before any signature is looked at
    }
    String user = body.get("userId").asText();
    byte[] site;
    try {
      site = HEX.parseHex(get("/center").body().get("certificate").asText());
    } catch (Exception e) {
      throw new IllegalStateException("GET /center failed", e);
    }
    byte[] message;
    try {
      byte[] drive =
          body.has("driveCertificate")
              ? HEX.parseHex(body.get("driveCertificate").asText())
              : new byte[0];
      String title = body.get("titleId").asText();
      String medium = body.get("mediumId").asText();
      message =
          kind == CopyRequests.CONVERSION
              ? CopyRequests.conversion(site, user, title, medium, drive)
              : CopyRequests.certificate(site, user, title, medium, drive);
    } catch (IllegalArgumentException e) {
      message = new byte[0]; // a malformed field: refused before the signature is looked at
    }
    RawKeyPair key = signingKeys.computeIfAbsent(user, u -> Ed25519.generate());
    body.put("signature", HEX.formatHex(Ed25519.sign(key.privateKey(), message)));
    return body;
  }

  /** A scheme-1 request for the target drive {@link #drive}. */
  Reply certificate(String user, String title, String medium) throws Exception {
    return certificate(user, title, medium, drive.certificate());
  }

  Reply certificate(String user, String title, String medium, Certificate target) throws Exception {
    return post("/copies/certificate", signedCertificate(user, title, medium, target));
  }

  /** The body of a scheme-1 request, signed by its user. */
  ObjectNode signedCertificate(String user, String title, String medium, Certificate target) {
    return signed(
        CopyRequests.CERTIFICATE,
        json(
            "userId",
            user,
            "titleId",
            title,
            "mediumId",
            medium,
            "driveCertificate",
            HEX.formatHex(target.encode())));
  }

  Reply conversion(String user, String title, String medium, Certificate drive) throws Exception {
    return post(
        "/copies/conversion",
        signed(
            json(
                "userId",
                user,
                "titleId",
                title,
                "mediumId",
                medium,
                "driveCertificate",
                HEX.formatHex(drive.encode()))));
  }

  /** GET with the admin token. */
  Reply adminGet(String path) throws Exception {
    return call("GET", path, null, token);
  }

  /** KM, read from center.json, for the independent derivations. */
  byte[] masterKey() throws Exception {
    JsonNode stored = JSON.readTree(Files.readAllBytes(dataDir.resolve(CenterKeys.FILE)));
    return HEX.parseHex(stored.get("masterKey").asText());
  }

  /** HKDF-SHA256 (RFC 5869) with the JDK's HMAC, empty salt, info 01h ‖ label ‖ 00h ‖ context. */
  static byte[] independentKdf(byte[] ikm, String label, String context) throws Exception {
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.write(1);
    info.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    info.write(0);
    info.writeBytes(context.getBytes(StandardCharsets.US_ASCII));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(info.toByteArray());
    mac.update((byte) 1);
    return mac.doFinal();
  }

  // ------------------------------------------------------------------ GET /center

  @Test
  void theCenterShowsItsCertificateFromTheAuthority() throws Exception {
    Reply reply = get("/center");
    assertEquals(200, reply.status());
    assertEquals("Test Copy Center", reply.body().get("name").asText());
    assertArrayEquals(
        authority.publicKey(), HEX.parseHex(reply.body().get("authorityPublicKey").asText()));
    Certificate certificate =
        Certificate.decode(HEX.parseHex(reply.body().get("certificate").asText()));
    assertEquals(Certificate.Role.CENTRAL_SITE, certificate.role());
    assertEquals("Test Copy Center", certificate.subject());
    assertTrue(
        Ed25519.verify(authority.publicKey(), certificate.signedBytes(), certificate.signature()));
    assertArrayEquals(
        certificate.ed25519PublicKey(), HEX.parseHex(reply.body().get("publicKey").asText()));
  }

  // ------------------------------------------------------------------ titles

  @Test
  void aSchemeOneTitleGetsARandomKdThatTheCenterKeeps() throws Exception {
    byte[] kd = title("SW-1", 1, 1500);
    byte[] other = title("SW-2", 1, 1500);
    assertEquals(32, kd.length);
    assertFalse(Arrays.equals(kd, other));

    Reply again = call("GET", "/titles/SW-1/key", null, token);
    assertEquals(200, again.status());
    assertArrayEquals(kd, HEX.parseHex(again.body().get("key").asText()));

    Reply one = get("/titles/SW-1");
    assertEquals(200, one.status());
    assertEquals("Title SW-1", one.body().get("name").asText());
    assertEquals(1, one.body().get("scheme").asInt());
    assertEquals(1500, one.body().get("priceCents").asLong());
    assertFalse(one.body().has("key"), "the public title view carries no key");

    Reply all = get("/titles");
    assertEquals(200, all.status());
    List<String> ids = new ArrayList<>();
    all.body().forEach(t -> ids.add(t.get("titleId").asText()));
    assertEquals(List.of("SW-1", "SW-2"), ids);
  }

  @Test
  void aSchemeTwoTitlesKeyIsKaDerivedFromKm() throws Exception {
    byte[] ka = title("DID-7", 2, 900);
    assertArrayEquals(independentKdf(masterKey(), "master-conversion", "DID-7"), ka);
    Reply again = call("GET", "/titles/DID-7/key", null, token);
    assertArrayEquals(ka, HEX.parseHex(again.body().get("key").asText()));
  }

  @Test
  void titleRegistrationRefusals() throws Exception {
    title("SW-1", 1, 100);
    assertRefused(
        admin("/titles", json("titleId", "SW-1", "name", "Again", "scheme", 1, "priceCents", 1)),
        409,
        "title SW-1 is already registered");
    assertRefused(
        admin("/titles", json("titleId", "SW-3", "name", "X", "scheme", 3, "priceCents", 1)),
        400,
        "'scheme' must be 1..2");
    assertRefused(
        admin("/titles", json("titleId", "SW-3", "name", "X", "scheme", 1, "priceCents", -5)),
        400,
        "'priceCents' must be at least 0");
    assertRefused(
        admin("/titles", json("titleId", "has space", "name", "X", "scheme", 1, "priceCents", 1)),
        400,
        "'titleId' must be printable ASCII");
    assertRefused(
        admin(
            "/titles", json("titleId", "A".repeat(65), "name", "X", "scheme", 1, "priceCents", 1)),
        400,
        "'titleId' must be 1..64");
    assertRefused(
        admin(
            "/titles",
            json("titleId", "SW-3", "name", "X", "scheme", 1, "priceCents", 1, "prize", 2)),
        400,
        "unknown field 'prize'");
    assertRefused(
        admin("/titles", json("titleId", "SW-3", "name", "X", "scheme", "1", "priceCents", 1)),
        400,
        "'scheme' (an integer) is required");
    assertRefused(call("POST", "/titles", "{\"titleId\": ", token), 400, "not valid JSON");
    assertRefused(call("POST", "/titles", "[1]", token), 400, "must be a JSON object");
    assertRefused(
        post("/titles", json("titleId", "SW-3", "name", "X", "scheme", 1, "priceCents", 1)),
        401,
        "Authorization: Bearer");
    assertRefused(
        call(
            "POST",
            "/titles",
            JSON.writeValueAsString(
                json("titleId", "SW-3", "name", "X", "scheme", 1, "priceCents", 1)),
            "0".repeat(64)),
        401,
        "admin token is wrong");
    assertRefused(call("GET", "/titles/SW-1/key", null, null), 401, "Authorization");
    assertEquals(404, get("/titles/SW-3").status(), "nothing refused was registered");
  }

  @Test
  void anUnknownTitleIsRefusedAsS12() throws Exception {
    assertRefused(
        get("/titles/NOPE"), 404, "unknown title NOPE (S12: not in the contents identifier file)");
    user("alice");
    assertRefused(
        certificate("alice", "NOPE", "MO-1"),
        404,
        "unknown title NOPE (S12: not in the contents identifier file)");
    assertRefused(
        conversion("alice", "NOPE", "MO-1", authority.drive("DRIVE-1").certificate()),
        404,
        "unknown title NOPE (S12: not in the contents identifier file)");
  }

  // ------------------------------------------------------------------ users

  @Test
  void usersAreRegisteredWithTheirKeyAndProfile() throws Exception {
    RawKeyPair key = X25519.generate();
    RawKeyPair signing = Ed25519.generate();
    Reply reply =
        admin(
            "/users",
            json(
                "userId",
                "alice",
                "name",
                "Alice Ågren",
                "userKey",
                HEX.formatHex(key.publicKey()),
                "signingKey",
                HEX.formatHex(signing.publicKey())));
    assertEquals(200, reply.status(), reply.body().toString());

    Reply profile = adminGet("/users/alice");
    assertEquals(200, profile.status());
    assertEquals("Alice Ågren", profile.body().get("name").asText());
    assertArrayEquals(key.publicKey(), HEX.parseHex(profile.body().get("userKey").asText()));
    assertArrayEquals(signing.publicKey(), HEX.parseHex(profile.body().get("signingKey").asText()));
    assertEquals(0, profile.body().get("bills").size());
    assertEquals(0, profile.body().get("copies").size());
    assertEquals(0, profile.body().get("owedCents").asLong());
  }

  @Test
  void aProfileNeedsTheAdminToken() throws Exception {
    user("alice");
    assertRefused(get("/users/alice"), 401, "Authorization: Bearer <token>");
    assertRefused(call("GET", "/users/alice", null, "0".repeat(64)), 401, "admin token is wrong");
    assertRefused(get("/users/bob"), 401, "Authorization: Bearer <token>");
  }

  @Test
  void metricsNeedTheAdminTokenAndCountRequestsByRouteNeverByUser() throws Exception {
    user("alice");
    assertEquals(200, adminGet("/users/alice").status());
    assertRefused(get("/users/alice"), 401, "Authorization: Bearer <token>");
    assertRefused(get("/metrics"), 401, "Authorization: Bearer <token>");

    HttpResponse<String> metrics =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + center.address().getPort() + "/metrics"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8",
        metrics.headers().firstValue("Content-Type").orElse(""));
    String text = metrics.body();
    for (String status : List.of("200", "401")) {
      assertTrue(
          text.contains(
              "http_server_requests_seconds_count{method=\"GET\",route=\"/users/{}\","
                  + "server=\"secdrive-center\",status=\""
                  + status
                  + "\"} 1"),
          text);
    }
    assertTrue(
        text.contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/metrics\","
                + "server=\"secdrive-center\",status=\"401\"} 1"),
        text);
    assertFalse(text.contains("alice"), "a label never takes an ID: " + text);
  }

  @Test
  void userRegistrationRefusals() throws Exception {
    user("alice");
    String key = HEX.formatHex(X25519.generate().publicKey());
    String signing = HEX.formatHex(Ed25519.generate().publicKey());
    assertRefused(
        admin(
            "/users", json("userId", "alice", "name", "A", "userKey", key, "signingKey", signing)),
        409,
        "user alice is already registered");
    assertRefused(
        admin(
            "/users", json("userId", "bob", "name", "B", "userKey", "xyz", "signingKey", signing)),
        400,
        "'userKey' is not hexadecimal");
    assertRefused(
        admin(
            "/users", json("userId", "bob", "name", "B", "userKey", "00ff", "signingKey", signing)),
        400,
        "32-byte X25519 public key, got 2 bytes");
    assertRefused(
        admin(
            "/users",
            json("userId", "bob", "name", "B", "userKey", "00".repeat(32), "signingKey", signing)),
        400,
        "not a usable X25519 public key");
    assertRefused(
        admin("/users", json("userId", "bob", "name", " ", "userKey", key, "signingKey", signing)),
        400,
        "field 'name' must be 1..255 bytes");
    assertRefused(
        admin("/users", json("userId", "bob", "name", "B", "userKey", key)),
        400,
        "field 'signingKey' (a string) is required");
    assertRefused(
        admin("/users", json("userId", "bob", "name", "B", "userKey", key, "signingKey", "00ff")),
        400,
        "'signingKey' must be a 32-byte Ed25519 public key, got 2 bytes");
    assertRefused(
        post("/users", json("userId", "bob", "name", "B", "userKey", key, "signingKey", signing)),
        401,
        "");
    assertRefused(
        adminGet("/users/bob"), 404, "unknown user bob (not registered at the central site)");
  }

  // ------------------------------------------------------------------ signed copy requests

  @Test
  void copyRequestsMustBeSignedByTheirUser() throws Exception {
    title("SW-1", 1, 100);
    title("DID-1", 2, 100);
    user("alice");
    user("bob");
    String drive = HEX.formatHex(this.drive.certificate().encode());
    String other = HEX.formatHex(authority.drive("DRIVE-2").certificate().encode());

    ObjectNode unsigned =
        json("userId", "alice", "titleId", "SW-1", "mediumId", "MO-1", "driveCertificate", drive);
    assertRefused(
        post("/copies/certificate", unsigned), 401, "copy requests must be signed: field");
    ObjectNode unsignedGrant =
        json("userId", "alice", "titleId", "DID-1", "mediumId", "MO-1", "driveCertificate", drive);
    assertRefused(
        post("/copies/conversion", unsignedGrant), 401, "copy requests must be signed: field");

    // Bob signs a request in Alice's name: he cannot bill her, nor lock her out.
    ObjectNode byBob = signedCertificate("bob", "SW-1", "MO-1", this.drive.certificate());
    byBob.put("userId", "alice");
    assertRefused(
        post("/copies/certificate", byBob), 403, "the request is not signed by user alice");

    // Alice's signature for MO-1 does not fit a request for MO-2, nor for another drive.
    ObjectNode moved = signedCertificate("alice", "SW-1", "MO-1", this.drive.certificate());
    moved.put("mediumId", "MO-2");
    assertRefused(post("/copies/certificate", moved), 403, "is not signed by user alice");
    ObjectNode redirected = signedCertificate("alice", "SW-1", "MO-1", this.drive.certificate());
    redirected.put("driveCertificate", other);
    assertRefused(post("/copies/certificate", redirected), 403, "is not signed by user alice");

    // Scheme 2: signed for DRIVE-1, sent with DRIVE-2's certificate (a grant for Bob's drive).
    ObjectNode swapped =
        signed(
            json(
                "userId",
                "alice",
                "titleId",
                "DID-1",
                "mediumId",
                "MO-1",
                "driveCertificate",
                drive));
    swapped.put("driveCertificate", other);
    assertRefused(post("/copies/conversion", swapped), 403, "is not signed by user alice");

    // A certificate request's signature is no conversion request's, though the fields are the same.
    ObjectNode kind = signedCertificate("alice", "DID-1", "MO-1", this.drive.certificate());
    assertRefused(post("/copies/conversion", kind), 403, "is not signed by user alice");

    ObjectNode shortSignature =
        json("userId", "alice", "titleId", "SW-1", "mediumId", "MO-1", "driveCertificate", drive);
    shortSignature.put("signature", "00ff");
    assertRefused(post("/copies/certificate", shortSignature), 403, "is not signed by user alice");
    shortSignature.put("signature", "not hex");
    assertRefused(post("/copies/certificate", shortSignature), 400, "'signature' is not hex");

    assertEquals(0, adminGet("/users/alice").body().get("copies").size(), "nothing issued");
    assertEquals(0, adminGet("/users/alice").body().get("bills").size(), "nothing billed");
    assertEquals(200, certificate("alice", "SW-1", "MO-1").status());
    assertEquals(1, adminGet("/users/alice").body().get("bills").size());
  }

  @Test
  void aUserWithoutSigningKeyCannotCopy() throws Exception {
    title("SW-1", 1, 100);
    try (Store store = Store.open(jdbc)) {
      store.insertUser(new User("old", "Old", X25519.generate().publicKey(), null, Instant.now()));
    }
    assertRefused(certificate("old", "SW-1", "MO-1"), 403, "the request is not signed by user old");
    assertEquals(0, adminGet("/users/old").body().get("copies").size());
  }

  // ------------------------------------------------------------------ scheme 1

  @Test
  void aCopyCertificateIsSignedByTheCenterAndItsKdOpensInTheTargetDriveOnly() throws Exception {
    byte[] kd = title("SW-1", 1, 1500);
    byte[] alice = user("alice");
    Reply reply = certificate("alice", "SW-1", "MO-0001");
    assertEquals(200, reply.status(), reply.body().toString());

    CopyCertificate cs =
        CopyCertificate.decode(HEX.parseHex(reply.body().get("copyCertificate").asText()));
    assertEquals("SW-1", cs.titleId());
    assertEquals("MO-0001", cs.mediumId());
    assertEquals("alice", cs.userId());
    assertEquals("DRIVE-1", cs.deviceId());
    assertEquals(reply.body().get("serial").asLong(), cs.serial());
    assertTrue(Math.abs(cs.issuedEpochSeconds() - Instant.now().getEpochSecond()) < 3600);
    Certificate site = Certificate.decode(cs.centerCertificate());
    assertEquals(Certificate.Role.CENTRAL_SITE, site.role());
    assertTrue(Ed25519.verify(authority.publicKey(), site.signedBytes(), site.signature()));
    assertTrue(Ed25519.verify(site.ed25519PublicKey(), cs.signedBytes(), cs.signature()));

    // A terminal that changes one byte (say the medium) has no valid certificate.
    CopyCertificate forged =
        new CopyCertificate(
            "SW-1",
            "MO-0002",
            "alice",
            cs.deviceId(),
            cs.serial(),
            cs.issuedEpochSeconds(),
            cs.ephemeralPublicKey(),
            cs.sealedKey(),
            cs.centerCertificate(),
            cs.signature());
    assertFalse(Ed25519.verify(site.ed25519PublicKey(), forged.signedBytes(), forged.signature()));
    byte[] flipped = cs.signature();
    flipped[10] ^= 1;
    assertFalse(Ed25519.verify(site.ed25519PublicKey(), cs.signedBytes(), flipped));

    // Kd opens with the target drive's key, for this title, medium and drive only.
    byte[] aad = CopyCertificate.aad("SW-1", "MO-0001", "DRIVE-1");
    assertArrayEquals(
        kd,
        Crypto.open(drive.x25519Private(), cs.ephemeralPublicKey(), "copy", aad, cs.sealedKey()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                drive.x25519Private(),
                cs.ephemeralPublicKey(),
                "copy",
                CopyCertificate.aad("SW-1", "MO-0002", "DRIVE-1"),
                cs.sealedKey()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                authority.drive("DRIVE-2").x25519Private(),
                cs.ephemeralPublicKey(),
                "copy",
                aad,
                cs.sealedKey()));

    // The answer holds no key the terminal can open: no field but CS, and Kd inside CS opens
    // with neither label under the user key.
    List<String> fields = new ArrayList<>();
    reply.body().fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("serial", "copyCertificate", "bill", "reissued"), fields);
    for (String label : List.of("copy", "user-key")) {
      assertThrows(
          AuthenticationException.class,
          () -> Crypto.open(alice, cs.ephemeralPublicKey(), label, aad, cs.sealedKey()));
    }

    JsonNode bill = reply.body().get("bill");
    assertEquals(1500, bill.get("amountCents").asLong());
    assertFalse(bill.get("paid").asBoolean());
    assertEquals(cs.serial(), bill.get("serial").asLong());
  }

  @Test
  void aUserWithAnUnpaidBillMayNotCopyUntilPaid() throws Exception {
    title("SW-1", 1, 1500);
    user("alice");
    assertEquals(200, certificate("alice", "SW-1", "MO-1").status());
    assertRefused(
        certificate("alice", "SW-1", "MO-2"),
        402,
        "user alice has 1 unpaid bill(s) totalling 1500 cents");

    Reply profile = adminGet("/users/alice");
    assertEquals(1, profile.body().get("copies").size(), "the refused copy left no record");
    assertEquals(1, profile.body().get("bills").size());
    assertEquals(1500, profile.body().get("owedCents").asLong());

    Reply paid = admin("/users/alice/payments", json("amountCents", 1500));
    assertEquals(200, paid.status(), paid.body().toString());
    assertEquals(0, paid.body().get("owedCents").asLong());
    assertEquals(1, paid.body().get("billsPaid").size());

    Reply second = certificate("alice", "SW-1", "MO-2");
    assertEquals(200, second.status(), second.body().toString());
    assertNotEquals(
        adminGet("/users/alice").body().get("copies").get(0).get("serial").asLong(),
        second.body().get("serial").asLong());
  }

  @Test
  void askingAgainForTheSameCopyReissuesItWithoutANewBill() throws Exception {
    title("SW-1", 1, 1500);
    user("alice");
    Reply first = certificate("alice", "SW-1", "MO-1");
    assertEquals(200, first.status(), first.body().toString());
    assertFalse(first.body().get("reissued").asBoolean());
    long serial = first.body().get("serial").asLong();
    long bill = first.body().get("bill").get("id").asLong();

    // The copy failed on the terminal after the answer: its own unpaid bill does not stop a retry.
    for (int i = 0; i < 2; i++) {
      Reply again = certificate("alice", "SW-1", "MO-1");
      assertEquals(200, again.status(), again.body().toString());
      assertTrue(again.body().get("reissued").asBoolean());
      assertEquals(serial, again.body().get("serial").asLong());
      assertEquals(bill, again.body().get("bill").get("id").asLong());
      assertFalse(again.body().get("bill").get("paid").asBoolean());
      CopyCertificate cs =
          CopyCertificate.decode(HEX.parseHex(again.body().get("copyCertificate").asText()));
      assertEquals(serial, cs.serial());
      assertEquals("MO-1", cs.mediumId());
      Certificate site = Certificate.decode(cs.centerCertificate());
      assertTrue(Ed25519.verify(site.ed25519PublicKey(), cs.signedBytes(), cs.signature()));
      assertArrayEquals(
          HEX.parseHex(call("GET", "/titles/SW-1/key", null, token).body().get("key").asText()),
          Crypto.open(
              drive.x25519Private(),
              cs.ephemeralPublicKey(),
              "copy",
              CopyCertificate.aad("SW-1", "MO-1", "DRIVE-1"),
              cs.sealedKey()));
    }
    JsonNode profile = adminGet("/users/alice").body();
    assertEquals(1, profile.get("copies").size());
    assertEquals(1, profile.get("bills").size());
    assertEquals(1500, profile.get("owedCents").asLong());

    // A new copy (another medium) is still refused while a bill is unpaid.
    assertRefused(
        certificate("alice", "SW-1", "MO-2"),
        402,
        "user alice has 1 unpaid bill(s) totalling 1500 cents");
    assertEquals(200, admin("/users/alice/payments", json("amountCents", 1500)).status());
    Reply paid = certificate("alice", "SW-1", "MO-1");
    assertEquals(serial, paid.body().get("serial").asLong());
    assertTrue(paid.body().get("bill").get("paid").asBoolean());
    assertEquals(1, adminGet("/users/alice").body().get("bills").size());
  }

  @Test
  void askingAgainForTheSameConversionInTheSameDriveReissuesItWithoutANewBill() throws Exception {
    title("DID-1", 2, 2500);
    user("bob");
    TestAuthority.Drive first = authority.drive("DRIVE-1");
    Reply issued = conversion("bob", "DID-1", "MO-7", first.certificate());
    assertEquals(200, issued.status(), issued.body().toString());
    assertFalse(issued.body().get("reissued").asBoolean());
    long serial = issued.body().get("serial").asLong();

    // INSTALL CONVERSION refused or the stream broken: the user retries in the same drive.
    Reply again = conversion("bob", "DID-1", "MO-7", first.certificate());
    assertEquals(200, again.status(), again.body().toString());
    assertTrue(again.body().get("reissued").asBoolean());
    assertEquals(serial, again.body().get("serial").asLong());
    ConversionGrant grant =
        ConversionGrant.decode(HEX.parseHex(again.body().get("grant").asText()));
    assertEquals(serial, grant.serial());
    assertEquals("DRIVE-1", grant.deviceId());
    byte[] keys =
        Crypto.open(
            first.x25519Private(),
            grant.ephemeralPublicKey(),
            "conversion",
            ConversionGrant.aad("DID-1", "MO-7", "DRIVE-1"),
            grant.sealedKeys());
    assertArrayEquals(
        independentKdf(masterKey(), "medium-conversion", "MO-7"), Arrays.copyOfRange(keys, 0, 32));
    assertEquals(
        issued.body().get("bill").get("id").asLong(), again.body().get("bill").get("id").asLong());

    JsonNode profile = adminGet("/users/bob").body();
    assertEquals(1, profile.get("copies").size());
    assertEquals(1, profile.get("bills").size());
    assertEquals(2500, profile.get("owedCents").asLong());
    assertRefused(
        conversion("bob", "DID-1", "MO-8", first.certificate()),
        402,
        "user bob has 1 unpaid bill(s) totalling 2500 cents");
  }

  @Test
  void theSameTitleAndMediumInAnotherDriveIsAnotherCopyWithItsOwnBill() throws Exception {
    title("SW-1", 1, 1500);
    title("DID-1", 2, 2500);
    user("bob");
    TestAuthority.Drive first = authority.drive("DRIVE-1");
    TestAuthority.Drive second = authority.drive("DRIVE-2");
    // The same device ID with another certified key (the drive enrolled again) is another drive.
    TestAuthority.Drive reEnrolled = authority.drive("DRIVE-1");
    Reply issued = conversion("bob", "DID-1", "MO-7", first.certificate());
    assertEquals(200, issued.status(), issued.body().toString());
    long serial = issued.body().get("serial").asLong();

    String unpaid = "user bob has 1 unpaid bill(s) totalling 2500 cents";
    assertRefused(conversion("bob", "DID-1", "MO-7", second.certificate()), 402, unpaid);
    assertRefused(conversion("bob", "DID-1", "MO-7", reEnrolled.certificate()), 402, unpaid);
    assertRefused(certificate("bob", "SW-1", "MO-7", second.certificate()), 402, unpaid);
    assertEquals(1, adminGet("/users/bob").body().get("copies").size());

    assertEquals(200, admin("/users/bob/payments", json("amountCents", 2500)).status());
    Reply other = conversion("bob", "DID-1", "MO-7", second.certificate());
    assertEquals(200, other.status(), other.body().toString());
    assertFalse(other.body().get("reissued").asBoolean());
    assertNotEquals(serial, other.body().get("serial").asLong());
    assertEquals("DRIVE-2", other.body().get("deviceId").asText());
    assertFalse(other.body().get("bill").get("paid").asBoolean());
    ConversionGrant grant =
        ConversionGrant.decode(HEX.parseHex(other.body().get("grant").asText()));
    assertEquals("DRIVE-2", grant.deviceId());
    Crypto.open(
        second.x25519Private(),
        grant.ephemeralPublicKey(),
        "conversion",
        ConversionGrant.aad("DID-1", "MO-7", "DRIVE-2"),
        grant.sealedKeys());
    // The first drive's retry is still its own copy, free, while the second's bill is unpaid.
    Reply retry = conversion("bob", "DID-1", "MO-7", first.certificate());
    assertEquals(200, retry.status(), retry.body().toString());
    assertTrue(retry.body().get("reissued").asBoolean());
    assertEquals(serial, retry.body().get("serial").asLong());

    JsonNode profile = adminGet("/users/bob").body();
    assertEquals(2, profile.get("copies").size());
    assertEquals("DRIVE-1", profile.get("copies").get(0).get("deviceId").asText());
    assertEquals("DRIVE-2", profile.get("copies").get(1).get("deviceId").asText());
    assertEquals(2, profile.get("bills").size());
    assertEquals(2500, profile.get("owedCents").asLong());

    // Scheme 1 the same way: a certificate in DRIVE-1, then MO-7 in DRIVE-2 is a new copy.
    assertEquals(200, admin("/users/bob/payments", json("amountCents", 2500)).status());
    Reply cs = certificate("bob", "SW-1", "MO-7", first.certificate());
    assertEquals(200, cs.status(), cs.body().toString());
    assertRefused(
        certificate("bob", "SW-1", "MO-7", second.certificate()),
        402,
        "user bob has 1 unpaid bill(s) totalling 1500 cents");
    Reply csRetry = certificate("bob", "SW-1", "MO-7", first.certificate());
    assertTrue(csRetry.body().get("reissued").asBoolean());
    assertEquals(cs.body().get("serial").asLong(), csRetry.body().get("serial").asLong());
    assertEquals(200, admin("/users/bob/payments", json("amountCents", 1500)).status());
    Reply csOther = certificate("bob", "SW-1", "MO-7", second.certificate());
    assertEquals(200, csOther.status(), csOther.body().toString());
    assertFalse(csOther.body().get("reissued").asBoolean());
    assertNotEquals(cs.body().get("serial").asLong(), csOther.body().get("serial").asLong());
    assertEquals(4, adminGet("/users/bob").body().get("bills").size());
  }

  @Test
  void aFreeTitleBillsZeroAndPaysAtOnce() throws Exception {
    title("FREE", 1, 0);
    user("alice");
    for (int i = 0; i < 3; i++) {
      Reply reply = certificate("alice", "FREE", "MO-" + i);
      assertEquals(200, reply.status(), reply.body().toString());
      assertTrue(reply.body().get("bill").get("paid").asBoolean());
    }
    assertEquals(3, adminGet("/users/alice").body().get("bills").size());
  }

  @Test
  void copyRefusals() throws Exception {
    title("SW-1", 1, 100);
    title("DID-1", 2, 100);
    user("alice");
    assertRefused(
        certificate("alice", "DID-1", "MO-1"),
        409,
        "title DID-1 is a scheme-2 title (converted copy): ask /copies/conversion");
    assertRefused(
        conversion("alice", "SW-1", "MO-1", authority.drive("DRIVE-1").certificate()),
        409,
        "title SW-1 is a scheme-1 title (certificate copy): ask /copies/certificate");
    assertRefused(certificate("alice", "SW-1", "MO 1"), 400, "'mediumId' must be printable ASCII");
    assertRefused(
        post("/copies/certificate", json("userId", "alice", "titleId", "SW-1")),
        400,
        "field 'mediumId' (a string) is required");
    // A request of the format that sealed Kd to the user names the field it lacks.
    assertRefused(
        post(
            "/copies/certificate",
            json("userId", "alice", "titleId", "SW-1", "mediumId", "MO-1", "signature", "00")),
        400,
        "'driveCertificate'");
    assertRefused(call("GET", "/copies/certificate", null, null), 405, "use POST");
    assertRefused(get("/nowhere"), 404, "no such resource: /nowhere");
    assertEquals(0, adminGet("/users/alice").body().get("copies").size());
  }

  @Test
  void anUnknownUserAndABadSignatureAreRefusedAlike() throws Exception {
    title("SW-1", 1, 100);
    title("DID-1", 2, 100);
    user("alice");
    signingKeys.put("mallory", Ed25519.generate()); // signs, but is not registered
    Reply unknown = certificate("mallory", "SW-1", "MO-1");
    signingKeys.put("alice", Ed25519.generate()); // registered, but signs with another key
    Reply forged = certificate("alice", "SW-1", "MO-1");
    assertRefused(unknown, 403, "the request is not signed by user mallory");
    assertEquals(forged.status(), unknown.status());
    assertEquals(
        forged.error().replace("alice", "USER"),
        unknown.error().replace("mallory", "USER"),
        "one message, whether the user exists or not");
    Reply unknownGrant = conversion("mallory", "DID-1", "MO-1", drive.certificate());
    Reply forgedGrant = conversion("alice", "DID-1", "MO-1", drive.certificate());
    assertEquals(forgedGrant.status(), unknownGrant.status());
    assertEquals(
        forgedGrant.error().replace("alice", "USER"),
        unknownGrant.error().replace("mallory", "USER"));
    assertEquals(0, adminGet("/users/alice").body().get("bills").size());
  }

  @Test
  void aSchemeOneCopyForADriveTheAuthorityDidNotCertifyIsRefusedUnbilled() throws Exception {
    title("SW-1", 1, 100);
    user("alice");
    assertRefused(
        certificate("alice", "SW-1", "MO-1", new TestAuthority().drive("DRIVE-9").certificate()),
        403,
        "the drive certificate of DRIVE-9 is not signed by the licensing authority");
    Certificate licensor =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.LICENSOR,
                "Some Licensor",
                new byte[32],
                Ed25519.generate().publicKey()));
    assertRefused(
        certificate("alice", "SW-1", "MO-1", licensor), 403, "has role LICENSOR, not DRIVE");
    JsonNode profile = adminGet("/users/alice").body();
    assertEquals(0, profile.get("copies").size(), "nothing issued");
    assertEquals(0, profile.get("bills").size(), "nothing billed");
  }

  @Test
  void concurrentCopiesByOneUserBillOnlyOnce() throws Exception {
    title("SW-1", 1, 700);
    user("alice");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> requests = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String medium = "MO-" + i;
        requests.add(() -> certificate("alice", "SW-1", medium).status());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(requests)) {
        statuses.add(f.get());
      }
      assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
      assertEquals(7, statuses.stream().filter(s -> s == 402).count(), statuses.toString());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, adminGet("/users/alice").body().get("bills").size());
  }

  // ------------------------------------------------------------------ scheme 2

  @Test
  void aConversionGrantCarriesKuAndKaSealedToTheDriveOnly() throws Exception {
    byte[] ka = title("DID-1", 2, 2500);
    user("bob");
    TestAuthority.Drive drive = authority.drive("DRIVE-0042");
    Reply reply = conversion("bob", "DID-1", "MO-77", drive.certificate());
    assertEquals(200, reply.status(), reply.body().toString());
    assertEquals("DRIVE-0042", reply.body().get("deviceId").asText());

    ConversionGrant grant =
        ConversionGrant.decode(HEX.parseHex(reply.body().get("grant").asText()));
    assertEquals("DID-1", grant.titleId());
    assertEquals("MO-77", grant.mediumId());
    assertEquals("DRIVE-0042", grant.deviceId());
    assertEquals(reply.body().get("serial").asLong(), grant.serial());
    Certificate site = Certificate.decode(grant.centerCertificate());
    assertTrue(Ed25519.verify(authority.publicKey(), site.signedBytes(), site.signature()));
    assertTrue(Ed25519.verify(site.ed25519PublicKey(), grant.signedBytes(), grant.signature()));
    byte[] tampered = grant.signedBytes();
    tampered[tampered.length - 1] ^= 1;
    assertFalse(Ed25519.verify(site.ed25519PublicKey(), tampered, grant.signature()));

    byte[] aad = ConversionGrant.aad("DID-1", "MO-77", "DRIVE-0042");
    byte[] keys =
        Crypto.open(
            drive.x25519Private(),
            grant.ephemeralPublicKey(),
            "conversion",
            aad,
            grant.sealedKeys());
    byte[] km = masterKey();
    assertArrayEquals(
        independentKdf(km, "medium-conversion", "MO-77"), Arrays.copyOfRange(keys, 0, 32));
    assertArrayEquals(
        independentKdf(km, "master-conversion", "DID-1"), Arrays.copyOfRange(keys, 32, 64));
    assertArrayEquals(ka, Arrays.copyOfRange(keys, 32, 64));

    TestAuthority.Drive other = authority.drive("DRIVE-0043");
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                other.x25519Private(),
                grant.ephemeralPublicKey(),
                "conversion",
                aad,
                grant.sealedKeys()));
    assertThrows(
        AuthenticationException.class,
        () ->
            Crypto.open(
                drive.x25519Private(),
                grant.ephemeralPublicKey(),
                "conversion",
                ConversionGrant.aad("DID-1", "MO-78", "DRIVE-0042"),
                grant.sealedKeys()));
    assertEquals(2500, reply.body().get("bill").get("amountCents").asLong());
    assertEquals(
        "DRIVE-0042", adminGet("/users/bob").body().get("copies").get(0).get("deviceId").asText());
  }

  @Test
  void aDriveCertificateTheAuthorityDidNotSignIsRefused() throws Exception {
    title("DID-1", 2, 100);
    user("bob");
    TestAuthority impostor = new TestAuthority();
    assertRefused(
        conversion("bob", "DID-1", "MO-1", impostor.drive("DRIVE-9").certificate()),
        403,
        "the drive certificate of DRIVE-9 is not signed by the licensing authority");
    Certificate licensor =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.LICENSOR,
                "Some Licensor",
                new byte[32],
                Ed25519.generate().publicKey()));
    assertRefused(
        conversion("bob", "DID-1", "MO-1", licensor), 403, "has role LICENSOR, not DRIVE");
    assertRefused(
        post(
            "/copies/conversion",
            signed(
                json(
                    "userId",
                    "bob",
                    "titleId",
                    "DID-1",
                    "mediumId",
                    "MO-1",
                    "driveCertificate",
                    "5344435401"))),
        400,
        "'driveCertificate' is malformed");
    assertRefused(
        post(
            "/copies/conversion",
            signed(
                json(
                    "userId",
                    "bob",
                    "titleId",
                    "DID-1",
                    "mediumId",
                    "MO-1",
                    "driveCertificate",
                    "not hex"))),
        400,
        "'driveCertificate' is not hexadecimal");
    assertEquals(0, adminGet("/users/bob").body().get("bills").size(), "no refusal billed");
  }

  // ------------------------------------------------------------------ payments

  @Test
  void paymentsSettleBillsOldestFirst() throws Exception {
    title("A", 1, 0);
    title("B", 1, 300);
    user("carol");
    // Two priced bills: the first copy is paid between them so the second may be issued.
    assertEquals(200, certificate("carol", "B", "MO-1").status());
    assertRefused(
        admin("/users/carol/payments", json("amountCents", 301)),
        409,
        "a payment of 301 cents exceeds the 300 cents owed");
    Reply partial = admin("/users/carol/payments", json("amountCents", 100));
    assertEquals(200, partial.status(), partial.body().toString());
    assertEquals(0, partial.body().get("billsPaid").size());
    assertEquals(200, partial.body().get("owedCents").asLong());
    assertRefused(certificate("carol", "A", "MO-2"), 402, "1 unpaid bill(s) totalling 200 cents");

    Reply rest = admin("/users/carol/payments", json("amountCents", 200));
    assertEquals(200, rest.status());
    assertEquals(1, rest.body().get("billsPaid").size());
    JsonNode bills = adminGet("/users/carol").body().get("bills");
    assertEquals(1, bills.size());
    assertTrue(bills.get(0).get("paid").asBoolean());
    assertEquals(300, bills.get(0).get("paidCents").asLong());

    assertRefused(admin("/users/dave/payments", json("amountCents", 1)), 404, "unknown user dave");
    assertRefused(
        admin("/users/carol/payments", json("amountCents", 0)), 400, "must be at least 1");
    assertRefused(post("/users/carol/payments", json("amountCents", 1)), 401, "Bearer");
  }

  @Test
  void theStorePaysTheOldestOfSeveralBillsFirst() throws Exception {
    try (Store store = Store.open(jdbc)) {
      Instant now = Instant.ofEpochSecond(1_700_000_000L);
      store.insertTitle(new Title("T", "T", 1, new byte[32], 100, now));
      store.insertUser(
          new User("u", "U", X25519.generate().publicKey(), Ed25519.generate().publicKey(), now));
      // Two bills outstanding at once, as a site could have from before this policy.
      store.issue(new Store.CopyRequest("u", "T", "M1", "D", DRIVE_KEY, 1), 100, now, (s, at) -> s);
      Store.Payment first = store.pay("u", 100, now).orElseThrow();
      assertEquals(1, first.billsPaid().size());
      store.issue(new Store.CopyRequest("u", "T", "M2", "D", DRIVE_KEY, 1), 100, now, (s, at) -> s);
      assertThrows(
          UnpaidBillsException.class,
          () ->
              store.issue(
                  new Store.CopyRequest("u", "T", "M3", "D", DRIVE_KEY, 1),
                  100,
                  now,
                  (s, at) -> s));
      Store.Payment second = store.pay("u", 60, now).orElseThrow();
      assertEquals(List.of(), second.billsPaid());
      assertEquals(40, second.stillOwedCents());
      assertEquals(60, store.bills("u").get(1).paidCents());
      assertTrue(store.bills("u").get(0).paid());
    }
  }

  @Test
  void aFailureWhileIssuingLeavesNeitherCopyNorBill() throws Exception {
    try (Store store = Store.open(jdbc)) {
      Instant now = Instant.ofEpochSecond(1_700_000_000L);
      store.insertTitle(new Title("T", "T", 1, new byte[32], 100, now));
      store.insertUser(
          new User("u", "U", X25519.generate().publicKey(), Ed25519.generate().publicKey(), now));
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  store.issue(
                      new Store.CopyRequest("u", "T", "M1", "D", DRIVE_KEY, 1),
                      100,
                      now,
                      (serial, at) -> {
                        throw new IllegalStateException("signing failed at serial " + serial);
                      }));
      assertTrue(e.getMessage().startsWith("signing failed"));
      assertEquals(List.of(), store.copies("u"));
      assertEquals(List.of(), store.bills("u"));
      assertThrows(
          UnknownUserException.class,
          () ->
              store.issue(
                  new Store.CopyRequest("ghost", "T", "M1", "D", DRIVE_KEY, 1),
                  100,
                  now,
                  (s, at) -> s));
      assertEquals(List.of(), store.copies("ghost"));
      Store.Issued<Long> issued =
          store.issue(
              new Store.CopyRequest("u", "T", "M1", "D", DRIVE_KEY, 1), 100, now, (s, at) -> s);
      assertEquals(1, store.copies("u").size());
      assertEquals(issued.copy().serial(), issued.document());
      assertTrue(store.insertTitle(new Title("T2", "T2", 2, null, 0, now)));
      assertFalse(store.insertTitle(new Title("T2", "again", 2, null, 0, now)));
      assertEquals("T2", store.title("T2").orElseThrow().name());
    }
  }

  // ------------------------------------------------------------------ failures

  @Test
  void anInternalErrorAnswersAReferenceAndNotItsDetail() throws Exception {
    center.close();
    Clock broken =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            throw new IllegalStateException("clock broken at /srv/center/secret.conf");
          }
        };
    center = LicenseCenter.start(dataDir, jdbc, new InetSocketAddress("127.0.0.1", 0), broken);
    Reply reply =
        admin("/titles", json("titleId", "SW-1", "name", "X", "scheme", 1, "priceCents", 1));
    assertEquals(500, reply.status(), reply.body().toString());
    assertTrue(reply.error().matches("internal error \\(reference [0-9a-f]{8}\\)"), reply.error());
    assertFalse(reply.body().toString().contains("secret.conf"), reply.body().toString());
    assertFalse(reply.body().toString().contains("IllegalStateException"));
  }

  @Test
  void aDatabaseFailureAnswers503WithAReferenceAndNotItsDetail() throws Exception {
    title("SW-1", 1, 0);
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(jdbc.url(), jdbc.user(), jdbc.password());
        java.sql.Statement s = c.createStatement()) {
      s.execute("ALTER TABLE titles RENAME TO titles_gone");
    }
    Reply reply = get("/titles");
    assertEquals(503, reply.status(), reply.body().toString());
    assertTrue(
        reply.error().matches("database unavailable \\(reference [0-9a-f]{8}\\)"), reply.error());
    String body = reply.body().toString().toLowerCase(java.util.Locale.ROOT);
    assertFalse(body.contains("titles"), body);
    assertFalse(body.contains("sql"), body);
  }

  // ------------------------------------------------------------------ restart

  @Test
  void everythingSurvivesARestart() throws Exception {
    byte[] kd = title("SW-1", 1, 500);
    byte[] ka = title("DID-1", 2, 0);
    user("alice");
    Reply first = certificate("alice", "SW-1", "MO-1");
    assertEquals(200, first.status());
    String certificate = get("/center").body().get("certificate").asText();

    center.close();
    center = LicenseCenter.start(dataDir, jdbc, new InetSocketAddress("127.0.0.1", 0));

    assertEquals(certificate, get("/center").body().get("certificate").asText());
    assertArrayEquals(
        kd, HEX.parseHex(call("GET", "/titles/SW-1/key", null, token).body().get("key").asText()));
    assertArrayEquals(
        ka, HEX.parseHex(call("GET", "/titles/DID-1/key", null, token).body().get("key").asText()));
    JsonNode profile = adminGet("/users/alice").body();
    assertEquals(1, profile.get("copies").size());
    assertEquals(500, profile.get("owedCents").asLong());
    assertRefused(certificate("alice", "SW-1", "MO-2"), 402, "1 unpaid bill(s)");
    assertEquals(200, admin("/users/alice/payments", json("amountCents", 500)).status());
    Reply second = certificate("alice", "SW-1", "MO-2");
    assertEquals(200, second.status());
    assertTrue(
        second.body().get("serial").asLong() > first.body().get("serial").asLong(),
        "serials go on after a restart");
  }

  @Test
  void aTitleKeyIsStoredSealedAndOneStoredPlainBeforeIsSealedAtStart() throws Exception {
    byte[] kd = title("SW-1", 1, 0);
    byte[] plain = Bytes.random(32);
    try (Store store = Store.open(jdbc)) {
      byte[] stored = store.title("SW-1").orElseThrow().kd();
      assertEquals(12 + 32 + 16, stored.length, "nonce, sealed Kd, tag");
      for (int i = 0; i + 16 <= stored.length; i++) {
        assertFalse(
            java.util.Arrays.equals(
                java.util.Arrays.copyOfRange(stored, i, i + 16), java.util.Arrays.copyOf(kd, 16)),
            "Kd is not in the row");
      }
      // a row as a center wrote it before keys were sealed at rest
      store.insertTitle(new Title("OLD-1", "Old", 1, plain, 0, Instant.now()));
    }
    center.close();
    center = LicenseCenter.start(dataDir, jdbc, new InetSocketAddress("127.0.0.1", 0));
    try (Store store = Store.open(jdbc)) {
      assertEquals(60, store.title("OLD-1").orElseThrow().kd().length, "sealed at start");
    }
    assertArrayEquals(
        plain,
        HEX.parseHex(call("GET", "/titles/OLD-1/key", null, token).body().get("key").asText()));
    assertArrayEquals(
        kd, HEX.parseHex(call("GET", "/titles/SW-1/key", null, token).body().get("key").asText()));
  }

  @Test
  void aPlainTitleKeyWrittenWhileTheCenterRunsIsSealedWhenAskedFor() throws Exception {
    byte[] plain = Bytes.random(32);
    byte[] other = Bytes.random(32);
    try (Store store = Store.open(jdbc)) {
      // rows as an older center sharing the database writes them, after this one started
      store.insertTitle(new Title("LATE-1", "Late", 1, plain, 0, Instant.now()));
      store.insertTitle(new Title("LATE-2", "Late too", 1, other, 0, Instant.now()));
    }
    assertArrayEquals(
        plain,
        HEX.parseHex(call("GET", "/titles/LATE-1/key", null, token).body().get("key").asText()));
    try (Store store = Store.open(jdbc)) {
      assertEquals(60, store.title("LATE-1").orElseThrow().kd().length, "sealed when asked for");
    }
    assertArrayEquals(
        plain,
        HEX.parseHex(call("GET", "/titles/LATE-1/key", null, token).body().get("key").asText()),
        "and opens the same afterwards");

    // a copy of such a title seals it as well, and carries the plain Kd to the drive
    user("alice");
    Reply copy = certificate("alice", "LATE-2", "MO-1");
    assertEquals(200, copy.status(), copy.body().toString());
    CopyCertificate cs =
        CopyCertificate.decode(HEX.parseHex(copy.body().get("copyCertificate").asText()));
    assertArrayEquals(
        other,
        Crypto.open(
            drive.x25519Private(),
            cs.ephemeralPublicKey(),
            "copy",
            CopyCertificate.aad("LATE-2", "MO-1", "DRIVE-1"),
            cs.sealedKey()));
    try (Store store = Store.open(jdbc)) {
      assertEquals(60, store.title("LATE-2").orElseThrow().kd().length, "sealed when copied");
    }
  }
}
