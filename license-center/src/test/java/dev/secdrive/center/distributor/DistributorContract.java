package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.center.TestAuthority;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.keytree.DeviceNodeKeys;
import dev.secdrive.protocol.keytree.Ekb;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.Issuer;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two distributors of one federation sharing one operations database C, each with its private
 * database A, over real sockets on 127.0.0.1 with a real HTTP client; run once per database kind:
 * {@link DistributorH2Test} (embedded H2, the default) and {@link DistributorPostgresIT}. Every
 * record received is checked with the protocol's decoders: the signature of the authority-certified
 * distributor key, the leaf IDs, and the EKB opening for a device that is not revoked and not for
 * one that is.
 */
abstract class DistributorContract {

  static final HexFormat HEX = HexFormat.of();
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static final int DEPTH = 12;
  static final int CATEGORY_DEPTH = 2;
  static final String PASSWORD = "correct horse battery";

  /** The private database of distributor {@code which} ("a" or "b"). */
  abstract JdbcConfig privateDatabase(String which, Path dataDir) throws Exception;

  /** The shared operations database. */
  abstract JdbcConfig sharedDatabase(Path sharedDir) throws Exception;

  /** Drops what the two methods above made. */
  void dropDatabases() throws Exception {}

  @TempDir Path tmp;

  /** The clock of both distributors: moves only when a test moves it. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

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
      return now;
    }
  }

  final TestClock clock = new TestClock();
  TestAuthority authority;
  Path keyTreeFile;
  byte[] treeSecret;
  DistributorServer a;
  DistributorServer b;

  /** The databases by name: "a" and "b" (private), "c" (shared). */
  final Map<String, JdbcConfig> databases = new HashMap<>();

  @BeforeEach
  void startDistributors() throws Exception {
    authority = new TestAuthority();
    treeSecret = Bytes.random(32);
    keyTreeFile = tmp.resolve("key-tree.json");
    KeyTreeFixture.write(keyTreeFile, DEPTH, CATEGORY_DEPTH, treeSecret);
    Path shared = tmp.resolve("shared");
    JdbcConfig c = sharedDatabase(shared);
    databases.put("c", c);
    a = start("a", "Distributor A", 0, c);
    b = start("b", "Distributor B", 1, c);
  }

  private DistributorServer start(String which, String name, long category, JdbcConfig c)
      throws Exception {
    Path dir = tmp.resolve(which);
    JdbcConfig own = privateDatabase(which, dir);
    databases.put(which, own);
    DistributorServer.setup(
        dir, name, authority.publicKey(), authority::certify, keyTreeFile, category, own, c);
    return DistributorServer.start(dir, new InetSocketAddress("127.0.0.1", 0), clock);
  }

  @AfterEach
  void stopDistributors() throws Exception {
    for (DistributorServer d : new DistributorServer[] {a, b}) {
      if (d != null) {
        d.close();
      }
    }
    dropDatabases();
  }

  /** Runs {@code statement} with {@code args} on database {@code which} ({@link #databases}). */
  void sql(String which, String statement, Object... args) throws Exception {
    JdbcConfig config = databases.get(which);
    try (Connection c =
            DriverManager.getConnection(config.url(), config.user(), config.password());
        PreparedStatement s = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.execute();
    }
  }

  void restartA() throws Exception {
    a.close();
    a = DistributorServer.start(tmp.resolve("a"), new InetSocketAddress("127.0.0.1", 0), clock);
  }

  /**
   * A copy at A whose transaction of A is then undone, as a crash between C's commit and A's would
   * leave it: C holds its copy history and the license for B, A neither.
   */
  TwoClients aCopyLeftInCAlone() throws Exception {
    TwoClients t = twoClients(2);
    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    Reply copied = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertOk(copied);
    ContentsCopyCertificate certificate = ContentsCopyCertificate.decode(copied.hex("certificate"));
    sql("a", "DELETE FROM copy_certificates WHERE serial = ?", HEX.formatHex(certificate.serial()));
    sql(
        "a",
        "DELETE FROM licenses WHERE serial = ?",
        HEX.formatHex(certificate.license().serial()));
    assertEquals(2, b.distributor().federationLicenses("alice").size());
    return t;
  }

  // ------------------------------------------------------------------ HTTP helpers

  record Reply(int status, JsonNode body, java.net.http.HttpHeaders headers) {
    String error() {
      return body.path("error").asText();
    }

    byte[] hex(String field) {
      return HEX.parseHex(body.get(field).asText());
    }
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  static Reply call(DistributorServer d, String method, String path, Object body, String auth)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(d.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (auth != null) {
      request.header("Authorization", auth);
    }
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(
        "application/json", response.headers().firstValue("Content-Type").orElse(""), path);
    return new Reply(response.statusCode(), JSON.readTree(response.body()), response.headers());
  }

  static Reply admin(DistributorServer d, String path, Object body) throws Exception {
    return call(d, "POST", path, body, bearer(d.adminToken()));
  }

  static Reply post(DistributorServer d, String path, Object body, String auth) throws Exception {
    return call(d, "POST", path, body, auth);
  }

  static Reply get(DistributorServer d, String path, String auth) throws Exception {
    return call(d, "GET", path, null, auth);
  }

  static ObjectNode json(Object... pairs) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < pairs.length; i += 2) {
      node.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
    }
    return node;
  }

  static void assertOk(Reply reply) {
    assertEquals(200, reply.status(), reply.body().toString());
  }

  static void assertRefused(Reply reply, int status, String fragment) {
    assertEquals(status, reply.status(), reply.body().toString());
    assertTrue(
        reply.error().contains(fragment), "'" + reply.error() + "' should say '" + fragment + "'");
  }

  // ------------------------------------------------------------------ fixtures

  /**
   * Registers {@code user} at {@code d} with {@link #PASSWORD} and opens a session: the bearer
   * credentials (a session spares the Argon2id check of every request).
   */
  static String user(DistributorServer d, String user) throws Exception {
    assertOk(
        admin(d, "/users", json("userId", user, "name", "User " + user, "password", PASSWORD)));
    Reply session = post(d, "/sessions", json("userId", user, "password", PASSWORD), null);
    assertOk(session);
    return bearer(session.body().get("token").asText());
  }

  /** A client registered: the drive, its ID, leaf, and the secrets its service data carries. */
  record Client(
      TestAuthority.Drive drive,
      String clientId,
      long leafId,
      ServiceData serviceData,
      DeviceNodeKeys keys) {}

  Client client(DistributorServer d, String auth, String deviceId) throws Exception {
    TestAuthority.Drive drive = authority.drive(deviceId);
    Reply reply = post(d, "/clients", registration(d, auth, drive), auth);
    assertOk(reply);
    ServiceData data = ServiceData.decode(reply.hex("serviceData"));
    ServiceData.Secrets secrets = data.open(drive.x25519Private());
    DeviceNodeKeys keys = DeviceNodeKeys.decode(secrets.deviceNodeKeys());
    return new Client(drive, reply.body().get("clientId").asText(), data.leafId(), data, keys);
  }

  /** A challenge of {@code d} for the user of {@code auth}: its bytes and the user it names. */
  record Challenge(byte[] bytes, String userId, Instant expiresAt) {}

  static Challenge challenge(DistributorServer d, String auth) throws Exception {
    Reply reply = post(d, "/clients/challenges", null, auth);
    assertOk(reply);
    return new Challenge(
        reply.hex("challenge"),
        reply.body().get("userId").asText(),
        Instant.parse(reply.body().get("expiresAt").asText()));
  }

  /**
   * The body of POST /clients that registers {@code drive} at {@code d} for the user of {@code
   * auth}, as the host driver makes it: a fresh challenge, the drive's proof of it for that user
   * and distributor.
   */
  static ObjectNode registration(DistributorServer d, String auth, TestAuthority.Drive drive)
      throws Exception {
    Challenge c = challenge(d, auth);
    return registration(
        drive.certificate(), c.bytes(), drive.proof(certificate(d), c.userId(), c.bytes()));
  }

  static ObjectNode registration(Certificate drive, byte[] challenge, byte[] proof) {
    return json(
        "driveCertificate",
        HEX.formatHex(drive.encode()),
        "challenge",
        HEX.formatHex(challenge),
        "proof",
        HEX.formatHex(proof));
  }

  static Certificate certificate(DistributorServer d) {
    return d.distributor().keys().certificate();
  }

  static void content(DistributorServer d, String id, long price, int copies, byte[] data)
      throws Exception {
    assertOk(
        admin(
            d,
            "/contents",
            json(
                "contentId",
                id,
                "name",
                "Song " + id,
                "codec",
                "audio/wav",
                "licenseId",
                "LIC-" + id,
                "priceCents",
                price,
                "plays",
                10,
                "days",
                30,
                "copies",
                copies,
                "removableCopies",
                2,
                "data",
                HEX.formatHex(data))));
  }

  static Reply license(DistributorServer d, String auth, String contentId, String clientId)
      throws Exception {
    return post(d, "/licenses", json("contentId", contentId, "clientId", clientId), auth);
  }

  static Reply pay(DistributorServer d, String user, long cents) throws Exception {
    return admin(d, "/users/" + user + "/payments", json("amountCents", cents));
  }

  static JsonNode profile(DistributorServer d, String user) throws Exception {
    Reply reply = call(d, "GET", "/users/" + user, null, bearer(d.adminToken()));
    assertOk(reply);
    return reply.body();
  }

  HttpResponse<byte[]> download(DistributorServer d, String auth, String contentId, String client)
      throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(
                URI.create(d.url() + "/contents/" + contentId + "/package/" + client))
            .header("Authorization", auth)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The license checked as a drive checks it: the authority's distributor, its signature. */
  License verifiedLicense(byte[] encoded, DistributorServer issuer) throws Exception {
    License license = License.decode(encoded);
    assertTrue(Issuer.certifiedBy(license.issuer(), authority.publicKey()));
    assertEquals(issuer.distributor().keys().name(), license.issuer().subject());
    assertTrue(license.verifies());
    return license;
  }

  // ------------------------------------------------------------------ the distributor

  @Test
  void theDistributorShowsItsAuthorityCertifiedKeyAndItsCategory() throws Exception {
    Reply reply = get(a, "/distributor", null);
    assertOk(reply);
    Certificate certificate = Certificate.decode(reply.hex("certificate"));
    assertEquals(Certificate.Role.DISTRIBUTOR, certificate.role());
    assertEquals("Distributor A", certificate.subject());
    assertTrue(Issuer.certifiedBy(certificate, authority.publicKey()));
    assertEquals(DEPTH, reply.body().get("treeDepth").asInt());
    assertEquals(CATEGORY_DEPTH, reply.body().get("categoryDepth").asInt());
    assertEquals(0, reply.body().get("category").asInt());
    assertEquals(1, get(b, "/distributor", null).body().get("category").asInt());
    assertEquals(0, reply.body().get("ekbVersion").asInt());
    assertEquals("full", reply.body().get("copyPolicy").get("policy").asText());
  }

  // ------------------------------------------------------------------ users and sessions

  @Test
  void usersNeedTheAdminTokenAndAreKeptAsArgon2idHashes() throws Exception {
    ObjectNode body = json("userId", "alice", "name", "Alice", "password", PASSWORD);
    assertRefused(post(a, "/users", body, null), 401, "admin token");
    assertRefused(post(a, "/users", body, bearer("wrong")), 401, "admin token is wrong");
    assertOk(admin(a, "/users", body));
    assertRefused(admin(a, "/users", body), 409, "already registered");
    assertRefused(
        admin(a, "/users", json("userId", "bob", "name", "Bob", "password", "short")),
        400,
        "field 'password'");
    assertRefused(
        admin(a, "/users", json("userId", "bob", "name", "Bob")), 400, "field 'password'");
    assertRefused(
        admin(a, "/users", json("userId", "", "name", "Bob", "password", PASSWORD)),
        400,
        "field 'userId'");
    String hash = a.distributor().user("alice").passwordHash();
    assertTrue(hash.startsWith("$argon2id$"), hash);
    assertFalse(hash.contains(PASSWORD));
    assertRefused(get(a, "/users/bob", bearer(a.adminToken())), 404, "no user bob");
  }

  @Test
  void metricsNeedTheAdminTokenAndCountRequestsByRouteNeverByUserOrPassword() throws Exception {
    String alice = user(a, "alice");
    assertOk(get(a, "/users/alice", alice));
    assertRefused(get(a, "/users/alice", basic("alice", "wrong password")), 401, "");
    assertRefused(get(a, "/metrics", alice), 401, "");

    HttpResponse<String> metrics =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(a.url() + "/metrics"))
                .header("Authorization", bearer(a.adminToken()))
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
                  + "server=\"secdrive-distributor\",status=\""
                  + status
                  + "\"}"),
          text);
    }
    assertFalse(text.contains("alice"), "a label never takes an ID: " + text);
    assertFalse(text.contains(PASSWORD), text);
  }

  @Test
  void aPasswordOrASessionTokenAuthenticatesAndNothingElse() throws Exception {
    String alice = user(a, "alice");
    assertOk(get(a, "/users/alice", alice));
    assertOk(get(a, "/users/alice", basic("alice", PASSWORD)));
    assertOk(get(a, "/users/alice", basic("alice", PASSWORD)));
    assertRefused(get(a, "/users/alice", basic("alice", "wrong password")), 401, "wrong user ID");
    assertRefused(get(a, "/users/alice", basic("nobody", PASSWORD)), 401, "wrong user ID");
    assertRefused(get(a, "/users/alice", null), 401, "Authorization");
    assertRefused(
        post(a, "/sessions", json("userId", "alice", "password", "wrong password"), null),
        401,
        "wrong user ID");
    Reply session = post(a, "/sessions", json("userId", "alice", "password", PASSWORD), null);
    assertOk(session);
    String token = session.body().get("token").asText();
    assertOk(get(a, "/users/alice", bearer(token)));
    assertRefused(get(a, "/users/alice", bearer(token + "0")), 401, "session token");
    // A password at A is no password at B, nor a session of A a session of B.
    user(b, "alice");
    assertRefused(get(b, "/users/alice", bearer(token)), 401, "session token");
    // Another user's profile is not yours.
    String bob = user(a, "bob");
    assertRefused(get(a, "/users/alice", bob), 403, "not yours");
    // Sessions end.
    clock.now = clock.now.plus(Distributor.SESSION_LIFETIME);
    assertRefused(get(a, "/users/alice", bearer(token)), 401, "expired");
  }

  @Test
  void aSessionEndedWithDeleteAuthenticatesNothingMore() throws Exception {
    String alice = user(a, "alice");
    String other = user(a, "bob");
    assertOk(get(a, "/users/alice", alice));
    Reply ended = call(a, "DELETE", "/sessions/current", null, alice);
    assertOk(ended);
    assertTrue(ended.body().get("ended").asBoolean());
    assertRefused(get(a, "/users/alice", alice), 401, "session token");
    assertRefused(call(a, "DELETE", "/sessions/current", null, alice), 401, "session token");
    // Only a session token ends a session; another session of the distributor stays open.
    assertRefused(
        call(a, "DELETE", "/sessions/current", null, basic("alice", PASSWORD)), 401, "Bearer");
    assertRefused(call(a, "GET", "/sessions/current", null, other), 405, "");
    assertOk(get(a, "/users/bob", other));
  }

  @Test
  void repeatedWrongPasswordsAreThrottledPerUserAndPerAddressUntilTheWindowPasses()
      throws Exception {
    String session = user(a, "alice");
    user(a, "bob");
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      assertRefused(get(a, "/users/alice", basic("alice", "guess " + i)), 401, "wrong user ID");
    }
    // Now even the right password is refused, before any Argon2id work, until the window passes.
    Reply throttled = get(a, "/users/alice", basic("alice", PASSWORD));
    assertRefused(throttled, 429, "too many failed logins");
    assertEquals(
        String.valueOf(LoginThrottle.WINDOW.getSeconds()),
        throttled.headers().firstValue("Retry-After").orElse(""));
    assertRefused(
        post(a, "/sessions", json("userId", "alice", "password", PASSWORD), null), 429, "too many");
    // The address 127.0.0.1 also had five failures: another user from it is throttled too.
    assertRefused(get(a, "/users/bob", basic("bob", PASSWORD)), 429, "too many");
    // A session opened before keeps working.
    assertOk(get(a, "/users/alice", session));
    clock.now = clock.now.plus(LoginThrottle.WINDOW).minusSeconds(1);
    Reply late = get(a, "/users/alice", basic("alice", PASSWORD));
    assertRefused(late, 429, "retry after 1 s");
    assertEquals("1", late.headers().firstValue("Retry-After").orElse(""));
    clock.now = clock.now.plusSeconds(1);
    assertOk(get(a, "/users/alice", basic("alice", PASSWORD)));
    assertOk(get(a, "/users/bob", basic("bob", PASSWORD)));
  }

  @Test
  void unknownUserIdsCountAgainstTheAddressToo() throws Exception {
    user(a, "alice");
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      assertRefused(get(a, "/users/alice", basic("nobody-" + i, PASSWORD)), 401, "wrong user ID");
    }
    assertRefused(get(a, "/users/alice", basic("alice", PASSWORD)), 429, "too many");
    // B counts its own failures.
    user(b, "alice");
    assertOk(get(b, "/users/alice", basic("alice", PASSWORD)));
  }

  // ------------------------------------------------------------------ preregistration S11-S14

  @Test
  void aDriveOfTheAuthorityBecomesAClientWithALeafOfTheCategoryAndSealedServiceData()
      throws Exception {
    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-A1");
    ServiceData data = client.serviceData();
    assertTrue(Issuer.certifiedBy(data.issuer(), authority.publicKey()));
    assertTrue(data.verifies());
    assertEquals("Distributor A", data.distributor());
    assertEquals("DRIVE-A1", data.deviceId());
    assertEquals(DEPTH, data.depth());
    long perCategory = 1L << (DEPTH - CATEGORY_DEPTH);
    assertTrue(client.leafId() >= 0 && client.leafId() < perCategory, "leaf " + client.leafId());
    assertEquals(client.leafId(), client.keys().leafId());
    assertEquals(Distributor.clientId(client.leafId()), client.clientId());
    // The device node keys are the tree's for that leaf.
    assertEquals(
        new dev.secdrive.protocol.keytree.KeyTree(treeSecret, DEPTH).deviceKeys(client.leafId()),
        client.keys());

    // B hands out leaves of its own category.
    String aliceAtB = user(b, "alice");
    Client other = client(b, aliceAtB, "DRIVE-B1");
    assertTrue(other.leafId() >= perCategory && other.leafId() < 2 * perCategory);
  }

  @Test
  void aDriveIsOneClientAndOnlyTheAuthoritysDrivesAreClients() throws Exception {
    String alice = user(a, "alice");
    Client first = client(a, alice, "DRIVE-1");
    String bob = user(a, "bob");
    // Bob holding the drive itself (its proof for him) still finds it Alice's client.
    Reply ofBob = post(a, "/clients", registration(a, bob, first.drive()), bob);
    assertRefused(ofBob, 409, "is client " + first.clientId());
    // Not at B either: C knows the drive.
    String aliceAtB = user(b, "alice");
    assertRefused(
        post(b, "/clients", registration(b, aliceAtB, first.drive()), aliceAtB), 409, "already");
    TestAuthority stranger = new TestAuthority();
    assertRefused(
        post(a, "/clients", registration(a, alice, stranger.drive("X")), alice),
        403,
        "licensing authority");
    Certificate notADrive =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.DISTRIBUTOR, "Mallory", new byte[32], new byte[32]));
    byte[] challenge = challenge(a, alice).bytes();
    assertRefused(
        post(a, "/clients", registration(notADrive, challenge, new byte[1]), alice),
        403,
        "not a drive certificate");
    assertRefused(
        post(
            a,
            "/clients",
            json("driveCertificate", "00ff", "challenge", "00", "proof", "00"),
            alice),
        400,
        "driveCertificate");
    assertRefused(post(a, "/clients", json(), alice), 400, "driveCertificate");
    assertRefused(
        post(
            a,
            "/clients",
            registration(a, alice, authority.drive("D")),
            basic("alice", "wrong password")),
        401,
        "wrong user ID");
    assertRefused(post(a, "/clients/challenges", null, null), 401, "");
    // Nothing of the refusals was recorded: the next leaf is the second.
    Client second = client(a, alice, "DRIVE-2");
    assertEquals(first.leafId() + 1, second.leafId());
  }

  /**
   * Registration squatting: a drive's certificate is public, so registration asks for the drive's
   * proof (S11). Mallory, a user of A and B, holds Alice's drive certificate and tries every proof
   * she can get; each is refused with its reason and nothing is written in C, then Alice registers
   * her drive.
   */
  @Test
  void aDriveCertificateAloneOrWithAnyProofButItsOwnRegistersNothing() throws Exception {
    String alice = user(a, "alice");
    String mallory = user(a, "mallory");
    String malloryAtB = user(b, "mallory");
    TestAuthority.Drive victim = authority.drive("DRIVE-V");
    TestAuthority.Drive own = authority.drive("DRIVE-M");
    Certificate cert = victim.certificate();
    String certHex = HEX.formatHex(cert.encode());
    // No proof at all, or no challenge.
    Challenge c = challenge(a, mallory);
    assertEquals("mallory", c.userId());
    assertEquals(clock.now.plus(Distributor.CHALLENGE_LIFETIME), c.expiresAt());
    assertRefused(
        post(a, "/clients", json("driveCertificate", certHex), mallory), 400, "field 'challenge'");
    assertRefused(
        post(
            a,
            "/clients",
            json("driveCertificate", certHex, "challenge", HEX.formatHex(c.bytes())),
            mallory),
        400,
        "field 'proof'");
    assertRefused(
        post(
            a, "/clients", registration(cert, c.bytes(), new byte[] {'S', 'D', 'R', 'P'}), mallory),
        400,
        "not a registration proof");
    // A proof by her own drive, as it is, or passed off under the victim's device ID.
    assertRefused(
        post(
            a,
            "/clients",
            registration(cert, c.bytes(), own.proof(certificate(a), "mallory", c.bytes())),
            mallory),
        403,
        "the proof is by drive DRIVE-M, not by drive DRIVE-V");
    TestAuthority.Drive posing =
        new TestAuthority.Drive(own.x25519Private(), own.ed25519Private(), cert);
    assertRefused(
        post(
            a,
            "/clients",
            registration(cert, c.bytes(), posing.proof(certificate(a), "mallory", c.bytes())),
            mallory),
        403,
        "signature is not by the key of drive DRIVE-V");
    // The victim drive's real proof, made for Alice (seen on the wire while she registers).
    Challenge ofAlice = challenge(a, alice);
    byte[] alicesProof = victim.proof(certificate(a), "alice", ofAlice.bytes());
    assertRefused(
        post(a, "/clients", registration(cert, ofAlice.bytes(), alicesProof), mallory),
        403,
        "the proof is for user alice, not mallory");
    // A proof the victim drive made for Mallory at A, replayed at B.
    byte[] forA = victim.proof(certificate(a), "mallory", c.bytes());
    Challenge atB = challenge(b, malloryAtB);
    assertRefused(
        post(b, "/clients", registration(cert, atB.bytes(), forA), malloryAtB),
        403,
        "the proof is for distributor Distributor A, not Distributor B");
    // A challenge of B (or of another user) in a proof for A: not A's challenge to this user.
    byte[] withBsChallenge = victim.proof(certificate(a), "mallory", atB.bytes());
    assertRefused(
        post(a, "/clients", registration(cert, atB.bytes(), withBsChallenge), mallory),
        403,
        "not issued by Distributor A to user mallory");
    // An altered challenge, signed as altered.
    byte[] altered = c.bytes().clone();
    altered[0] ^= 0x7F; // a later expiry
    assertRefused(
        post(
            a,
            "/clients",
            registration(cert, altered, victim.proof(certificate(a), "mallory", altered)),
            mallory),
        403,
        "or it was altered");
    // The proof answers another challenge than the one posted.
    assertRefused(
        post(a, "/clients", registration(cert, ofAlice.bytes(), forA), mallory),
        403,
        "answers another challenge");
    // A proof for Mallory kept past the challenge's lifetime.
    clock.now = clock.now.plus(Distributor.CHALLENGE_LIFETIME).plusSeconds(1);
    assertRefused(
        post(a, "/clients", registration(cert, c.bytes(), forA), mallory), 403, "expired at");
    // Nothing was written in C: no leaf was taken, the drive is no client (not 409), and Alice's
    // own registration of it works.
    Client registered = client(a, alice, "DRIVE-W");
    assertEquals(a.distributor().firstLeaf(), registered.leafId());
    Reply alices = post(a, "/clients", registration(a, alice, victim), alice);
    assertOk(alices);
    assertEquals(a.distributor().firstLeaf() + 1, alices.body().get("leafId").asLong());
    assertEquals("alice", a.distributor().client(alices.body().get("clientId").asText()).userId());
  }

  @Test
  void twoDistributorsRegisteringAtOnceNeverShareALeaf() throws Exception {
    String alice = user(a, "alice");
    String aliceAtB = user(b, "alice");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Client>> futures = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        DistributorServer d = i % 2 == 0 ? a : b;
        String auth = i % 2 == 0 ? alice : aliceAtB;
        String device = "DRIVE-" + i;
        Callable<Client> register = () -> client(d, auth, device);
        futures.add(pool.submit(register));
      }
      Set<Long> leaves = new HashSet<>();
      for (Future<Client> f : futures) {
        assertTrue(leaves.add(f.get().leafId()));
      }
      assertEquals(16, leaves.size());
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ catalog and download S31-S38

  @Test
  void aDownloadIsTheContentEncryptedUnderAKeyTheCurrentEkbGivesToTheClient() throws Exception {
    byte[] song = new byte[5000];
    new java.util.Random(7).nextBytes(song);
    content(a, "SONG-1", 300, 1, song);
    assertRefused(post(a, "/contents", json("contentId", "X"), null), 401, "admin token");
    Reply catalog = get(a, "/contents", null);
    assertOk(catalog);
    assertEquals(1, catalog.body().size());
    assertEquals("LIC-SONG-1", catalog.body().get(0).get("licenseId").asText());
    assertEquals(5000, catalog.body().get(0).get("length").asLong());
    assertRefused(
        admin(
            a,
            "/contents",
            json(
                "contentId",
                "SONG-1",
                "name",
                "again",
                "codec",
                "audio/wav",
                "licenseId",
                "L",
                "priceCents",
                1,
                "plays",
                1,
                "days",
                0,
                "copies",
                0,
                "removableCopies",
                0,
                "data",
                "00")),
        409,
        "already in the catalog");
    assertRefused(
        admin(
            a,
            "/contents",
            json(
                "contentId",
                "SONG-2",
                "name",
                "n",
                "codec",
                "audio/wav",
                "licenseId",
                "L",
                "priceCents",
                1,
                "plays",
                -1,
                "days",
                0,
                "copies",
                0,
                "removableCopies",
                0,
                "data",
                "00")),
        400,
        "field 'plays'");

    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-A");
    HttpResponse<byte[]> response = download(a, alice, "SONG-1", client.clientId());
    assertEquals(200, response.statusCode());
    assertEquals(
        "application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
    byte[] file = response.body();
    ContentPackage.Header header = ContentPackage.Header.decode(file);
    assertEquals("SONG-1", header.contentId());
    assertEquals("LIC-SONG-1", header.licenseId());
    assertEquals("Distributor A", header.distributor());
    Ekb ekb = Ekb.decode(header.ekb());
    assertEquals(0, ekb.version());
    byte[] kr = client.keys().rootKey(ekb).orElseThrow();
    byte[] kc = header.unwrapContentKey(kr);
    assertTrue(header.checks(kc));
    byte[] data = Arrays.copyOfRange(file, header.length(), file.length);
    assertArrayEquals(song, ContentPackage.crypt(kc, header.nonce(), data));
    assertFalse(Arrays.equals(song, data));
    assertEquals(1, profile(a, "alice").get("downloads").size());

    assertRefused(
        call(a, "GET", "/contents/NOPE/package/" + client.clientId(), null, alice),
        404,
        "no content NOPE");
    assertRefused(
        call(a, "GET", "/contents/SONG-1/package/leaf-99999", null, alice),
        404,
        "no client leaf-99999");
    String bob = user(a, "bob");
    assertRefused(
        call(a, "GET", "/contents/SONG-1/package/" + client.clientId(), null, bob),
        403,
        "not yours");
    assertEquals(1, profile(a, "alice").get("downloads").size());
    assertEquals(0, profile(a, "bob").get("downloads").size());
  }

  // ------------------------------------------------------------------ licenses S71-S85

  @Test
  void aLicenseIsSignedForTheClientsLeafRecordedAndBilledAndUnpaidBillsStopTheNext()
      throws Exception {
    content(a, "SONG-1", 300, 2, new byte[100]);
    content(a, "SONG-2", 0, 2, new byte[100]);
    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-A");

    Reply issued = license(a, alice, "SONG-1", client.clientId());
    assertOk(issued);
    License license = verifiedLicense(issued.hex("license"), a);
    assertEquals("LIC-SONG-1", license.licenseId());
    assertEquals("SONG-1", license.contentId());
    assertEquals(client.leafId(), license.leafId());
    assertArrayEquals(issued.hex("serial"), license.serial());
    UseConditions u = license.conditions();
    assertEquals(clock.now.getEpochSecond(), u.notBefore());
    assertEquals(clock.now.getEpochSecond() + 30 * 86_400L, u.notAfter());
    assertEquals(10, u.plays());
    assertEquals(2, u.copyCertificates());
    assertEquals(2, u.removableCopies());
    assertEquals(300, issued.body().get("bill").get("amountCents").asLong());
    assertEquals(
        HEX.formatHex(license.serial()), issued.body().get("bill").get("reference").asText());
    // The bill of a bought license and the license itself are of kind "purchase" (as the API says).
    assertEquals("purchase", issued.body().get("bill").get("kind").asText());

    // Credit check: an unpaid bill refuses the next license, free or not, and writes nothing.
    assertRefused(license(a, alice, "SONG-2", client.clientId()), 402, "unpaid");
    JsonNode profile = profile(a, "alice");
    assertEquals(1, profile.get("licenses").size());
    assertEquals("purchase", profile.get("licenses").get(0).get("kind").asText());
    assertEquals(1, profile.get("bills").size());
    assertEquals("purchase", profile.get("bills").get(0).get("kind").asText());
    assertEquals(300, profile.get("owedCents").asLong());
    assertEquals(1, a.distributor().federationLicenses("alice").size());

    assertRefused(pay(a, "alice", 301), 409, "more than");
    assertRefused(pay(a, "alice", 0), 400, "amountCents");
    Reply paid = pay(a, "alice", 300);
    assertOk(paid);
    assertEquals(1, paid.body().get("billsPaid").asInt());
    assertEquals(0, paid.body().get("stillOwedCents").asLong());

    Reply free = license(a, alice, "SONG-2", client.clientId());
    assertOk(free);
    assertTrue(free.body().get("bill") == null || free.body().get("bill").isNull());
    assertEquals(2, a.distributor().federationLicenses("alice").size());
  }

  @Test
  void licenseRequestsAreRefusedForUnknownOrForeignOrMalformedInput() throws Exception {
    content(a, "SONG-1", 300, 1, new byte[10]);
    String alice = user(a, "alice");
    String bob = user(a, "bob");
    Client aliceClient = client(a, alice, "DRIVE-A");
    assertRefused(license(a, bob, "SONG-1", aliceClient.clientId()), 403, "not yours");
    assertRefused(license(a, alice, "NOPE", aliceClient.clientId()), 404, "no content NOPE");
    assertRefused(license(a, alice, "SONG-1", "leaf-4000"), 404, "no client leaf-4000");
    assertRefused(
        post(a, "/licenses", json("contentId", "SONG-1"), alice), 400, "field 'clientId'");
    assertRefused(
        license(a, basic("alice", "nope-nope"), "SONG-1", aliceClient.clientId()),
        401,
        "wrong user ID");
    assertRefused(license(a, null, "SONG-1", aliceClient.clientId()), 401, "Authorization");
    assertEquals(0, profile(a, "alice").get("licenses").size());
    assertEquals(0, profile(a, "bob").get("bills").size());
    assertEquals(0, profile(a, "alice").get("bills").size());
  }

  // ------------------------------------------------------------------ license update S101-S104

  @Test
  void anUpdateIsANewSerialOfTheSameLicenseWithTheOffersConditions() throws Exception {
    content(a, "SONG-1", 100, 1, new byte[10]);
    content(a, "SONG-2", 100, 1, new byte[10]);
    assertOk(
        admin(
            a,
            "/contents/SONG-1/offers",
            json(
                "offerId",
                "MORE",
                "priceCents",
                50,
                "plays",
                100,
                "days",
                0,
                "copies",
                3,
                "removableCopies",
                5)));
    assertOk(
        admin(
            a,
            "/contents/SONG-2/offers",
            json(
                "offerId",
                "OTHER",
                "priceCents",
                50,
                "plays",
                1,
                "days",
                0,
                "copies",
                0,
                "removableCopies",
                0)));
    Reply offers = get(a, "/contents/SONG-1/offers", null);
    assertOk(offers);
    assertEquals("MORE", offers.body().get(0).get("offerId").asText());

    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-A");
    Reply first = license(a, alice, "SONG-1", client.clientId());
    assertOk(first);
    String serial = HEX.formatHex(first.hex("serial"));
    assertRefused(
        post(a, "/licenses/" + serial + "/update", json("offerId", "MORE"), alice), 402, "unpaid");
    assertOk(pay(a, "alice", 100));
    clock.now = clock.now.plusSeconds(3600);

    assertRefused(
        post(a, "/licenses/" + serial + "/update", json("offerId", "OTHER"), alice),
        409,
        "for content SONG-2");
    assertRefused(
        post(a, "/licenses/" + serial + "/update", json("offerId", "NOPE"), alice),
        404,
        "no offer NOPE");
    assertRefused(
        post(a, "/licenses/" + "0".repeat(32) + "/update", json("offerId", "MORE"), alice),
        404,
        "no license");
    assertRefused(post(a, "/licenses/xyz/update", json("offerId", "MORE"), alice), 400, "serial");
    String bob = user(a, "bob");
    assertRefused(
        post(a, "/licenses/" + serial + "/update", json("offerId", "MORE"), bob), 403, "not yours");

    Reply updated = post(a, "/licenses/" + serial + "/update", json("offerId", "MORE"), alice);
    assertOk(updated);
    License license = verifiedLicense(updated.hex("license"), a);
    assertEquals("LIC-SONG-1", license.licenseId());
    assertNotEquals(serial, HEX.formatHex(license.serial()));
    assertEquals(client.leafId(), license.leafId());
    assertEquals(100, license.conditions().plays());
    assertEquals(UseConditions.NO_END, license.conditions().notAfter());
    assertEquals(3, license.conditions().copyCertificates());
    assertEquals(clock.now.getEpochSecond(), license.conditions().notBefore());
    assertEquals(50, updated.body().get("bill").get("amountCents").asLong());
    JsonNode licenses = profile(a, "alice").get("licenses");
    assertEquals(2, licenses.size());
    assertEquals("update", licenses.get(1).get("kind").asText());
    assertEquals(serial, licenses.get(1).get("replaces").asText());
  }

  // ------------------------------------------------------------------ copy certificates S121-S141

  /** A user of both distributors with a client at each, and a paid license for A's client. */
  record TwoClients(String atA, String atB, Client clientA, Client clientB, License license) {}

  TwoClients twoClients(int copies) throws Exception {
    content(a, "SONG-1", 200, copies, new byte[64]);
    String atA = user(a, "alice");
    String atB = user(b, "alice");
    Client clientA = client(a, atA, "DRIVE-A");
    Client clientB = client(b, atB, "DRIVE-B");
    Reply issued = license(a, atA, "SONG-1", clientA.clientId());
    assertOk(issued);
    assertOk(pay(a, "alice", 200));
    return new TwoClients(atA, atB, clientA, clientB, verifiedLicense(issued.hex("license"), a));
  }

  Reply copy(DistributorServer d, String auth, License license, String destination)
      throws Exception {
    return post(
        d,
        "/copies",
        json("licenseSerial", HEX.formatHex(license.serial()), "destinationClientId", destination),
        auth);
  }

  @Test
  void rowsOfCWithoutTheirTransactionOfAAreDeletedWhenTheDistributorStartsAndGiveTheCopyBack()
      throws Exception {
    TwoClients t = aCopyLeftInCAlone();
    // Younger than the bound: a batch may still be between its two commits, so they stay.
    restartA();
    assertEquals(2, b.distributor().federationLicenses("alice").size());
    clock.now = clock.now.plus(IssueBatches.RECONCILE_AFTER).plusSeconds(1);
    restartA();
    assertEquals(1, b.distributor().federationLicenses("alice").size(), "the orphans are gone");
    // Both copies of the count are there again.
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
    assertRefused(copy(a, t.atA(), t.license(), t.clientB().clientId()), 409, "(2 of 2 issued)");
    assertEquals(2, profile(a, "alice").get("copies").size());
  }

  @Test
  void aRunningDistributorDeletesRowsOfCWithoutTheirTransactionOfAOnceTheBoundHasPassed()
      throws Exception {
    TwoClients t = aCopyLeftInCAlone();
    clock.now = clock.now.plus(IssueBatches.RECONCILE_AFTER).minusSeconds(1);
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
    assertEquals(3, b.distributor().federationLicenses("alice").size(), "not due yet");
    clock.now = clock.now.plusSeconds(2);
    // The first batch after the bound reconciles before it decides: the orphan's copy is free.
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
    assertEquals(3, b.distributor().federationLicenses("alice").size());
    assertRefused(copy(a, t.atA(), t.license(), t.clientB().clientId()), 409, "(2 of 2 issued)");
  }

  @Test
  void aCopyCertificateFromAForTheSameUsersClientAtBCarriesALicenseForBsLeaf() throws Exception {
    TwoClients t = twoClients(1);
    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    Reply issued = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertOk(issued);
    ContentsCopyCertificate certificate = ContentsCopyCertificate.decode(issued.hex("certificate"));
    assertTrue(Issuer.certifiedBy(certificate.issuer(), authority.publicKey()));
    assertEquals("Distributor A", certificate.issuer().subject());
    assertTrue(certificate.verifies());
    assertEquals("SONG-1", certificate.contentId());
    assertEquals(t.clientA().leafId(), certificate.sourceLeafId());
    assertEquals(t.clientB().leafId(), certificate.destinationLeafId());
    License forB = certificate.license();
    assertTrue(forB.verifies());
    assertEquals(certificate.issuer(), forB.issuer());
    assertEquals(t.clientB().leafId(), forB.leafId());
    assertEquals("LIC-SONG-1", forB.licenseId());
    assertEquals(t.license().conditions().notAfter(), forB.conditions().notAfter());
    assertEquals(0, forB.conditions().copyCertificates());
    assertArrayEquals(issued.hex("destinationLicense"), forB.serial());
    assertTrue(issued.body().get("bill") == null || issued.body().get("bill").isNull());
    // B's client now holds, per C, the license A issued for it.
    assertEquals(2, b.distributor().federationLicenses("alice").size());
    assertEquals(1, profile(a, "alice").get("copies").size());

    // The copy count: one allowed, one issued.
    assertRefused(
        copy(a, t.atA(), t.license(), t.clientB().clientId()), 409, "no copy certificates left");
    assertEquals(1, profile(a, "alice").get("copies").size());
  }

  @Test
  void copyCertificatesAreRefusedForOthersClientsRevokedClientsAndUnknownLicenses()
      throws Exception {
    TwoClients t = twoClients(5);
    String bobAtB = user(b, "bob");
    Client bobs = client(b, bobAtB, "DRIVE-BOB");
    assertRefused(copy(a, t.atA(), t.license(), bobs.clientId()), 403, "not yours");
    assertRefused(copy(a, t.atA(), t.license(), "leaf-3999"), 404, "no client leaf-3999");
    assertRefused(
        copy(a, t.atA(), t.license(), t.clientA().clientId()), 409, "license's own client");
    String bobAtA = user(a, "bob");
    assertRefused(copy(a, bobAtA, t.license(), t.clientB().clientId()), 403, "not yours");
    // A license of A is not B's to copy.
    assertRefused(copy(b, t.atB(), t.license(), t.clientB().clientId()), 404, "no license");
    assertRefused(
        post(a, "/copies", json("licenseSerial", "00", "destinationClientId", "x"), t.atA()),
        400,
        "licenseSerial");
    assertRefused(
        post(a, "/copies", json("licenseSerial", HEX.formatHex(t.license().serial())), t.atA()),
        400,
        "destinationClientId");
    assertEquals(0, profile(a, "alice").get("copies").size());
    assertEquals(1, profile(a, "alice").get("bills").size());
  }

  @Test
  void copiesAreBilledByTheDistributorsCopyPolicy() throws Exception {
    TwoClients t = twoClients(5);
    assertOk(get(a, "/copy-policy", null));
    assertEquals("full", get(a, "/copy-policy", null).body().get("policy").asText());
    Reply full = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertOk(full);
    assertEquals(200, full.body().get("bill").get("amountCents").asLong());
    assertEquals("copy", full.body().get("bill").get("kind").asText());
    assertRefused(copy(a, t.atA(), t.license(), t.clientB().clientId()), 402, "unpaid");
    assertOk(pay(a, "alice", 200));

    assertRefused(
        admin(a, "/copy-policy", json("policy", "reduced", "percent", 100)), 400, "percent");
    assertRefused(admin(a, "/copy-policy", json("policy", "cheap", "percent", 0)), 400, "policy");
    assertRefused(
        post(a, "/copy-policy", json("policy", "free", "percent", 0), t.atA()), 401, "admin");
    assertOk(admin(a, "/copy-policy", json("policy", "reduced", "percent", 25)));
    Reply reduced = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertOk(reduced);
    assertEquals(50, reduced.body().get("bill").get("amountCents").asLong());
    assertOk(pay(a, "alice", 50));

    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    Reply free = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertOk(free);
    assertTrue(free.body().get("bill") == null || free.body().get("bill").isNull());
    assertEquals(3, profile(a, "alice").get("copies").size());
  }

  @Test
  void concurrentCopyRequestsNeverPassTheCopyCount() throws Exception {
    TwoClients t = twoClients(3);
    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<Reply> request = () -> copy(a, t.atA(), t.license(), t.clientB().clientId());
        replies.add(pool.submit(request));
      }
      int issued = 0;
      for (Future<Reply> f : replies) {
        Reply reply = f.get();
        if (reply.status() == 200) {
          issued++;
        } else {
          assertRefused(reply, 409, "no copy certificates left");
        }
      }
      assertEquals(3, issued);
      assertEquals(3, profile(a, "alice").get("copies").size());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Sends every request at once from its own thread; the replies in the order of the requests. */
  static List<Reply> atOnce(List<Callable<Reply>> requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(requests.size());
    try {
      List<Future<Reply>> replies = new ArrayList<>();
      for (Callable<Reply> request : requests) {
        replies.add(pool.submit(request));
      }
      List<Reply> out = new ArrayList<>();
      for (Future<Reply> f : replies) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentBilledCopiesAndLicensesOfOneUserGiveOneThenRefuseUnpaidUntilPaid()
      throws Exception {
    TwoClients t = twoClients(16);
    // Full price: every copy is billed, so the first one issued makes every later one unpaid.
    List<Callable<Reply>> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(
          i % 3 == 2
              ? () -> license(a, t.atA(), "SONG-1", t.clientA().clientId())
              : () -> copy(a, t.atA(), t.license(), t.clientB().clientId()));
    }
    int issued = 0;
    for (Reply reply : atOnce(requests)) {
      if (reply.status() == 200) {
        issued++;
      } else {
        assertRefused(reply, 402, "unpaid");
      }
    }
    assertEquals(1, issued, "one billed issue, then unpaid");
    JsonNode profile = profile(a, "alice");
    // The bought license of twoClients (paid) and the one issue now (a license, or a copy with its
    // license for B), with its bill, and nothing of the refused ones.
    assertEquals(2, profile.get("bills").size());
    assertEquals(200, profile.get("owedCents").asLong());
    assertEquals(2, profile.get("licenses").size());
    assertEquals(2, a.distributor().federationLicenses("alice").size());
    assertOk(pay(a, "alice", 200));
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
  }

  @Test
  void aRefusedRequestAmongConcurrentOnesWritesNothingAndTheOthersAreIssued() throws Exception {
    TwoClients t = twoClients(2);
    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    String bob = user(a, "bob");
    Client bobs = client(a, bob, "DRIVE-BOB");
    content(a, "SONG-2", 0, 1, new byte[8]);
    String ended = user(a, "carol");
    assertOk(call(a, "DELETE", "/sessions/current", null, ended));
    List<Callable<Reply>> requests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(() -> copy(a, t.atA(), t.license(), t.clientB().clientId()));
      requests.add(() -> license(a, bob, "SONG-2", bobs.clientId()));
    }
    requests.add(() -> license(a, ended, "SONG-2", bobs.clientId()));
    requests.add(() -> copy(a, bob, t.license(), t.clientB().clientId()));
    requests.add(() -> license(a, bob, "SONG-2", t.clientA().clientId()));
    List<Reply> replies = atOnce(requests);
    int copies = 0;
    for (int i = 0; i < 8; i += 2) {
      if (replies.get(i).status() == 200) {
        copies++;
      } else {
        assertRefused(replies.get(i), 409, "no copy certificates left");
      }
      assertOk(replies.get(i + 1));
    }
    assertEquals(2, copies, "the copy count, exactly");
    assertRefused(replies.get(8), 401, "unknown or expired");
    assertRefused(replies.get(9), 403, "not yours");
    assertRefused(replies.get(10), 403, "not yours");
    assertEquals(2, profile(a, "alice").get("copies").size());
    assertEquals(4, profile(a, "bob").get("licenses").size());
    assertEquals(0, profile(a, "bob").get("copies").size());
    assertEquals(0, profile(a, "carol").get("licenses").size());
    assertEquals(4, a.distributor().federationLicenses("bob").size());
  }

  // ------------------------------------------------------------------ revocation

  @Test
  void revocationsFromTwoDistributorsAtOnceTakeOneVersionEach() throws Exception {
    String alice = user(a, "alice");
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clients.add(client(a, alice, "DRIVE-" + i).clientId());
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        DistributorServer d = i % 2 == 0 ? a : b;
        String client = clients.get(i);
        Callable<Reply> revoke = () -> admin(d, "/revocations", json("clientId", client));
        replies.add(pool.submit(revoke));
      }
      Set<Integer> versions = new HashSet<>();
      for (Future<Reply> f : replies) {
        Reply reply = f.get();
        assertOk(reply);
        versions.add(reply.body().get("ekbVersion").asInt());
      }
      assertEquals(Set.of(1, 2, 3, 4, 5, 6), versions);
      assertEquals(6, get(b, "/distributor", null).body().get("ekbVersion").asInt());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRevokedClientGetsNothingAndTheNextEkbOpensForOthersOnly() throws Exception {
    TwoClients t = twoClients(5);
    assertRefused(admin(b, "/revocations", json("clientId", "leaf-3999")), 404, "no client");
    assertRefused(
        post(b, "/revocations", json("clientId", t.clientA().clientId()), t.atB()), 401, "admin");
    // B revokes A's client: the revocation is the federation's.
    Reply revoked = admin(b, "/revocations", json("clientId", t.clientA().clientId()));
    assertOk(revoked);
    assertEquals(1, revoked.body().get("ekbVersion").asInt());
    assertEquals(t.clientA().leafId(), revoked.body().get("leafId").asLong());
    assertRefused(
        admin(a, "/revocations", json("clientId", t.clientA().clientId())), 409, "revoked already");
    assertEquals(1, get(a, "/distributor", null).body().get("ekbVersion").asInt());

    assertRefused(license(a, t.atA(), "SONG-1", t.clientA().clientId()), 403, "revoked");
    assertRefused(
        call(a, "GET", "/contents/SONG-1/package/" + t.clientA().clientId(), null, t.atA()),
        403,
        "revoked");
    assertRefused(copy(a, t.atA(), t.license(), t.clientB().clientId()), 403, "revoked");

    // A revoked destination gets no certificate either.
    Client third = client(a, t.atA(), "DRIVE-A2");
    Reply fresh = license(a, t.atA(), "SONG-1", third.clientId());
    assertOk(fresh);
    assertOk(pay(a, "alice", 200));
    assertOk(admin(a, "/revocations", json("clientId", t.clientB().clientId())));
    assertRefused(
        copy(a, t.atA(), License.decode(fresh.hex("license")), t.clientB().clientId()),
        403,
        "revoked");

    // The package for the client still standing carries EKB version 2, which its device node
    // keys open and the revoked ones do not.
    HttpResponse<byte[]> response = download(a, t.atA(), "SONG-1", third.clientId());
    assertEquals(200, response.statusCode());
    ContentPackage.Header header = ContentPackage.Header.decode(response.body());
    Ekb ekb = Ekb.decode(header.ekb());
    assertEquals(2, ekb.version());
    byte[] kr = third.keys().rootKey(ekb).orElseThrow();
    assertTrue(header.checks(header.unwrapContentKey(kr)));
    assertTrue(t.clientA().keys().rootKey(ekb).isEmpty());
    assertTrue(t.clientB().keys().rootKey(ekb).isEmpty());
  }

  /**
   * The service data is handed out in the answer of POST /clients. If that answer is lost (power or
   * network), the same user's retry for the same drive gets fresh service data for the same leaf
   * and client ID, its new client key recorded in C; another user's post of it is still 409.
   */
  @Test
  void aLostRegistrationAnswerIsFetchedAgainByTheSameUser() throws Exception {
    String alice = user(a, "alice");
    String bob = user(a, "bob");
    TestAuthority.Drive drive = authority.drive("DRIVE-L");
    Reply first = post(a, "/clients", registration(a, alice, drive), alice); // the answer is "lost"
    assertOk(first);
    Reply retry = post(a, "/clients", registration(a, alice, drive), alice);
    assertEquals(200, retry.status(), "retry after a lost answer: " + retry.body());
    assertEquals(first.body().get("clientId").asText(), retry.body().get("clientId").asText());
    assertEquals(first.body().get("leafId").asLong(), retry.body().get("leafId").asLong());
    assertNotEquals(
        first.body().get("clientPublicKey").asText(), retry.body().get("clientPublicKey").asText());
    assertNotEquals(
        first.body().get("serviceData").asText(), retry.body().get("serviceData").asText());
    ServiceData data = ServiceData.decode(retry.hex("serviceData"));
    assertEquals(retry.body().get("clientId").asText(), data.clientId());
    assertEquals(
        retry.body().get("clientPublicKey").asText(), HEX.formatHex(data.clientPublicKey()));
    assertEquals(
        409,
        post(a, "/clients", registration(a, bob, drive), bob).status(),
        "another user took the drive");
    String alice2 = user(b, "alice2");
    assertEquals(409, post(b, "/clients", registration(b, alice2, drive), alice2).status());
  }
}
