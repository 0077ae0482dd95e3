package dev.secdrive.host.flow;

import dev.secdrive.protocol.distributor.AddContent;
import dev.secdrive.protocol.distributor.AddOffer;
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
import dev.secdrive.protocol.move.Issuer;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The terminal's side of a distributor's HTTP API (license-center/DISTRIBUTOR-API.md), seed 002:
 * every endpoint, the user's with the user's credentials (a password, or a session token from
 * {@link #session}), the administrative ones with the admin token. A refusal becomes a {@link
 * DistributorException} carrying the HTTP status and the distributor's message. Instances are
 * immutable: {@link #asUser}, {@link #withSession}, {@link #asAdmin} and {@link #pinnedTo} return
 * new ones.
 */
public final class DistributorClient {

  private static final HexFormat HEX = HexFormat.of();

  private final JsonHttp http;
  private final String userId;
  private final String userAuthorization;
  private final String adminToken;
  private final byte[] pinnedAuthority;

  /**
   * @param url the distributor's base URL, e.g. {@code http://127.0.0.1:7160}
   * @throws FlowException if the URL is not an http(s) URL
   */
  public DistributorClient(String url) {
    this(url, JsonHttp.TIMEOUT);
  }

  /** As above, waiting at most {@code timeout} for each answer. */
  DistributorClient(String url, java.time.Duration timeout) {
    this(
        new JsonHttp(
            url,
            "the distributor",
            "license-center/DISTRIBUTOR-API.md",
            DistributorException::new,
            timeout),
        null,
        null,
        null,
        null);
  }

  private DistributorClient(
      JsonHttp http,
      String userId,
      String userAuthorization,
      String adminToken,
      byte[] pinnedAuthority) {
    this.http = http;
    this.userId = userId;
    this.userAuthorization = userAuthorization;
    this.adminToken = adminToken;
    this.pinnedAuthority = pinnedAuthority;
  }

  /** This client acting for {@code userId}, authenticated by its password (HTTP Basic). */
  public DistributorClient asUser(String userId, String password) {
    if (userId == null || userId.isEmpty() || userId.indexOf(':') >= 0) {
      throw new FlowException("a user ID is 1-64 printable characters without ':'");
    }
    String basic =
        Base64.getEncoder()
            .encodeToString((userId + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new DistributorClient(http, userId, "Basic " + basic, adminToken, pinnedAuthority);
  }

  /** This client acting for {@code userId} with a session token of {@link #session}. */
  public DistributorClient withSession(String userId, String token) {
    return new DistributorClient(http, userId, "Bearer " + token, adminToken, pinnedAuthority);
  }

  /** This client with the distributor's admin token, for the administrative endpoints. */
  public DistributorClient asAdmin(String adminToken) {
    return new DistributorClient(http, userId, userAuthorization, adminToken, pinnedAuthority);
  }

  /**
   * This client, trusting only the licensing authority with Ed25519 key {@code authorityPublicKey}:
   * {@link #info()} refuses a distributor that names another authority, or whose certificate that
   * authority did not sign as a DISTRIBUTOR's for the name it gives.
   */
  public DistributorClient pinnedTo(byte[] authorityPublicKey) {
    if (authorityPublicKey.length != Crypto.KEY_LENGTH) {
      throw new FlowException("a licensing authority's public key has 32 bytes");
    }
    return new DistributorClient(
        http, userId, userAuthorization, adminToken, authorityPublicKey.clone());
  }

  public URI url() {
    return http.base();
  }

  /** The user this client acts for, or null. */
  public String userId() {
    return userId;
  }

  // ---------------------------------------------------------------- anyone

  /** Who the distributor is: {@code GET /distributor}, with its certificate decoded. */
  public record Info(DistributorInfo answer, Certificate certificate) {
    public String name() {
      return answer.name();
    }
  }

  /** GET /distributor, checked against the pinned authority, if any. */
  public Info info() {
    DistributorInfo answer =
        http.call("GET", route(DistributorRoutes.DISTRIBUTOR), null, null, DistributorInfo.class);
    String name = http.present(answer.name(), "name");
    Certificate certificate;
    try {
      certificate = Certificate.decode(http.present(answer.certificate(), "certificate"));
    } catch (ParameterException e) {
      throw new FlowException(
          "the distributor at " + url() + " sent an unreadable certificate: " + e.getMessage(), e);
    }
    if (pinnedAuthority != null) {
      if (!Arrays.equals(answer.authorityPublicKey(), pinnedAuthority)) {
        throw new FlowException(
            "the distributor at "
                + url()
                + " names licensing authority "
                + HEX.formatHex(http.present(answer.authorityPublicKey(), "authorityPublicKey"))
                + ", not the pinned "
                + HEX.formatHex(pinnedAuthority));
      }
      if (!Issuer.certifiedBy(certificate, pinnedAuthority)
          || !certificate.subject().equals(name)) {
        throw new FlowException(
            "the distributor at "
                + url()
                + " presents a certificate ("
                + certificate.role()
                + " '"
                + certificate.subject()
                + "') that the pinned licensing authority did not sign as the DISTRIBUTOR '"
                + name
                + "'");
      }
    }
    return new Info(answer, certificate);
  }

  /** POST /sessions: a session token for the user's later calls ({@link #withSession}). */
  public SessionAnswer session(String userId, String password) {
    return http.call(
        "POST",
        route(DistributorRoutes.SESSIONS),
        build("a session", () -> new SessionRequest(userId, password)),
        null,
        SessionAnswer.class);
  }

  /** GET /contents: the catalog (S31-S32). */
  public List<ContentInfo> contents() {
    return http.list(route(DistributorRoutes.CONTENTS), null, ContentInfo.class);
  }

  /** GET /contents/{id}. */
  public ContentInfo content(String contentId) {
    return http.call(
        "GET", route(DistributorRoutes.CONTENTS, contentId), null, null, ContentInfo.class);
  }

  /** GET /contents/{id}/offers: the update offers of a content (S101-S102). */
  public List<OfferInfo> offers(String contentId) {
    return http.list(
        route(DistributorRoutes.CONTENTS, contentId, DistributorRoutes.OFFERS),
        null,
        OfferInfo.class);
  }

  /** GET /copy-policy. */
  public CopyPolicy copyPolicy() {
    return http.call("GET", route(DistributorRoutes.COPY_POLICY), null, null, CopyPolicy.class);
  }

  // ---------------------------------------------------------------- the user

  /** GET /users/{id}: the user's profile, bills, licenses, downloads and copies. */
  public Profile profile() {
    return http.call(
        "GET", route(DistributorRoutes.USERS, user()), null, userAuthorization(), Profile.class);
  }

  /**
   * POST /clients/challenges: a registration challenge for the user, for the drive to sign in its
   * registration proof (PROVE REGISTRATION); it expires after a few minutes.
   */
  public RegistrationChallenge registrationChallenge() {
    return http.call(
        "POST",
        route(DistributorRoutes.CLIENTS, DistributorRoutes.CHALLENGES),
        null,
        userAuthorization(),
        RegistrationChallenge.class);
  }

  /**
   * POST /clients (S11-S14): preregisters the drive with {@code driveCertificate} as a client of
   * the user, with the drive's {@code proof} (an encoded SDRP) of {@code challenge}; the answer
   * carries the service data sealed to that drive.
   */
  public ClientRegistration registerClient(
      Certificate driveCertificate, byte[] challenge, byte[] proof) {
    return http.call(
        "POST",
        route(DistributorRoutes.CLIENTS),
        new ClientRequest(driveCertificate.encode(), challenge, proof),
        userAuthorization(),
        ClientRegistration.class);
  }

  /**
   * GET /contents/{id}/package/{clientId} (S33-S38): streams the content package (header ‖ data)
   * into {@code out}.
   *
   * @return the bytes received
   */
  public long downloadPackage(
      String contentId, String clientId, OutputStream out, Progress progress) {
    return http.download(
        route(DistributorRoutes.CONTENTS, contentId, DistributorRoutes.PACKAGE, clientId),
        userAuthorization(),
        out,
        progress);
  }

  /** POST /licenses (S71-S85): a license of {@code contentId} for the user's client. */
  public LicenseIssue license(String contentId, String clientId) {
    return http.call(
        "POST",
        route(DistributorRoutes.LICENSES),
        build("a license", () -> new LicenseRequest(contentId, clientId)),
        userAuthorization(),
        LicenseIssue.class);
  }

  /** POST /licenses/{serial}/update (S103-S104): the license renewed on offer {@code offerId}. */
  public LicenseIssue update(byte[] licenseSerial, String offerId) {
    return http.call(
        "POST",
        route(DistributorRoutes.LICENSES, HEX.formatHex(licenseSerial), DistributorRoutes.UPDATE),
        build("an update", () -> new UpdateRequest(offerId)),
        userAuthorization(),
        LicenseIssue.class);
  }

  /**
   * POST /copies (S121-S141): a contents copy certificate of the license with {@code licenseSerial}
   * for the user's client {@code destinationClientId}.
   */
  public CopyIssue copy(byte[] licenseSerial, String destinationClientId) {
    return http.call(
        "POST",
        route(DistributorRoutes.COPIES),
        build("a copy", () -> new CopyRequest(licenseSerial, destinationClientId)),
        userAuthorization(),
        CopyIssue.class);
  }

  // ---------------------------------------------------------------- admin

  /** POST /users [admin]. */
  public UserInfo addUser(String userId, String name, String password) {
    return http.call(
        "POST",
        route(DistributorRoutes.USERS),
        build("a user", () -> new RegisterUser(userId, name, password)),
        admin("POST /users"),
        UserInfo.class);
  }

  /** GET /users/{id} [admin]: any user's profile. */
  public Profile profile(String userId) {
    return http.call(
        "GET",
        route(DistributorRoutes.USERS, userId),
        null,
        admin("GET /users/" + userId),
        Profile.class);
  }

  /** POST /users/{id}/payments [admin]: settles the user's bills, oldest first. */
  public PaymentAnswer pay(String userId, long amountCents) {
    return http.call(
        "POST",
        route(DistributorRoutes.USERS, userId, DistributorRoutes.PAYMENTS),
        build("a payment", () -> new Payment(amountCents)),
        admin("POST /users/" + userId + "/payments"),
        PaymentAnswer.class);
  }

  /** POST /contents [admin]: adds a content (at most 8 MiB) to the catalog. */
  public ContentInfo addContent(AddContent content) {
    return http.call(
        "POST",
        route(DistributorRoutes.CONTENTS),
        content,
        admin("POST /contents"),
        ContentInfo.class);
  }

  /** POST /contents/{id}/offers [admin]: an update offer (S101-S102). */
  public OfferInfo addOffer(String contentId, AddOffer offer) {
    return http.call(
        "POST",
        route(DistributorRoutes.CONTENTS, contentId, DistributorRoutes.OFFERS),
        offer,
        admin("POST /contents/" + contentId + "/offers"),
        OfferInfo.class);
  }

  /** POST /revocations [admin]: revokes a client federation-wide. */
  public Revocation revoke(String clientId) {
    return http.call(
        "POST",
        route(DistributorRoutes.REVOCATIONS),
        build("a revocation", () -> new Revoke(clientId)),
        admin("POST /revocations"),
        Revocation.class);
  }

  /** POST /copy-policy [admin]. */
  public CopyPolicy setCopyPolicy(CopyPolicy policy) {
    return http.call(
        "POST",
        route(DistributorRoutes.COPY_POLICY),
        policy,
        admin("POST /copy-policy"),
        CopyPolicy.class);
  }

  // ---------------------------------------------------------------- plumbing

  private String user() {
    if (userId == null) {
      throw new FlowException("this call is the user's: give the user's ID and password");
    }
    return userId;
  }

  private String userAuthorization() {
    user();
    return userAuthorization;
  }

  private String admin(String call) {
    if (adminToken == null) {
      throw new FlowException(call + " needs the distributor's admin token");
    }
    return "Bearer " + adminToken;
  }

  private static <T> T build(String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new FlowException("cannot ask the distributor for " + what + ": " + e.getMessage());
    }
  }

  private static String route(String... segments) {
    return JsonHttp.route(segments);
  }
}
