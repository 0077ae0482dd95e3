package dev.secdrive.host.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.protocol.center.CenterRoutes;
import dev.secdrive.protocol.center.CertificateRequest;
import dev.secdrive.protocol.center.ConversionRequest;
import dev.secdrive.protocol.center.Payment;
import dev.secdrive.protocol.center.RegisterTitle;
import dev.secdrive.protocol.center.RegisterUser;
import dev.secdrive.protocol.center.TitleKey;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyRequests;
import dev.secdrive.protocol.security.ParameterException;
import java.net.URI;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The user's terminal's side of the central site's HTTP API (license-center/API.md): the copy
 * requests of both schemes (FIG. 4 S2-S3, FIG. 9), signed with the user's key, and the
 * administrative calls a publisher makes when it authors a master. Errors the site answers with
 * ({@code {"error": ...}}) become {@link CenterException}s carrying the HTTP status and the site's
 * message.
 */
public final class CenterClient {

  private final JsonHttp http;
  private final String adminToken;
  private final byte[] pinnedAuthority;

  /**
   * @param url the site's base URL, e.g. {@code http://127.0.0.1:7150}
   * @param adminToken the bearer token for administrative calls, or null for a user's terminal
   * @throws FlowException if the URL is not an http(s) URL
   */
  public CenterClient(String url, String adminToken) {
    this.http =
        new JsonHttp(url, "the central site", "license-center/API.md", CenterException::new);
    this.adminToken = adminToken;
    this.pinnedAuthority = null;
  }

  private CenterClient(CenterClient client, byte[] pinnedAuthority) {
    this.adminToken = client.adminToken;
    this.http = client.http;
    this.pinnedAuthority = pinnedAuthority.clone();
  }

  /**
   * This client, trusting only the licensing authority with Ed25519 key {@code authorityPublicKey}:
   * {@link #center()} refuses a site that names another authority or whose certificate that
   * authority did not sign as a central site's. Without a pin the terminal takes the authority the
   * site names, so a site of another authority could certify its own copies.
   */
  public CenterClient pinnedTo(byte[] authorityPublicKey) {
    if (authorityPublicKey.length != Crypto.KEY_LENGTH) {
      throw new FlowException("a licensing authority's public key has 32 bytes");
    }
    return new CenterClient(this, authorityPublicKey);
  }

  public CenterClient(String url) {
    this(url, null);
  }

  public URI url() {
    return http.base();
  }

  // ---------------------------------------------------------------- answers

  /** GET /center: who the site is, its certificate, and the authority that certified it. */
  public record CenterInfo(String name, Certificate certificate, byte[] authorityPublicKey) {}

  /**
   * A scheme-1 issue (FIG. 4 S3): the copy certificate CS, which carries Kd sealed to the target
   * drive (nothing in it opens with any key the terminal holds).
   */
  public record CertificateIssue(byte[] copyCertificate, long serial) {}

  /** A scheme-2 issue (FIG. 9): the conversion grant sealed to the target drive. */
  public record ConversionIssue(byte[] grant, long serial) {}

  /** A registered title and its encryption key (Kd for scheme 1, Ka for scheme 2). */
  public record RegisteredTitle(String titleId, byte[] key) {}

  // ---------------------------------------------------------------- calls

  public CenterInfo center() {
    var answer =
        read(
            call("GET", route(CenterRoutes.CENTER), null, false),
            dev.secdrive.protocol.center.CenterInfo.class);
    CenterInfo info;
    try {
      info =
          new CenterInfo(
              present(answer.name(), "name"),
              Certificate.decode(present(answer.certificate(), "certificate")),
              present(answer.authorityPublicKey(), "authorityPublicKey"));
    } catch (ParameterException e) {
      throw new FlowException(
          "the central site sent an unreadable certificate: " + e.getMessage(), e);
    }
    if (pinnedAuthority != null) {
      HexFormat hex = HexFormat.of();
      if (!Arrays.equals(info.authorityPublicKey(), pinnedAuthority)) {
        throw new FlowException(
            "the central site at "
                + http.base()
                + " names licensing authority "
                + hex.formatHex(info.authorityPublicKey())
                + ", not the pinned "
                + hex.formatHex(pinnedAuthority));
      }
      Certificate certificate = info.certificate();
      if (certificate.role() != Certificate.Role.CENTRAL_SITE
          || !Certificates.signedBy(certificate, pinnedAuthority)) {
        throw new FlowException(
            "the central site at "
                + http.base()
                + " presents a certificate ("
                + certificate.role()
                + " '"
                + certificate.subject()
                + "') that the pinned licensing authority did not sign as a central site's");
      }
    }
    return info;
  }

  /**
   * POST /copies/certificate: a scheme-1 copy of {@code titleId} onto medium {@code mediumId} in
   * the drive with {@code driveCertificate}, signed with {@code userKey} for this site (API.md
   * "Signed copy requests"): its certificate is asked for first, and checked against the pinned
   * authority, if any.
   */
  public CertificateIssue copyCertificate(
      String userId,
      UserKey userKey,
      String titleId,
      String mediumId,
      Certificate driveCertificate) {
    UserKey signer = signer(userKey);
    byte[] drive = driveCertificate.encode();
    byte[] site = center().certificate().encode();
    byte[] signature =
        signer.sign(
            signedBytes(() -> CopyRequests.certificate(site, userId, titleId, mediumId, drive)));
    var answer =
        read(
            call(
                "POST",
                route(CenterRoutes.COPIES, CenterRoutes.CERTIFICATE),
                new CertificateRequest(userId, titleId, mediumId, drive, signature),
                false),
            dev.secdrive.protocol.center.CertificateIssue.class);
    return new CertificateIssue(
        present(answer.copyCertificate(), "copyCertificate"), answer.serial());
  }

  /**
   * POST /copies/conversion: a scheme-2 grant for the drive with {@code driveCertificate}, signed
   * with {@code userKey} for this site (API.md "Signed copy requests"): its certificate is asked
   * for first, and checked against the pinned authority, if any.
   */
  public ConversionIssue conversion(
      String userId,
      UserKey userKey,
      String titleId,
      String mediumId,
      Certificate driveCertificate) {
    UserKey signer = signer(userKey);
    byte[] drive = driveCertificate.encode();
    byte[] site = center().certificate().encode();
    byte[] signature =
        signer.sign(
            signedBytes(() -> CopyRequests.conversion(site, userId, titleId, mediumId, drive)));
    var answer =
        read(
            call(
                "POST",
                route(CenterRoutes.COPIES, CenterRoutes.CONVERSION),
                new ConversionRequest(userId, titleId, mediumId, drive, signature),
                false),
            dev.secdrive.protocol.center.ConversionIssue.class);
    return new ConversionIssue(present(answer.grant(), "grant"), answer.serial());
  }

  /** POST /titles [admin]: registers a title in the contents identifier file. */
  public RegisteredTitle registerTitle(String titleId, String name, int scheme, long priceCents) {
    RegisterTitle request;
    try {
      request = new RegisterTitle(titleId, name, scheme, priceCents);
    } catch (IllegalArgumentException e) {
      throw new FlowException("cannot register title " + titleId + ": " + e.getMessage());
    }
    return registered(call("POST", route(CenterRoutes.TITLES), request, true));
  }

  /**
   * POST /users [admin]: registers a user with the public halves of its user key: the X25519 key KU
   * and the Ed25519 key that verifies its copy requests.
   */
  public JsonNode registerUser(String userId, String name, byte[] userKey, byte[] signingKey) {
    return call(
        "POST",
        route(CenterRoutes.USERS),
        new RegisterUser(userId, name, userKey, signingKey),
        true);
  }

  /** POST /users [admin] with both public keys of {@code key}. */
  public JsonNode registerUser(String userId, String name, UserKey key) {
    return registerUser(userId, name, key.publicKey(), key.signingPublicKey());
  }

  /** GET /users/{id} [admin]: the user's profile and bills. */
  public JsonNode user(String userId) {
    return call("GET", route(CenterRoutes.USERS, userId), null, true);
  }

  /** POST /users/{id}/payments [admin]: pays the user's bills, oldest first. */
  public JsonNode pay(String userId, long amountCents) {
    Payment payment;
    try {
      payment = new Payment(amountCents);
    } catch (IllegalArgumentException e) {
      throw new FlowException("cannot record a payment by " + userId + ": " + e.getMessage());
    }
    return call("POST", route(CenterRoutes.USERS, userId, CenterRoutes.PAYMENTS), payment, true);
  }

  /** GET /titles/{id}. */
  public JsonNode title(String titleId) {
    return call("GET", route(CenterRoutes.TITLES, titleId), null, false);
  }

  /** GET /titles/{id}/key [admin]: a registered title's key again (Kd or Ka). */
  public RegisteredTitle titleKey(String titleId) {
    return registered(
        call("GET", route(CenterRoutes.TITLES, titleId, CenterRoutes.TITLE_KEY), null, true));
  }

  // ---------------------------------------------------------------- plumbing

  private static UserKey signer(UserKey userKey) {
    if (userKey == null) {
      throw new FlowException(
          "a copy request is signed with the user's key, and none was given (the user key file,"
              + " 'secdrive user-key create')");
    }
    return userKey;
  }

  private static byte[] signedBytes(Supplier<byte[]> encoding) {
    try {
      return encoding.get();
    } catch (IllegalArgumentException e) {
      throw new FlowException("cannot ask the central site for a copy: " + e.getMessage());
    }
  }

  private JsonNode call(String method, String path, Record body, boolean admin) {
    if (admin && adminToken == null) {
      throw new FlowException(method + " " + path + " needs the central site's admin token");
    }
    return http.call(method, path, body, admin ? "Bearer " + adminToken : null);
  }

  private static String route(String... segments) {
    return JsonHttp.route(segments);
  }

  private RegisteredTitle registered(JsonNode answer) {
    TitleKey key = read(answer, TitleKey.class);
    return new RegisteredTitle(present(key.titleId(), "titleId"), present(key.key(), "key"));
  }

  private <T> T read(JsonNode answer, Class<T> type) {
    return http.read(answer, type);
  }

  private <T> T present(T value, String field) {
    return http.present(value, field);
  }
}
