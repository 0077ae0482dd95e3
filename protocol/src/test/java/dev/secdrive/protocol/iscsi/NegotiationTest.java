package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.iscsi.Negotiation.Policy;
import dev.secdrive.protocol.iscsi.Negotiation.Result;
import dev.secdrive.protocol.iscsi.NegotiationException.Kind;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NegotiationTest {

  private static final SessionParameters DEFAULTS = SessionParameters.defaults();
  private static final Stage OPERATIONAL = Stage.LOGIN_OPERATIONAL_NEGOTIATION;
  private static final Stage SECURITY = Stage.SECURITY_NEGOTIATION;

  /** libiscsi 1.19's operational offer to tgt (CaptureTest, initiator PDU 3). */
  private static final TextKeys LIBISCSI_OFFER =
      text(
          "HeaderDigest=None,CRC32C\0DataDigest=None\0InitialR2T=No\0ImmediateData=Yes\0"
              + "MaxBurstLength=262144\0FirstBurstLength=262144\0DefaultTime2Wait=2\0"
              + "DefaultTime2Retain=0\0MaxOutstandingR2T=1\0ErrorRecoveryLevel=0\0IFMarker=No\0"
              + "OFMarker=No\0MaxConnections=1\0MaxRecvDataSegmentLength=262144\0"
              + "DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0");

  /** tgt 1.0.85's answer to it with its default settings (captured without CRC32C required). */
  private static final TextKeys TGT_ANSWER =
      text(
          "HeaderDigest=None\0DataDigest=None\0InitialR2T=Yes\0ImmediateData=Yes\0"
              + "MaxBurstLength=262144\0FirstBurstLength=65536\0DefaultTime2Wait=2\0"
              + "DefaultTime2Retain=0\0MaxOutstandingR2T=1\0ErrorRecoveryLevel=0\0IFMarker=No\0"
              + "OFMarker=No\0MaxConnections=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0");

  private static TextKeys text(String text) {
    try {
      return TextKeys.parse(text.getBytes(StandardCharsets.UTF_8), 8192);
    } catch (TextException e) {
      throw new AssertionError(e);
    }
  }

  private static Result respond(Policy policy, Stage stage, String keys) throws Exception {
    return Negotiation.respond(policy, Sender.TARGET, stage, DEFAULTS, text(keys));
  }

  private static NegotiationException refused(Stage stage, String keys) {
    return assertThrows(NegotiationException.class, () -> respond(Policy.defaults(), stage, keys));
  }

  @Test
  void answersLibiscsisOfferAsTgtDidAndDeclaresItsOwnLength() throws Exception {
    Result result =
        Negotiation.respond(
            Policy.defaults(), Sender.TARGET, OPERATIONAL, DEFAULTS, LIBISCSI_OFFER);
    assertEquals(TGT_ANSWER.with(TextKeys.of("MaxRecvDataSegmentLength", "8192")), result.answer());
    SessionParameters p = result.parameters();
    assertTrue(p.initialR2T(), "InitialR2T is OR: our Yes wins");
    assertTrue(p.immediateData());
    assertEquals(65536, p.firstBurstLength(), "FirstBurstLength is the minimum");
    assertEquals(0, p.defaultTime2Retain(), "DefaultTime2Retain is the minimum");
    assertEquals(262144, p.initiatorMaxRecvDataSegmentLength(), "declared by libiscsi");
    assertEquals(8192, p.targetMaxRecvDataSegmentLength(), "declared by us");
    assertFalse(p.headerDigest());
  }

  @Test
  void acceptsTgtsAnswerAsTheInitiator() throws Exception {
    SessionParameters p =
        Negotiation.accept(Sender.INITIATOR, DEFAULTS, LIBISCSI_OFFER, TGT_ANSWER);
    assertTrue(p.initialR2T());
    assertEquals(65536, p.firstBurstLength());
    assertEquals(262144, p.initiatorMaxRecvDataSegmentLength(), "our own declaration");
    assertEquals(8192, p.targetMaxRecvDataSegmentLength(), "tgt declared none: the default");
    assertEquals(DEFAULTS.maxBurstLength(), p.maxBurstLength());
  }

  @Test
  void theOfferOfAnInitiatorWithThisPolicyIsAnsweredByThisPolicy() throws Exception {
    Policy policy =
        Policy.defaults().withDigests(List.of("CRC32C", "None"), List.of("CRC32C", "None"));
    TextKeys offer = Negotiation.operationalOffer(policy);
    Result answer = Negotiation.respond(policy, Sender.TARGET, OPERATIONAL, DEFAULTS, offer);
    SessionParameters initiator =
        Negotiation.accept(Sender.INITIATOR, DEFAULTS, offer, answer.answer());
    assertTrue(initiator.headerDigest() && initiator.dataDigest());
    assertEquals(answer.parameters(), initiator, "both ends end with the same parameters");
  }

  @Test
  void aListAnswerIsTheFirstOfferedValueWeSupport() throws Exception {
    Policy both = Policy.defaults().withDigests(List.of("None", "CRC32C"), List.of("None"));
    Result crc = respond(both, OPERATIONAL, "HeaderDigest=CRC32C,None\0");
    assertEquals("CRC32C", crc.answer().get("HeaderDigest").orElseThrow());
    assertTrue(crc.parameters().headerDigest());
    Result none = respond(Policy.defaults(), OPERATIONAL, "HeaderDigest=CRC32C,None\0");
    assertEquals("None", none.answer().get("HeaderDigest").orElseThrow());
    Result reject = respond(Policy.defaults(), OPERATIONAL, "DataDigest=CRC32C\0");
    assertEquals(TextKeys.REJECT, reject.answer().get("DataDigest").orElseThrow());
    assertFalse(reject.parameters().dataDigest());
  }

  @Test
  void authMethodIsAListOfTheSecurityStage() throws Exception {
    Policy chap = Policy.defaults().withAuthMethods(List.of("CHAP"));
    Result result = respond(chap, SECURITY, "AuthMethod=None,CHAP\0");
    assertEquals("CHAP", result.answer().get("AuthMethod").orElseThrow());
    assertEquals("CHAP", result.parameters().authMethod());
    assertEquals(
        TextKeys.REJECT,
        respond(chap, SECURITY, "AuthMethod=None\0").answer().get("AuthMethod").orElseThrow());
    assertEquals(Kind.WRONG_STAGE, refused(OPERATIONAL, "AuthMethod=None\0").kind());
  }

  @Test
  void chapKeysAreHandedToChap() throws Exception {
    Result result = respond(Policy.defaults(), SECURITY, "CHAP_A=5\0");
    assertEquals(TextKeys.of("CHAP_A", "5"), result.authentication());
    assertTrue(result.answer().isEmpty());
    assertEquals(Kind.WRONG_STAGE, refused(OPERATIONAL, "CHAP_A=5\0").kind());
  }

  @Test
  void numericalKeysTakeTheMinimumOrMaximum() throws Exception {
    Result result =
        respond(
            Policy.defaults(),
            OPERATIONAL,
            "MaxBurstLength=0x200\0DefaultTime2Wait=0\0DefaultTime2Retain=3600\0"
                + "ErrorRecoveryLevel=2\0MaxOutstandingR2T=8\0");
    assertEquals("512", result.answer().get("MaxBurstLength").orElseThrow(), "hex offer");
    assertEquals("2", result.answer().get("DefaultTime2Wait").orElseThrow(), "maximum");
    assertEquals("20", result.answer().get("DefaultTime2Retain").orElseThrow(), "minimum");
    assertEquals("0", result.answer().get("ErrorRecoveryLevel").orElseThrow());
    assertEquals("1", result.answer().get("MaxOutstandingR2T").orElseThrow());
    // MaxBurstLength fell to 512, so FirstBurstLength follows it (section 13.14).
    assertEquals(512, result.parameters().firstBurstLength());
  }

  @Test
  void firstBurstLengthFollowsALoweredMaxBurstLengthInTheAnswer() throws Exception {
    Result result =
        respond(Policy.defaults(), OPERATIONAL, "MaxBurstLength=4096\0FirstBurstLength=65536\0");
    assertEquals("4096", result.answer().get("FirstBurstLength").orElseThrow());
    assertEquals(4096, result.parameters().firstBurstLength());
  }

  @Test
  void valuesAtTheEdgesOfTheirRangesAreTakenAndBeyondThemRefused() throws Exception {
    respond(Policy.defaults(), OPERATIONAL, "MaxBurstLength=512\0");
    respond(Policy.defaults(), OPERATIONAL, "MaxRecvDataSegmentLength=16777215\0");
    respond(Policy.defaults(), OPERATIONAL, "DefaultTime2Wait=3600\0");
    for (String bad :
        List.of(
            "MaxBurstLength=511\0",
            "FirstBurstLength=16777216\0",
            "MaxRecvDataSegmentLength=511\0",
            "MaxRecvDataSegmentLength=16777216\0",
            "DefaultTime2Wait=3601\0",
            "ErrorRecoveryLevel=3\0",
            "MaxConnections=0\0",
            "MaxOutstandingR2T=65536\0")) {
      NegotiationException e = refused(OPERATIONAL, bad);
      assertEquals(Kind.OUT_OF_RANGE, e.kind(), bad);
      assertEquals(bad.substring(0, bad.indexOf('=')), e.key());
      assertEquals(LoginStatus.INITIATOR_ERROR, e.loginStatus());
    }
  }

  @Test
  void malformedValuesAreRefused() {
    for (String bad :
        List.of(
            "MaxBurstLength=lots\0",
            "MaxBurstLength=-1\0",
            "InitialR2T=yes\0",
            "HeaderDigest=None,,CRC32C\0",
            "SessionType=Secret\0",
            "MaxBurstLength=Reject\0")) {
      assertEquals(Kind.MALFORMED, refused(OPERATIONAL, bad).kind(), bad);
    }
  }

  @Test
  void booleansCombineWithOrAndAnd() throws Exception {
    Policy eager =
        new Policy(
            List.of("None"),
            List.of("None"),
            List.of("None"),
            1,
            false,
            false,
            8192,
            262144,
            65536,
            2,
            20,
            1,
            false,
            true,
            0);
    Result result =
        respond(eager, OPERATIONAL, "InitialR2T=No\0ImmediateData=Yes\0DataPDUInOrder=Yes\0");
    assertEquals("No", result.answer().get("InitialR2T").orElseThrow(), "No OR No");
    assertEquals("No", result.answer().get("ImmediateData").orElseThrow(), "Yes AND No");
    assertEquals("Yes", result.answer().get("DataPDUInOrder").orElseThrow(), "Yes OR No");
    assertFalse(result.parameters().initialR2T());
    assertFalse(result.parameters().immediateData());
  }

  @Test
  void unknownKeysAreNotUnderstoodAndMarkersAreOff() throws Exception {
    Result result =
        respond(
            Policy.defaults(),
            OPERATIONAL,
            "X-com.example.Feature=1\0IFMarker=Yes\0OFMarkInt=2048\0Unheard=1\0");
    assertEquals(
        TextKeys.of(
            "X-com.example.Feature",
            TextKeys.NOT_UNDERSTOOD,
            "IFMarker",
            "No",
            "OFMarkInt",
            TextKeys.IRRELEVANT,
            "Unheard",
            TextKeys.NOT_UNDERSTOOD),
        result.answer());
  }

  @Test
  void sessionKeysAreIrrelevantInADiscoverySession() throws Exception {
    Result result =
        respond(
            Policy.defaults(),
            OPERATIONAL,
            "SessionType=Discovery\0MaxBurstLength=4096\0InitialR2T=No\0HeaderDigest=None\0");
    assertEquals(TextKeys.IRRELEVANT, result.answer().get("MaxBurstLength").orElseThrow());
    assertEquals(TextKeys.IRRELEVANT, result.answer().get("InitialR2T").orElseThrow());
    assertEquals("None", result.answer().get("HeaderDigest").orElseThrow());
    assertEquals(SessionType.DISCOVERY, result.parameters().sessionType());
    assertEquals(DEFAULTS.maxBurstLength(), result.parameters().maxBurstLength());
  }

  @Test
  void declarationsAreRecordedNotAnswered() throws Exception {
    Result result =
        respond(
            Policy.defaults(),
            SECURITY,
            "InitiatorName=iqn.2026-12.dev.secdrive:host\0InitiatorAlias=bench\0"
                + "TargetName=iqn.2026-12.dev.secdrive:drive\0SessionType=Normal\0");
    assertTrue(result.answer().isEmpty());
    assertEquals("iqn.2026-12.dev.secdrive:host", result.parameters().initiatorName());
    assertEquals("bench", result.parameters().initiatorAlias());
    assertEquals("iqn.2026-12.dev.secdrive:drive", result.parameters().targetName());
  }

  @Test
  void aKeyFromTheWrongEndIsRefused() {
    assertEquals(Kind.WRONG_SENDER, refused(SECURITY, "TargetAlias=mine\0").kind());
    assertEquals(Kind.WRONG_SENDER, refused(SECURITY, "TargetPortalGroupTag=1\0").kind());
    assertThrows(
        NegotiationException.class,
        () ->
            Negotiation.respond(
                Policy.defaults(),
                Sender.INITIATOR,
                SECURITY,
                DEFAULTS,
                TextKeys.of("InitiatorName", "iqn.x")));
  }

  @Test
  void sendTargetsOnlyInTheFullFeaturePhase() throws Exception {
    Result result = respond(Policy.defaults(), Stage.FULL_FEATURE_PHASE, "SendTargets=All\0");
    assertEquals("All", result.sendTargets().orElseThrow());
    assertEquals(Kind.WRONG_STAGE, refused(OPERATIONAL, "SendTargets=All\0").kind());
    assertEquals(
        Kind.WRONG_STAGE, refused(Stage.FULL_FEATURE_PHASE, "MaxBurstLength=512\0").kind());
  }

  @Test
  void theFirstLoginRequestNamesItsInitiatorAndTarget() throws Exception {
    Negotiation.checkLeading(
        TextKeys.of("InitiatorName", "iqn.a", "TargetName", "iqn.b", "SessionType", "Normal"));
    Negotiation.checkLeading(TextKeys.of("InitiatorName", "iqn.a", "SessionType", "Discovery"));
    NegotiationException noTarget =
        assertThrows(
            NegotiationException.class,
            () -> Negotiation.checkLeading(TextKeys.of("InitiatorName", "iqn.a")));
    assertEquals("TargetName", noTarget.key());
    assertEquals(LoginStatus.MISSING_PARAMETER, noTarget.loginStatus());
    assertEquals(
        "InitiatorName",
        assertThrows(
                NegotiationException.class,
                () -> Negotiation.checkLeading(TextKeys.of("TargetName", "iqn.b")))
            .key());
  }

  @Test
  void anInitiatorRefusesAnswersItsOfferDoesNotAdmit() {
    TextKeys offer =
        TextKeys.of(
            "HeaderDigest",
            "None",
            "MaxBurstLength",
            "65536",
            "DefaultTime2Wait",
            "2",
            "InitialR2T",
            "Yes",
            "ImmediateData",
            "No");
    for (TextKeys answer :
        List.of(
            TextKeys.of("HeaderDigest", "CRC32C"),
            TextKeys.of("MaxBurstLength", "262144"),
            TextKeys.of("DefaultTime2Wait", "1"),
            TextKeys.of("InitialR2T", "No"),
            TextKeys.of("ImmediateData", "Yes"))) {
      NegotiationException e =
          assertThrows(
              NegotiationException.class,
              () -> Negotiation.accept(Sender.INITIATOR, DEFAULTS, offer, answer));
      assertEquals(Kind.INADMISSIBLE_ANSWER, e.kind(), answer.toString());
    }
    assertEquals(
        Kind.UNEXPECTED_KEY,
        assertThrows(
                NegotiationException.class,
                () ->
                    Negotiation.accept(
                        Sender.INITIATOR, DEFAULTS, offer, TextKeys.of("MaxConnections", "1")))
            .kind());
  }

  @Test
  void anInitiatorKeepsDefaultsForKeysNotUnderstoodAndTakesTargetDeclarations() throws Exception {
    TextKeys offer = TextKeys.of("MaxBurstLength", "65536", "InitialR2T", "Yes");
    SessionParameters p =
        Negotiation.accept(
            Sender.INITIATOR,
            DEFAULTS,
            offer,
            TextKeys.of(
                "MaxBurstLength", TextKeys.NOT_UNDERSTOOD,
                "TargetPortalGroupTag", "1",
                "TargetAlias", "drive",
                "MaxRecvDataSegmentLength", "65536"));
    assertEquals(DEFAULTS.maxBurstLength(), p.maxBurstLength());
    assertTrue(p.initialR2T(), "InitialR2T=Yes needs no answer: OR with Yes is Yes");
    assertEquals(1, p.targetPortalGroupTag());
    assertEquals("drive", p.targetAlias());
    assertEquals(65536, p.targetMaxRecvDataSegmentLength());
  }

  @Test
  void theParametersGiveTheCodecSettings() throws Exception {
    SessionParameters p =
        Negotiation.respond(Policy.defaults(), Sender.TARGET, OPERATIONAL, DEFAULTS, LIBISCSI_OFFER)
            .parameters();
    assertEquals(
        new PduCodec.Settings(Sender.INITIATOR, 8192, false, false), p.receiving(Sender.INITIATOR));
    assertEquals(
        new PduCodec.Settings(Sender.TARGET, 262144, false, false), p.sending(Sender.TARGET));
  }

  @Test
  void policiesRefuseWhatTheyCannotOffer() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Policy.defaults().withDigests(List.of("MD5"), List.of("None")));
    assertThrows(
        IllegalArgumentException.class, () -> Policy.defaults().withAuthMethods(List.of("SRP")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Policy(
                List.of("None"),
                List.of("None"),
                List.of("None"),
                1,
                true,
                true,
                8192,
                4096,
                8192,
                2,
                20,
                1,
                true,
                true,
                0));
  }

  @Test
  void aJoiningConnectionNamesItsInitiatorAndNegotiatesNoSessionKey() throws Exception {
    Negotiation.checkNonLeading(
        TextKeys.of(
            "InitiatorName",
            "iqn.2026-12.x:y",
            "TargetName",
            "iqn.2026-12.x:t",
            "SessionType",
            "Normal",
            "HeaderDigest",
            "CRC32C"),
        true);
    NegotiationException noTarget =
        assertThrows(
            NegotiationException.class,
            () ->
                Negotiation.checkNonLeading(TextKeys.of("InitiatorName", "iqn.2026-12.x:y"), true));
    assertEquals("TargetName", noTarget.key());
    Negotiation.checkNonLeading(TextKeys.of("DataDigest", "None"), false);
    NegotiationException missing =
        assertThrows(
            NegotiationException.class,
            () -> Negotiation.checkNonLeading(TextKeys.of("HeaderDigest", "None"), true));
    assertEquals(LoginStatus.MISSING_PARAMETER, missing.loginStatus());
    for (String key :
        List.of("MaxConnections", "InitialR2T", "MaxBurstLength", "ErrorRecoveryLevel")) {
      NegotiationException e =
          assertThrows(
              NegotiationException.class,
              () -> Negotiation.checkNonLeading(TextKeys.of(key, "1"), false));
      assertEquals(Kind.LEADING_ONLY, e.kind());
      assertEquals(key, e.key());
      assertEquals(LoginStatus.INITIATOR_ERROR, e.loginStatus());
    }
    assertThrows(
        NegotiationException.class,
        () -> Negotiation.checkNonLeading(TextKeys.of("SessionType", "Discovery"), false));
  }

  @Test
  void aNewConnectionKeepsTheSessionsValuesAndStartsItsOwnFromTheDefaults() {
    SessionParameters d = SessionParameters.defaults();
    SessionParameters session =
        new SessionParameters(
            SessionType.NORMAL,
            "iqn.2026-12.x:y",
            "",
            "iqn.2026-12.x:t",
            "",
            1,
            "CHAP",
            true,
            true,
            4,
            false,
            true,
            65536,
            32768,
            1 << 20,
            262144,
            2,
            0,
            1,
            true,
            true,
            0);
    SessionParameters joining = session.forNewConnection();
    assertFalse(joining.headerDigest());
    assertFalse(joining.dataDigest());
    assertEquals(d.authMethod(), joining.authMethod());
    assertEquals(
        d.initiatorMaxRecvDataSegmentLength(), joining.initiatorMaxRecvDataSegmentLength());
    assertEquals(d.targetMaxRecvDataSegmentLength(), joining.targetMaxRecvDataSegmentLength());
    assertEquals(4, joining.maxConnections());
    assertEquals(1 << 20, joining.maxBurstLength());
    assertFalse(joining.initialR2T());
    assertEquals("iqn.2026-12.x:y", joining.initiatorName());
  }
}
