package dev.secdrive.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.kit.metrics.Metrics;
import dev.secdrive.kit.testing.ManualScheduler;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonServerTest {

  private static final ObjectMapper JSON = Json.builder().build();
  private static final byte[] TOKEN = "s3cret".getBytes(StandardCharsets.US_ASCII);

  /** A request record as an API would define it, validated in its compact constructor. */
  record Order(String item, int count, byte[] key, String note) {
    Order {
      if (count < 1) {
        throw new IllegalArgumentException("field 'count' must be at least 1, got " + count);
      }
    }
  }

  private final CountDownLatch entered = new CountDownLatch(1);
  private final Semaphore inBlock = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpClient client = HttpClient.newHttpClient();
  private final Queue<EventStream.Sink> sinks = new ConcurrentLinkedQueue<>();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private JsonServer server;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private Object route(Request request) throws IOException {
    switch (request.path()) {
      case "/block" -> {
        entered.countDown();
        inBlock.release();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Map.of("done", true);
      }
      case "/orders" -> {
        request.requireMethod("POST");
        return request.read(Order.class, Set.of("note"));
      }
      case "/admin" -> {
        request.requireBearer(TOKEN, "admin token", "of the test", "test");
        return Map.of("admin", true);
      }
      case "/size" -> {
        return Map.of("bytes", request.body().length);
      }
      case "/package" -> {
        return Binary.octets(new byte[] {0, 1, (byte) 0xFF, '{'});
      }
      case "/events" -> {
        return new EventStream(
            sink -> {
              sinks.add(sink);
              sink.send("hello", "{\"n\":0}");
              return cancelled::countDown;
            });
      }
      case "/conflict" -> throw new IllegalStateException("in the way");
      case "/bug" -> throw new NullPointerException("a secret detail");
      default -> throw HttpError.notFound("no such resource: " + request.path());
    }
  }

  private void start(int maxConcurrent) {
    start(maxConcurrent, 0);
  }

  private void start(int maxConcurrent, int maxQueued) {
    server = builder(maxConcurrent, maxQueued).start(new InetSocketAddress("127.0.0.1", 0));
  }

  private JsonServer.Builder builder(int maxConcurrent, int maxQueued) {
    return JsonServer.builder("test-server", this::route)
        .maxConcurrent(maxConcurrent)
        .maxQueued(maxQueued)
        .maxBody(64)
        .errors(
            (request, e) ->
                e instanceof IllegalStateException ? new HttpError(409, e.getMessage()) : null);
  }

  /** A connection to the server that has sent {@code bytes} and nothing more. */
  private Socket open(String bytes) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.address().getPort());
    // Only a bound on a failure: every read below ends long before it.
    socket.setSoTimeout(60_000);
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** True once the server has closed {@code socket} without answering on it. */
  private static boolean closedUnanswered(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Half-sent requests: the request line, some headers, or headers and part of a body. */
  private static final String[] HALF_SENT = {
    "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\n\r\n{\"item\":",
    "GET /nowh",
  };

  private HttpResponse<String> call(String method, String path, String body, String... headers)
      throws Exception {
    return client.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String method, String path, String body, String... headers) {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b.build();
  }

  private static String error(HttpResponse<String> reply) throws IOException {
    JsonNode body = JSON.readTree(reply.body());
    assertEquals(1, body.size(), reply.body());
    return body.get("error").asText();
  }

  @Test
  void aFullServerAnswers503AtOnceAndServesAgainWhenFree() throws Exception {
    start(1);
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(request("GET", "/block", null), HttpResponse.BodyHandlers.ofString());
    entered.await();

    HttpResponse<String> busy = call("GET", "/nowhere", null);
    assertEquals(503, busy.statusCode());
    assertEquals("1", busy.headers().firstValue("Retry-After").orElseThrow());
    assertEquals("test-server is busy; try again shortly", error(busy));

    release.countDown();
    assertEquals(200, first.get().statusCode());
    assertEquals(404, call("GET", "/nowhere", null).statusCode());
  }

  @Test
  void aQueuedRequestWaitsForItsTurn() throws Exception {
    start(1, 1);
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(request("GET", "/block", null), HttpResponse.BodyHandlers.ofString());
    entered.await();
    CompletableFuture<HttpResponse<String>> second =
        client.sendAsync(request("GET", "/nowhere", null), HttpResponse.BodyHandlers.ofString());
    release.countDown();
    assertEquals(200, first.get().statusCode());
    assertEquals(404, second.get().statusCode(), "queued, then handled; not refused");
  }

  @Test
  void aBodyOverTheLimitAnswers413() throws Exception {
    start(2);
    String big = "{\"item\":\"" + "x".repeat(64) + "\"}";
    HttpResponse<String> reply = call("POST", "/orders", big);
    assertEquals(413, reply.statusCode());
    assertEquals("request body larger than 64 bytes", error(reply));
  }

  @Test
  void recordsAreReadFieldByFieldWithRefusalsThatNameTheField() throws Exception {
    start(2);
    HttpResponse<String> ok =
        call("POST", "/orders", "{\"item\":\"disc\",\"count\":2,\"key\":\"00FF\"}");
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode order = JSON.readTree(ok.body());
    assertEquals("disc", order.get("item").asText());
    assertEquals("00ff", order.get("key").asText(), "binary answers are hex");
    assertFalse(order.has("note"), "absent values are left out");

    Map<String, String> refusals =
        Map.of(
            "{\"item\":\"disc\",\"count\":2,\"key\":\"00\",\"prize\":1}",
            "unknown field 'prize' (known: item, count, key, note)",
            "{\"item\":1,\"count\":2,\"key\":\"00\"}",
            "field 'item' (a string) is required",
            "{\"item\":\"disc\",\"count\":\"2\",\"key\":\"00\"}",
            "field 'count' (an integer) is required, got \"2\"",
            "{\"item\":\"disc\",\"count\":2}",
            "field 'key' (a string) is required",
            "{\"item\":\"disc\",\"count\":2,\"key\":\"0g\"}",
            "field 'key' is not hexadecimal",
            "{\"item\":\"disc\",\"count\":0,\"key\":\"00\"}",
            "field 'count' must be at least 1, got 0",
            "[1]",
            "request body must be a JSON object",
            "{\"item\": ",
            "request body is not valid JSON",
            "",
            "request body must be a JSON object with item, count, key, note");
    for (var refusal : refusals.entrySet()) {
      HttpResponse<String> reply = call("POST", "/orders", refusal.getKey());
      assertEquals(400, reply.statusCode(), refusal.getKey());
      assertTrue(
          error(reply).startsWith(refusal.getValue()), error(reply) + " / " + refusal.getValue());
    }
    HttpResponse<String> wrongMethod = call("GET", "/orders", null);
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("method GET not allowed on /orders (use POST)", error(wrongMethod));
  }

  @Test
  void aBinaryAnswerIsSentAsItIsWithItsContentType() throws Exception {
    start(1);
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.address().getPort() + "/package"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertEquals(
        "application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("4", response.headers().firstValue("Content-Length").orElse(""));
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new byte[] {0, 1, (byte) 0xFF, '{'}, response.body());
  }

  @Test
  void theBearerTokenIsChecked() throws Exception {
    start(2);
    HttpResponse<String> none = call("GET", "/admin", null);
    assertEquals(401, none.statusCode());
    assertEquals("Bearer realm=\"test\"", none.headers().firstValue("WWW-Authenticate").get());
    assertEquals(
        "this endpoint needs 'Authorization: Bearer <token>' with the admin token of the test",
        error(none));
    HttpResponse<String> wrong = call("GET", "/admin", null, "Authorization", "Bearer s3cre");
    assertEquals(401, wrong.statusCode());
    assertEquals("the admin token is wrong", error(wrong));
    assertEquals(200, call("GET", "/admin", null, "Authorization", "Bearer s3cret").statusCode());
  }

  @Test
  void errorsAreMappedOrAnswer500WithAReferenceAndNoDetail() throws Exception {
    start(2);
    HttpResponse<String> conflict = call("GET", "/conflict", null);
    assertEquals(409, conflict.statusCode());
    assertEquals("in the way", error(conflict));
    HttpResponse<String> bug = call("GET", "/bug", null);
    assertEquals(500, bug.statusCode());
    assertTrue(error(bug).matches("internal error \\(reference [0-9a-f]{8}\\)"), error(bug));
  }

  @Test
  void aMapperThatThrowsAnswers500WithAReferenceAndTheConnectionGoesOn() throws Exception {
    server =
        JsonServer.builder("test-server", this::route)
            .errors(
                (request, e) -> {
                  throw new IllegalArgumentException("the mapper fails on " + e.getMessage());
                })
            .start(new InetSocketAddress("127.0.0.1", 0));
    try (Socket socket = open("GET /conflict HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
      String answer = readAnswer(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 500"), answer);
      assertTrue(answer.matches("(?s).*internal error \\(reference [0-9a-f]{8}\\).*"), answer);
      assertFalse(answer.contains("mapper"), answer);
      // Answered and freed: the next request on the same connection is served.
      socket
          .getOutputStream()
          .write(
              "GET /size HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String next = readAnswer(socket.getInputStream());
      assertTrue(next.startsWith("HTTP/1.1 200"), next);
    }
  }

  @Test
  void webPagesAreRefused() throws Exception {
    start(2);
    HttpResponse<String> fromPage = call("POST", "/orders", "{}", "Origin", "https://evil.example");
    assertEquals(403, fromPage.statusCode());
    assertEquals(
        "requests from web pages are refused (Origin: https://evil.example)", error(fromPage));

    // The JDK client will not send a Host of our choosing; a socket will.
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /nowhere HTTP/1.1\r\nHost: rebound.example:80\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
      assertTrue(answer.contains("not 'rebound.example:80'"), answer);
    }
  }

  @Test
  void heldIdleAndHalfSentConnectionsDoNotStallARequest() throws Exception {
    server =
        builder(1, 0)
            .backlog(1024)
            .maxConnections(1024)
            .start(new InetSocketAddress("127.0.0.1", 0));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 600; i++) {
        held.add(open(i % 2 == 0 ? "" : HALF_SENT[i % HALF_SENT.length]));
      }
      HttpResponse<String> reply =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.address().getPort() + "/nowhere"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, reply.statusCode(), reply.body());
      // Accepted in order, so every held connection was open when the request was answered.
      assertEquals(601, server.connections());
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void connectionsWhoseRequestDoesNotArriveInTimeAreClosed() throws Exception {
    server =
        builder(2, 0)
            .backlog(512)
            .requestTimeout(Duration.ofMillis(100))
            .start(new InetSocketAddress("127.0.0.1", 0));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        held.add(open(i % 2 == 0 ? "" : HALF_SENT[i % HALF_SENT.length]));
      }
      for (Socket socket : held) {
        assertTrue(closedUnanswered(socket), "closed by the request deadline");
      }
      // Kept alive after an answer, then idle: closed too.
      try (Socket socket = open("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
        String answer = readAnswer(socket.getInputStream());
        assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        assertTrue(closedUnanswered(socket), "an idle kept-alive connection is closed");
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void aClientSendingAByteNowAndThenIsClosedAtTheDeadline() throws Exception {
    ManualScheduler time = new ManualScheduler();
    server =
        builder(2, 0)
            .requestTimeout(Duration.ofMillis(200))
            .deadlines(time)
            .start(new InetSocketAddress("127.0.0.1", 0));
    try (Socket socket = open("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
      time.awaitPending(1, Duration.ofSeconds(30)); // the deadline, set once accepted
      time.advance(Duration.ofMillis(150));
      // slowloris: more of the request, as every byte would reset an idle timer, not the deadline
      socket.getOutputStream().write("X-Pad: x".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      time.advance(Duration.ofMillis(49));
      assertEquals(1, time.pending(), "199 ms into the request: the deadline is still ahead");
      time.advance(Duration.ofMillis(1));
      assertTrue(closedUnanswered(socket), "closed at the deadline, before the request ended");
    }
  }

  @Test
  void theDefaultNumberOfIdleAndHalfSentConnectionsGiveWayToAPromptRequest() throws Exception {
    server = builder(1, 0).backlog(1024).start(new InetSocketAddress("127.0.0.1", 0));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < JsonServer.DEFAULT_MAX_CONNECTIONS; i++) {
        held.add(open(i % 2 == 0 ? "" : HALF_SENT[i % HALF_SENT.length]));
      }
      HttpResponse<String> reply =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.address().getPort() + "/nowhere"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, reply.statusCode(), reply.body());
      // Accepted in order: the first, silent since it was accepted, was quiet longest.
      assertTrue(closedUnanswered(held.get(0)), "the connection quiet longest gave way");
      assertEquals(JsonServer.DEFAULT_MAX_CONNECTIONS, server.connections());
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void theConnectionQuietLongestGivesWayAndAConnectionInARequestNever() throws Exception {
    server = builder(3, 0).maxConnections(3).start(new InetSocketAddress("127.0.0.1", 0));
    String get = "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    String block = "GET /block HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    try (Socket blocked = open(block);
        Socket answered = open(get)) {
      inBlock.acquire();
      // Answered, so quiet since its answer: before the half-sent one below was accepted.
      assertTrue(readAnswer(answered.getInputStream()).startsWith("HTTP/1.1 404"));
      try (Socket halfSent = open(HALF_SENT[0]);
          Socket newcomer = open(block)) {
        inBlock.acquire(); // the newcomer's request is being handled
        assertTrue(closedUnanswered(answered), "quiet longest: it gave way to the newcomer");
        // Two requests are being handled; only the half-sent one that stopped may give way.
        try (Socket next = open(get)) {
          assertTrue(readAnswer(next.getInputStream()).startsWith("HTTP/1.1 404"));
          assertTrue(closedUnanswered(halfSent), "a half-sent request that stopped gives way");
        }
        release.countDown();
        assertTrue(readAnswer(blocked.getInputStream()).startsWith("HTTP/1.1 200"));
        assertTrue(readAnswer(newcomer.getInputStream()).startsWith("HTTP/1.1 200"));
      }
    }
  }

  @Test
  void whenEveryConnectionIsInTheMiddleOfARequestTheNewcomerIsClosedAtOnce() throws Exception {
    server = builder(2, 0).maxConnections(2).start(new InetSocketAddress("127.0.0.1", 0));
    String block = "GET /block HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    try (Socket first = open(block);
        Socket second = open(block)) {
      inBlock.acquire(2);
      try (Socket third = open("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
        assertTrue(closedUnanswered(third), "the third connection is closed unanswered");
      }
      assertEquals(2, server.connections());
      release.countDown();
      assertTrue(readAnswer(first.getInputStream()).startsWith("HTTP/1.1 200"));
      assertTrue(readAnswer(second.getInputStream()).startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void bodiesBeyondTheBudgetAnswer503BeforeTheyAreReadAndShortBodiesAreNotCounted()
      throws Exception {
    int large = 150 << 10;
    server =
        builder(2, 0)
            .maxBody(200 << 10)
            .bodyBudget(200 << 10)
            .start(new InetSocketAddress("127.0.0.1", 0));
    try (Socket first =
        open(
            "POST /size HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\nContent-Length: "
                + large
                + "\r\n\r\n")) {
      // 100 Continue: the headers passed the budget, which now holds the whole body.
      assertTrue(readHead(first.getInputStream()).startsWith("HTTP/1.1 100"));
      assertEquals(large, server.bodyBytes());

      try (Socket second =
          open(
              "POST /size HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                  + (100 << 10)
                  + "\r\n\r\n")) {
        String refused = readAnswer(second.getInputStream());
        assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
        assertTrue(refused.toLowerCase(Locale.ROOT).contains("retry-after: 1"), refused);
        assertTrue(refused.contains("receiving too many large request bodies"), refused);
        assertTrue(closedUnanswered(second), "closed: its body is never read");
      }
      // A short body draws on nothing.
      HttpResponse<String> small =
          call("POST", "/size", "x".repeat(JsonServer.UNCOUNTED_BODY), "Content-Type", "text/x");
      assertEquals(200, small.statusCode(), small.body());
      assertEquals(JsonServer.UNCOUNTED_BODY, JSON.readTree(small.body()).get("bytes").asInt());

      first.getOutputStream().write(new byte[large]);
      first.getOutputStream().flush();
      String answer = readAnswer(first.getInputStream());
      assertTrue(answer.endsWith("{\"bytes\":" + large + "}"), answer);
      // Given back when its handler returned, before the answer was sent.
      assertEquals(0, server.bodyBytes());
    }
  }

  @Test
  void aBudgetThatCannotHoldOneBodyIsRefused() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                builder(1, 0)
                    .maxBody(1 << 20)
                    .bodyBudget(1 << 19)
                    .start(new InetSocketAddress("127.0.0.1", 0)));
    assertEquals("bodyBudget 524288 cannot hold one body of maxBody 1048576", e.getMessage());
  }

  @Test
  void jsonBodiesOnlyRefusesOtherContentTypes() throws Exception {
    server = builder(2, 0).jsonBodiesOnly().start(new InetSocketAddress("127.0.0.1", 0));
    String order = "{\"item\":\"disc\",\"count\":2,\"key\":\"00\"}";
    for (String type :
        new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
      HttpResponse<String> reply = call("POST", "/orders", order, "Content-Type", type);
      assertEquals(415, reply.statusCode(), type);
      assertEquals(
          "request body must be Content-Type: application/json, not '" + type + "'", error(reply));
    }
    assertEquals(415, call("POST", "/orders", order).statusCode(), "untyped");
    assertEquals(
        200,
        call("POST", "/orders", order, "Content-Type", "Application/JSON; charset=utf-8")
            .statusCode());
    assertEquals(404, call("GET", "/nowhere", null).statusCode(), "no body, no type needed");
  }

  /** One answer read off a kept-alive connection: headers and the Content-Length body. */
  /** The status line and headers of an answer, up to the blank line. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    assertTrue(length.find(), head::toString);
    return head
        + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII);
  }

  @Test
  void loopbackHostNames() {
    for (String host : new String[] {"127.0.0.1:7141", "localhost", "LOCALHOST:1", "[::1]:80"}) {
      assertTrue(JsonServer.loopbackHost(host), host);
    }
    for (String host : new String[] {"example.com", "10.0.0.1:80", "[::2]", "127.0.0.1.nip.io"}) {
      assertFalse(JsonServer.loopbackHost(host), host);
    }
  }

  @Test
  void everyAnswerIsLoggedAndTimedByItsRouteWithoutIdsTokensQueriesOrBodies() throws Exception {
    Queue<String> lines = new ConcurrentLinkedQueue<>();
    PrometheusMeterRegistry registry = Metrics.registry();
    server =
        builder(2, 0)
            .routes(Set.of("/orders", "/admin", "/admin/{}"))
            .metrics(registry)
            .requestLog(lines::add)
            .start(new InetSocketAddress("127.0.0.1", 0));

    String order = "{\"item\":\"SECRET-ITEM\",\"count\":2,\"key\":\"00\"}";
    assertEquals(
        200, call("POST", "/orders", order, "Content-Type", "application/json").statusCode());
    assertEquals(200, call("GET", "/admin", null, "Authorization", "Bearer s3cret").statusCode());
    assertEquals(404, call("GET", "/admin/user-42?token=abc", null).statusCode());
    assertEquals(403, call("GET", "/orders", null, "Origin", "http://evil.example").statusCode());
    assertEquals(
        413, call("POST", "/orders", "{\"item\":\"" + "x".repeat(80) + "\"}").statusCode());
    assertEquals(404, call("GET", "/a/b/c/d/e/f/g/h/i/j", null).statusCode());

    List<String> logged = List.copyOf(lines);
    assertEquals(6, logged.size(), logged::toString);
    Pattern shape =
        Pattern.compile(
            "server=test-server method=(GET|POST) route=(\\S+) status=(\\d{3}) ms=\\d+\\.\\d{3}"
                + " in=-?\\d+ out=\\d+ remote=127\\.0\\.0\\.1");
    List<String> routes = new ArrayList<>();
    for (String line : logged) {
      Matcher m = shape.matcher(line);
      assertTrue(m.matches(), line);
      routes.add(m.group(2) + " " + m.group(3));
      for (String secret : List.of("SECRET-ITEM", "s3cret", "user-42", "token", "abc", "evil")) {
        assertFalse(line.contains(secret), secret + " in " + line);
      }
    }
    assertEquals(
        List.of(
            "/orders 200",
            "/admin 200",
            "/admin/{} 404",
            "/orders 403",
            "/orders 413",
            "unmatched 404"),
        routes);

    Timer orders =
        registry
            .get(JsonServer.REQUEST_METER)
            .tags("server", "test-server", "method", "POST", "route", "/orders", "status", "200")
            .timer();
    assertEquals(1, orders.count());
    String scrape = new String(Metrics.scrape(registry).bytes(), StandardCharsets.UTF_8);
    assertTrue(
        scrape.contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/admin/{}\","
                + "server=\"test-server\",status=\"404\"} 1"),
        scrape);
    assertFalse(scrape.contains("user-42"), scrape);

    // Paths of every shape and ever new words: the labels stay the server's routes and one more.
    for (int i = 0; i < 40; i++) {
      call("GET", "/admin/orders/admin/w" + i + "/orders", null);
      call("GET", "/orders/x" + i, null);
    }
    java.util.Set<String> labels = new java.util.TreeSet<>();
    registry
        .find(JsonServer.REQUEST_METER)
        .timers()
        .forEach(t -> labels.add(t.getId().getTag("route")));
    assertEquals(java.util.Set.of("/orders", "/admin", "/admin/{}", "unmatched"), labels);
  }

  @Test
  void aSameOriginServerAdmitsItsOwnPagesRequestsAndNoOtherPagesOnes() throws Exception {
    server = builder(2, 0).sameOrigin().start(new InetSocketAddress("127.0.0.1", 0));
    String self = "http://127.0.0.1:" + server.address().getPort();
    String order = "{\"item\":\"tea\",\"count\":1,\"key\":\"00\"}";
    assertEquals(200, call("POST", "/orders", order, "Origin", self).statusCode());
    for (String other :
        List.of(
            "http://localhost:" + server.address().getPort(),
            "https://127.0.0.1:" + server.address().getPort(),
            "http://127.0.0.1:1",
            "https://evil.example",
            "null")) {
      HttpResponse<String> refused = call("POST", "/orders", order, "Origin", other);
      assertEquals(403, refused.statusCode(), other);
    }
    HttpResponse<String> any = call("GET", "/nowhere", null);
    assertEquals(
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        any.headers().firstValue("Content-Security-Policy").orElseThrow());
    assertEquals("DENY", any.headers().firstValue("X-Frame-Options").orElseThrow());
    assertEquals("nosniff", any.headers().firstValue("X-Content-Type-Options").orElseThrow());
  }

  @Test
  void anEventStreamSendsEventsUntilTheClientGoesAndAnotherBeyondTheBoundIsRefused()
      throws Exception {
    server = builder(1, 0).maxStreams(1).start(new InetSocketAddress("127.0.0.1", 0));
    try (Socket socket = open("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      List<String> headers = new ArrayList<>();
      for (String line; !(line = in.readLine()).isEmpty(); ) {
        headers.add(line.toLowerCase(Locale.ROOT));
      }
      assertTrue(
          headers.contains("content-type: text/event-stream; charset=utf-8"), headers::toString);
      assertTrue(headers.contains("transfer-encoding: chunked"), headers::toString);
      StringBuilder events = new StringBuilder();
      while (!events.toString().contains("data: {\"n\":0}")) {
        events.append(in.readLine()).append('\n');
      }
      assertTrue(events.toString().contains("event: hello"), events.toString());
      // The stream held no handler: the one worker answers another request meanwhile.
      assertEquals(404, call("GET", "/nowhere", null).statusCode());
      HttpResponse<String> second = call("GET", "/events", null);
      assertEquals(503, second.statusCode(), second.body());
      assertTrue(error(second).contains("serves 1 event streams at once"), second.body());
      EventStream.Sink sink = sinks.peek();
      assertTrue(sink.send(null, "{\"n\":1}"));
      while (!events.toString().contains("data: {\"n\":1}")) {
        events.append(in.readLine()).append('\n');
      }
      assertThrows(IllegalArgumentException.class, () -> sink.send(null, "two\nlines"));
    }
    assertTrue(cancelled.await(60, java.util.concurrent.TimeUnit.SECONDS), "unsubscribed");
    assertFalse(sinks.peek().send(null, "{}"), "a sink of a closed stream says so");
  }
}
