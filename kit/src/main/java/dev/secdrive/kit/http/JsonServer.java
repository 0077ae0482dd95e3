package dev.secdrive.kit.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secdrive.kit.crypto.Bytes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON service on the JDK's HTTP server, with what every network server of secdrive needs
 * (STYLE.md 9) written once:
 *
 * <ul>
 *   <li>bounded concurrency: at most {@code maxConcurrent} requests are handled at once and at most
 *       {@code maxQueued} more wait for their turn; the next ones are answered 503 at once with
 *       {@code Retry-After}, and beyond a last bound of threads the connection is closed, so a
 *       flood never queues without limit;
 *   <li>time limits: the JDK server drops a connection whose request takes longer than {@link
 *       #MAX_REQUEST_SECONDS} to arrive, or whose answer longer than {@link #MAX_RESPONSE_SECONDS}
 *       to leave, so a handful of slow clients cannot hold every thread;
 *   <li>a bounded request body ({@link Request#body()}, 413 beyond);
 *   <li>web pages are refused: a request with an {@code Origin} header (a browser's, cross-site or
 *       not) answers 403, and a server bound to a loopback address answers 421 to a {@code Host}
 *       that is not a loopback name, which defeats DNS rebinding;
 *   <li>one error shape, {@code {"error": "..."}}: an {@link HttpError} answers its status, any
 *       other exception 500 with a reference that is logged beside the stack trace, so the client
 *       can quote it and learns nothing of the server's insides.
 * </ul>
 */
public final class JsonServer implements AutoCloseable {

  /** Seconds a client has to send its request line, headers and body. */
  public static final long MAX_REQUEST_SECONDS = 30;

  /** Seconds a client has to take the answer. */
  public static final long MAX_RESPONSE_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(JsonServer.class);
  private static final HexFormat HEX = HexFormat.of();

  static {
    // The JDK server reads its limits once, from system properties, when its first instance is
    // made; an operator's own setting wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
  }

  /** Answers one request: a value to send as JSON with 200, or an {@link HttpError}. */
  @FunctionalInterface
  public interface Handler {
    Object handle(Request request) throws IOException;
  }

  /**
   * Turns an exception a handler threw into the answer the client gets; null for one it does not
   * know, which then answers 500.
   */
  @FunctionalInterface
  public interface ErrorMapper {
    HttpError map(Request request, RuntimeException e);
  }

  private final String name;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final Semaphore admitted;
  private final Semaphore running;
  private final ObjectMapper json;
  private final int maxBody;
  private final Handler handler;
  private final ErrorMapper errors;
  private final boolean loopback;

  private JsonServer(Builder b, HttpServer server, ThreadPoolExecutor executor) {
    this.name = b.name;
    this.server = server;
    this.executor = executor;
    this.admitted = new Semaphore(b.maxConcurrent + b.maxQueued);
    this.running = new Semaphore(b.maxConcurrent, true);
    this.json = b.json;
    this.maxBody = b.maxBody;
    this.handler = b.handler;
    this.errors = b.errors;
    this.loopback = server.getAddress().getAddress().isLoopbackAddress();
  }

  /** A server named {@code name} (its threads' names, its log lines) serving {@code handler}. */
  public static Builder builder(String name, Handler handler) {
    return new Builder(name, handler);
  }

  /** Where it listens; with port 0 asked, the port chosen. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** A reference for an answer whose detail stays in the log: 8 hex digits to quote. */
  public static String reference() {
    return HEX.formatHex(Bytes.random(4));
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request request;
      try {
        request = new Request(exchange, json, maxBody);
      } catch (HttpError e) {
        send(exchange, e);
        return;
      }
      HttpError refused = refuseWebPages(exchange);
      if (refused != null) {
        send(exchange, refused);
        return;
      }
      if (!admitted.tryAcquire()) {
        send(
            exchange,
            new HttpError(503, name + " is busy; try again shortly", Map.of("Retry-After", "1")));
        return;
      }
      try {
        running.acquireUninterruptibly();
        try {
          send(exchange, 200, handler.handle(request), Map.of());
        } finally {
          running.release();
        }
      } catch (HttpError e) {
        send(exchange, e);
      } catch (RuntimeException e) {
        HttpError mapped = errors.map(request, e);
        if (mapped == null) {
          String reference = reference();
          log.error(
              "{} request {} {} failed (reference {})",
              name,
              request.method(),
              request.rawPath(),
              reference,
              e);
          mapped = new HttpError(500, "internal error (reference " + reference + ")");
        }
        send(exchange, mapped);
      } finally {
        admitted.release();
      }
    }
  }

  private HttpError refuseWebPages(HttpExchange exchange) {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin != null) {
      return new HttpError(403, "requests from web pages are refused (Origin: " + origin + ")");
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (loopback && host != null && !loopbackHost(host)) {
      return new HttpError(
          421, "this server answers only to a loopback host name, not '" + host + "'");
    }
    return null;
  }

  static boolean loopbackHost(String hostHeader) {
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 && host.substring(1, end).equals("::1");
    }
    int colon = host.lastIndexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    // Only a literal address: resolving a name here would be the rebinding this check prevents.
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private void send(HttpExchange exchange, HttpError e) throws IOException {
    send(exchange, e.status(), json.createObjectNode().put("error", e.getMessage()), e.headers());
  }

  private void send(HttpExchange exchange, int status, Object body, Map<String, String> headers)
      throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void setIfAbsent(String property, long value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Long.toString(value));
    }
  }

  /** The settings of a {@link JsonServer}. */
  public static final class Builder {
    private final String name;
    private final Handler handler;
    private ObjectMapper json = Json.builder().build();
    private int maxConcurrent = 4;
    private int maxQueued = 16;
    private int maxBody = 64 << 10;
    private int backlog = 64;
    private ErrorMapper errors = (request, e) -> null;

    private Builder(String name, Handler handler) {
      this.name = Objects.requireNonNull(name, "name");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Requests handled at once; the next ones wait (see {@link #maxQueued}). */
    public Builder maxConcurrent(int maxConcurrent) {
      if (maxConcurrent < 1) {
        throw new IllegalArgumentException("maxConcurrent must be at least 1");
      }
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    /** Requests that may wait for one of the {@link #maxConcurrent} turns; the next answer 503. */
    public Builder maxQueued(int maxQueued) {
      if (maxQueued < 0) {
        throw new IllegalArgumentException("maxQueued must not be negative");
      }
      this.maxQueued = maxQueued;
      return this;
    }

    /** Bytes a request body may have; longer ones answer 413. */
    public Builder maxBody(int maxBody) {
      if (maxBody < 0) {
        throw new IllegalArgumentException("maxBody must not be negative");
      }
      this.maxBody = maxBody;
      return this;
    }

    /** Connections the kernel queues before the server accepts them. */
    public Builder backlog(int backlog) {
      this.backlog = backlog;
      return this;
    }

    /** The mapper for bodies and answers; {@link Json#builder()}'s by default. */
    public Builder json(ObjectMapper json) {
      this.json = Objects.requireNonNull(json, "json");
      return this;
    }

    public Builder errors(ErrorMapper errors) {
      this.errors = Objects.requireNonNull(errors, "errors");
      return this;
    }

    /**
     * Binds {@code address} (port 0: any free port) and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public JsonServer start(InetSocketAddress address) {
      HttpServer server;
      try {
        server = HttpServer.create(address, backlog);
      } catch (IOException e) {
        throw new UncheckedIOException(
            new IOException(name + " cannot listen on " + address + ": " + e.getMessage(), e));
      }
      AtomicInteger threads = new AtomicInteger();
      // Twice the admissions and a little more: enough threads to answer 503 while every
      // admission is taken; past them the JDK server closes the connection instead of queueing.
      ThreadPoolExecutor executor =
          new ThreadPoolExecutor(
              0,
              2 * (maxConcurrent + maxQueued) + 2,
              30,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              r -> {
                Thread thread = new Thread(r, name + "-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      JsonServer json = new JsonServer(this, server, executor);
      server.createContext("/", json::exchange);
      server.setExecutor(executor);
      server.start();
      return json;
    }
  }
}
