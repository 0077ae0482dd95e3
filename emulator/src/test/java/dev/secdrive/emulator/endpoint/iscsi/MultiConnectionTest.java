package dev.secdrive.emulator.endpoint.iscsi;

import static dev.secdrive.emulator.endpoint.iscsi.RawInitiator.LUN0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.LogoutReason;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TaskFunction;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.ScsiStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session of several connections (RFC 7143 sections 4.2.2, 6.3.3, 11.14): a second connection
 * joins with the session's TSIH and its own CID, shares the session's nexus and command window,
 * numbers its own StatSNs, gets commands to the drive in CmdSN order across connections, and ends
 * without ending the session. The two connections run on two event loops ({@link RawInitiator}
 * pumps both), as on a real portal.
 */
class MultiConnectionTest {

  private static final String INITIATOR = "iqn.2026-12.dev.secdrive:mcs";
  private static final long ISID = 0x4000_0000_0042L;
  private static final byte[] TEST_UNIT_READY = new byte[6];

  @TempDir Path media;

  private final ManualScheduler clock = new ManualScheduler();
  private Medium medium;
  private SessionTable sessions;
  private Portal portal;
  private RawInitiator a;
  private RawInitiator b;
  private int tsih;
  private int cmdSn = 1; // the session's, whichever connection a command goes on

  private Target target;

  @BeforeEach
  void start() throws Exception {
    DriveProfile profile = ProfileCatalog.builtIn().get("mo-640");
    MediumType type = profile.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "M", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    Firmware drive = new Firmware(0, profile, "DEV", TimingMode.FAST, clock::nanoTime);
    medium = store.open("M");
    drive.insert(medium);
    clock.advance(Duration.ofMinutes(1));
    sessions = new SessionTable();
    target = new Target(List.of(drive));
    portal = portal(Optional.empty());
    a = new RawInitiator(portal);
    a.moreKeys = TextKeys.of("MaxConnections", "2");
    LoginResponse leading = a.login(INITIATOR, ISID, 0);
    assertEquals(LoginStatus.SUCCESS, leading.status());
    assertEquals(
        "2",
        TextKeys.parse(leading.data().toByteArray(), 65536).get("MaxConnections").orElseThrow(),
        "the target takes the offer, up to its own four");
    tsih = leading.tsih();
    b = join(1);
    assertEquals(LoginStatus.SUCCESS, b.login(INITIATOR, ISID, tsih).status());
    a.peers(List.of(b));
    b.peers(List.of(a));
  }

  private Portal portal(Optional<Chap.Credentials> chap) {
    return new Portal(
        target,
        IscsiEndpoint.DEFAULT_TARGET_NAME,
        chap.isPresent()
            ? IscsiEndpoint.POLICY.withAuthMethods(List.of("CHAP"))
            : IscsiEndpoint.POLICY,
        1 << 20,
        null,
        chap,
        Optional.empty(),
        sessions,
        false,
        Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    a.channel.finishAndReleaseAll();
    b.channel.finishAndReleaseAll();
    medium.close();
  }

  /** A connection to log in with {@code cid}, its Login Requests carrying the session's CmdSN. */
  private RawInitiator join(int cid) {
    RawInitiator joining = new RawInitiator(portal);
    joining.cid = cid;
    joining.cmdSn = cmdSn;
    return joining;
  }

  /** A command on {@code on} with the session's next CmdSN. */
  private ScsiCommand command(RawInitiator on, int itt, byte[] cdb, boolean read, long length) {
    on.cmdSn = cmdSn++;
    return on.command(itt, cdb, read, length);
  }

  private ScsiCommand write(RawInitiator on, int itt, int lba, byte[] block) {
    return new ScsiCommand(
        false,
        true,
        false,
        true,
        TaskAttribute.SIMPLE,
        LUN0,
        itt,
        block.length,
        cmdSn++,
        on.expStatSn,
        DataSegment.of(new Write10(lba, 1).encode()),
        ScsiCommand.NO_BIDIRECTIONAL,
        DataSegment.of(block));
  }

  private static NopOut ping(RawInitiator on, int itt) {
    return new NopOut(
        true, 0L, itt, IscsiPdu.RESERVED_TAG, on.cmdSn, on.expStatSn, DataSegment.EMPTY);
  }

  private LogoutRequest logout(RawInitiator on, LogoutReason reason, int cid) {
    return new LogoutRequest(true, reason, 0x5000, cid, cmdSn, on.expStatSn);
  }

  private static byte[] block(int fill) {
    byte[] block = new byte[2048];
    Arrays.fill(block, (byte) fill);
    return block;
  }

  @Test
  void theJoinedConnectionSharesTheNexusAndTheWindowAndCountsItsOwnStatSn() throws Exception {
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    ScsiResponse attention = assertInstanceOf(ScsiResponse.class, a.receive());
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), attention.status(), "power-on, once per nexus");
    b.send(command(b, 2, TEST_UNIT_READY, false, 0));
    ScsiResponse good = assertInstanceOf(ScsiResponse.class, b.receive());
    assertEquals(
        ScsiStatus.GOOD.code(), good.status(), "the same I_T nexus: its attention is gone");
    assertEquals(b.expStatSn, good.statSn(), "b numbers its own StatSNs from its login");
    assertEquals(cmdSn, good.expCmdSn(), "the window counts the commands of both connections");
    assertEquals(cmdSn, attention.expCmdSn() + 1);
    assertEquals(1, sessions.all().size(), "one session, two connections");
    assertEquals(2, sessions.get(tsih).connections().size());
  }

  @Test
  void aCommandAheadOfItsTurnWaitsForTheOneBeforeItOnTheOtherConnection() throws Exception {
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    a.receive(); // the power-on attention
    ScsiCommand writeFirst = write(a, 2, 7, block(0x5A)); // CmdSN n, sent second
    b.send(command(b, 3, new Read10(7, 1).encode(), true, 2048)); // CmdSN n+1, sent first
    b.send(ping(b, 0x77));
    NopIn pong = assertInstanceOf(NopIn.class, b.receive(), "the READ is held, the ping is not");
    assertEquals(writeFirst.cmdSn(), pong.expCmdSn(), "CmdSN n has not come yet");
    assertNull(b.receive());
    a.send(writeFirst);
    ScsiResponse written = assertInstanceOf(ScsiResponse.class, a.receive());
    assertEquals(ScsiStatus.GOOD.code(), written.status());
    DataIn read = assertInstanceOf(DataIn.class, b.receive());
    assertTrue(read.hasStatus());
    assertArrayEquals(block(0x5A), read.data().toByteArray(), "the READ ran after the WRITE");
    assertEquals(cmdSn, read.expCmdSn());
  }

  @Test
  void taskManagementOnOneConnectionReachesACommandOfTheOther() throws Exception {
    int skipped = cmdSn++;
    b.send(command(b, 9, TEST_UNIT_READY, false, 0)); // held: CmdSN skipped has not come
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.ABORT_TASK, LUN0, 9, cmdSn - 1));
    a.cmdSn = skipped;
    a.send(a.command(1, TEST_UNIT_READY, false, 0));
    assertInstanceOf(ScsiResponse.class, a.receive());
    assertNull(b.receive(), "the aborted command never runs nor answers");
    assertEquals(0, b.connection.inFlight());
  }

  @Test
  void aDataOutComesOnItsCommandsConnection() throws Exception {
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    a.receive();
    a.cmdSn = cmdSn++;
    a.send(a.command(4, new Write10(0, 1).encode(), false, true, 2048, true));
    IscsiPdu.R2t r2t = assertInstanceOf(IscsiPdu.R2t.class, a.receive());
    b.send(
        new DataOut(
            true, LUN0, 4, r2t.targetTransferTag(), b.expStatSn, 0, 0, DataSegment.of(block(1))));
    assertEquals(RejectReason.PROTOCOL_ERROR, assertInstanceOf(Reject.class, b.receive()).reason());
    a.send(
        new DataOut(
            true, LUN0, 4, r2t.targetTransferTag(), a.expStatSn, 0, 0, DataSegment.of(block(1))));
    assertEquals(
        ScsiStatus.GOOD.code(), assertInstanceOf(ScsiResponse.class, a.receive()).status());
  }

  @Test
  void aThirdConnectionIsTooManyAndASecondWithTheSameCidReplacesIt() throws Exception {
    RawInitiator third = join(2);
    third.peers(List.of(a, b));
    LoginResponse refused = third.login(INITIATOR, ISID, tsih);
    assertEquals(LoginStatus.TOO_MANY_CONNECTIONS, refused.status());
    assertEquals(tsih, refused.tsih(), "a joining login's responses carry the TSIH it sent");
    assertFalse(third.channel.isOpen());
    RawInitiator again = join(1);
    again.peers(List.of(a, b));
    assertEquals(LoginStatus.SUCCESS, again.login(INITIATOR, ISID, tsih).status());
    b.pump();
    assertFalse(b.channel.isOpen(), "connection reinstatement: CID 1's old connection closes");
    again.send(command(again, 1, TEST_UNIT_READY, false, 0));
    assertInstanceOf(ScsiResponse.class, again.receive());
    assertTrue(a.channel.isOpen(), "the session lives on");
    again.channel.finishAndReleaseAll();
  }

  @Test
  void aJoiningLoginMustNameThisInitiatorsSessionAndLeaveSessionKeysAlone() throws Exception {
    RawInitiator other = join(2);
    assertEquals(
        LoginStatus.SESSION_DOES_NOT_EXIST,
        other.login("iqn.2026-12.dev.secdrive:someone-else", ISID, tsih).status());
    RawInitiator wrongIsid = join(2);
    assertEquals(
        LoginStatus.SESSION_DOES_NOT_EXIST, wrongIsid.login(INITIATOR, ISID + 1, tsih).status());
    RawInitiator sessionKey = join(1);
    sessionKey.moreKeys = TextKeys.of("InitialR2T", "No");
    assertEquals(LoginStatus.INITIATOR_ERROR, sessionKey.login(INITIATOR, ISID, tsih).status());
    assertTrue(b.channel.isOpen(), "refused logins touch no live connection");
  }

  @Test
  void logoutOfOneConnectionLeavesTheSessionAndTheLastOneEndsIt() throws Exception {
    a.send(logout(a, LogoutReason.CLOSE_CONNECTION, 7));
    assertEquals(
        LogoutResponse.CID_NOT_FOUND,
        assertInstanceOf(LogoutResponse.class, a.receive()).response());
    a.send(logout(a, LogoutReason.REMOVE_CONNECTION_FOR_RECOVERY, 1));
    assertEquals(
        LogoutResponse.RECOVERY_NOT_SUPPORTED,
        assertInstanceOf(LogoutResponse.class, a.receive()).response());
    a.send(logout(a, LogoutReason.CLOSE_CONNECTION, 1)); // b's, from a
    assertEquals(
        LogoutResponse.CLOSED_SUCCESSFULLY,
        assertInstanceOf(LogoutResponse.class, a.receive()).response());
    b.pump();
    assertFalse(b.channel.isOpen());
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    assertInstanceOf(ScsiResponse.class, a.receive());
    assertEquals(1, sessions.get(tsih).connections().size());
    a.send(logout(a, LogoutReason.CLOSE_CONNECTION, 0));
    assertEquals(
        LogoutResponse.CLOSED_SUCCESSFULLY,
        assertInstanceOf(LogoutResponse.class, a.receive()).response());
    a.pump();
    assertFalse(a.channel.isOpen());
    assertNull(sessions.get(tsih), "its last connection gone, the session ends");
  }

  @Test
  void logoutOfTheSessionClosesEveryConnection() throws Exception {
    b.send(logout(b, LogoutReason.CLOSE_SESSION, 1));
    assertEquals(
        LogoutResponse.CLOSED_SUCCESSFULLY,
        assertInstanceOf(LogoutResponse.class, b.receive()).response());
    a.pump();
    assertFalse(a.channel.isOpen());
    assertFalse(b.channel.isOpen());
    assertNull(sessions.get(tsih));
  }

  @Test
  void aConnectionThatFailsTakesItsTasksAndTheSessionGoesOn() throws Exception {
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    a.receive();
    int skipped = cmdSn++;
    b.send(command(b, 5, TEST_UNIT_READY, false, 0)); // held on b
    b.channel.close();
    a.pump();
    a.cmdSn = skipped;
    a.send(a.command(6, TEST_UNIT_READY, false, 0));
    ScsiResponse answer = assertInstanceOf(ScsiResponse.class, a.receive());
    assertEquals(6, answer.initiatorTaskTag());
    assertNull(a.receive(), "b's command ended with b");
    assertEquals(0, a.connection.inFlight());
    assertEquals(1, sessions.get(tsih).connections().size());
  }

  /** A login's security stage with CHAP: the answer to the target's challenge with {@code ours}. */
  private static LoginResponse chapLogin(RawInitiator on, int tsih, Chap.Credentials ours)
      throws Exception {
    TextKeys names =
        TextKeys.of(
            "InitiatorName",
            INITIATOR,
            "TargetName",
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            "AuthMethod",
            "CHAP");
    if (tsih == 0) {
      names = names.with(TextKeys.of("MaxConnections", "2")); // leading only
    }
    on.send(security(on, tsih, false, names));
    assertEquals(LoginStatus.SUCCESS, assertInstanceOf(LoginResponse.class, on.receive()).status());
    on.send(security(on, tsih, false, Chap.initiatorAlgorithms()));
    LoginResponse challenge = assertInstanceOf(LoginResponse.class, on.receive());
    TextKeys answer =
        Chap.initiatorResponse(
            TextKeys.parse(challenge.data().toByteArray(), 65536), ours, Optional.empty());
    on.send(security(on, tsih, true, answer));
    return assertInstanceOf(LoginResponse.class, on.receive());
  }

  private static LoginRequest security(RawInitiator on, int tsih, boolean transit, TextKeys keys) {
    return new LoginRequest(
        transit,
        false,
        Stage.SECURITY_NEGOTIATION,
        transit ? Stage.FULL_FEATURE_PHASE : Stage.SECURITY_NEGOTIATION,
        0,
        0,
        ISID,
        tsih,
        0x1000,
        on.cid,
        on.cmdSn,
        0,
        DataSegment.of(keys.encode()));
  }

  @Test
  void aJoiningConnectionAuthenticatesOnItsOwn() throws Exception {
    Chap.Credentials secret = Chap.Credentials.of(INITIATOR, "a-secret-of-16-chars");
    Portal guarded = portal(Optional.of(secret));
    RawInitiator leading = new RawInitiator(guarded);
    LoginResponse led = chapLogin(leading, 0, secret);
    assertEquals(LoginStatus.SUCCESS, led.status());
    RawInitiator guess = new RawInitiator(guarded);
    guess.cid = 1;
    assertEquals(
        LoginStatus.AUTHENTICATION_FAILURE,
        chapLogin(guess, led.tsih(), Chap.Credentials.of(INITIATOR, "a-guessed-secret-16"))
            .status(),
        "the TSIH, name and ISID of a live session are not enough");
    RawInitiator plain = new RawInitiator(guarded);
    plain.cid = 1;
    assertEquals(
        LoginStatus.AUTHENTICATION_FAILURE,
        plain.login(INITIATOR, ISID, led.tsih()).status(),
        "nor is skipping the security stage");
    RawInitiator joining = new RawInitiator(guarded);
    joining.cid = 1;
    assertEquals(LoginStatus.SUCCESS, chapLogin(joining, led.tsih(), secret).status());
    assertEquals(2, sessions.get(led.tsih()).connections().size());
    leading.channel.finishAndReleaseAll();
    joining.channel.finishAndReleaseAll();
  }

  @Test
  void aHeldWriteKeepsTheUnsolicitedDataThatFollowedIt() throws Exception {
    RawInitiator leading = new RawInitiator(portal);
    leading.moreKeys = TextKeys.of("MaxConnections", "2", "InitialR2T", "No");
    LoginResponse led = leading.login(INITIATOR, ISID + 9, 0);
    RawInitiator joining = new RawInitiator(portal);
    joining.cid = 1;
    joining.cmdSn = 1;
    assertEquals(LoginStatus.SUCCESS, joining.login(INITIATOR, ISID + 9, led.tsih()).status());
    leading.peers(List.of(joining));
    joining.peers(List.of(leading));
    byte[] block = block(0x6B);
    ScsiCommand write =
        new ScsiCommand(
            false,
            false, // unsolicited Data-Out follows
            false,
            true,
            TaskAttribute.SIMPLE,
            LUN0,
            0x21,
            2048,
            2, // ahead: CmdSN 1 comes later on the leading connection
            joining.expStatSn,
            DataSegment.of(new Write10(9, 1).encode()),
            ScsiCommand.NO_BIDIRECTIONAL,
            DataSegment.of(Arrays.copyOf(block, 1024)));
    joining.send(write);
    joining.send(
        new DataOut(
            true,
            LUN0,
            0x21,
            IscsiPdu.RESERVED_TAG,
            joining.expStatSn,
            0,
            1024,
            DataSegment.of(Arrays.copyOfRange(block, 1024, 2048))));
    joining.send(
        new DataOut(
            true, LUN0, 0x21, IscsiPdu.RESERVED_TAG, joining.expStatSn, 1, 0, DataSegment.EMPTY));
    assertEquals(
        RejectReason.PROTOCOL_ERROR,
        assertInstanceOf(Reject.class, joining.receive()).reason(),
        "nothing may follow the Data-Out that ended the unsolicited data");
    leading.cmdSn = 1;
    leading.send(leading.command(0x20, TEST_UNIT_READY, false, 0)); // CmdSN 1: the power-on UA
    assertInstanceOf(ScsiResponse.class, leading.receive());
    ScsiResponse written = assertInstanceOf(ScsiResponse.class, joining.receive());
    assertEquals(0x21, written.initiatorTaskTag());
    assertEquals(ScsiStatus.GOOD.code(), written.status());
    leading.cmdSn = 3;
    leading.send(leading.command(0x22, new Read10(9, 1).encode(), true, 2048));
    assertArrayEquals(
        block, assertInstanceOf(DataIn.class, leading.receive()).data().toByteArray());
    leading.channel.finishAndReleaseAll();
    joining.channel.finishAndReleaseAll();
  }

  @Test
  void aLogoutAheadOfItsTurnWaitsForTheCommandBeforeIt() throws Exception {
    a.send(command(a, 1, TEST_UNIT_READY, false, 0));
    a.receive();
    ScsiCommand writeFirst = write(a, 2, 11, block(0x11)); // CmdSN n, sent second
    b.send(new LogoutRequest(false, LogoutReason.CLOSE_SESSION, 0x5001, 1, cmdSn++, b.expStatSn));
    assertNull(b.receive(), "the Logout (CmdSN n+1) waits for CmdSN n");
    assertTrue(a.channel.isOpen());
    a.send(writeFirst);
    assertEquals(
        ScsiStatus.GOOD.code(), assertInstanceOf(ScsiResponse.class, a.receive()).status());
    assertEquals(
        LogoutResponse.CLOSED_SUCCESSFULLY,
        assertInstanceOf(LogoutResponse.class, b.receive()).response());
    a.pump();
    assertFalse(a.channel.isOpen());
    assertNull(sessions.get(tsih));
  }
}
