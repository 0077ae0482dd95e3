package dev.secdrive.protocol.center;

import java.util.Set;

/**
 * The paths of the central site's API (license-center/API.md "Endpoints"). Fixed paths are
 * constants; a path with an ID is the first segment, then the ID (percent-encoded by the client),
 * then the sub-resource.
 */
public final class CenterRoutes {

  /** {@code GET}: the center's name, certificate and keys ({@link CenterInfo}). */
  public static final String CENTER = "center";

  /** {@code POST} (admin): {@link RegisterTitle}; {@code GET}: every {@link TitleInfo}. */
  public static final String TITLES = "titles";

  /** {@code GET /titles/{titleId}/key} (admin): {@link TitleKey}. */
  public static final String TITLE_KEY = "key";

  /** {@code POST} (admin): {@link RegisterUser}; {@code GET /users/{userId}} (admin). */
  public static final String USERS = "users";

  /** {@code POST /users/{userId}/payments} (admin): {@link Payment}. */
  public static final String PAYMENTS = "payments";

  /** The copy requests' first segment. */
  public static final String COPIES = "copies";

  /** {@code POST /copies/certificate}: {@link CertificateRequest}, scheme 1. */
  public static final String CERTIFICATE = "certificate";

  /** {@code POST /copies/conversion}: {@link ConversionRequest}, scheme 2. */
  public static final String CONVERSION = "conversion";

  /** {@code GET} (admin): the server's metrics in the Prometheus text format. */
  public static final String METRICS = "metrics";

  /**
   * Every route, its IDs written {@code {}}: what a request log or a metric label names a request
   * by; a path that is none of them is {@code unmatched}.
   */
  public static final Set<String> ROUTES =
      Set.of(
          "/" + CENTER,
          "/" + METRICS,
          "/" + TITLES,
          "/" + TITLES + "/{}",
          "/" + TITLES + "/{}/" + TITLE_KEY,
          "/" + USERS,
          "/" + USERS + "/{}",
          "/" + USERS + "/{}/" + PAYMENTS,
          "/" + COPIES + "/" + CERTIFICATE,
          "/" + COPIES + "/" + CONVERSION);

  private CenterRoutes() {}
}
