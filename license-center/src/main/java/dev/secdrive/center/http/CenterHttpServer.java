package dev.secdrive.center.http;

import static dev.secdrive.protocol.center.CenterRoutes.CENTER;
import static dev.secdrive.protocol.center.CenterRoutes.CERTIFICATE;
import static dev.secdrive.protocol.center.CenterRoutes.CONVERSION;
import static dev.secdrive.protocol.center.CenterRoutes.COPIES;
import static dev.secdrive.protocol.center.CenterRoutes.METRICS;
import static dev.secdrive.protocol.center.CenterRoutes.PAYMENTS;
import static dev.secdrive.protocol.center.CenterRoutes.TITLES;
import static dev.secdrive.protocol.center.CenterRoutes.TITLE_KEY;
import static dev.secdrive.protocol.center.CenterRoutes.USERS;

import dev.secdrive.center.CentralSite;
import dev.secdrive.center.Refusal;
import dev.secdrive.center.store.Bill;
import dev.secdrive.center.store.Copy;
import dev.secdrive.center.store.StoreException;
import dev.secdrive.center.store.Title;
import dev.secdrive.center.store.User;
import dev.secdrive.kit.http.HttpError;
import dev.secdrive.kit.http.JsonServer;
import dev.secdrive.kit.http.Request;
import dev.secdrive.kit.metrics.Metrics;
import dev.secdrive.protocol.center.BillInfo;
import dev.secdrive.protocol.center.CenterInfo;
import dev.secdrive.protocol.center.CenterRoutes;
import dev.secdrive.protocol.center.CertificateIssue;
import dev.secdrive.protocol.center.CertificateRequest;
import dev.secdrive.protocol.center.ConversionIssue;
import dev.secdrive.protocol.center.ConversionRequest;
import dev.secdrive.protocol.center.Payment;
import dev.secdrive.protocol.center.PaymentAnswer;
import dev.secdrive.protocol.center.Profile;
import dev.secdrive.protocol.center.RegisterTitle;
import dev.secdrive.protocol.center.RegisterUser;
import dev.secdrive.protocol.center.RegisteredTitle;
import dev.secdrive.protocol.center.TitleInfo;
import dev.secdrive.protocol.center.TitleKey;
import dev.secdrive.protocol.center.UserInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central site's HTTP and JSON API (license-center/API.md): routes from {@code
 * dev.secdrive.protocol.center.CenterRoutes}, bodies as the records of that package, served by
 * kit's {@link JsonServer} (bounded concurrency, body limit, time limits, web pages refused). Every
 * refusal answers {@code {"error": "..."}} with the status of its {@link Refusal.Kind}.
 * Administrative endpoints need {@code Authorization: Bearer <admin token>}, {@code GET /metrics}
 * (Prometheus text) among them; every request is logged on {@link JsonServer#REQUEST_LOG} without
 * its IDs, headers or body.
 */
public final class CenterHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CenterHttpServer.class);

  private final CentralSite site;
  private final byte[] adminToken;
  private final PrometheusMeterRegistry metrics = Metrics.registry();
  private final JsonServer server;

  private CenterHttpServer(CentralSite site, String adminToken, InetSocketAddress address) {
    this.site = site;
    this.adminToken = adminToken.getBytes(StandardCharsets.US_ASCII);
    this.server =
        JsonServer.builder("secdrive-center", this::route)
            .maxConcurrent(4)
            .maxQueued(16)
            .maxBody(64 << 10)
            .errors(CenterHttpServer::refusal)
            .routes(CenterRoutes.ROUTES)
            .metrics(metrics)
            .start(address);
  }

  /**
   * Starts serving {@code site} on {@code address}.
   *
   * @throws java.io.UncheckedIOException if the address cannot be bound
   */
  public static CenterHttpServer start(
      CentralSite site, String adminToken, InetSocketAddress address) {
    return new CenterHttpServer(site, adminToken, address);
  }

  public InetSocketAddress address() {
    return server.address();
  }

  @Override
  public void close() {
    server.close();
  }

  /**
   * The answer to a {@link Refusal} (its kind's status and message) or a {@link StoreException}
   * (503 with a reference; the database's message stays in the log), for every server of this
   * module; null for anything else, which then answers 500.
   */
  public static HttpError refusal(Request request, RuntimeException e) {
    if (e instanceof Refusal refusal) {
      return new HttpError(refusal.kind().status(), refusal.getMessage());
    }
    if (e instanceof StoreException) {
      // The database's message (SQL, table names, hosts) stays in the log.
      String reference = JsonServer.reference();
      log.error(
          "request {} {} failed in the database (reference {})",
          request.method(),
          request.rawPath(),
          reference,
          e);
      return new HttpError(503, "database unavailable (reference " + reference + ")");
    }
    return null;
  }

  private Object route(Request request) throws IOException {
    List<String> path = request.segments();
    String first = path.isEmpty() ? "" : path.get(0);
    int n = path.size();
    switch (first) {
      case CENTER -> {
        if (n == 1) {
          request.requireMethod("GET");
          return center();
        }
      }
      case METRICS -> {
        if (n == 1) {
          request.requireMethod("GET");
          requireAdmin(request);
          return Metrics.scrape(metrics);
        }
      }
      case TITLES -> {
        if (n == 1) {
          if (request.method().equals("POST")) {
            requireAdmin(request);
            RegisterTitle title = request.read(RegisterTitle.class);
            CentralSite.RegisteredTitle registered =
                site.registerTitle(
                    title.titleId(), title.name(), title.scheme(), title.priceCents());
            Title t = registered.title();
            return new RegisteredTitle(
                t.titleId(),
                t.name(),
                t.scheme(),
                t.priceCents(),
                t.registeredAt().toString(),
                registered.key());
          }
          request.requireMethod("GET");
          return site.titles().stream().map(CenterHttpServer::title).toList();
        }
        if (n == 2) {
          request.requireMethod("GET");
          return title(site.title(path.get(1)));
        }
        if (n == 3 && path.get(2).equals(TITLE_KEY)) {
          request.requireMethod("GET");
          requireAdmin(request);
          return new TitleKey(path.get(1), site.titleKey(path.get(1)));
        }
      }
      case USERS -> {
        if (n == 1) {
          request.requireMethod("POST");
          requireAdmin(request);
          RegisterUser user = request.read(RegisterUser.class);
          return user(
              site.registerUser(user.userId(), user.name(), user.userKey(), user.signingKey()));
        }
        if (n == 2) {
          request.requireMethod("GET");
          requireAdmin(request); // copies, bills and keys are the user's and the site's business
          return profile(site.profile(path.get(1)));
        }
        if (n == 3 && path.get(2).equals(PAYMENTS)) {
          request.requireMethod("POST");
          requireAdmin(request);
          String userId = path.get(1);
          var payment = site.pay(userId, request.read(Payment.class).amountCents());
          return new PaymentAnswer(
              userId, payment.paymentId(), payment.billsPaid(), payment.stillOwedCents());
        }
      }
      case COPIES -> {
        if (n == 2 && path.get(1).equals(CERTIFICATE)) {
          request.requireMethod("POST");
          CertificateRequest copy =
              request.read(CertificateRequest.class, CertificateRequest.OPTIONAL);
          CentralSite.CertificateIssue issue =
              site.issueCertificate(
                  copy.userId(),
                  copy.titleId(),
                  copy.mediumId(),
                  copy.driveCertificate(),
                  copy.signature());
          return new CertificateIssue(
              issue.certificate().serial(),
              issue.certificate().encode(),
              bill(issue.bill()),
              issue.reissued());
        }
        if (n == 2 && path.get(1).equals(CONVERSION)) {
          request.requireMethod("POST");
          ConversionRequest copy =
              request.read(ConversionRequest.class, ConversionRequest.OPTIONAL);
          CentralSite.ConversionIssue issue =
              site.issueConversion(
                  copy.userId(),
                  copy.titleId(),
                  copy.mediumId(),
                  copy.driveCertificate(),
                  copy.signature());
          return new ConversionIssue(
              issue.grant().serial(),
              issue.grant().deviceId(),
              issue.grant().encode(),
              bill(issue.bill()),
              issue.reissued());
        }
      }
      default -> {}
    }
    throw new Refusal(Refusal.Kind.NOT_FOUND, "no such resource: " + request.path());
  }

  private void requireAdmin(Request request) {
    request.requireBearer(adminToken, "admin token", "of the data directory", "secdrive-center");
  }

  // ------------------------------------------------------------------ answers

  private CenterInfo center() {
    return new CenterInfo(
        site.keys().name(),
        site.keys().certificate().encode(),
        site.keys().certificate().ed25519PublicKey(),
        site.keys().authorityPublicKey());
  }

  private static TitleInfo title(Title t) {
    return new TitleInfo(
        t.titleId(), t.name(), t.scheme(), t.priceCents(), t.registeredAt().toString());
  }

  private static UserInfo user(User u) {
    return new UserInfo(
        u.userId(), u.name(), u.userKey(), u.signingKey(), u.registeredAt().toString());
  }

  private static Profile profile(CentralSite.Profile p) {
    User u = p.user();
    return new Profile(
        u.userId(),
        u.name(),
        u.userKey(),
        u.signingKey(),
        u.registeredAt().toString(),
        p.owedCents(),
        p.copies().stream().map(CenterHttpServer::copy).toList(),
        p.bills().stream().map(CenterHttpServer::bill).toList());
  }

  private static Profile.CopyInfo copy(Copy c) {
    return new Profile.CopyInfo(
        c.serial(), c.titleId(), c.mediumId(), c.scheme(), c.deviceId(), c.issuedAt().toString());
  }

  private static BillInfo bill(Bill b) {
    return new BillInfo(
        b.id(), b.copySerial(), b.amountCents(), b.paidCents(), b.paid(), b.createdAt().toString());
  }
}
