package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.ChapException;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Negotiation;
import dev.secdrive.protocol.iscsi.NegotiationException;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.SessionType;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextException;
import dev.secdrive.protocol.iscsi.TextKeys;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The login phase of one connection (RFC 7143 section 6): each Login Request answered stage by
 * stage with {@link Negotiation}, the leading login's checks (section 6.3: TSIH, ISID, the target
 * name), and CHAP in the security stage (section 12.1.3), one-way or mutual. A login with a TSIH
 * adds a connection to that live session of the same initiator and ISID (section 6.3.3): it
 * negotiates only the connection's own keys, from the session's values, refuses leading-only keys,
 * and its responses carry the session's command window. Text the initiator continues across Login
 * Requests (the C bit, section 11.12.2) is collected, each part answered with an empty Login
 * Response, up to the text limit in all, and negotiated once it ends.
 *
 * <p>It decides; the connection sends. Not thread-safe: the connection's event loop only.
 */
final class LoginExchange {

  /** The target portal group every portal of the emulator belongs to. */
  static final int PORTAL_GROUP_TAG = 1;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The data a Login Response may carry: MaxRecvDataSegmentLength during login (13.12). */
  static final int LOGIN_RESPONSE_LIMIT =
      PduCodec.Settings.login(Opcode.Sender.TARGET).maxDataSegmentLength();

  /** What to do with a Login Request. */
  sealed interface Step permits Reply, Refused {}

  /**
   * Answer with {@code response}; {@code done} when it moves the connection to the full feature
   * phase (the connection then assigns the TSIH).
   */
  record Reply(LoginResponse response, boolean done) implements Step {}

  /** Answer with a Login Response of {@code status} and close (section 6.2). */
  record Refused(LoginStatus status, String problem) implements Step {}

  /** Enters a connection whose login completes into its session. */
  interface Admission {
    /**
     * The TSIH of the session the connection enters, with {@link #parameters()}, {@link #isid()},
     * {@link #cid()} and {@link #joining()} final by then.
     *
     * @throws Refusal when it cannot enter one
     */
    int admit() throws Refusal;
  }

  /** Why a completed login enters no session: the status to refuse it with. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final LoginStatus status;

    Refusal(LoginStatus status, String problem) {
      super(problem);
      this.status = status;
    }

    LoginStatus status() {
      return status;
    }
  }

  private final Portal portal;
  private final StatSn statSn;
  private CommandWindow window = new CommandWindow(); // the joined session's, when joining one
  private IscsiSession joining;
  private SessionParameters parameters = SessionParameters.defaults();
  private boolean first = true;
  private boolean statSnStarted;
  private int cid;
  private ByteArrayOutputStream partial; // text of Login Requests with the C bit, not yet ended
  private Stage partialStage;
  private long partialIsid;
  private long isid;
  private Chap.Challenge challenge;
  private boolean authenticated;

  /**
   * @param statSn the connection's status numbering, which login starts
   */
  LoginExchange(Portal portal, StatSn statSn) {
    this.portal = portal;
    this.statSn = statSn;
  }

  /** What login has negotiated so far. */
  SessionParameters parameters() {
    return parameters;
  }

  long isid() {
    return isid;
  }

  /** The connection's CID, as its first Login Request gave it. */
  int cid() {
    return cid;
  }

  /** The session this connection is added to, or {@code null} for a leading login. */
  IscsiSession joining() {
    return joining;
  }

  /** The command window a leading login started: the new session's. */
  CommandWindow window() {
    return window;
  }

  /** The next step for {@code request}; {@code admission} enters the connection when it is done. */
  Step step(LoginRequest request, Admission admission) {
    if (request.versionMin() > 0) {
      return new Refused(LoginStatus.UNSUPPORTED_VERSION, "Version-min " + request.versionMin());
    }
    if (!statSnStarted) {
      statSn.start(request.expStatSn());
      statSnStarted = true;
    }
    if (partial != null
        && (request.currentStage() != partialStage || request.isid() != partialIsid)) {
      return new Refused(
          LoginStatus.INITIATOR_ERROR, "the stage or the ISID changed inside continued text");
    }
    byte[] text = request.data().toByteArray();
    if (partial != null || request.continues()) {
      if (partial == null) {
        partial = new ByteArrayOutputStream();
        partialStage = request.currentStage();
        partialIsid = request.isid();
      }
      if (partial.size() + text.length > TextExchange.MAXIMUM_TEXT) {
        return new Refused(
            LoginStatus.INITIATOR_ERROR,
            "login text beyond " + TextExchange.MAXIMUM_TEXT + " bytes across PDUs (C bit)");
      }
      partial.write(text, 0, text.length);
      if (request.continues()) {
        // Section 11.12.2: the text goes on in the next Login Request; this one is answered
        // with an empty Login Response that neither transits nor continues.
        expect(request);
        return new Reply(
            response(request, false, request.currentStage(), 0, TextKeys.EMPTY), false);
      }
      text = partial.toByteArray();
      partial = null;
    }
    TextKeys keys;
    try {
      // one PDU's text is bounded by the decoder, continued text by MAXIMUM_TEXT above
      keys = TextKeys.parse(text, TextExchange.MAXIMUM_TEXT);
    } catch (TextException e) {
      return new Refused(LoginStatus.INITIATOR_ERROR, e.getMessage());
    }
    Negotiation.Result result;
    try {
      if (first) {
        isid = request.isid();
        cid = request.cid();
        if (request.tsih() == 0) {
          Negotiation.checkLeading(keys);
        } else {
          Optional<Refused> refused = join(request, keys);
          if (refused.isPresent()) {
            return refused.get();
          }
        }
      } else if (request.isid() != isid) {
        return new Refused(LoginStatus.INITIATOR_ERROR, "the ISID changed during login");
      } else if (request.cid() != cid) {
        return new Refused(LoginStatus.INITIATOR_ERROR, "the CID changed during login");
      } else if (request.tsih() != (joining == null ? 0 : joining.tsih())) {
        return new Refused(LoginStatus.INITIATOR_ERROR, "the TSIH changed during login");
      } else if (joining != null) {
        Negotiation.checkNonLeading(keys, false);
      }
      result =
          Negotiation.respond(
              portal.policy(), Opcode.Sender.TARGET, request.currentStage(), parameters, keys);
    } catch (NegotiationException e) {
      return new Refused(e.loginStatus(), e.getMessage());
    }
    SessionParameters next = result.parameters();
    if (next.sessionType() == SessionType.NORMAL
        && !next.targetName().equals(portal.targetName())) {
      return new Refused(LoginStatus.NOT_FOUND, "no target named " + next.targetName());
    }
    TextKeys chapAnswer = TextKeys.EMPTY;
    if (portal.initiatorChap().isEmpty()) {
      if (!result.authentication().isEmpty() || next.authMethod().equals(Chap.AUTH_METHOD)) {
        return new Refused(LoginStatus.AUTHENTICATION_FAILURE, "CHAP is not configured");
      }
    } else {
      try {
        chapAnswer = chap(request, result.authentication());
      } catch (ChapException e) {
        // The kind names what failed; CHAP values and secrets never reach the log.
        return new Refused(LoginStatus.AUTHENTICATION_FAILURE, "CHAP: " + e.getMessage());
      }
      if (!authenticated && request.currentStage() != Stage.SECURITY_NEGOTIATION) {
        // Section 12: a target that requires authentication does not skip the security stage.
        return new Refused(LoginStatus.AUTHENTICATION_FAILURE, "CHAP is required");
      }
    }
    boolean rejected =
        (request.currentStage() == Stage.SECURITY_NEGOTIATION
                && keys.get("AuthMethod").map(TextKeys.REJECT::equals).orElse(false))
            || result.answer().get("AuthMethod").map(TextKeys.REJECT::equals).orElse(false);
    if (rejected) {
      return new Refused(LoginStatus.AUTHENTICATION_FAILURE, "no AuthMethod in common");
    }
    TextKeys answer = result.answer().with(chapAnswer);
    if (first) {
      answer = answer.with(TextKeys.of("TargetPortalGroupTag", Integer.toString(PORTAL_GROUP_TAG)));
    }
    if (answer.encode().length > LOGIN_RESPONSE_LIMIT) {
      // Login Responses carry no C bit here: an answer beyond one PDU (thousands of keys to
      // answer NotUnderstood) is refused rather than sent in pieces.
      return new Refused(
          LoginStatus.INITIATOR_ERROR,
          "the answer to this login text exceeds " + LOGIN_RESPONSE_LIMIT + " bytes");
    }
    parameters = next;
    first = false;
    // With CHAP required, the security stage is left only once the initiator has answered.
    boolean transit = request.transit() && (portal.initiatorChap().isEmpty() || authenticated);
    expect(request);
    boolean done = transit && request.nextStage() == Stage.FULL_FEATURE_PHASE;
    int handle = 0;
    if (done) {
      try {
        handle = admission.admit();
      } catch (Refusal e) {
        return new Refused(e.status(), e.getMessage());
      }
    }
    return new Reply(
        response(
            request,
            transit,
            transit ? request.nextStage() : request.currentStage(),
            handle,
            answer),
        done);
  }

  /**
   * Section 11.12.6: a leading login's requests carry the session's first CmdSN; a joining
   * connection's carry the session's current one, and its responses the session's window.
   */
  private void expect(LoginRequest request) {
    if (joining == null) {
      window.expect(request.cmdSn());
    }
  }

  /**
   * The first Login Request of a connection that names a session by its TSIH (section 6.3.3): the
   * session must be live and this initiator's with this ISID, and have room for the connection.
   */
  private Optional<Refused> join(LoginRequest request, TextKeys keys) throws NegotiationException {
    Negotiation.checkNonLeading(keys, true);
    String name = keys.get("InitiatorName").orElseThrow();
    IscsiSession session = portal.sessions().get(request.tsih());
    if (session == null
        || session.isid() != request.isid()
        || !session.initiatorName().equals(name)) {
      return Optional.of(
          new Refused(
              LoginStatus.SESSION_DOES_NOT_EXIST,
              String.format(
                  "no session of %s with ISID 0x%012x and TSIH %d",
                  name, request.isid(), request.tsih())));
    }
    try {
      session.checkRoomFor(request.cid());
    } catch (Refusal e) {
      return Optional.of(new Refused(e.status(), e.getMessage()));
    }
    joining = session;
    window = session.window();
    parameters = session.parameters().forNewConnection();
    return Optional.empty();
  }

  private LoginResponse response(
      LoginRequest request, boolean transit, Stage next, int handle, TextKeys answer) {
    return new LoginResponse(
        transit,
        false,
        request.currentStage(),
        next,
        0,
        0,
        request.isid(),
        handle != 0 ? handle : request.tsih(), // section 11.13.4: the TSIH sent, until assigned
        request.initiatorTaskTag(),
        statSn.take(),
        window.expCmdSn(),
        window.maxCmdSn(),
        LoginStatus.SUCCESS.statusClass(),
        LoginStatus.SUCCESS.statusDetail(),
        answer.isEmpty() ? DataSegment.EMPTY : DataSegment.of(answer.encode()));
  }

  /** The Login Response that refuses {@code request} with {@code status}. */
  LoginResponse refusal(LoginRequest request, LoginStatus status) {
    return new LoginResponse(
        false,
        false,
        request.currentStage(),
        request.currentStage(),
        0,
        0,
        request.isid(),
        request.tsih(),
        request.initiatorTaskTag(),
        statSn.peek(),
        request.cmdSn(),
        request.cmdSn(),
        status.statusClass(),
        status.statusDetail(),
        DataSegment.EMPTY);
  }

  /**
   * One step of CHAP (section 12.1.3) in the security stage: the challenge for the initiator's
   * CHAP_A, then the check of its CHAP_N and CHAP_R. When the initiator adds CHAP_I and CHAP_C it
   * authenticates the target too: the target answers with its own CHAP_N and CHAP_R if it has a
   * secret configured, and refuses a challenge that reflects its own or an initiator secret equal
   * to its own (section 12.1.3's reflection rules, checked by {@link Chap#verifyInitiator}).
   */
  private TextKeys chap(LoginRequest request, TextKeys keys) throws ChapException {
    if (keys.isEmpty() || request.currentStage() != Stage.SECURITY_NEGOTIATION) {
      return TextKeys.EMPTY;
    }
    if (keys.get(Chap.CHAP_A).isPresent() && challenge == null && !authenticated) {
      challenge = Chap.Challenge.random(RANDOM);
      return Chap.targetChallenge(keys, challenge);
    }
    if (keys.get(Chap.CHAP_R).isPresent() && challenge != null && !authenticated) {
      Chap.Credentials credentials = portal.initiatorChap().get();
      TextKeys answer =
          Chap.verifyInitiator(
              keys,
              challenge,
              name ->
                  name.equals(credentials.name())
                      ? Optional.of(credentials.secret())
                      : Optional.empty(),
              portal.targetChap());
      authenticated = true;
      return answer;
    }
    throw new ChapException(
        ChapException.Kind.MISSING_KEY, null, "CHAP keys out of order: " + keys.asMap().keySet());
  }
}
