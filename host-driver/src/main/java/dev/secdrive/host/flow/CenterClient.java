package dev.secdrive.host.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyRequests;
import dev.secdrive.protocol.security.ParameterException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String adminToken;
  private final HttpClient http;
  private final byte[] pinnedAuthority;

  /**
   * @param url the site's base URL, e.g. {@code http://127.0.0.1:7150}
   * @param adminToken the bearer token for administrative calls, or null for a user's terminal
   * @throws FlowException if the URL is not an http(s) URL
   */
  public CenterClient(String url, String adminToken) {
    URI parsed;
    try {
      parsed = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw new FlowException("central site URL '" + url + "' is malformed: " + e.getReason());
    }
    if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())
        || parsed.getHost() == null) {
      throw new FlowException(
          "central site URL '" + url + "' must be http://host:port or https://host:port");
    }
    this.base = parsed;
    this.adminToken = adminToken;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.pinnedAuthority = null;
  }

  private CenterClient(CenterClient client, byte[] pinnedAuthority) {
    this.base = client.base;
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
    return base;
  }

  // ---------------------------------------------------------------- answers

  /** GET /center: who the site is, its certificate, and the authority that certified it. */
  public record CenterInfo(String name, Certificate certificate, byte[] authorityPublicKey) {}

  /** A scheme-1 issue (FIG. 4 S3): the copy certificate CS and Kd sealed to the user key. */
  public record CertificateIssue(byte[] copyCertificate, byte[] sealedKey, long serial) {}

  /** A scheme-2 issue (FIG. 9): the conversion grant sealed to the target drive. */
  public record ConversionIssue(byte[] grant, long serial) {}

  /** A registered title and its encryption key (Kd for scheme 1, Ka for scheme 2). */
  public record RegisteredTitle(String titleId, byte[] key) {}

  // ---------------------------------------------------------------- calls

  public CenterInfo center() {
    JsonNode answer = call("GET", "/center", null, false);
    CenterInfo info;
    try {
      info =
          new CenterInfo(
              text(answer, "name"),
              Certificate.decode(hex(answer, "certificate")),
              hex(answer, "authorityPublicKey"));
    } catch (ParameterException e) {
      throw new FlowException(
          "the central site sent an unreadable certificate: " + e.getMessage(), e);
    }
    if (pinnedAuthority != null) {
      HexFormat hex = HexFormat.of();
      if (!Arrays.equals(info.authorityPublicKey(), pinnedAuthority)) {
        throw new FlowException(
            "the central site at "
                + base
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
                + base
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
   * POST /copies/certificate: a scheme-1 copy of {@code titleId} onto medium {@code mediumId},
   * signed with {@code userKey} for this site (API.md "Signed copy requests"): its certificate is
   * asked for first, and checked against the pinned authority, if any.
   */
  public CertificateIssue copyCertificate(
      String userId, UserKey userKey, String titleId, String mediumId) {
    UserKey signer = signer(userKey);
    byte[] site = center().certificate().encode();
    byte[] signature =
        signer.sign(signedBytes(() -> CopyRequests.certificate(site, userId, titleId, mediumId)));
    ObjectNode body = JSON.createObjectNode();
    body.put("userId", userId).put("titleId", titleId).put("mediumId", mediumId);
    body.put("signature", HexFormat.of().formatHex(signature));
    JsonNode answer = call("POST", "/copies/certificate", body, false);
    return new CertificateIssue(
        hex(answer, "copyCertificate"), hex(answer, "sealedKey"), number(answer, "serial"));
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
    ObjectNode body = JSON.createObjectNode();
    body.put("userId", userId)
        .put("titleId", titleId)
        .put("mediumId", mediumId)
        .put("driveCertificate", HexFormat.of().formatHex(drive))
        .put("signature", HexFormat.of().formatHex(signature));
    JsonNode answer = call("POST", "/copies/conversion", body, false);
    return new ConversionIssue(hex(answer, "grant"), number(answer, "serial"));
  }

  /** POST /titles [admin]: registers a title in the contents identifier file. */
  public RegisteredTitle registerTitle(String titleId, String name, int scheme, long priceCents) {
    ObjectNode body = JSON.createObjectNode();
    body.put("titleId", titleId).put("name", name).put("scheme", scheme);
    body.put("priceCents", priceCents);
    JsonNode answer = call("POST", "/titles", body, true);
    return new RegisteredTitle(text(answer, "titleId"), hex(answer, "key"));
  }

  /**
   * POST /users [admin]: registers a user with the public halves of its user key: the X25519 key KU
   * and the Ed25519 key that verifies its copy requests.
   */
  public JsonNode registerUser(String userId, String name, byte[] userKey, byte[] signingKey) {
    ObjectNode body = JSON.createObjectNode();
    body.put("userId", userId).put("name", name).put("userKey", HexFormat.of().formatHex(userKey));
    body.put("signingKey", HexFormat.of().formatHex(signingKey));
    return call("POST", "/users", body, true);
  }

  /** POST /users [admin] with both public keys of {@code key}. */
  public JsonNode registerUser(String userId, String name, UserKey key) {
    return registerUser(userId, name, key.publicKey(), key.signingPublicKey());
  }

  /** GET /users/{id} [admin]: the user's profile and bills. */
  public JsonNode user(String userId) {
    return call("GET", "/users/" + segment(userId), null, true);
  }

  /** POST /users/{id}/payments [admin]: pays the user's bills, oldest first. */
  public JsonNode pay(String userId, long amountCents) {
    ObjectNode body = JSON.createObjectNode();
    body.put("amountCents", amountCents);
    return call("POST", "/users/" + segment(userId) + "/payments", body, true);
  }

  /** GET /titles/{id}. */
  public JsonNode title(String titleId) {
    return call("GET", "/titles/" + segment(titleId), null, false);
  }

  /** GET /titles/{id}/key [admin]: a registered title's key again (Kd or Ka). */
  public RegisteredTitle titleKey(String titleId) {
    JsonNode answer = call("GET", "/titles/" + segment(titleId) + "/key", null, true);
    return new RegisteredTitle(text(answer, "titleId"), hex(answer, "key"));
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

  private JsonNode call(String method, String path, JsonNode body, boolean admin) {
    URI uri = base.resolve(base.getPath() + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
    if (admin) {
      if (adminToken == null) {
        throw new FlowException(method + " " + path + " needs the central site's admin token");
      }
      request.header("Authorization", "Bearer " + adminToken);
    }
    if (body != null) {
      try {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new FlowException("cannot reach the central site at " + base + ": connection refused");
    } catch (IOException e) {
      throw new FlowException("cannot reach the central site at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlowException("interrupted while waiting for the central site", e);
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      answer = null;
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String reason =
          answer != null && answer.path("error").isTextual()
              ? answer.get("error").asText()
              : new String(response.body(), StandardCharsets.UTF_8).strip();
      throw new CenterException(status, reason.isEmpty() ? "no reason given" : reason);
    }
    if (answer == null || !answer.isObject()) {
      throw new FlowException(
          "the central site answered " + method + " " + path + " with something not a JSON object");
    }
    return answer;
  }

  private static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String text(JsonNode answer, String field) {
    JsonNode value = answer.get(field);
    if (value == null || !value.isTextual()) {
      throw new FlowException("the central site's answer lacks the text field '" + field + "'");
    }
    return value.asText();
  }

  private static long number(JsonNode answer, String field) {
    JsonNode value = answer.get(field);
    if (value == null || !value.canConvertToLong()) {
      throw new FlowException("the central site's answer lacks the number '" + field + "'");
    }
    return value.asLong();
  }

  private static byte[] hex(JsonNode answer, String field) {
    String value = text(answer, field);
    try {
      return HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      throw new FlowException("the central site's '" + field + "' is not hexadecimal");
    }
  }
}
