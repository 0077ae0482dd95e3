package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.DriveUri;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextKeys;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The initiator's login as a state machine, against the Login Responses a rogue or broken target
 * sends: a reflected challenge, no answer to mutual CHAP, a target that will not use CHAP, a wrong
 * target response, and a good mutual exchange. The target side is computed with {@link Chap}.
 */
class LoginExchangeTest {

  private static final String WHAT = "iSCSI login to iqn.2026-12.dev.secdrive:t at h:3260";
  private static final Chap.Credentials HOST = Chap.Credentials.of("host", "host-secret-1234");
  private static final Chap.Credentials TARGET = Chap.Credentials.of("tgt", "target-secret-123");

  /** A random source that always gives the same bytes, so the test knows the challenge. */
  private static SecureRandom fixed() {
    return new SecureRandom() {
      private static final long serialVersionUID = 1L;

      @Override
      public void nextBytes(byte[] bytes) {
        Arrays.fill(bytes, (byte) 0x42);
      }

      @Override
      public int nextInt(int bound) {
        return 7;
      }
    };
  }

  private static LoginExchange mutual(SecureRandom random) {
    return new LoginExchange(
        WHAT,
        new DriveUri.Iscsi(
            "iqn.2026-12.dev.secdrive:t",
            Optional.of(HOST),
            Optional.of(TARGET),
            DriveUri.Digest.EITHER),
        random);
  }

  private static LoginResponse answer(
      LoginRequest request,
      boolean transit,
      Stage next,
      int statusClass,
      int detail,
      TextKeys keys) {
    return new LoginResponse(
        transit,
        false,
        request.currentStage(),
        transit ? next : request.nextStage(),
        0,
        0,
        request.isid(),
        transit && next == Stage.FULL_FEATURE_PHASE ? 5 : 0,
        request.initiatorTaskTag(),
        1,
        request.cmdSn(),
        request.cmdSn() + 8,
        statusClass,
        detail,
        DataSegment.of(keys.encode()));
  }

  private static TextKeys keys(LoginRequest request) throws Exception {
    return TextKeys.parse(request.data().toByteArray(), 8192);
  }

  /** Runs the login to the point where the target has its challenge answered. */
  private static LoginRequest upToChapResponse(LoginExchange login, byte[] targetChallenge)
      throws Exception {
    LoginRequest first = login.first();
    assertEquals("CHAP", keys(first).get("AuthMethod").orElseThrow());
    LoginRequest algorithms =
        (LoginRequest)
            login.next(answer(first, false, null, 0, 0, TextKeys.of("AuthMethod", "CHAP")));
    assertEquals("5", keys(algorithms).get("CHAP_A").orElseThrow());
    return (LoginRequest)
        login.next(
            answer(
                algorithms,
                false,
                null,
                0,
                0,
                TextKeys.of("CHAP_A", "5", "CHAP_I", "3", "CHAP_C", Chap.hex(targetChallenge))));
  }

  @Test
  void aReflectedChallengeIsRefused() throws Exception {
    LoginExchange login = mutual(fixed());
    byte[] ours = new byte[Chap.CHALLENGE_LENGTH];
    Arrays.fill(ours, (byte) 0x42); // the challenge this initiator is about to send
    LoginExchange.LoginFailedException e =
        assertThrows(LoginExchange.LoginFailedException.class, () -> upToChapResponse(login, ours));
    assertEquals(
        WHAT + " failed: the target sent back our own challenge (a reflection attack), refused",
        e.getMessage());
  }

  @Test
  void aTargetThatDoesNotAuthenticateItselfIsRefused() throws Exception {
    LoginExchange login = mutual(new SecureRandom());
    LoginRequest response = upToChapResponse(login, new byte[20]);
    assertTrue(keys(response).get("CHAP_C").isPresent(), "the initiator challenges the target");
    LoginExchange.LoginFailedException e =
        assertThrows(
            LoginExchange.LoginFailedException.class,
            () ->
                login.next(
                    answer(
                        response,
                        true,
                        Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                        0,
                        0,
                        TextKeys.EMPTY)));
    assertEquals(
        WHAT
            + " failed: the target did not authenticate itself (mutual CHAP was asked; no"
            + " CHAP_N/CHAP_R)",
        e.getMessage());
  }

  @Test
  void aWrongTargetResponseIsRefusedAndAGoodOneLogsIn() throws Exception {
    for (boolean good : new boolean[] {false, true}) {
      LoginExchange login = mutual(new SecureRandom());
      LoginRequest response = upToChapResponse(login, new byte[20]);
      TextKeys sent = keys(response);
      int identifier = Integer.parseInt(sent.get("CHAP_I").orElseThrow());
      byte[] challenge = Chap.binary("CHAP_C", sent.get("CHAP_C").orElseThrow());
      byte[] secret = good ? TARGET.secret() : "another-secret-12".getBytes();
      TextKeys proof =
          TextKeys.of(
              "CHAP_N", "tgt", "CHAP_R", Chap.hex(Chap.response(identifier, secret, challenge)));
      LoginResponse last = answer(response, true, Stage.LOGIN_OPERATIONAL_NEGOTIATION, 0, 0, proof);
      if (!good) {
        LoginExchange.LoginFailedException e =
            assertThrows(LoginExchange.LoginFailedException.class, () -> login.next(last));
        assertEquals(
            WHAT
                + " failed: the target failed mutual CHAP: the target's CHAP response does not"
                + " match its secret",
            e.getMessage());
        continue;
      }
      LoginRequest operational = (LoginRequest) login.next(last);
      assertEquals(Stage.LOGIN_OPERATIONAL_NEGOTIATION, operational.currentStage());
      assertEquals("None,CRC32C", keys(operational).get("HeaderDigest").orElseThrow());
      Object result =
          login.next(
              answer(
                  operational,
                  true,
                  Stage.FULL_FEATURE_PHASE,
                  0,
                  0,
                  TextKeys.of("HeaderDigest", "CRC32C", "MaxRecvDataSegmentLength", "65536")));
      LoginExchange.Result done = assertInstanceOf(LoginExchange.Result.class, result);
      assertTrue(done.parameters().headerDigest());
      assertEquals(65536, done.parameters().targetMaxRecvDataSegmentLength());
      assertEquals(5, done.tsih());
    }
  }

  @Test
  void aTargetThatWillNotUseChapAndRefusals() throws Exception {
    LoginExchange login = mutual(new SecureRandom());
    LoginRequest first = login.first();
    LoginExchange.LoginFailedException none =
        assertThrows(
            LoginExchange.LoginFailedException.class,
            () ->
                login.next(
                    answer(
                        first,
                        true,
                        Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                        0,
                        0,
                        TextKeys.of("AuthMethod", "None"))));
    assertEquals(
        WHAT
            + " failed: the target would not authenticate with CHAP (AuthMethod=None, and moved"
            + " on without it)",
        none.getMessage());
    LoginExchange other = mutual(new SecureRandom());
    LoginRequest again = other.first();
    LoginExchange.LoginFailedException notFound =
        assertThrows(
            LoginExchange.LoginFailedException.class,
            () -> other.next(answer(again, false, null, 2, 3, TextKeys.EMPTY)));
    assertEquals(WHAT + " failed: target not found (0203)", notFound.getMessage());
    assertEquals("authentication failure (0201)", LoginExchange.status(2, 1));
    assertEquals("out of resources (0302)", LoginExchange.status(3, 2));
    assertEquals("undefined login status (02FF)", LoginExchange.status(2, 0xFF));
  }
}
