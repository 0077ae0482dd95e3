package dev.secdrive.host.transport;

import dev.secdrive.host.api.DriveUri;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.ChapException;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Negotiation;
import dev.secdrive.protocol.iscsi.NegotiationException;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextException;
import dev.secdrive.protocol.iscsi.TextKeys;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The initiator's side of an iSCSI login (RFC 7143 sections 6 and 12), as a state machine without
 * I/O: {@link #first} is the first Login Request, {@link #next} takes each Login Response and gives
 * the next request or the result. With CHAP configured the login starts in the security stage
 * (AuthMethod=CHAP, CHAP_A=5, then CHAP_N/CHAP_R, and CHAP_I/CHAP_C when the target must
 * authenticate too); without, it starts in the operational stage, as libiscsi does. A failure is a
 * {@link LoginFailedException} whose message names the target and the reason; it never holds a
 * secret.
 */
final class LoginExchange {

  /** This initiator's iSCSI name. */
  static final String INITIATOR_NAME = "iqn.2026-12.dev.secdrive:host-driver";

  /** The largest MaxRecvDataSegmentLength this initiator declares: what the target may send. */
  static final int MAX_RECV_DATA_SEGMENT_LENGTH = 262144;

  /** Largest login text across Login Responses with the C bit (section 6.1's 8192 per key). */
  private static final int MAXIMUM_LOGIN_TEXT = 65536;

  /** Rounds of the operational stage before a target that never transits is given up on. */
  private static final int MAXIMUM_ROUNDS = 16;

  private static final int LOGIN_TAG = 0;

  /** A login the target refused or that broke the protocol. */
  static final class LoginFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    LoginFailedException(String message) {
      super(message);
    }
  }

  /** What login leaves for the full feature phase. */
  record Result(
      SessionParameters parameters, int tsih, int cmdSn, int statSn, int expCmdSn, int maxCmdSn) {}

  private enum Step {
    AUTH_METHOD,
    CHAP_ALGORITHM,
    CHAP_RESPONSE,
    OPERATIONAL
  }

  private final String what;
  private final DriveUri.Iscsi config;
  private final Negotiation.Policy policy;
  private final long isid;
  private final Optional<Chap.Challenge> ourChallenge;
  private final int cmdSn;
  private SessionParameters parameters = SessionParameters.defaults();
  private TextKeys offered = TextKeys.EMPTY;
  private Step step;
  private int expStatSn;
  private int rounds;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  /**
   * @param what the login for messages, e.g. {@code iSCSI login to iqn... at 127.0.0.1:3260}
   */
  LoginExchange(String what, DriveUri.Iscsi config, SecureRandom random) {
    this.what = what;
    this.config = config;
    this.policy = policy(config.digest());
    // ISID type 10b, "random" (section 11.12.5): 0x80 and 40 random bits.
    this.isid = 0x80_0000_0000_00L | (random.nextLong() & 0xFF_FFFF_FFFFL);
    this.ourChallenge =
        config.targetChap().isPresent()
            ? Optional.of(Chap.Challenge.random(random))
            : Optional.empty();
    this.cmdSn = random.nextInt() & 0x7FFF_FFFF;
  }

  /** What this initiator offers: bursts of up to 1 MiB, unsolicited data, ErrorRecoveryLevel 0. */
  static Negotiation.Policy policy(DriveUri.Digest digest) {
    List<String> digests = List.of(digest.offer().split(","));
    return new Negotiation.Policy(
        digests,
        digests,
        List.of(Chap.AUTH_METHOD),
        1,
        false,
        true,
        MAX_RECV_DATA_SEGMENT_LENGTH,
        1 << 20,
        262144,
        2,
        0,
        1,
        true,
        true,
        0);
  }

  long isid() {
    return isid;
  }

  LoginRequest first() {
    TextKeys names =
        TextKeys.of(
            "InitiatorName",
            INITIATOR_NAME,
            "TargetName",
            config.targetName(),
            "SessionType",
            "Normal");
    if (config.chap().isPresent()) {
      step = Step.AUTH_METHOD;
      TextKeys keys = names.with(TextKeys.of("AuthMethod", Chap.AUTH_METHOD));
      offered = keys;
      return request(false, Stage.SECURITY_NEGOTIATION, Stage.LOGIN_OPERATIONAL_NEGOTIATION, keys);
    }
    step = Step.OPERATIONAL;
    TextKeys operational = Negotiation.operationalOffer(policy);
    offered = names.with(operational);
    return request(true, Stage.LOGIN_OPERATIONAL_NEGOTIATION, Stage.FULL_FEATURE_PHASE, offered);
  }

  /**
   * Takes a Login Response.
   *
   * @return the next Login Request, or the {@link Result} once the target moves to the full feature
   *     phase
   */
  Object next(LoginResponse response) throws LoginFailedException {
    if (response.statusClass() != 0) {
      // Checked first: tgt does not echo the ISID in a refusal.
      throw failed(status(response.statusClass(), response.statusDetail()));
    }
    if (response.isid() != isid || response.initiatorTaskTag() != LOGIN_TAG) {
      throw failed("the target answered another login (ISID or Initiator Task Tag differ)");
    }
    if (response.versionActive() != 0) {
      throw failed("the target speaks iSCSI version " + response.versionActive() + ", not 0");
    }
    expStatSn = response.statSn() + 1;
    Stage current = stageOf(step);
    if (response.currentStage() != current) {
      throw failed(
          "the target answered in stage " + response.currentStage() + " instead of " + current);
    }
    if (partial.size() + response.data().length() > MAXIMUM_LOGIN_TEXT) {
      throw failed("the target's login text is longer than " + MAXIMUM_LOGIN_TEXT + " bytes");
    }
    partial.writeBytes(response.data().toByteArray());
    if (response.continues()) {
      // Section 6.3: an empty request asks for the rest of the text.
      return request(false, current, response.nextStage(), TextKeys.EMPTY);
    }
    TextKeys keys;
    try {
      keys = TextKeys.parse(partial.toByteArray(), MAXIMUM_LOGIN_TEXT);
    } catch (TextException e) {
      throw failed("the target's login text is malformed: " + e.getMessage());
    } finally {
      partial.reset();
    }
    return switch (step) {
      case AUTH_METHOD -> afterAuthMethod(response, keys);
      case CHAP_ALGORITHM -> afterChallenge(response, keys);
      case CHAP_RESPONSE -> afterChapResponse(response, keys);
      case OPERATIONAL -> afterOperational(response, keys);
    };
  }

  private Object afterAuthMethod(LoginResponse response, TextKeys keys)
      throws LoginFailedException {
    String method = keys.get("AuthMethod").orElse("");
    if (!method.equals(Chap.AUTH_METHOD) || response.transit()) {
      throw failed(
          "the target would not authenticate with CHAP (AuthMethod="
              + (method.isEmpty() ? "unanswered" : method)
              + (response.transit() ? ", and moved on without it" : "")
              + ")");
    }
    accept(keys);
    step = Step.CHAP_ALGORITHM;
    return request(
        false,
        Stage.SECURITY_NEGOTIATION,
        Stage.LOGIN_OPERATIONAL_NEGOTIATION,
        Chap.initiatorAlgorithms());
  }

  private Object afterChallenge(LoginResponse response, TextKeys keys) throws LoginFailedException {
    if (response.transit()) {
      throw failed("the target moved on without a CHAP challenge");
    }
    TextKeys answer;
    try {
      answer = Chap.initiatorResponse(keys, config.chap().orElseThrow(), ourChallenge);
    } catch (ChapException e) {
      throw failed(chapProblem(e));
    }
    step = Step.CHAP_RESPONSE;
    return request(true, Stage.SECURITY_NEGOTIATION, Stage.LOGIN_OPERATIONAL_NEGOTIATION, answer);
  }

  private Object afterChapResponse(LoginResponse response, TextKeys keys)
      throws LoginFailedException {
    if (config.targetChap().isPresent()) {
      if (keys.get(Chap.CHAP_N).isEmpty() || keys.get(Chap.CHAP_R).isEmpty()) {
        throw failed(
            "the target did not authenticate itself (mutual CHAP was asked; no CHAP_N/CHAP_R)");
      }
      try {
        Chap.verifyTarget(
            keys,
            ourChallenge.orElseThrow(),
            config.targetChap().get(),
            config.chap().orElseThrow().secret());
      } catch (ChapException e) {
        throw failed("the target failed mutual CHAP: " + chapProblem(e));
      }
    }
    if (!response.transit()) {
      throw failed("the target did not end the security stage after CHAP");
    }
    if (response.nextStage() == Stage.FULL_FEATURE_PHASE) {
      // Allowed (section 6.3); the operational keys all keep their defaults then.
      return result(response);
    }
    step = Step.OPERATIONAL;
    offered = Negotiation.operationalOffer(policy);
    return request(true, Stage.LOGIN_OPERATIONAL_NEGOTIATION, Stage.FULL_FEATURE_PHASE, offered);
  }

  private Object afterOperational(LoginResponse response, TextKeys keys)
      throws LoginFailedException {
    accept(keys);
    if (response.transit() && response.nextStage() == Stage.FULL_FEATURE_PHASE) {
      return result(response);
    }
    if (++rounds > MAXIMUM_ROUNDS) {
      throw failed(
          "the target did not end operational negotiation in " + MAXIMUM_ROUNDS + " rounds");
    }
    return request(
        true, Stage.LOGIN_OPERATIONAL_NEGOTIATION, Stage.FULL_FEATURE_PHASE, TextKeys.EMPTY);
  }

  private void accept(TextKeys keys) throws LoginFailedException {
    try {
      parameters = Negotiation.accept(Sender.INITIATOR, parameters, offered, keys);
    } catch (NegotiationException e) {
      throw failed("the target's answer is not admissible: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw failed("the target's answers do not fit together: " + e.getMessage());
    }
  }

  private Result result(LoginResponse response) throws LoginFailedException {
    if (response.tsih() == 0) {
      throw failed("the target's last Login Response has no TSIH");
    }
    return new Result(
        parameters,
        response.tsih(),
        cmdSn,
        response.statSn(),
        response.expCmdSn(),
        response.maxCmdSn());
  }

  private LoginRequest request(boolean transit, Stage current, Stage next, TextKeys keys) {
    return new LoginRequest(
        transit,
        false,
        current,
        next,
        0,
        0,
        isid,
        0,
        LOGIN_TAG,
        0,
        cmdSn,
        expStatSn,
        DataSegment.of(keys.encode()));
  }

  private static Stage stageOf(Step step) {
    return step == Step.OPERATIONAL
        ? Stage.LOGIN_OPERATIONAL_NEGOTIATION
        : Stage.SECURITY_NEGOTIATION;
  }

  private LoginFailedException failed(String reason) {
    return new LoginFailedException(what + " failed: " + reason);
  }

  private static String chapProblem(ChapException e) {
    return switch (e.kind()) {
      case REFLECTED_CHALLENGE ->
          "the target sent back our own challenge (a reflection attack), refused";
      case WRONG_RESPONSE -> "the target's CHAP response does not match its secret";
      case UNKNOWN_NAME -> "the target answered with another CHAP name";
      default -> e.getMessage();
    };
  }

  /**
   * The login status as section 11.13.5 names it, with its code, e.g. {@code target not found
   * (0203)}.
   */
  static String status(int statusClass, int statusDetail) {
    String code = String.format("%02X%02X", statusClass, statusDetail);
    LoginStatus status;
    try {
      status = LoginStatus.of(statusClass, statusDetail);
    } catch (IllegalArgumentException e) {
      return "undefined login status (" + code + ")";
    }
    String text =
        switch (status) {
          case NOT_FOUND -> "target not found";
          case TARGET_MOVED_TEMPORARILY, TARGET_MOVED_PERMANENTLY ->
              "target moved (redirection is not followed)";
          default -> status.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        };
    return text + " (" + code + ")";
  }
}
