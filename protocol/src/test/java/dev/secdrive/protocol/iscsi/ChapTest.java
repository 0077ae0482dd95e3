package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.iscsi.Chap.Challenge;
import dev.secdrive.protocol.iscsi.Chap.Credentials;
import dev.secdrive.protocol.iscsi.ChapException.Kind;
import dev.secdrive.protocol.testing.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors from a CHAP login both ways between libiscsi 1.19 (initiator {@code
 * secdrive-host}, secret {@code host-secret-16b}) and tgt 1.0.85 (target {@code secdrive-tgt},
 * secret {@code target-secret-16}), captured on the loopback (CaptureTest has the PDUs); the MD5
 * values were checked with Python's hashlib as well.
 */
class ChapTest {

  private static final byte[] TGT_CHALLENGE =
      Hex.parse(
          "20a95c905fa608eafc480cdea762b2292278bf5cd0460caf1c5c04da454032a0"
              + "f4f62b3a6f966e6e49dcee181406a9a578d7");
  private static final byte[] LIBISCSI_RESPONSE = Hex.parse("9293AD799FAF6DC3E58DA4AF08EA338D");
  private static final byte[] LIBISCSI_CHALLENGE =
      Hex.parse("6702760A33558800A1EDF1496A6987926A0B2B283A7E9898EF540D5AAFC3F616");
  private static final byte[] TGT_RESPONSE = Hex.parse("9bd350e6d27f108838fb1f49b42645fd");

  private static final Credentials HOST = Credentials.of("secdrive-host", "host-secret-16b");
  private static final Credentials TARGET = Credentials.of("secdrive-tgt", "target-secret-16");
  private static final Function<String, Optional<byte[]>> SECRETS =
      name -> Optional.ofNullable(Map.of(HOST.name(), HOST.secret()).get(name));

  @Test
  void theResponseIsMd5OfIdentifierSecretAndChallenge() {
    assertArrayEquals(LIBISCSI_RESPONSE, Chap.response(2, HOST.secret(), TGT_CHALLENGE));
    assertArrayEquals(TGT_RESPONSE, Chap.response(1, TARGET.secret(), LIBISCSI_CHALLENGE));
  }

  @Test
  void theTargetVerifiesLibiscsiAndAnswersAsTgtDid() throws Exception {
    Challenge sent = new Challenge(2, TGT_CHALLENGE);
    TextKeys fromLibiscsi =
        TextKeys.of(
            "CHAP_N", "secdrive-host",
            "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D",
            "CHAP_I", "1",
            "CHAP_C", "0x6702760A33558800A1EDF1496A6987926A0B2B283A7E9898EF540D5AAFC3F616");
    TextKeys answer = Chap.verifyInitiator(fromLibiscsi, sent, SECRETS, Optional.of(TARGET));
    assertEquals("secdrive-tgt", answer.get("CHAP_N").orElseThrow());
    assertArrayEquals(TGT_RESPONSE, Chap.binary("CHAP_R", answer.get("CHAP_R").orElseThrow()));
  }

  @Test
  void theInitiatorAnswersTgtsChallengeAsLibiscsiDid() throws Exception {
    TextKeys fromTgt =
        TextKeys.of(
            "CHAP_A", "5", "CHAP_I", "2", "CHAP_C", "0x" + Hex.format(TGT_CHALLENGE).toLowerCase());
    Challenge ours = new Challenge(1, LIBISCSI_CHALLENGE);
    TextKeys response = Chap.initiatorResponse(fromTgt, HOST, Optional.of(ours));
    assertEquals(
        TextKeys.of(
            "CHAP_N", "secdrive-host",
            "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D",
            "CHAP_I", "1",
            "CHAP_C", "0x6702760A33558800A1EDF1496A6987926A0B2B283A7E9898EF540D5AAFC3F616"),
        response,
        "byte for byte what libiscsi sent");
    Chap.verifyTarget(
        TextKeys.of("CHAP_N", "secdrive-tgt", "CHAP_R", "0x9bd350e6d27f108838fb1f49b42645fd"),
        ours,
        TARGET,
        HOST.secret());
  }

  @Test
  void aWholeMutualExchangeWithFreshChallenges() throws Exception {
    java.security.SecureRandom random = new java.security.SecureRandom();
    Challenge targets = Challenge.random(random);
    Challenge initiators = Challenge.random(random);
    assertEquals(Chap.CHALLENGE_LENGTH, targets.bytes().length);
    TextKeys challenge = Chap.targetChallenge(TextKeys.of("CHAP_A", "7,5"), targets);
    assertEquals("5", challenge.get("CHAP_A").orElseThrow());
    TextKeys response = Chap.initiatorResponse(challenge, HOST, Optional.of(initiators));
    TextKeys answer = Chap.verifyInitiator(response, targets, SECRETS, Optional.of(TARGET));
    Chap.verifyTarget(answer, initiators, TARGET, HOST.secret());
  }

  @Test
  void oneWayChapAnswersNothing() throws Exception {
    Challenge sent = new Challenge(2, TGT_CHALLENGE);
    TextKeys response =
        TextKeys.of("CHAP_N", "secdrive-host", "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D");
    assertTrue(Chap.verifyInitiator(response, sent, SECRETS, Optional.empty()).isEmpty());
  }

  @Test
  void binaryValuesInHexAndBase64() throws Exception {
    byte[] bytes = Hex.parse("00FF10");
    assertArrayEquals(bytes, Chap.binary("CHAP_C", "0x00ff10"));
    assertArrayEquals(bytes, Chap.binary("CHAP_C", "0X00FF10"));
    assertArrayEquals(Hex.parse("0F"), Chap.binary("CHAP_C", "0xF"), "odd digits: a leading zero");
    assertArrayEquals(bytes, Chap.binary("CHAP_C", Chap.base64(bytes)));
    assertEquals("0bAP8Q", Chap.base64(bytes));
    assertEquals("0x00FF10", Chap.hex(bytes));
    for (String bad : new String[] {"00FF", "0x", "0xZZ", "0b!!", "abc"}) {
      assertEquals(
          Kind.MALFORMED_VALUE,
          assertThrows(ChapException.class, () -> Chap.binary("CHAP_C", bad)).kind(),
          bad);
    }
  }

  @Test
  void theTargetTakesOnlyMd5() {
    ChapException e =
        assertThrows(
            ChapException.class,
            () ->
                Chap.targetChallenge(
                    TextKeys.of("CHAP_A", "6,7"), new Challenge(1, TGT_CHALLENGE)));
    assertEquals(Kind.UNSUPPORTED_ALGORITHM, e.kind());
  }

  @Test
  void aWrongResponseOrUnknownNameIsRefused() {
    Challenge sent = new Challenge(2, TGT_CHALLENGE);
    ChapException wrong =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyInitiator(
                    TextKeys.of(
                        "CHAP_N", "secdrive-host", "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338E"),
                    sent,
                    SECRETS,
                    Optional.empty()));
    assertEquals(Kind.WRONG_RESPONSE, wrong.kind());
    ChapException wrongIdentifier =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyInitiator(
                    TextKeys.of(
                        "CHAP_N", "secdrive-host", "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D"),
                    new Challenge(3, TGT_CHALLENGE),
                    SECRETS,
                    Optional.empty()));
    assertEquals(Kind.WRONG_RESPONSE, wrongIdentifier.kind());
    ChapException unknown =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyInitiator(
                    TextKeys.of(
                        "CHAP_N", "someone", "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D"),
                    sent,
                    SECRETS,
                    Optional.empty()));
    assertEquals(Kind.UNKNOWN_NAME, unknown.kind());
    ChapException missing =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyInitiator(
                    TextKeys.of("CHAP_N", "secdrive-host"), sent, SECRETS, Optional.empty()));
    assertEquals(Kind.MISSING_KEY, missing.kind());
    assertEquals("CHAP_R", missing.key());
  }

  @Test
  void aReflectedChallengeIsRefusedBeforeAnythingIsComputed() {
    Challenge sent = new Challenge(2, TGT_CHALLENGE);
    // The initiator answers correctly but sends the target's own challenge back: answering it would
    // hand the initiator the response that authenticates it to this target (RFC 7143 12.1.3).
    TextKeys reflecting =
        TextKeys.of(
            "CHAP_N", "secdrive-host",
            "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D",
            "CHAP_I", "2",
            "CHAP_C", Chap.hex(TGT_CHALLENGE));
    ChapException e =
        assertThrows(
            ChapException.class,
            () -> Chap.verifyInitiator(reflecting, sent, SECRETS, Optional.of(TARGET)));
    assertEquals(Kind.REFLECTED_CHALLENGE, e.kind());
    ChapException initiatorSide =
        assertThrows(
            ChapException.class,
            () ->
                Chap.initiatorResponse(
                    TextKeys.of("CHAP_A", "5", "CHAP_I", "2", "CHAP_C", Chap.hex(TGT_CHALLENGE)),
                    HOST,
                    Optional.of(new Challenge(9, TGT_CHALLENGE))));
    assertEquals(Kind.REFLECTED_CHALLENGE, initiatorSide.kind());
  }

  @Test
  void challengesShorterThan16BytesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Challenge(1, new byte[15]));
    ChapException e =
        assertThrows(
            ChapException.class,
            () ->
                Chap.initiatorResponse(
                    TextKeys.of("CHAP_A", "5", "CHAP_I", "2", "CHAP_C", Chap.hex(new byte[15])),
                    HOST,
                    Optional.empty()));
    assertEquals(Kind.CHALLENGE_TOO_SHORT, e.kind());
  }

  @Test
  void mutualChapNeedsATargetSecretThatDiffersFromTheInitiators() {
    Challenge sent = new Challenge(2, TGT_CHALLENGE);
    TextKeys mutual =
        TextKeys.of(
            "CHAP_N", "secdrive-host",
            "CHAP_R", "0x9293AD799FAF6DC3E58DA4AF08EA338D",
            "CHAP_I", "1",
            "CHAP_C", Chap.hex(LIBISCSI_CHALLENGE));
    assertEquals(
        Kind.MUTUAL_NOT_CONFIGURED,
        assertThrows(
                ChapException.class,
                () -> Chap.verifyInitiator(mutual, sent, SECRETS, Optional.empty()))
            .kind());
    Credentials sameSecret = Credentials.of("secdrive-tgt", "host-secret-16b");
    assertEquals(
        Kind.SAME_SECRET,
        assertThrows(
                ChapException.class,
                () -> Chap.verifyInitiator(mutual, sent, SECRETS, Optional.of(sameSecret)))
            .kind());
  }

  @Test
  void theInitiatorRefusesAWrongTargetAnswer() {
    Challenge ours = new Challenge(1, LIBISCSI_CHALLENGE);
    ChapException e =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyTarget(
                    TextKeys.of("CHAP_N", "secdrive-tgt", "CHAP_R", Chap.hex(LIBISCSI_RESPONSE)),
                    ours,
                    TARGET,
                    HOST.secret()));
    assertEquals(Kind.WRONG_RESPONSE, e.kind());
    ChapException impostor =
        assertThrows(
            ChapException.class,
            () ->
                Chap.verifyTarget(
                    TextKeys.of("CHAP_N", "other", "CHAP_R", Chap.hex(TGT_RESPONSE)),
                    ours,
                    TARGET,
                    HOST.secret()));
    assertEquals(Kind.UNKNOWN_NAME, impostor.kind());
  }

  @Test
  void credentialsHideTheSecret() {
    assertTrue(!HOST.toString().contains("host-secret"));
    assertArrayEquals("host-secret-16b".getBytes(StandardCharsets.UTF_8), HOST.secret());
  }
}
