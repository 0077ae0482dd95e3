package dev.secdrive.protocol.distributor;

import java.util.Set;

/**
 * The paths of a distributor's API (license-center/DISTRIBUTOR-API.md). Fixed paths are constants;
 * a path with an ID is the first segment, then the ID (percent-encoded by the client), then the
 * sub-resource. User requests carry {@code Authorization: Basic} (user ID and password) or {@code
 * Authorization: Bearer <session token>}; admin requests the admin token as a bearer token.
 */
public final class DistributorRoutes {

  /** {@code GET}: {@link DistributorInfo}. */
  public static final String DISTRIBUTOR = "distributor";

  /**
   * {@code POST} (admin): {@link RegisterUser}; {@code GET /users/{userId}} (the user or admin).
   */
  public static final String USERS = "users";

  /** {@code POST /users/{userId}/payments} (admin): {@link Payment}. */
  public static final String PAYMENTS = "payments";

  /** {@code POST}: {@link SessionRequest} to {@link SessionAnswer}. */
  public static final String SESSIONS = "sessions";

  /** {@code DELETE /sessions/current} (Bearer session token): ends that session. */
  public static final String CURRENT_SESSION = "current";

  /**
   * {@code POST} (user, S11-S14): {@link ClientRequest} to {@link ClientRegistration}; {@code POST
   * /clients/challenges} (user): a {@link RegistrationChallenge} for the drive's proof.
   */
  public static final String CLIENTS = "clients";

  /** {@code /clients/challenges}. */
  public static final String CHALLENGES = "challenges";

  /**
   * {@code GET}: every {@link ContentInfo} (S31-S32); {@code POST} (admin): {@link AddContent};
   * {@code GET /contents/{contentId}}.
   */
  public static final String CONTENTS = "contents";

  /**
   * {@code GET /contents/{contentId}/package/{clientId}} (user, S33-S38): the content package
   * (SDCP), {@code application/octet-stream}.
   */
  public static final String PACKAGE = "package";

  /**
   * {@code POST /contents/{contentId}/offers} (admin): {@link AddOffer}; {@code GET}: every {@link
   * OfferInfo} of the content.
   */
  public static final String OFFERS = "offers";

  /**
   * {@code POST} (user, S71-S85): {@link LicenseRequest} to {@link LicenseIssue}; {@code POST
   * /licenses/{serial}/update} (user, S101-S104): {@link UpdateRequest} to {@link LicenseIssue}.
   */
  public static final String LICENSES = "licenses";

  /** {@code /licenses/{serial}/update}. */
  public static final String UPDATE = "update";

  /** {@code POST} (user, S121-S141): {@link CopyRequest} to {@link CopyIssue}. */
  public static final String COPIES = "copies";

  /** {@code POST} (admin): {@link Revoke} to {@link Revocation}. */
  public static final String REVOCATIONS = "revocations";

  /** {@code POST} (admin): {@link CopyPolicy}; {@code GET}: the policy in force. */
  public static final String COPY_POLICY = "copy-policy";

  /** {@code GET} (admin): the server's metrics in the Prometheus text format. */
  public static final String METRICS = "metrics";

  /**
   * Every route, its IDs written {@code {}}: what a request log or a metric label names a request
   * by; a path that is none of them is {@code unmatched}.
   */
  public static final Set<String> ROUTES =
      Set.of(
          "/" + DISTRIBUTOR,
          "/" + METRICS,
          "/" + USERS,
          "/" + USERS + "/{}",
          "/" + USERS + "/{}/" + PAYMENTS,
          "/" + SESSIONS,
          "/" + SESSIONS + "/" + CURRENT_SESSION,
          "/" + CLIENTS,
          "/" + CLIENTS + "/" + CHALLENGES,
          "/" + CONTENTS,
          "/" + CONTENTS + "/{}",
          "/" + CONTENTS + "/{}/" + OFFERS,
          "/" + CONTENTS + "/{}/" + PACKAGE + "/{}",
          "/" + LICENSES,
          "/" + LICENSES + "/{}/" + UPDATE,
          "/" + COPIES,
          "/" + REVOCATIONS,
          "/" + COPY_POLICY);

  private DistributorRoutes() {}
}
