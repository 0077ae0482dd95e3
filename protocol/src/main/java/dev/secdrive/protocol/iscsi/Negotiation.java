package dev.secdrive.protocol.iscsi;

import dev.secdrive.protocol.iscsi.NegotiationException.Kind;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Login and text negotiation (RFC 7143 sections 6.2 and 13) as pure functions: what this end offers
 * or allows ({@link Policy}), the parameters so far and the other end's keys in, the keys to answer
 * with and the parameters that result out.
 *
 * <p>The key types of section 13: a list (the responder picks the first offered value it supports),
 * a numerical minimum or maximum (the lower or higher of offer and limit), a Boolean OR or AND, and
 * declarations (each end states its own value, nothing is answered). A key this end does not know
 * is answered {@code NotUnderstood}; a key with no meaning in a discovery session {@code
 * Irrelevant}; a list with nothing in common {@code Reject}. An offer outside a key's range, or of
 * the wrong shape, is an error, not an answer: the login ends.
 *
 * <p>IFMarker and OFMarker (RFC 3720 markers, dropped by RFC 7143) are answered {@code No}, as tgt
 * answers libiscsi, which still offers them; IFMarkInt and OFMarkInt {@code Irrelevant}.
 */
public final class Negotiation {

  private Negotiation() {}

  /** How a key's result follows from offer and answer (RFC 7143 section 6.2). */
  public enum Type {
    LIST,
    MINIMUM,
    MAXIMUM,
    OR,
    AND,
    DECLARATIVE
  }

  /** Where a key may appear. */
  enum Scope {
    /** Security negotiation stage only. */
    SECURITY,
    /** Either login stage. */
    LOGIN,
    /** Login, and Text Requests in the full feature phase. */
    ANYWHERE
  }

  /** The keys of section 13 this negotiation knows. */
  public enum Key {
    HEADER_DIGEST("HeaderDigest", Type.LIST, null, 0, 0, false, Scope.LOGIN),
    DATA_DIGEST("DataDigest", Type.LIST, null, 0, 0, false, Scope.LOGIN),
    MAX_CONNECTIONS("MaxConnections", Type.MINIMUM, null, 1, 65535, true, Scope.LOGIN),
    SEND_TARGETS("SendTargets", Type.DECLARATIVE, Sender.INITIATOR, 0, 0, false, Scope.ANYWHERE),
    TARGET_NAME("TargetName", Type.DECLARATIVE, null, 0, 0, false, Scope.ANYWHERE),
    INITIATOR_NAME("InitiatorName", Type.DECLARATIVE, Sender.INITIATOR, 0, 0, false, Scope.LOGIN),
    TARGET_ALIAS("TargetAlias", Type.DECLARATIVE, Sender.TARGET, 0, 0, false, Scope.ANYWHERE),
    INITIATOR_ALIAS("InitiatorAlias", Type.DECLARATIVE, Sender.INITIATOR, 0, 0, false, Scope.LOGIN),
    TARGET_ADDRESS("TargetAddress", Type.DECLARATIVE, Sender.TARGET, 0, 0, false, Scope.ANYWHERE),
    TARGET_PORTAL_GROUP_TAG(
        "TargetPortalGroupTag", Type.DECLARATIVE, Sender.TARGET, 0, 65535, false, Scope.LOGIN),
    INITIAL_R2T("InitialR2T", Type.OR, null, 0, 0, true, Scope.LOGIN),
    IMMEDIATE_DATA("ImmediateData", Type.AND, null, 0, 0, true, Scope.LOGIN),
    MAX_RECV_DATA_SEGMENT_LENGTH(
        "MaxRecvDataSegmentLength", Type.DECLARATIVE, null, 512, 16777215, false, Scope.ANYWHERE),
    MAX_BURST_LENGTH("MaxBurstLength", Type.MINIMUM, null, 512, 16777215, true, Scope.LOGIN),
    FIRST_BURST_LENGTH("FirstBurstLength", Type.MINIMUM, null, 512, 16777215, true, Scope.LOGIN),
    DEFAULT_TIME_2_WAIT("DefaultTime2Wait", Type.MAXIMUM, null, 0, 3600, false, Scope.LOGIN),
    DEFAULT_TIME_2_RETAIN("DefaultTime2Retain", Type.MINIMUM, null, 0, 3600, false, Scope.LOGIN),
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Type.MINIMUM, null, 1, 65535, true, Scope.LOGIN),
    DATA_PDU_IN_ORDER("DataPDUInOrder", Type.OR, null, 0, 0, true, Scope.LOGIN),
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Type.OR, null, 0, 0, true, Scope.LOGIN),
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Type.MINIMUM, null, 0, 2, false, Scope.LOGIN),
    SESSION_TYPE("SessionType", Type.DECLARATIVE, Sender.INITIATOR, 0, 0, false, Scope.LOGIN),
    AUTH_METHOD("AuthMethod", Type.LIST, null, 0, 0, false, Scope.SECURITY),
    IF_MARKER("IFMarker", Type.AND, null, 0, 0, false, Scope.LOGIN),
    OF_MARKER("OFMarker", Type.AND, null, 0, 0, false, Scope.LOGIN);

    private final String text;
    private final Type type;
    private final Sender sender;
    private final long minimum;
    private final long maximum;
    private final boolean irrelevantInDiscovery;
    private final Scope scope;

    Key(
        String text,
        Type type,
        Sender sender,
        long minimum,
        long maximum,
        boolean irrelevantInDiscovery,
        Scope scope) {
      this.text = text;
      this.type = type;
      this.sender = sender;
      this.minimum = minimum;
      this.maximum = maximum;
      this.irrelevantInDiscovery = irrelevantInDiscovery;
      this.scope = scope;
    }

    /** The key's name on the wire. */
    public String text() {
      return text;
    }

    public Type type() {
      return type;
    }

    /** The key with this name, if known. */
    public static Optional<Key> named(String text) {
      return Arrays.stream(values()).filter(k -> k.text.equals(text)).findFirst();
    }
  }

  /** Keys whose answer is always {@code Irrelevant}: the marker intervals of RFC 3720. */
  private static final List<String> ALWAYS_IRRELEVANT = List.of("IFMarkInt", "OFMarkInt");

  /**
   * What this end offers (as the originator) or accepts (as the responder): list values in order of
   * preference, limits for the numerical keys, this end's Boolean values.
   */
  public record Policy(
      List<String> headerDigests,
      List<String> dataDigests,
      List<String> authMethods,
      int maxConnections,
      boolean initialR2T,
      boolean immediateData,
      int maxRecvDataSegmentLength,
      int maxBurstLength,
      int firstBurstLength,
      int defaultTime2Wait,
      int defaultTime2Retain,
      int maxOutstandingR2T,
      boolean dataPduInOrder,
      boolean dataSequenceInOrder,
      int errorRecoveryLevel) {

    public static final String NONE = "None";
    public static final String CRC32C = "CRC32C";

    public Policy {
      headerDigests = List.copyOf(headerDigests);
      dataDigests = List.copyOf(dataDigests);
      authMethods = List.copyOf(authMethods);
      for (List<String> digests : List.of(headerDigests, dataDigests)) {
        if (digests.isEmpty() || !List.of(NONE, CRC32C).containsAll(digests)) {
          throw new IllegalArgumentException("digests are None and CRC32C: " + digests);
        }
      }
      if (authMethods.isEmpty() || !List.of(NONE, Chap.AUTH_METHOD).containsAll(authMethods)) {
        throw new IllegalArgumentException("auth methods are None and CHAP: " + authMethods);
      }
      check(Key.MAX_CONNECTIONS, maxConnections);
      check(Key.MAX_RECV_DATA_SEGMENT_LENGTH, maxRecvDataSegmentLength);
      check(Key.MAX_BURST_LENGTH, maxBurstLength);
      check(Key.FIRST_BURST_LENGTH, firstBurstLength);
      check(Key.DEFAULT_TIME_2_WAIT, defaultTime2Wait);
      check(Key.DEFAULT_TIME_2_RETAIN, defaultTime2Retain);
      check(Key.MAX_OUTSTANDING_R2T, maxOutstandingR2T);
      check(Key.ERROR_RECOVERY_LEVEL, errorRecoveryLevel);
      if (firstBurstLength > maxBurstLength) {
        throw new IllegalArgumentException("FirstBurstLength above MaxBurstLength");
      }
    }

    private static void check(Key key, long value) {
      if (value < key.minimum || value > key.maximum) {
        throw new IllegalArgumentException(
            key.text + " out of range " + key.minimum + ".." + key.maximum + ": " + value);
      }
    }

    /**
     * The RFC 7143 defaults with no digests and no authentication: what a responder with this
     * policy answers leaves every key at its default unless the offer is lower.
     */
    public static Policy defaults() {
      return new Policy(
          List.of(NONE),
          List.of(NONE),
          List.of(NONE),
          1,
          true,
          true,
          8192,
          262144,
          65536,
          2,
          20,
          1,
          true,
          true,
          0);
    }

    public Policy withDigests(List<String> header, List<String> data) {
      return new Policy(
          header,
          data,
          authMethods,
          maxConnections,
          initialR2T,
          immediateData,
          maxRecvDataSegmentLength,
          maxBurstLength,
          firstBurstLength,
          defaultTime2Wait,
          defaultTime2Retain,
          maxOutstandingR2T,
          dataPduInOrder,
          dataSequenceInOrder,
          errorRecoveryLevel);
    }

    public Policy withAuthMethods(List<String> methods) {
      return new Policy(
          headerDigests,
          dataDigests,
          methods,
          maxConnections,
          initialR2T,
          immediateData,
          maxRecvDataSegmentLength,
          maxBurstLength,
          firstBurstLength,
          defaultTime2Wait,
          defaultTime2Retain,
          maxOutstandingR2T,
          dataPduInOrder,
          dataSequenceInOrder,
          errorRecoveryLevel);
    }
  }

  /**
   * The outcome of one step.
   *
   * @param answer the keys to send back, in the order the offer had them
   * @param parameters the parameters after this step
   * @param authentication the CHAP keys of the offer, for {@link Chap}
   * @param sendTargets the value of a SendTargets request, for the caller to answer
   */
  public record Result(
      TextKeys answer,
      SessionParameters parameters,
      TextKeys authentication,
      Optional<String> sendTargets) {
    public Result {
      Objects.requireNonNull(answer, "answer");
      Objects.requireNonNull(parameters, "parameters");
      Objects.requireNonNull(authentication, "authentication");
      Objects.requireNonNull(sendTargets, "sendTargets");
    }
  }

  // ------------------------------------------------------------------ responder

  /**
   * Answers the keys the other end sent.
   *
   * @param us which end this is (normally the target answering an initiator)
   * @param stage the login stage the keys came in, or {@link Stage#FULL_FEATURE_PHASE} for a Text
   *     Request
   * @throws NegotiationException for a value out of range or malformed, a key the sender may not
   *     send, or one out of its stage
   */
  public static Result respond(
      Policy ours, Sender us, Stage stage, SessionParameters current, TextKeys theirs)
      throws NegotiationException {
    Builder result = new Builder(current);
    List<TextKeys.Pair> answer = new ArrayList<>();
    List<TextKeys.Pair> authentication = new ArrayList<>();
    Optional<String> sendTargets = Optional.empty();
    boolean declareLength = false;
    boolean discovery =
        theirs
            .get(Key.SESSION_TYPE.text)
            .map(SessionType.DISCOVERY.text()::equals)
            .orElse(current.sessionType() == SessionType.DISCOVERY);
    Sender them = us == Sender.TARGET ? Sender.INITIATOR : Sender.TARGET;
    for (Map.Entry<String, String> pair : theirs.asMap().entrySet()) {
      String name = pair.getKey();
      String value = pair.getValue();
      if (name.startsWith("CHAP_")) {
        if (stage != Stage.SECURITY_NEGOTIATION) {
          throw new NegotiationException(Kind.WRONG_STAGE, name, "CHAP outside security stage");
        }
        authentication.add(new TextKeys.Pair(name, value));
        continue;
      }
      if (ALWAYS_IRRELEVANT.contains(name)) {
        answer.add(new TextKeys.Pair(name, TextKeys.IRRELEVANT));
        continue;
      }
      Optional<Key> known = Key.named(name);
      if (known.isEmpty()) {
        answer.add(new TextKeys.Pair(name, TextKeys.NOT_UNDERSTOOD));
        continue;
      }
      Key key = known.get();
      if (isAnswerWord(value)) {
        throw new NegotiationException(Kind.MALFORMED, name, value + " is an answer, not an offer");
      }
      if (key.sender != null && key.sender != them) {
        throw new NegotiationException(
            Kind.WRONG_SENDER,
            name,
            "sent by the " + them.name().toLowerCase(java.util.Locale.ROOT));
      }
      checkScope(key, stage);
      if (discovery && key.irrelevantInDiscovery) {
        answer.add(new TextKeys.Pair(name, TextKeys.IRRELEVANT));
        continue;
      }
      switch (key.type) {
        case LIST -> {
          List<String> offered = list(key, value);
          List<String> supported = supported(ours, key);
          Optional<String> chosen = offered.stream().filter(supported::contains).findFirst();
          answer.add(new TextKeys.Pair(name, chosen.orElse(TextKeys.REJECT)));
          chosen.ifPresent(v -> result.setList(key, v));
        }
        case MINIMUM, MAXIMUM -> {
          long offer = number(key, value);
          long limit = limit(ours, key);
          long chosen = key.type == Type.MINIMUM ? Math.min(offer, limit) : Math.max(offer, limit);
          answer.add(new TextKeys.Pair(name, Long.toString(chosen)));
          result.setNumber(key, (int) chosen);
        }
        case OR, AND -> {
          boolean offer = bool(key, value);
          boolean mine = bool(ours, key);
          boolean chosen = key.type == Type.OR ? offer || mine : offer && mine;
          answer.add(new TextKeys.Pair(name, chosen ? "Yes" : "No"));
          result.setBool(key, chosen);
        }
        case DECLARATIVE -> {
          if (key == Key.SEND_TARGETS) {
            if (stage != Stage.FULL_FEATURE_PHASE) {
              throw new NegotiationException(Kind.WRONG_STAGE, name, "only in a Text Request");
            }
            sendTargets = Optional.of(value);
          } else {
            result.declare(key, value, them);
            declareLength |= key == Key.MAX_RECV_DATA_SEGMENT_LENGTH;
          }
        }
      }
    }
    // FirstBurstLength never exceeds MaxBurstLength (section 13.14), whichever was lowered.
    if (result.firstBurstLength > result.maxBurstLength) {
      result.firstBurstLength = result.maxBurstLength;
      for (int i = 0; i < answer.size(); i++) {
        if (answer.get(i).key().equals(Key.FIRST_BURST_LENGTH.text)) {
          answer.set(
              i,
              new TextKeys.Pair(
                  Key.FIRST_BURST_LENGTH.text, Integer.toString(result.maxBurstLength)));
        }
      }
    }
    if (declareLength && theirs.get(Key.MAX_RECV_DATA_SEGMENT_LENGTH.text).isPresent()) {
      answer.add(
          new TextKeys.Pair(
              Key.MAX_RECV_DATA_SEGMENT_LENGTH.text,
              Integer.toString(ours.maxRecvDataSegmentLength())));
      result.setOwnLength(us, ours.maxRecvDataSegmentLength());
    }
    return new Result(
        TextKeys.of(answer), result.build(), TextKeys.of(authentication), sendTargets);
  }

  /**
   * Checks the keys the first Login Request of a session must carry (section 13.5/13.6):
   * InitiatorName always, TargetName unless SessionType=Discovery.
   */
  public static void checkLeading(TextKeys first) throws NegotiationException {
    if (first.get(Key.INITIATOR_NAME.text).isEmpty()) {
      throw new NegotiationException(
          Kind.MISSING, Key.INITIATOR_NAME.text, "the first Login Request names its initiator");
    }
    boolean discovery =
        first.get(Key.SESSION_TYPE.text).map(SessionType.DISCOVERY.text()::equals).orElse(false);
    if (!discovery && first.get(Key.TARGET_NAME.text).isEmpty()) {
      throw new NegotiationException(
          Kind.MISSING, Key.TARGET_NAME.text, "a normal session names its target");
    }
  }

  /**
   * The keys section 13 marks LO (leading only): they set what the whole session shares, so only
   * the leading connection's login negotiates them.
   */
  private static final Set<Key> LEADING_ONLY =
      EnumSet.of(
          Key.MAX_CONNECTIONS,
          Key.INITIAL_R2T,
          Key.IMMEDIATE_DATA,
          Key.MAX_BURST_LENGTH,
          Key.FIRST_BURST_LENGTH,
          Key.DEFAULT_TIME_2_WAIT,
          Key.DEFAULT_TIME_2_RETAIN,
          Key.MAX_OUTSTANDING_R2T,
          Key.DATA_PDU_IN_ORDER,
          Key.DATA_SEQUENCE_IN_ORDER,
          Key.ERROR_RECOVERY_LEVEL,
          Key.SESSION_TYPE);

  /**
   * Checks the keys of a Login Request on a connection that joins an existing session (a non-zero
   * TSIH, section 6.3.3): it still names its initiator and target (sections 13.4, 13.5), and it
   * negotiates nothing the session has settled, so a leading-only key is refused;
   * SessionType=Normal, which only restates what the session is, is let through.
   */
  public static void checkNonLeading(TextKeys keys, boolean first) throws NegotiationException {
    if (first && keys.get(Key.INITIATOR_NAME.text).isEmpty()) {
      throw new NegotiationException(
          Kind.MISSING,
          Key.INITIATOR_NAME.text,
          "every connection's first Login Request names its initiator");
    }
    if (first && keys.get(Key.TARGET_NAME.text).isEmpty()) {
      throw new NegotiationException(
          Kind.MISSING,
          Key.TARGET_NAME.text,
          "every connection of a normal session names its target (section 13.4)");
    }
    for (Map.Entry<String, String> pair : keys.asMap().entrySet()) {
      Optional<Key> key = Key.named(pair.getKey());
      if (key.isEmpty() || !LEADING_ONLY.contains(key.get())) {
        continue;
      }
      if (key.get() == Key.SESSION_TYPE && SessionType.NORMAL.text().equals(pair.getValue())) {
        continue;
      }
      throw new NegotiationException(
          Kind.LEADING_ONLY,
          pair.getKey(),
          "a session-wide key, negotiated by the session's leading connection only");
    }
  }

  // ------------------------------------------------------------------ originator

  /** The operational keys an initiator with this policy offers, in section 13's order. */
  public static TextKeys operationalOffer(Policy ours) {
    return TextKeys.of(
        Key.HEADER_DIGEST.text,
        String.join(",", ours.headerDigests()),
        Key.DATA_DIGEST.text,
        String.join(",", ours.dataDigests()),
        Key.MAX_CONNECTIONS.text,
        Integer.toString(ours.maxConnections()),
        Key.INITIAL_R2T.text,
        yesNo(ours.initialR2T()),
        Key.IMMEDIATE_DATA.text,
        yesNo(ours.immediateData()),
        Key.MAX_RECV_DATA_SEGMENT_LENGTH.text,
        Integer.toString(ours.maxRecvDataSegmentLength()),
        Key.MAX_BURST_LENGTH.text,
        Integer.toString(ours.maxBurstLength()),
        Key.FIRST_BURST_LENGTH.text,
        Integer.toString(ours.firstBurstLength()),
        Key.DEFAULT_TIME_2_WAIT.text,
        Integer.toString(ours.defaultTime2Wait()),
        Key.DEFAULT_TIME_2_RETAIN.text,
        Integer.toString(ours.defaultTime2Retain()),
        Key.MAX_OUTSTANDING_R2T.text,
        Integer.toString(ours.maxOutstandingR2T()),
        Key.DATA_PDU_IN_ORDER.text,
        yesNo(ours.dataPduInOrder()),
        Key.DATA_SEQUENCE_IN_ORDER.text,
        yesNo(ours.dataSequenceInOrder()),
        Key.ERROR_RECOVERY_LEVEL.text,
        Integer.toString(ours.errorRecoveryLevel()));
  }

  /**
   * Applies the other end's answers to the keys this end offered and checks that each answer is one
   * the offer admits (section 6.2): a listed value, a minimum no higher than the offer, a maximum
   * no lower, the Boolean the function gives. Declarations the answer carries (the target's
   * MaxRecvDataSegmentLength, TargetPortalGroupTag, TargetAlias) are recorded.
   */
  public static SessionParameters accept(
      Sender us, SessionParameters current, TextKeys offered, TextKeys answers)
      throws NegotiationException {
    Builder result = new Builder(current);
    Sender them = us == Sender.TARGET ? Sender.INITIATOR : Sender.TARGET;
    for (Map.Entry<String, String> pair : answers.asMap().entrySet()) {
      String name = pair.getKey();
      String value = pair.getValue();
      if (name.startsWith("CHAP_")) {
        continue; // Chap checks these
      }
      Optional<Key> known = Key.named(name);
      Optional<String> offer = offered.get(name);
      if (known.isPresent() && known.get().type == Type.DECLARATIVE) {
        Key key = known.get();
        if (key.sender != null && key.sender != them) {
          throw new NegotiationException(Kind.WRONG_SENDER, name, "declared by the wrong end");
        }
        result.declare(key, value, them);
        continue;
      }
      if (offer.isEmpty()) {
        throw new NegotiationException(Kind.UNEXPECTED_KEY, name, "answered but never offered");
      }
      if (value.equals(TextKeys.NOT_UNDERSTOOD)
          || value.equals(TextKeys.IRRELEVANT)
          || value.equals(TextKeys.REJECT)
          || known.isEmpty()) {
        continue; // the key keeps its default
      }
      Key key = known.get();
      switch (key.type) {
        case LIST -> {
          if (!list(key, offer.get()).contains(value)) {
            throw new NegotiationException(
                Kind.INADMISSIBLE_ANSWER, name, value + " was not offered");
          }
          result.setList(key, value);
        }
        case MINIMUM, MAXIMUM -> {
          long answer = number(key, value);
          long mine = number(key, offer.get());
          if (key.type == Type.MINIMUM ? answer > mine : answer < mine) {
            throw new NegotiationException(
                Kind.INADMISSIBLE_ANSWER,
                name,
                value + (key.type == Type.MINIMUM ? " above" : " below") + " the offer " + mine);
          }
          result.setNumber(key, (int) answer);
        }
        case OR, AND -> {
          boolean answer = bool(key, value);
          boolean mine = bool(key, offer.get());
          boolean expected = key.type == Type.OR ? mine || answer : mine && answer;
          if (answer != expected) {
            throw new NegotiationException(
                Kind.INADMISSIBLE_ANSWER,
                name,
                value + " is not the " + key.type + " of the offer");
          }
          result.setBool(key, answer);
        }
        case DECLARATIVE -> throw new IllegalStateException("handled above");
      }
    }
    // Boolean offers whose result the function fixes may go unanswered (section 6.2.1).
    for (Map.Entry<String, String> pair : offered.asMap().entrySet()) {
      Optional<Key> key = Key.named(pair.getKey());
      if (key.isPresent() && answers.get(pair.getKey()).isEmpty()) {
        Type type = key.get().type;
        String offer = pair.getValue();
        if ((type == Type.OR && offer.equals("Yes")) || (type == Type.AND && offer.equals("No"))) {
          result.setBool(key.get(), type == Type.OR);
        }
      }
    }
    if (offered.get(Key.MAX_RECV_DATA_SEGMENT_LENGTH.text).isPresent()) {
      result.setOwnLength(
          us,
          (int)
              number(
                  Key.MAX_RECV_DATA_SEGMENT_LENGTH,
                  offered.get(Key.MAX_RECV_DATA_SEGMENT_LENGTH.text).get()));
    }
    if (result.firstBurstLength > result.maxBurstLength) {
      throw new NegotiationException(
          Kind.INADMISSIBLE_ANSWER, Key.FIRST_BURST_LENGTH.text, "above MaxBurstLength");
    }
    return result.build();
  }

  // ------------------------------------------------------------------ values

  private static boolean isAnswerWord(String value) {
    return value.equals(TextKeys.NOT_UNDERSTOOD)
        || value.equals(TextKeys.IRRELEVANT)
        || value.equals(TextKeys.REJECT);
  }

  private static void checkScope(Key key, Stage stage) throws NegotiationException {
    boolean allowed =
        switch (key.scope) {
          case SECURITY -> stage == Stage.SECURITY_NEGOTIATION;
          case LOGIN -> stage != Stage.FULL_FEATURE_PHASE;
          case ANYWHERE -> true;
        };
    if (!allowed) {
      throw new NegotiationException(Kind.WRONG_STAGE, key.text, "not allowed in " + stage);
    }
  }

  private static List<String> list(Key key, String value) throws NegotiationException {
    List<String> values = List.of(value.split(",", -1));
    for (String v : values) {
      if (v.isEmpty()) {
        throw new NegotiationException(Kind.MALFORMED, key.text, "an empty list element");
      }
    }
    return values;
  }

  private static List<String> supported(Policy ours, Key key) {
    return switch (key) {
      case HEADER_DIGEST -> ours.headerDigests();
      case DATA_DIGEST -> ours.dataDigests();
      case AUTH_METHOD -> ours.authMethods();
      default -> throw new IllegalStateException("not a list key: " + key);
    };
  }

  /** A numerical value: decimal, or hex after 0x (section 5.1), within the key's range. */
  static long number(Key key, String value) throws NegotiationException {
    long number;
    try {
      if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
        number = Long.parseLong(value.substring(2), 16);
      } else if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
        number = Long.parseLong(value);
      } else {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new NegotiationException(Kind.MALFORMED, key.text, "not a number: " + value);
    }
    if (number < key.minimum || number > key.maximum) {
      throw new NegotiationException(
          Kind.OUT_OF_RANGE,
          key.text,
          value + " outside " + key.minimum + ".." + key.maximum + " (section 13)");
    }
    return number;
  }

  private static boolean bool(Key key, String value) throws NegotiationException {
    return switch (value) {
      case "Yes" -> true;
      case "No" -> false;
      default ->
          throw new NegotiationException(Kind.MALFORMED, key.text, "not Yes or No: " + value);
    };
  }

  private static long limit(Policy ours, Key key) {
    return switch (key) {
      case MAX_CONNECTIONS -> ours.maxConnections();
      case MAX_BURST_LENGTH -> ours.maxBurstLength();
      case FIRST_BURST_LENGTH -> ours.firstBurstLength();
      case DEFAULT_TIME_2_WAIT -> ours.defaultTime2Wait();
      case DEFAULT_TIME_2_RETAIN -> ours.defaultTime2Retain();
      case MAX_OUTSTANDING_R2T -> ours.maxOutstandingR2T();
      case ERROR_RECOVERY_LEVEL -> ours.errorRecoveryLevel();
      default -> throw new IllegalStateException("not a numerical key: " + key);
    };
  }

  private static boolean bool(Policy ours, Key key) {
    return switch (key) {
      case INITIAL_R2T -> ours.initialR2T();
      case IMMEDIATE_DATA -> ours.immediateData();
      case DATA_PDU_IN_ORDER -> ours.dataPduInOrder();
      case DATA_SEQUENCE_IN_ORDER -> ours.dataSequenceInOrder();
      case IF_MARKER, OF_MARKER -> false;
      default -> throw new IllegalStateException("not a Boolean key: " + key);
    };
  }

  private static String yesNo(boolean value) {
    return value ? "Yes" : "No";
  }

  /** The parameters being built, field for field those of {@link SessionParameters}. */
  private static final class Builder {
    SessionType sessionType;
    String initiatorName;
    String initiatorAlias;
    String targetName;
    String targetAlias;
    int targetPortalGroupTag;
    String authMethod;
    boolean headerDigest;
    boolean dataDigest;
    int maxConnections;
    boolean initialR2T;
    boolean immediateData;
    int initiatorLength;
    int targetLength;
    int maxBurstLength;
    int firstBurstLength;
    int defaultTime2Wait;
    int defaultTime2Retain;
    int maxOutstandingR2T;
    boolean dataPduInOrder;
    boolean dataSequenceInOrder;
    int errorRecoveryLevel;

    Builder(SessionParameters p) {
      sessionType = p.sessionType();
      initiatorName = p.initiatorName();
      initiatorAlias = p.initiatorAlias();
      targetName = p.targetName();
      targetAlias = p.targetAlias();
      targetPortalGroupTag = p.targetPortalGroupTag();
      authMethod = p.authMethod();
      headerDigest = p.headerDigest();
      dataDigest = p.dataDigest();
      maxConnections = p.maxConnections();
      initialR2T = p.initialR2T();
      immediateData = p.immediateData();
      initiatorLength = p.initiatorMaxRecvDataSegmentLength();
      targetLength = p.targetMaxRecvDataSegmentLength();
      maxBurstLength = p.maxBurstLength();
      firstBurstLength = p.firstBurstLength();
      defaultTime2Wait = p.defaultTime2Wait();
      defaultTime2Retain = p.defaultTime2Retain();
      maxOutstandingR2T = p.maxOutstandingR2T();
      dataPduInOrder = p.dataPduInOrder();
      dataSequenceInOrder = p.dataSequenceInOrder();
      errorRecoveryLevel = p.errorRecoveryLevel();
    }

    void setList(Key key, String value) {
      switch (key) {
        case HEADER_DIGEST -> headerDigest = value.equals(Policy.CRC32C);
        case DATA_DIGEST -> dataDigest = value.equals(Policy.CRC32C);
        case AUTH_METHOD -> authMethod = value;
        default -> throw new IllegalStateException("not a list key: " + key);
      }
    }

    void setNumber(Key key, int value) {
      switch (key) {
        case MAX_CONNECTIONS -> maxConnections = value;
        case MAX_BURST_LENGTH -> maxBurstLength = value;
        case FIRST_BURST_LENGTH -> firstBurstLength = value;
        case DEFAULT_TIME_2_WAIT -> defaultTime2Wait = value;
        case DEFAULT_TIME_2_RETAIN -> defaultTime2Retain = value;
        case MAX_OUTSTANDING_R2T -> maxOutstandingR2T = value;
        case ERROR_RECOVERY_LEVEL -> errorRecoveryLevel = value;
        default -> throw new IllegalStateException("not a numerical key: " + key);
      }
    }

    void setBool(Key key, boolean value) {
      switch (key) {
        case INITIAL_R2T -> initialR2T = value;
        case IMMEDIATE_DATA -> immediateData = value;
        case DATA_PDU_IN_ORDER -> dataPduInOrder = value;
        case DATA_SEQUENCE_IN_ORDER -> dataSequenceInOrder = value;
        case IF_MARKER, OF_MARKER -> {
          // always No: RFC 7143 has no markers
        }
        default -> throw new IllegalStateException("not a Boolean key: " + key);
      }
    }

    void setOwnLength(Sender us, int length) {
      if (us == Sender.TARGET) {
        targetLength = length;
      } else {
        initiatorLength = length;
      }
    }

    void declare(Key key, String value, Sender by) throws NegotiationException {
      if (value.isEmpty() && key != Key.TARGET_ALIAS && key != Key.INITIATOR_ALIAS) {
        throw new NegotiationException(Kind.MALFORMED, key.text, "an empty declaration");
      }
      switch (key) {
        case TARGET_NAME -> targetName = value;
        case INITIATOR_NAME -> initiatorName = value;
        case TARGET_ALIAS -> targetAlias = value;
        case INITIATOR_ALIAS -> initiatorAlias = value;
        case TARGET_ADDRESS -> {
          // a redirection or SendTargets answer: the caller reads it from the keys
        }
        case TARGET_PORTAL_GROUP_TAG -> targetPortalGroupTag = (int) number(key, value);
        case MAX_RECV_DATA_SEGMENT_LENGTH -> {
          int length = (int) number(key, value);
          if (by == Sender.INITIATOR) {
            initiatorLength = length;
          } else {
            targetLength = length;
          }
        }
        case SESSION_TYPE -> {
          if (value.equals(SessionType.DISCOVERY.text())) {
            sessionType = SessionType.DISCOVERY;
          } else if (value.equals(SessionType.NORMAL.text())) {
            sessionType = SessionType.NORMAL;
          } else {
            throw new NegotiationException(
                Kind.MALFORMED, key.text, "neither Discovery nor Normal: " + value);
          }
        }
        default -> throw new IllegalStateException("not a declarative key: " + key);
      }
    }

    SessionParameters build() {
      return new SessionParameters(
          sessionType,
          initiatorName,
          initiatorAlias,
          targetName,
          targetAlias,
          targetPortalGroupTag,
          authMethod,
          headerDigest,
          dataDigest,
          maxConnections,
          initialR2T,
          immediateData,
          initiatorLength,
          targetLength,
          maxBurstLength,
          firstBurstLength,
          defaultTime2Wait,
          defaultTime2Retain,
          maxOutstandingR2T,
          dataPduInOrder,
          dataSequenceInOrder,
          errorRecoveryLevel);
    }
  }
}
