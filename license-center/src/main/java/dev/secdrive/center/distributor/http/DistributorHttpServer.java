package dev.secdrive.center.distributor.http;

import static dev.secdrive.protocol.distributor.DistributorRoutes.CHALLENGES;
import static dev.secdrive.protocol.distributor.DistributorRoutes.CLIENTS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.CONTENTS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.COPIES;
import static dev.secdrive.protocol.distributor.DistributorRoutes.COPY_POLICY;
import static dev.secdrive.protocol.distributor.DistributorRoutes.CURRENT_SESSION;
import static dev.secdrive.protocol.distributor.DistributorRoutes.DISTRIBUTOR;
import static dev.secdrive.protocol.distributor.DistributorRoutes.LICENSES;
import static dev.secdrive.protocol.distributor.DistributorRoutes.METRICS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.OFFERS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.PACKAGE;
import static dev.secdrive.protocol.distributor.DistributorRoutes.PAYMENTS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.REVOCATIONS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.SESSIONS;
import static dev.secdrive.protocol.distributor.DistributorRoutes.UPDATE;
import static dev.secdrive.protocol.distributor.DistributorRoutes.USERS;

import dev.secdrive.center.Refusal;
import dev.secdrive.center.distributor.Distributor;
import dev.secdrive.center.distributor.LoginThrottle;
import dev.secdrive.center.distributor.store.Rows.BillRow;
import dev.secdrive.center.distributor.store.Rows.ContentRow;
import dev.secdrive.center.distributor.store.Rows.OfferRow;
import dev.secdrive.center.distributor.store.Rows.Terms;
import dev.secdrive.center.distributor.store.Rows.UserRow;
import dev.secdrive.center.http.CenterHttpServer;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.http.Binary;
import dev.secdrive.kit.http.HttpError;
import dev.secdrive.kit.http.JsonServer;
import dev.secdrive.kit.http.Request;
import dev.secdrive.kit.metrics.Metrics;
import dev.secdrive.protocol.distributor.AddContent;
import dev.secdrive.protocol.distributor.AddOffer;
import dev.secdrive.protocol.distributor.Bill;
import dev.secdrive.protocol.distributor.ClientRegistration;
import dev.secdrive.protocol.distributor.ClientRequest;
import dev.secdrive.protocol.distributor.ContentInfo;
import dev.secdrive.protocol.distributor.CopyIssue;
import dev.secdrive.protocol.distributor.CopyPolicy;
import dev.secdrive.protocol.distributor.CopyRequest;
import dev.secdrive.protocol.distributor.DistributorInfo;
import dev.secdrive.protocol.distributor.DistributorRoutes;
import dev.secdrive.protocol.distributor.LicenseIssue;
import dev.secdrive.protocol.distributor.LicenseRequest;
import dev.secdrive.protocol.distributor.OfferInfo;
import dev.secdrive.protocol.distributor.Payment;
import dev.secdrive.protocol.distributor.PaymentAnswer;
import dev.secdrive.protocol.distributor.Profile;
import dev.secdrive.protocol.distributor.RegisterUser;
import dev.secdrive.protocol.distributor.RegistrationChallenge;
import dev.secdrive.protocol.distributor.Revocation;
import dev.secdrive.protocol.distributor.Revoke;
import dev.secdrive.protocol.distributor.SessionAnswer;
import dev.secdrive.protocol.distributor.SessionRequest;
import dev.secdrive.protocol.distributor.UpdateRequest;
import dev.secdrive.protocol.distributor.UserInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A distributor's HTTP and JSON API (license-center/DISTRIBUTOR-API.md): routes from {@code
 * dev.secdrive.protocol.distributor.DistributorRoutes}, bodies as the records of that package,
 * served by kit's {@link JsonServer}. Every refusal answers {@code {"error": "..."}} with the
 * status of its {@link Refusal.Kind}. Admin endpoints need {@code Authorization: Bearer <admin
 * token>}; user endpoints {@code Authorization: Basic} (user ID and password) or {@code Bearer
 * <session token>}. {@code GET /metrics} (admin) answers the Prometheus text; every request is
 * logged on {@link JsonServer#REQUEST_LOG} without its IDs, headers or body.
 */
public final class DistributorHttpServer implements AutoCloseable {

  /** Contents are added as hex in JSON: up to 8 MiB of data. */
  public static final int MAX_BODY = 16 << 20 | 4096;

  private static final String REALM = "secdrive-distributor";
  private static final HexFormat HEX = HexFormat.of();

  private final Distributor distributor;
  private final byte[] adminToken;
  private final PrometheusMeterRegistry metrics = Metrics.registry();
  private final JsonServer server;

  private DistributorHttpServer(
      Distributor distributor, String adminToken, InetSocketAddress address, int maxConcurrent) {
    this.distributor = distributor;
    this.adminToken = adminToken.getBytes(StandardCharsets.US_ASCII);
    this.server =
        JsonServer.builder(REALM, this::route)
            .maxConcurrent(maxConcurrent)
            .maxQueued(4 * maxConcurrent)
            .maxBody(MAX_BODY)
            .jsonBodiesOnly()
            .errors(CenterHttpServer::refusal)
            .routes(DistributorRoutes.ROUTES)
            .metrics(metrics)
            .start(address);
  }

  /**
   * Starts serving {@code distributor} on {@code address} with {@code maxConcurrent} requests at
   * once (each takes a database connection while it runs).
   *
   * @throws java.io.UncheckedIOException if the address cannot be bound
   */
  public static DistributorHttpServer start(
      Distributor distributor, String adminToken, InetSocketAddress address, int maxConcurrent) {
    return new DistributorHttpServer(distributor, adminToken, address, maxConcurrent);
  }

  public InetSocketAddress address() {
    return server.address();
  }

  @Override
  public void close() {
    server.close();
  }

  private Object route(Request request) throws IOException {
    List<String> path = request.segments();
    String first = path.isEmpty() ? "" : path.get(0);
    int n = path.size();
    switch (first) {
      case DISTRIBUTOR -> {
        if (n == 1) {
          request.requireMethod("GET");
          return info();
        }
      }
      case METRICS -> {
        if (n == 1) {
          request.requireMethod("GET");
          requireAdmin(request);
          return Metrics.scrape(metrics);
        }
      }
      case USERS -> {
        if (n == 1) {
          request.requireMethod("POST");
          requireAdmin(request);
          RegisterUser u = request.read(RegisterUser.class);
          return user(distributor.addUser(u.userId(), u.name(), u.password()));
        }
        if (n == 2) {
          request.requireMethod("GET");
          String userId = path.get(1);
          if (!isAdmin(request)) {
            requireSelf(request, userId);
          }
          return profile(distributor.profile(userId));
        }
        if (n == 3 && path.get(2).equals(PAYMENTS)) {
          request.requireMethod("POST");
          requireAdmin(request);
          var taken = distributor.pay(path.get(1), request.read(Payment.class).amountCents());
          return new PaymentAnswer(
              path.get(1), taken.paymentId(), taken.billsPaid(), taken.stillOwedCents());
        }
      }
      case SESSIONS -> {
        if (n == 1) {
          request.requireMethod("POST");
          SessionRequest s = request.read(SessionRequest.class);
          var session =
              throttled(
                  () -> distributor.openSession(s.userId(), s.password(), request.remoteAddress()));
          return new SessionAnswer(
              session.userId(), session.token(), session.expiresAt().toString());
        }
        if (n == 2 && path.get(1).equals(CURRENT_SESSION)) {
          request.requireMethod("DELETE");
          distributor.endSession(bearer(request));
          return Map.of("ended", true);
        }
      }
      case CLIENTS -> {
        if (n == 1) {
          request.requireMethod("POST");
          String userId = user(request);
          ClientRequest c = request.read(ClientRequest.class);
          var r =
              distributor.registerClient(userId, c.driveCertificate(), c.challenge(), c.proof());
          return new ClientRegistration(
              r.client().clientId(),
              r.client().leafId(),
              r.client().deviceId(),
              HEX.parseHex(r.client().clientPublicKey()),
              r.serviceData().encode());
        }
        if (n == 2 && path.get(1).equals(CHALLENGES)) {
          request.requireMethod("POST");
          String userId = user(request);
          var issued = distributor.registrationChallenge(userId);
          return new RegistrationChallenge(
              userId, issued.challenge(), issued.expiresAt().toString());
        }
      }
      case CONTENTS -> {
        if (n == 1) {
          if (request.method().equals("POST")) {
            requireAdmin(request);
            AddContent t = request.read(AddContent.class);
            return content(
                distributor.addContent(
                    t.contentId(),
                    t.name(),
                    t.codec(),
                    t.licenseId(),
                    t.priceCents(),
                    terms(t.plays(), t.days(), t.copies(), t.removableCopies()),
                    t.data()));
          }
          request.requireMethod("GET");
          return distributor.contents().stream().map(DistributorHttpServer::content).toList();
        }
        if (n == 2) {
          request.requireMethod("GET");
          return content(distributor.content(path.get(1)));
        }
        if (n == 3 && path.get(2).equals(OFFERS)) {
          if (request.method().equals("POST")) {
            requireAdmin(request);
            AddOffer o = request.read(AddOffer.class);
            return offer(
                distributor.addOffer(
                    path.get(1),
                    o.offerId(),
                    o.priceCents(),
                    terms(o.plays(), o.days(), o.copies(), o.removableCopies())));
          }
          request.requireMethod("GET");
          return distributor.offers(path.get(1)).stream()
              .map(DistributorHttpServer::offer)
              .toList();
        }
        if (n == 4 && path.get(2).equals(PACKAGE)) {
          request.requireMethod("GET");
          String userId = user(request);
          return Binary.octets(
              distributor.contentPackage(userId, path.get(1), path.get(3)).bytes());
        }
      }
      case LICENSES -> {
        if (n == 1) {
          request.requireMethod("POST");
          Distributor.Caller caller = caller(request);
          LicenseRequest l = request.read(LicenseRequest.class);
          return licenseIssue(distributor.issueLicense(caller, l.contentId(), l.clientId()));
        }
        if (n == 3 && path.get(2).equals(UPDATE)) {
          request.requireMethod("POST");
          String userId = user(request);
          UpdateRequest u = request.read(UpdateRequest.class);
          return licenseIssue(distributor.updateLicense(userId, path.get(1), u.offerId()));
        }
      }
      case COPIES -> {
        if (n == 1) {
          request.requireMethod("POST");
          Distributor.Caller caller = caller(request);
          CopyRequest k = request.read(CopyRequest.class);
          if (k.licenseSerial().length != 16) {
            throw HttpError.badRequest("field 'licenseSerial' must be 16 bytes (32 hex digits)");
          }
          var issued =
              distributor.issueCopy(
                  caller, HEX.formatHex(k.licenseSerial()), k.destinationClientId());
          return new CopyIssue(
              issued.certificate().serial(),
              issued.certificate().encode(),
              issued.certificate().license().serial(),
              bill(issued.bill()));
        }
      }
      case REVOCATIONS -> {
        if (n == 1) {
          request.requireMethod("POST");
          requireAdmin(request);
          var r = distributor.revoke(request.read(Revoke.class).clientId());
          return new Revocation(r.clientId(), r.leafId(), r.version(), r.revokedAt().toString());
        }
      }
      case COPY_POLICY -> {
        if (n == 1) {
          if (request.method().equals("POST")) {
            requireAdmin(request);
            CopyPolicy policy = request.read(CopyPolicy.class);
            distributor.setCopyPolicy(policy);
            return policy;
          }
          request.requireMethod("GET");
          return distributor.copyPolicy();
        }
      }
      default -> {}
    }
    throw new Refusal(Refusal.Kind.NOT_FOUND, "no such resource: " + request.path());
  }

  // ------------------------------------------------------------------ authentication

  private boolean isAdmin(Request request) {
    String header = request.header("Authorization");
    return header != null
        && header.startsWith("Bearer ")
        && Bytes.constantTimeEquals(
            header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8),
            adminToken);
  }

  private void requireAdmin(Request request) {
    request.requireBearer(adminToken, "admin token", "of the data directory", REALM);
  }

  /**
   * The user a request authenticates: {@code Basic} with the user ID and password, or {@code
   * Bearer} with a session token.
   */
  private String user(Request request) {
    String header = request.header("Authorization");
    if (header != null && header.startsWith("Basic ")) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(header.substring("Basic ".length()).trim()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw unauthorized("the Basic credentials are not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw unauthorized("the Basic credentials are not 'user:password'");
      }
      return throttled(
          () ->
              distributor.checkPassword(
                  decoded.substring(0, colon),
                  decoded.substring(colon + 1),
                  request.remoteAddress()));
    }
    if (header != null && header.startsWith("Bearer ")) {
      return distributor.sessionUser(header.substring("Bearer ".length()).trim());
    }
    throw unauthorized(
        "this endpoint needs 'Authorization: Basic' with the user ID and password, or 'Bearer'"
            + " with a session token (POST /sessions)");
  }

  /**
   * As {@link #user(Request)}, except that a session token is left for the request's batch to check
   * with its other reads ({@link Distributor#issueCopy(Distributor.Caller, String, String)}): the
   * same check, in the same transaction as the issue, without one of its own.
   */
  private Distributor.Caller caller(Request request) {
    String header = request.header("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      return Distributor.Caller.session(header.substring("Bearer ".length()).trim());
    }
    return Distributor.Caller.user(user(request));
  }

  /** The session token of {@code Authorization: Bearer}. */
  private static String bearer(Request request) {
    String header = request.header("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw unauthorized("this endpoint needs 'Authorization: Bearer' with a session token");
    }
    return header.substring("Bearer ".length()).trim();
  }

  /** Runs a password check; a throttled one answers 429 with {@code Retry-After}. */
  private static <T> T throttled(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (LoginThrottle.ThrottledException e) {
      throw new HttpError(
          429, e.getMessage(), Map.of("Retry-After", Long.toString(e.retryAfter().getSeconds())));
    }
  }

  private void requireSelf(Request request, String userId) {
    if (!user(request).equals(userId)) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "the profile of " + userId + " is not yours");
    }
  }

  private static HttpError unauthorized(String message) {
    return new HttpError(401, message, Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\""));
  }

  // ------------------------------------------------------------------ answers

  private static Terms terms(long plays, int days, int copies, int removableCopies) {
    try {
      return new Terms(plays, days, copies, removableCopies);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }

  private DistributorInfo info() {
    var keys = distributor.keys();
    return new DistributorInfo(
        keys.name(),
        keys.certificate().encode(),
        keys.certificate().ed25519PublicKey(),
        keys.authorityPublicKey(),
        distributor.treeDepth(),
        distributor.categoryDepth(),
        keys.category(),
        distributor.ekbVersion(),
        distributor.copyPolicy());
  }

  private static UserInfo user(UserRow u) {
    return new UserInfo(u.userId(), u.name(), u.registeredAt().toString());
  }

  private static ContentInfo content(ContentRow t) {
    return new ContentInfo(
        t.contentId(),
        t.name(),
        t.codec(),
        t.licenseId(),
        t.priceCents(),
        t.terms().plays(),
        t.terms().days(),
        t.terms().copies(),
        t.terms().removableCopies(),
        t.length());
  }

  private static OfferInfo offer(OfferRow o) {
    return new OfferInfo(
        o.offerId(),
        o.contentId(),
        o.priceCents(),
        o.terms().plays(),
        o.terms().days(),
        o.terms().copies(),
        o.terms().removableCopies());
  }

  private static LicenseIssue licenseIssue(Distributor.Issue issue) {
    return new LicenseIssue(
        issue.license().serial(),
        issue.license().licenseId(),
        issue.license().encode(),
        bill(issue.bill()));
  }

  private static Bill bill(BillRow b) {
    return b == null
        ? null
        : new Bill(
            b.billId(),
            b.kind(),
            b.reference(),
            b.amountCents(),
            b.paidCents(),
            b.paid(),
            b.createdAt().toString());
  }

  private static Profile profile(Distributor.Profile p) {
    return new Profile(
        p.user().userId(),
        p.user().name(),
        p.user().registeredAt().toString(),
        p.owedCents(),
        p.bills().stream().map(DistributorHttpServer::bill).toList(),
        p.licenses().stream()
            .map(
                l ->
                    new Profile.LicenseInfo(
                        l.serial(),
                        l.licenseId(),
                        l.contentId(),
                        l.clientId(),
                        l.leafId(),
                        l.kind(),
                        l.replaces(),
                        l.issuedAt().toString()))
            .toList(),
        p.downloads().stream()
            .map(
                d ->
                    new Profile.DownloadInfo(
                        d.contentId(), d.clientId(), d.ekbVersion(), d.downloadedAt().toString()))
            .toList(),
        p.copies().stream()
            .map(
                k ->
                    new Profile.CopyInfo(
                        k.serial(),
                        k.licenseSerial(),
                        k.contentId(),
                        k.sourceClient(),
                        k.destinationClient(),
                        k.issuedAt().toString()))
            .toList());
  }
}
