package dev.secdrive.kit.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.kit.crypto.Bytes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON service on Netty's HTTP/1.1 codec, with what every network server of secdrive needs
 * (STYLE.md 9) written once:
 *
 * <ul>
 *   <li>no connection holds a thread: requests are read without blocking on one event loop, so an
 *       idle or half-sent connection costs a few kilobytes of buffer and nothing else;
 *   <li>a request deadline: from the moment a connection opens, or its previous answer has gone,
 *       the whole next request must arrive within {@link Builder#requestTimeout} or the connection
 *       is closed, so a client that sends a byte now and then (slowloris) or nothing at all is
 *       dropped; an answer the client does not take within it closes the connection too;
 *   <li>at most {@link Builder#maxConnections} open connections, and quiet ones give way to new
 *       ones: a connection is <em>quiet</em> while no request of it is being handled or answered,
 *       and it has been quiet since its last byte read or its last answer written, whichever is
 *       later (a half-sent request is quiet, timed from its last byte). When a connection arrives
 *       and all are open, one quiet connection is closed to make room: the one quiet longest of
 *       those idle or still in their request's headers, and only when there is none of those, the
 *       one quiet longest of those whose headers are read and whose body is arriving (an upload
 *       paused on a slow or bursty link is closed last; the request deadline bounds how long it may
 *       take, so it cannot hold its place forever); only when none is quiet (every one is in the
 *       middle of a request being handled or answered, at most {@code maxConcurrent + maxQueued} of
 *       them plus answers still being written) is the newcomer closed. So connections held open and
 *       silent, or half-sent, cannot keep a fresh client whose request arrives promptly out, and a
 *       flood costs bounded memory and file descriptors. HTTP/1.1 lets a server close an idle
 *       kept-alive connection at any time; a client sees it as any other closed keep-alive
 *       connection;
 *   <li>bounded work: handlers run on a pool of {@code maxConcurrent} threads, at most {@code
 *       maxQueued} more requests wait for their turn, and the next ones are answered 503 at once
 *       with {@code Retry-After}; a connection sends its next request only after its answer (no
 *       pipelining queue on the server);
 *   <li>a bounded request (8 KiB of request line and headers, 400 beyond) and body ({@link
 *       Request#body()}, 413 beyond, checked against {@code Content-Length} before the body is
 *       read);
 *   <li>bounded body memory: bodies are held whole before any handler (and so any authentication)
 *       sees them, so bodies longer than {@value #UNCOUNTED_BODY} bytes draw on one budget for the
 *       whole server ({@link Builder#bodyBudget}, {@value #DEFAULT_BODY_BUDGET} bytes by default),
 *       from their headers until their handler returns; a body the budget cannot hold answers 503
 *       with {@code Retry-After} before it is read, and the connection is closed. Shorter bodies
 *       are not counted, so no one can keep an ordinary request out by holding the budget; at most
 *       {@code maxConnections} &times; {@value #UNCOUNTED_BODY} bytes of them are held at once;
 *   <li>web pages are refused: a request with an {@code Origin} header (a browser's, cross-site or
 *       not) answers 403, and a server bound to a loopback address answers 421 to a {@code Host}
 *       that is not a loopback name, which defeats DNS rebinding; with {@link
 *       Builder#jsonBodiesOnly()} a body that is not {@code application/json} answers 415, which no
 *       HTML form can send;
 *   <li>one error shape, {@code {"error": "..."}}: an {@link HttpError} answers its status, any
 *       other exception 500 with a reference that is logged beside the stack trace, so the client
 *       can quote it and learns nothing of the server's insides.
 * </ul>
 */
public final class JsonServer implements AutoCloseable {

  /** The default of {@link Builder#requestTimeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The default of {@link Builder#maxConnections}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 512;

  /** The default of {@link Builder#bodyBudget}. */
  public static final long DEFAULT_BODY_BUDGET = 64L << 20;

  /** Bodies up to this many bytes are not counted against {@link Builder#bodyBudget}. */
  public static final int UNCOUNTED_BODY = 64 << 10;

  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADERS = 8192;

  private static final Logger log = LoggerFactory.getLogger(JsonServer.class);

  /**
   * One line per answered request, at INFO: {@code server=secdrive-center method=POST
   * route=/copies/certificate status=200 ms=3.100 in=412 out=988 remote=127.0.0.1}. The route is
   * the server's route the path fits, IDs as {@code {}} ({@link Builder#routes}), or {@code
   * unmatched}: no identifier, token or query a client sends reaches the log; nor do bodies or
   * headers.
   */
  public static final String REQUEST_LOG = "dev.secdrive.requests";

  /** The timer of every answer, {@code http_server_requests_seconds} in Prometheus. */
  public static final String REQUEST_METER = "http.server.requests";

  private static final Logger requests = LoggerFactory.getLogger(REQUEST_LOG);
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  private static final int MAX_ROUTE_SEGMENTS = 8;

  /** The route of a request whose path is none of the server's routes. */
  public static final String UNMATCHED = "unmatched";

  /**
   * On every answer: a page of this server runs only its own scripts, is never framed by another
   * (clickjacking), names no referrer, and no answer is sniffed as another type or cached.
   */
  private static final Map<String, String> SECURITY_HEADERS =
      Map.of(
          "Content-Security-Policy",
          "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          "X-Frame-Options",
          "DENY",
          "X-Content-Type-Options",
          "nosniff",
          "Referrer-Policy",
          "no-referrer",
          "Cache-Control",
          "no-store");

  /** The default of {@link Builder#maxStreams}. */
  public static final int DEFAULT_MAX_STREAMS = 8;

  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9.]+");
  private static final HexFormat HEX = HexFormat.of();

  /**
   * Answers one request: a value to send as JSON with 200, a {@link Binary} to send as it is, or an
   * {@link HttpError}.
   */
  @FunctionalInterface
  public interface Handler {
    Object handle(Request request) throws IOException;
  }

  /**
   * Turns an exception a handler threw into the answer the client gets; null for one it does not
   * know, which then answers 500. A mapper that throws answers 500 too, with a reference, its
   * failure logged with the handler's, and the connection goes on.
   */
  @FunctionalInterface
  public interface ErrorMapper {
    HttpError map(Request request, RuntimeException e);
  }

  private final String name;
  private final EventLoopGroup loop;
  private final ExecutorService workers;
  private final Semaphore admitted;
  private final AtomicInteger connections = new AtomicInteger();

  /** The admitted connections; touched on the server's one event loop only. */
  private final Set<Connection> open = new HashSet<>();

  /** Bytes of bodies over {@link #UNCOUNTED_BODY} being received or handled now. */
  private final AtomicLong bodyBytes = new AtomicLong();

  private final long bodyBudget;
  private final ObjectMapper json;
  private final int maxBody;
  private final int maxConnections;
  private final long requestTimeoutNanos;
  private final ScheduledExecutorService deadlines;
  private final boolean jsonBodiesOnly;
  private final Handler handler;
  private final ErrorMapper errors;
  private final List<String[]> routes;
  private final MeterRegistry meters;
  private final Consumer<String> requestLog;
  private final boolean sameOrigin;
  private final int maxStreams;
  private final AtomicInteger streams = new AtomicInteger();
  private Channel server;
  private boolean loopback;

  private JsonServer(Builder b) {
    this.name = b.name;
    this.loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory(b.name + "-io", true), NioIoHandler.newFactory());
    this.workers =
        Executors.newFixedThreadPool(b.maxConcurrent, new DefaultThreadFactory(b.name, true));
    // Running plus waiting; the pool's own queue never holds more than maxQueued.
    this.admitted = new Semaphore(b.maxConcurrent + b.maxQueued);
    this.json = b.json;
    this.maxBody = b.maxBody;
    this.maxConnections = b.maxConnections;
    this.bodyBudget = b.bodyBudget;
    this.requestTimeoutNanos = b.requestTimeout.toNanos();
    this.deadlines = b.deadlines;
    this.jsonBodiesOnly = b.jsonBodiesOnly;
    this.handler = b.handler;
    this.errors = b.errors;
    this.routes =
        b.routes.stream()
            .sorted()
            .map(r -> r.equals("/") ? new String[0] : r.substring(1).split("/"))
            .toList();
    this.meters = b.meters;
    this.requestLog = b.requestLog;
    this.sameOrigin = b.sameOrigin;
    this.maxStreams = b.maxStreams;
  }

  /** A server named {@code name} (its threads' names, its log lines) serving {@code handler}. */
  public static Builder builder(String name, Handler handler) {
    return new Builder(name, handler);
  }

  /** Where it listens; with port 0 asked, the port chosen. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Connections open now. */
  public int connections() {
    return connections.get();
  }

  /** Bytes of the {@link Builder#bodyBudget} taken now by bodies being received or handled. */
  public long bodyBytes() {
    return bodyBytes.get();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    // The connections close on their loop before it stops: a channel the stopping loop closes
    // itself never tells its handlers, which then keep what they hold (a request half read, a
    // body half aggregated) until the collector finds the buffers unreleased.
    if (!loop.isShuttingDown()) { // closed twice: the first close did this
      List<Channel> channels =
          loop.submit(() -> open.stream().map(c -> c.channel).toList())
              .syncUninterruptibly()
              .getNow();
      for (Channel channel : channels) {
        channel.close().syncUninterruptibly();
      }
      // Their inactive and unregistered events run as tasks of the loop: let them run.
      loop.submit(() -> {}).syncUninterruptibly();
      loop.submit(() -> {}).syncUninterruptibly();
    }
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownNow();
  }

  private long now() {
    return meters != null ? meters.config().clock().monotonicTime() : System.nanoTime();
  }

  /**
   * The route of {@code uri} for logs and labels: the first of the server's routes ({@code
   * /titles/{}/key}) whose fixed segments the path has and whose {@code {}} stand for one segment
   * each, the query dropped; {@code unmatched} for a path no route has. So no identifier a client
   * sends reaches a log or a label, and the labels are as many as the routes, whatever comes.
   */
  String route(String uri) {
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    List<String> segments = new java.util.ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
        if (segments.size() > MAX_ROUTE_SEGMENTS) {
          return UNMATCHED;
        }
      }
    }
    for (String[] route : routes) {
      if (route.length == segments.size() && matches(route, segments)) {
        return "/" + String.join("/", route);
      }
    }
    return UNMATCHED;
  }

  private static boolean matches(String[] route, List<String> segments) {
    for (int i = 0; i < route.length; i++) {
      if (!route[i].equals("{}") && !route[i].equals(segments.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Logs and counts one answer; {@code method} and {@code uri} as the request sent them. */
  private void observe(
      String method, String uri, String remote, int status, long in, long out, long started) {
    long nanos = now() - started;
    String known = method == null ? "-" : METHODS.contains(method) ? method : "OTHER";
    String route = uri == null ? "-" : route(uri);
    if (meters != null) {
      Timer.builder(REQUEST_METER)
          .description("HTTP requests answered, by method, route and status")
          .tag("server", name)
          .tag("method", known)
          .tag("route", route)
          .tag("status", Integer.toString(status))
          .register(meters)
          .record(nanos, TimeUnit.NANOSECONDS);
    }
    if (requestLog != null || requests.isInfoEnabled()) {
      String line =
          String.format(
              Locale.ROOT,
              "server=%s method=%s route=%s status=%d ms=%.3f in=%d out=%d remote=%s",
              name,
              known,
              route,
              status,
              nanos / 1e6,
              in,
              out,
              remote == null ? "-" : remote);
      if (requestLog != null) {
        requestLog.accept(line);
      } else {
        requests.info(line);
      }
    }
  }

  private static String remote(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress peer
            && peer.getAddress() != null
        ? peer.getAddress().getHostAddress()
        : null;
  }

  /** A reference for an answer whose detail stays in the log: 8 hex digits to quote. */
  public static String reference() {
    return HEX.formatHex(Bytes.random(4));
  }

  private void bind(InetSocketAddress address, int backlog) {
    loopback = address.getAddress() != null && address.getAddress().isLoopbackAddress();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, backlog)
            // Read only when a request is wanted: one request at a time per connection.
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    // On the one event loop, as every admission and close: no races to decide.
                    if (open.size() >= maxConnections && !makeRoom(channel)) {
                      channel.close();
                      return;
                    }
                    Connection connection = new Connection(channel);
                    open.add(connection);
                    connections.incrementAndGet();
                    channel
                        .closeFuture()
                        .addListener(
                            f -> {
                              if (open.remove(connection)) {
                                connections.decrementAndGet();
                              }
                            });
                    channel
                        .pipeline()
                        .addLast("connection", connection)
                        .addLast(
                            "writeTimeout",
                            new WriteTimeoutHandler(requestTimeoutNanos, TimeUnit.NANOSECONDS))
                        .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 8192))
                        .addLast("bodyBudget", new BodyBudget(connection))
                        .addLast("aggregator", new BodyLimit())
                        .addLast("flow", new FlowControlHandler())
                        .addLast("exchange", new Exchange(connection));
                  }
                });
    try {
      server = bootstrap.bind(address).syncUninterruptibly().channel();
    } catch (Exception e) {
      close();
      throw new UncheckedIOException(
          new IOException(name + " cannot listen on " + address + ": " + e.getMessage(), e));
    }
  }

  /**
   * Closes a quiet connection to admit {@code newcomer}: the one quiet longest of those idle or in
   * their headers, else of those whose body is arriving; false if none is quiet. Runs on the event
   * loop, where every connection's state changes, so the one chosen is still quiet.
   */
  private boolean makeRoom(Channel newcomer) {
    long now = System.nanoTime();
    Connection longest = null;
    for (Connection connection : open) {
      if (connection.quiet() && (longest == null || connection.givesWayBefore(longest))) {
        longest = connection;
      }
    }
    if (longest == null) {
      return false;
    }
    open.remove(longest);
    connections.decrementAndGet();
    // Debug only: under a flood this is every accepted connection.
    log.debug(
        "{}: closing {}, quiet for {} ms, to admit {}: {} connections are open",
        name,
        longest.channel.remoteAddress(),
        TimeUnit.NANOSECONDS.toMillis(now - longest.quietSince),
        newcomer.remoteAddress(),
        maxConnections);
    longest.channel.close();
    return true;
  }

  /**
   * One connection's state, first in its pipeline so that it sees every byte read: whether a
   * request of it is in progress, since when it has been quiet, and the body budget its request
   * being received holds. Touched on the event loop only.
   */
  private final class Connection extends ChannelInboundHandlerAdapter {
    final Channel channel;

    /** Requests read whole and not yet answered (their answer not yet written). */
    int inProgress;

    /** When it last read a byte or wrote its last answer, while quiet. */
    long quietSince = System.nanoTime();

    /** Budget held by the body being received, handed to its request once whole. */
    long receiving;

    /** Whether its request's headers are read and its body is still arriving. */
    boolean bodyArriving;

    Connection(Channel channel) {
      this.channel = channel;
    }

    boolean quiet() {
      return inProgress == 0;
    }

    /** Whether, both quiet, this one is closed before {@code other} to make room. */
    boolean givesWayBefore(Connection other) {
      if (bodyArriving != other.bodyArriving) {
        return !bodyArriving;
      }
      return other.quietSince - quietSince > 0;
    }

    void begun() {
      inProgress++;
      bodyArriving = false;
    }

    void ended() {
      if (--inProgress == 0) {
        quietSince = System.nanoTime();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (quiet()) {
        quietSince = System.nanoTime();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      release(receiving);
      receiving = 0;
      ctx.fireChannelInactive();
    }
  }

  private void release(long bytes) {
    if (bytes > 0) {
      bodyBytes.addAndGet(-bytes);
    }
  }

  /** Takes {@code bytes} of the body budget, or nothing and false if it cannot hold them. */
  private boolean take(long bytes) {
    while (true) {
      long used = bodyBytes.get();
      if (used + bytes > bodyBudget) {
        return false;
      }
      if (bodyBytes.compareAndSet(used, used + bytes)) {
        return true;
      }
    }
  }

  /**
   * Charges a body over {@link #UNCOUNTED_BODY} to the server's budget before the aggregator holds
   * it: its whole {@code Content-Length} at once, or a body of unknown length as it arrives. A body
   * the budget cannot hold answers 503 and closes the connection; the rest of it is not read.
   */
  private final class BodyBudget extends ChannelInboundHandlerAdapter {
    private final Connection connection;
    private boolean counting;
    private long seen;
    private boolean refused;
    private HttpRequest request;
    private long started;

    BodyBudget(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (refused) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest) {
        connection.bodyArriving = !(msg instanceof LastHttpContent);
      } else if (msg instanceof LastHttpContent) {
        connection.bodyArriving = false;
      }
      if (msg instanceof HttpRequest request) {
        this.request = request;
        this.started = now();
        long length = HttpUtil.getContentLength(request, -1L);
        counting = length < 0 && HttpUtil.isTransferEncodingChunked(request);
        seen = 0;
        // Longer than maxBody: the aggregator answers 413 before reading it.
        if (length > UNCOUNTED_BODY && length <= maxBody && !charge(length)) {
          refuse(ctx, msg);
          return;
        }
      }
      if (counting && msg instanceof HttpContent content) {
        long before = Math.max(0, seen - UNCOUNTED_BODY);
        seen += content.content().readableBytes();
        long more = Math.max(0, seen - UNCOUNTED_BODY) - before;
        if (seen <= maxBody && more > 0 && !charge(more)) {
          refuse(ctx, msg);
          return;
        }
      }
      ctx.fireChannelRead(msg);
    }

    private boolean charge(long bytes) {
      if (!take(bytes)) {
        return false;
      }
      connection.receiving += bytes;
      return true;
    }

    private void refuse(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      refused = true;
      FullHttpResponse busy =
          error(
              new HttpError(
                  503,
                  name + " is receiving too many large request bodies; try again shortly",
                  Map.of("Retry-After", "1")));
      observe(
          request.method().name(),
          request.uri(),
          remote(ctx),
          503,
          seen,
          busy.content().readableBytes(),
          started);
      write(ctx, busy, false);
    }
  }

  /** The body limit, answered in this server's error shape. */
  private final class BodyLimit extends HttpObjectAggregator {
    BodyLimit() {
      super(maxBody);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      // The rest of the body is not read: the connection cannot carry another request.
      FullHttpResponse tooLarge =
          error(new HttpError(413, "request body larger than " + maxBody + " bytes"));
      if (oversized instanceof HttpRequest request) {
        observe(
            request.method().name(),
            request.uri(),
            remote(ctx),
            413,
            HttpUtil.getContentLength(request, -1L),
            tooLarge.content().readableBytes(),
            now());
      }
      write(ctx, tooLarge, false);
    }
  }

  /** One connection: the deadline, the checks, the hand-over to a worker and the answer. */
  private final class Exchange extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Connection connection;
    private ScheduledFuture<?> deadline;

    /** Whether this connection carries an event stream: nothing more may come from the client. */
    private boolean streaming;

    /** The request being answered, for its log line and timer. */
    private String method;

    private String uri;
    private long bodyLength;
    private long started;

    Exchange(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      awaitRequest(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancelDeadline();
      ctx.fireChannelInactive();
    }

    private void awaitRequest(ChannelHandlerContext ctx) {
      ScheduledExecutorService timer = deadlines != null ? deadlines : ctx.executor();
      deadline = timer.schedule(() -> ctx.close(), requestTimeoutNanos, TimeUnit.NANOSECONDS);
      ctx.read();
    }

    private void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest message) {
      if (streaming) {
        ctx.close(); // a request on an event stream's connection: the client broke the protocol
        return;
      }
      cancelDeadline();
      connection.begun();
      method = message.method().name();
      uri = message.uri();
      bodyLength = message.content().readableBytes();
      started = now();
      long charged = connection.receiving;
      connection.receiving = 0;
      if (!message.decoderResult().isSuccess()) {
        release(charged);
        Throwable cause = message.decoderResult().cause();
        answer(
            ctx,
            error(HttpError.badRequest("malformed HTTP request: " + cause.getMessage())),
            false);
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(message);
      Request request;
      try {
        request =
            new Request(
                message.method().name(),
                message.uri(),
                message.headers(),
                ByteBufUtil.getBytes(message.content()),
                json,
                remote(ctx));
      } catch (HttpError e) {
        release(charged);
        answer(ctx, error(e), keepAlive);
        return;
      }
      HttpError refused = refuse(request);
      if (refused != null) {
        release(charged);
        answer(ctx, error(refused), keepAlive);
        return;
      }
      if (!admitted.tryAcquire()) {
        release(charged);
        answer(
            ctx,
            error(
                new HttpError(
                    503, name + " is busy; try again shortly", Map.of("Retry-After", "1"))),
            keepAlive);
        return;
      }
      try {
        workers.execute(
            () -> {
              Object answer;
              try {
                answer = handle(request);
              } finally {
                admitted.release();
                release(charged);
              }
              if (answer instanceof EventStream stream) {
                ctx.executor().execute(() -> stream(ctx, stream));
              } else {
                ctx.executor().execute(() -> answer(ctx, (FullHttpResponse) answer, keepAlive));
              }
            });
      } catch (RejectedExecutionException e) { // closing
        admitted.release();
        release(charged);
        connection.ended();
        ctx.close();
      }
    }

    /**
     * Sends the answer, then reads the next request or closes. The request stays in progress, and
     * its connection cannot give way, until the answer is written or has failed.
     */
    private void answer(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
      observe(
          method,
          uri,
          remote(ctx),
          response.status().code(),
          bodyLength,
          response.content().readableBytes(),
          started);
      HttpUtil.setKeepAlive(response, keepAlive);
      ChannelFuture written = ctx.writeAndFlush(response);
      written.addListener(f -> connection.ended());
      written.addListener(
          keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
      if (keepAlive && ctx.channel().isActive()) {
        awaitRequest(ctx);
      }
    }

    /**
     * Answers with an event stream: the headers, then the publisher's events for as long as the
     * connection lasts. The connection reads no further request and stays in progress, so it never
     * gives way to a newcomer; {@link Builder#maxStreams} bounds how many there are.
     */
    private void stream(ChannelHandlerContext ctx, EventStream stream) {
      if (streams.incrementAndGet() > maxStreams) {
        streams.decrementAndGet();
        answer(
            ctx,
            error(
                new HttpError(
                    503,
                    name + " serves " + maxStreams + " event streams at once; try again shortly",
                    Map.of("Retry-After", "1"))),
            false);
        return;
      }
      observe(method, uri, remote(ctx), 200, bodyLength, 0, started);
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      SECURITY_HEADERS.forEach((k, v) -> head.headers().set(k, v));
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      Channel channel = ctx.channel();
      EventStream.Sink sink =
          (event, data) -> {
            if (!channel.isActive()) {
              return false;
            }
            if (!channel.isWritable()) {
              channel.close(); // a client slower than its events is dropped, not buffered for
              return false;
            }
            channel.writeAndFlush(
                new DefaultHttpContent(
                    Unpooled.copiedBuffer(
                        EventStream.format(event, data), StandardCharsets.UTF_8)));
            return true;
          };
      EventStream.Subscription subscription;
      try {
        subscription = stream.publisher().subscribe(sink);
      } catch (RuntimeException e) {
        streams.decrementAndGet();
        log.error("{} event stream {} failed to start", name, route(uri), e);
        channel.close();
        return;
      }
      channel
          .closeFuture()
          .addListener(
              f -> {
                subscription.cancel();
                streams.decrementAndGet();
                connection.ended();
              });
      streaming = true;
      ctx.read(); // so that the client's going is seen at once, not at the next event
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset, a write timeout: nothing to answer on this connection.
      log.debug(
          "{} connection {} failed: {}", name, ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** Writes {@code response}; closes after it unless kept alive. True if kept alive. */
  private static boolean write(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
    return keepAlive && ctx.channel().isActive();
  }

  /** The answer to {@code request}: a whole response, or an {@link EventStream} to start. */
  private Object handle(Request request) {
    try {
      Object body = handler.handle(request);
      return body instanceof EventStream stream ? stream : response(200, body, Map.of());
    } catch (HttpError e) {
      return error(e);
    } catch (RuntimeException | IOException e) {
      HttpError mapped = null;
      if (e instanceof RuntimeException r) {
        try {
          mapped = errors.map(request, r);
        } catch (RuntimeException | Error failed) {
          // A mapper that fails must not leave the request unanswered: a 500 as for any bug.
          e.addSuppressed(failed);
        }
      }
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
      return error(mapped);
    } catch (Error e) {
      String reference = reference();
      log.error("{} request {} failed (reference {})", name, request.rawPath(), reference, e);
      return error(new HttpError(500, "internal error (reference " + reference + ")"));
    }
  }

  private HttpError refuse(Request request) {
    String origin = request.header("Origin");
    String host = request.header("Host");
    if (origin != null && !(sameOrigin && host != null && origin.equals("http://" + host))) {
      return new HttpError(403, "requests from web pages are refused (Origin: " + origin + ")");
    }
    if (loopback && host != null && !loopbackHost(host)) {
      return new HttpError(
          421, "this server answers only to a loopback host name, not '" + host + "'");
    }
    if (jsonBodiesOnly && hasBody(request)) {
      String type = request.header("Content-Type");
      if (type == null || !mediaType(type).equals("application/json")) {
        return new HttpError(
            415,
            "request body must be Content-Type: application/json, not "
                + (type == null ? "untyped" : "'" + type + "'"));
      }
    }
    return null;
  }

  private static boolean hasBody(Request request) {
    String length = request.header("Content-Length");
    return request.header("Transfer-Encoding") != null
        || (length != null && !length.trim().equals("0"));
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
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
    if (!IPV4_LITERAL.matcher(host).matches()) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private FullHttpResponse error(HttpError e) {
    return response(e.status(), json.createObjectNode().put("error", e.getMessage()), e.headers());
  }

  private FullHttpResponse response(int status, Object body, Map<String, String> headers) {
    byte[] bytes;
    String type;
    if (body instanceof Binary binary) {
      bytes = binary.bytes();
      type = binary.contentType();
    } else {
      try {
        bytes = json.writeValueAsBytes(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      type = "application/json";
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(bytes));
    SECURITY_HEADERS.forEach((k, v) -> response.headers().set(k, v));
    headers.forEach((k, v) -> response.headers().set(k, v));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  /** The settings of a {@link JsonServer}. */
  public static final class Builder {
    private final String name;
    private final Handler handler;
    private ObjectMapper json = Json.builder().build();
    private int maxConcurrent = 4;
    private int maxQueued = 16;
    private int maxBody = 64 << 10;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long bodyBudget = DEFAULT_BODY_BUDGET;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private ScheduledExecutorService deadlines;
    private int backlog = 64;
    private boolean jsonBodiesOnly;
    private ErrorMapper errors = (request, e) -> null;
    private Set<String> routes = Set.of();
    private MeterRegistry meters;
    private Consumer<String> requestLog;
    private boolean sameOrigin;
    private int maxStreams = DEFAULT_MAX_STREAMS;

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

    /**
     * Connections open at once ({@value #DEFAULT_MAX_CONNECTIONS} by default); when all are open, a
     * new one takes the place of the one quiet longest, or is closed as soon as it is accepted if
     * every one is in the middle of a request.
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Bytes of bodies longer than {@value #UNCOUNTED_BODY} that may be received or handled at once
     * across all connections ({@value #DEFAULT_BODY_BUDGET} by default); a body beyond it answers
     * 503. It must hold at least one body of {@link #maxBody}.
     */
    public Builder bodyBudget(long bodyBudget) {
      if (bodyBudget < 0) {
        throw new IllegalArgumentException("bodyBudget must not be negative");
      }
      this.bodyBudget = bodyBudget;
      return this;
    }

    /**
     * Time a client has to send a whole request, counted from when its connection opens or its
     * previous answer was sent, and to take an answer; a connection that misses it is closed
     * ({@link #DEFAULT_REQUEST_TIMEOUT} by default).
     */
    public Builder requestTimeout(Duration requestTimeout) {
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive");
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Times the request deadlines on {@code timer} instead of each connection's event loop, so that
     * a test can move time itself. The answer's write timeout stays on the event loop.
     */
    public Builder deadlines(ScheduledExecutorService timer) {
      this.deadlines = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /**
     * Refuses (415) a request body whose {@code Content-Type} is not {@code application/json}: an
     * HTML form can send only form encodings and {@code text/plain} without the browser asking the
     * server first, so this keeps a web page from posting to the server even where no {@code
     * Origin} is sent.
     */
    public Builder jsonBodiesOnly() {
      this.jsonBodiesOnly = true;
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
     * The server's routes, each ID written {@code {}} ({@code /titles/{}/key}): the request log and
     * the metrics name a request by the one its path fits, or {@code unmatched}.
     */
    public Builder routes(Set<String> templates) {
      for (String template : templates) {
        if (!template.startsWith("/")) {
          throw new IllegalArgumentException("a route starts with '/': " + template);
        }
      }
      this.routes = Set.copyOf(templates);
      return this;
    }

    /**
     * Times every answer, refusals included, in {@code registry} as {@value #REQUEST_METER}, with
     * the labels server, method (one of the standard ones, else OTHER), route and status; its clock
     * times the request log too.
     */
    public Builder metrics(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Hands each request's log line to {@code sink} instead of the {@value #REQUEST_LOG} logger (a
     * test reads them so).
     */
    /**
     * Admits requests whose {@code Origin} is this server itself ({@code http://} and the request's
     * {@code Host}): the fetches of a page it serves. Any other {@code Origin} still answers 403;
     * on a loopback server the {@code Host} must be a loopback name, so a rebound name cannot pass.
     */
    public Builder sameOrigin() {
      this.sameOrigin = true;
      return this;
    }

    /** Event streams open at once ({@value #DEFAULT_MAX_STREAMS} by default); 503 beyond. */
    public Builder maxStreams(int maxStreams) {
      if (maxStreams < 0) {
        throw new IllegalArgumentException("maxStreams must not be negative");
      }
      this.maxStreams = maxStreams;
      return this;
    }

    public Builder requestLog(Consumer<String> sink) {
      this.requestLog = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Binds {@code address} (port 0: any free port) and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public JsonServer start(InetSocketAddress address) {
      if (maxBody > UNCOUNTED_BODY && bodyBudget < maxBody) {
        throw new IllegalArgumentException(
            "bodyBudget " + bodyBudget + " cannot hold one body of maxBody " + maxBody);
      }
      JsonServer server = new JsonServer(this);
      server.bind(address, backlog);
      return server;
    }
  }
}
