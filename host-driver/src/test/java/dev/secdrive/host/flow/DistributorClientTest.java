package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secdrive.host.flow.ContentMove.MoveException;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DistributorClient} and its {@link JsonHttp} against a JDK HTTP server on 127.0.0.1:0
 * answering as a distributor would (and as one must not), scripted per path.
 */
class DistributorClientTest {

  private static final HexFormat HEX = HexFormat.of();

  /** One scripted answer: status, content type and body. */
  private record Answer(int status, String type, byte[] body) {
    static Answer json(int status, String body) {
      return new Answer(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  @TempDir Path tmp;
  private HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private DistributorClient client;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    client = new DistributorClient("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.put(path, auth == null ? "" : auth);
    exchange.getRequestBody().readAllBytes();
    if (path.startsWith("/slow")) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer answer =
        answers.getOrDefault(path, Answer.json(404, "{\"error\":\"no route " + path + "\"}"));
    exchange.getResponseHeaders().set("Content-Type", answer.type());
    exchange.sendResponseHeaders(answer.status(), answer.body().length);
    exchange.getResponseBody().write(answer.body());
    exchange.close();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void anErrorAnswerBecomesADistributorExceptionWithItsStatusAndMessage() {
    answers.put("/licenses", Answer.json(402, "{\"error\":\"user alice has an unpaid bill\"}"));
    DistributorException e =
        assertThrows(
            DistributorException.class,
            () -> client.asUser("alice", "pw").license("SONG-1", "leaf-3"));
    assertEquals(402, e.status());
    assertEquals("user alice has an unpaid bill", e.reason());
    assertEquals("distributor refused (HTTP 402): user alice has an unpaid bill", e.getMessage());
    assertTrue(authorizations.get("/licenses").startsWith("Basic "));

    // An error answer that is not JSON: its text is the reason; an empty one says so.
    answers.put(
        "/contents/SONG%201",
        new Answer(503, "text/plain", "down for maintenance\n".getBytes(StandardCharsets.UTF_8)));
    DistributorException text =
        assertThrows(DistributorException.class, () -> client.content("SONG 1"));
    assertEquals(503, text.status());
    assertEquals("down for maintenance", text.reason());
    answers.put("/contents/SONG-2", new Answer(500, "text/plain", new byte[0]));
    assertEquals(
        "no reason given",
        assertThrows(DistributorException.class, () -> client.content("SONG-2")).reason());
  }

  @Test
  void anAnswerThatIsNotJsonOrNotTheApisRecordIsRefused() {
    answers.put("/contents/SONG-1", new Answer(200, "text/html", "<html>hi</html>".getBytes()));
    FlowException notJson = assertThrows(FlowException.class, () -> client.content("SONG-1"));
    assertFalse(notJson instanceof DistributorException);
    assertTrue(notJson.getMessage().contains("not a JSON object"), notJson.getMessage());
    answers.put("/contents", Answer.json(200, "{\"contentId\":\"SONG-1\"}"));
    FlowException notList = assertThrows(FlowException.class, () -> client.contents());
    assertTrue(notList.getMessage().contains("not a list"), notList.getMessage());
    answers.put("/contents/SONG-3", Answer.json(200, "{\"contentId\": 5, \"plays\": \"many\"}"));
    FlowException mistyped = assertThrows(FlowException.class, () -> client.content("SONG-3"));
    assertTrue(
        mistyped.getMessage().contains("not what license-center/DISTRIBUTOR-API.md says"),
        mistyped.getMessage());
  }

  @Test
  void aRefusedDownloadLeavesNoFileAndKeepsAnOldOne() throws Exception {
    answers.put(
        "/contents/SONG-1/package/leaf-3",
        Answer.json(403, "{\"error\":\"client leaf-3 is revoked\"}"));
    Path file = tmp.resolve("song.sdcp");
    MoveException refused =
        assertThrows(
            MoveException.class,
            () ->
                ContentMove.download(
                    client.asUser("alice", "pw"), "SONG-1", "leaf-3", file, Progress.NONE));
    assertTrue(refused.getMessage().contains("client leaf-3 is revoked"), refused.getMessage());
    assertFalse(Files.exists(file));
    try (var listing = Files.list(tmp)) {
      assertEquals(0, listing.count(), "no temporary file is left behind");
    }

    // A package already there stays as it was when the next download is refused, or is not one.
    byte[] old = {1, 2, 3};
    Files.write(file, old);
    assertThrows(
        MoveException.class,
        () ->
            ContentMove.download(
                client.asUser("alice", "pw"), "SONG-1", "leaf-3", file, Progress.NONE));
    assertArrayEquals(old, Files.readAllBytes(file));
    answers.put(
        "/contents/SONG-1/package/leaf-3",
        new Answer(200, "application/octet-stream", "not a package".getBytes()));
    assertThrows(
        MoveException.class,
        () ->
            ContentMove.download(
                client.asUser("alice", "pw"), "SONG-1", "leaf-3", file, Progress.NONE));
    assertArrayEquals(old, Files.readAllBytes(file));
  }

  /** A distributor's info answer with {@code certificate} and the authority key it names. */
  private void info(String name, Certificate certificate, byte[] authorityKey) {
    answers.put(
        "/distributor",
        Answer.json(
            200,
            "{\"name\":\""
                + name
                + "\",\"certificate\":\""
                + HEX.formatHex(certificate.encode())
                + "\",\"publicKey\":\""
                + HEX.formatHex(certificate.ed25519PublicKey())
                + "\",\"authorityPublicKey\":\""
                + HEX.formatHex(authorityKey)
                + "\",\"treeDepth\":12,\"categoryDepth\":2,\"category\":0,\"ekbVersion\":0,"
                + "\"copyPolicy\":{\"policy\":\"free\",\"percent\":0}}"));
  }

  private static Certificate certified(RawKeyPair authority, Certificate.Role role, String name) {
    Certificate unsigned =
        Certificate.unsigned(role, name, new byte[32], Ed25519.generate().publicKey());
    return unsigned.withSignature(Ed25519.sign(authority.privateKey(), unsigned.signedBytes()));
  }

  @Test
  void aPinnedClientRefusesADistributorItsAuthorityDidNotCertify() {
    RawKeyPair authority = Ed25519.generate();
    RawKeyPair other = Ed25519.generate();
    DistributorClient pinned = client.pinnedTo(authority.publicKey());

    info(
        "Dist-A",
        certified(authority, Certificate.Role.DISTRIBUTOR, "Dist-A"),
        authority.publicKey());
    assertEquals("Dist-A", pinned.info().name());

    // Certified by another authority, though it names ours.
    info("Dist-A", certified(other, Certificate.Role.DISTRIBUTOR, "Dist-A"), authority.publicKey());
    FlowException foreign = assertThrows(FlowException.class, pinned::info);
    assertTrue(foreign.getMessage().contains("did not sign"), foreign.getMessage());
    // Naming another authority.
    info("Dist-A", certified(other, Certificate.Role.DISTRIBUTOR, "Dist-A"), other.publicKey());
    assertTrue(
        assertThrows(FlowException.class, pinned::info).getMessage().contains("not the pinned"));
    // Our authority's certificate, but of a drive, or for another name.
    info("Dist-A", certified(authority, Certificate.Role.DRIVE, "Dist-A"), authority.publicKey());
    assertThrows(FlowException.class, pinned::info);
    info(
        "Dist-A",
        certified(authority, Certificate.Role.DISTRIBUTOR, "Dist-B"),
        authority.publicKey());
    assertTrue(assertThrows(FlowException.class, pinned::info).getMessage().contains("'Dist-A'"));
    // Unpinned, the same answer is taken at its word.
    assertEquals("Dist-A", client.info().name());
    assertThrows(FlowException.class, () -> client.pinnedTo(new byte[31]));
  }

  @Test
  void aDistributorThatDoesNotAnswerTimesOut() {
    // The server holds every path under /slow until the test ends: no answer can come in time.
    DistributorClient impatient = new DistributorClient(url() + "/slow", Duration.ofMillis(200));
    FlowException late = assertThrows(FlowException.class, impatient::contents);
    assertFalse(late instanceof DistributorException);
    assertTrue(
        late.getMessage()
            .contains("the distributor at " + url() + "/slow did not answer within 200 ms"),
        late.getMessage());
    // The same client on a path that answers at once.
    DistributorException quick =
        assertThrows(
            DistributorException.class,
            () -> new DistributorClient(url(), Duration.ofMillis(200)).content("x"));
    assertEquals(404, quick.status());
  }

  @Test
  void aDistributorThatIsNotThereIsNamedWithItsAddress() throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    FlowException e =
        assertThrows(
            FlowException.class, () -> new DistributorClient("http://127.0.0.1:" + port).info());
    assertTrue(e.getMessage().contains("cannot reach the distributor at http://127.0.0.1:" + port));
    assertThrows(FlowException.class, () -> new DistributorClient("ftp://host/"));
    assertThrows(FlowException.class, () -> new DistributorClient("http://"));
  }
}
