package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.CopyRequests;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a JDK HTTP server on 127.0.0.1:0 answering as the central site would. */
class CenterClientTest {

  /** The site's certificate the scripted site answers GET /center with. */
  private static final dev.secdrive.protocol.security.Certificate SITE =
      dev.secdrive.protocol.security.Certificate.unsigned(
          dev.secdrive.protocol.security.Certificate.Role.CENTRAL_SITE,
          "Central",
          new byte[32],
          new byte[32]);

  /** The target drive's certificate the client sends. */
  private static final dev.secdrive.protocol.security.Certificate DRIVE =
      dev.secdrive.protocol.security.Certificate.unsigned(
          dev.secdrive.protocol.security.Certificate.Role.DRIVE,
          "USER-DRIVE",
          new byte[32],
          new byte[32]);

  private static String hex(dev.secdrive.protocol.security.Certificate certificate) {
    return HexFormat.of().formatHex(certificate.encode());
  }

  private HttpServer server;
  private final AtomicReference<String> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          lastBody.set(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
          String path = exchange.getRequestURI().getPath();
          int status;
          String answer;
          if (path.equals("/copies/certificate")) {
            status = 404;
            answer = "{\"error\":\"unknown title X (S12: not in the contents identifier file)\"}";
          } else if (path.equals("/copies/conversion")) {
            status = 200;
            answer = "{\"grant\":\"0a0b\",\"serial\":42}";
          } else if (path.equals("/titles")) {
            status = 200;
            answer = "{\"titleId\":\"t\",\"key\":\"" + "11".repeat(32) + "\"}";
          } else if (path.equals("/center")) {
            status = 200;
            answer =
                "{\"name\":\"Central\",\"certificate\":\""
                    + HexFormat.of().formatHex(SITE.encode())
                    + "\",\"authorityPublicKey\":\""
                    + "22".repeat(32)
                    + "\"}";
          } else {
            status = 500;
            answer = "boom";
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void theSitesErrorBecomesAFlowExceptionWithStatusAndMessage() throws Exception {
    UserKey alice = UserKey.create();
    CenterException e =
        assertThrows(
            CenterException.class,
            () -> new CenterClient(url()).copyCertificate("alice", alice, "X", "MO-1", DRIVE));
    assertEquals(404, e.status());
    assertEquals(
        "central site refused (HTTP 404): unknown title X (S12: not in the contents identifier"
            + " file)",
        e.getMessage());
    String prefix = "{\"userId\":\"alice\",\"titleId\":\"X\",\"mediumId\":\"MO-1\"";
    assertTrue(
        lastBody.get().startsWith(prefix + ",\"driveCertificate\":\"" + hex(DRIVE) + "\""),
        lastBody.get());
    byte[] signature =
        HexFormat.of()
            .parseHex(new ObjectMapper().readTree(lastBody.get()).get("signature").asText());
    assertTrue(
        Ed25519.verify(
            alice.signingPublicKey(),
            CopyRequests.certificate(SITE.encode(), "alice", "X", "MO-1", DRIVE.encode()),
            signature));
    assertEquals(
        "a copy request is signed with the user's key, and none was given (the user key file,"
            + " 'secdrive user-key create')",
        assertThrows(
                FlowException.class,
                () -> new CenterClient(url()).copyCertificate("alice", null, "X", "MO-1", DRIVE))
            .getMessage());
    assertEquals(
        "central site refused (HTTP 500): boom",
        assertThrows(CenterException.class, () -> new CenterClient(url()).title("T")).getMessage());
    // pinned to another authority, the client refuses the site before it signs anything
    lastBody.set(null);
    FlowException pinned =
        assertThrows(
            FlowException.class,
            () ->
                new CenterClient(url())
                    .pinnedTo(new byte[32])
                    .copyCertificate("alice", alice, "X", "MO-1", DRIVE));
    assertTrue(pinned.getMessage().contains("not the pinned"), pinned.getMessage());
    assertEquals("", lastBody.get(), "only GET /center was sent");
  }

  @Test
  void answersAreDecodedAndAdminCallsCarryTheToken() {
    CenterClient client = new CenterClient(url() + "/", "secret");
    CenterClient.RegisteredTitle title = client.registerTitle("t", "T", 2, 0);
    assertEquals("11".repeat(32), HexFormat.of().formatHex(title.key()));
    assertEquals("Bearer secret", lastAuthorization.get());
    assertEquals(
        "POST /titles needs the central site's admin token",
        assertThrows(
                FlowException.class, () -> new CenterClient(url()).registerTitle("t", "T", 2, 0))
            .getMessage());
  }

  @Test
  void badUrlsAndUnreachableSitesAreNamed() {
    assertEquals(
        "central site URL 'ftp://x' must be http://host:port or https://host:port",
        assertThrows(FlowException.class, () -> new CenterClient("ftp://x")).getMessage());
    int port = server.getAddress().getPort();
    server.stop(0);
    assertTrue(
        assertThrows(
                FlowException.class, () -> new CenterClient("http://127.0.0.1:" + port).center())
            .getMessage()
            .startsWith("cannot reach the central site at http://127.0.0.1:" + port));
  }
}
