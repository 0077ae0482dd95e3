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
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.TaskFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task management (RFC 7143 11.5/11.6, SAM-5 clause 7) between two sessions of different initiators
 * on one portal, with realistic drive timing on a manual clock, so a READ's answer waits until the
 * test moves the clock: aborted tasks never answer, the other session's tasks survive what only
 * concerns the requester's I_T nexus, resets give every nexus its unit attention.
 */
class TaskManagementTest {

  private static final byte[] TEST_UNIT_READY = new byte[6];

  @TempDir Path media;

  private final ManualScheduler clock = new ManualScheduler();
  private Medium medium;
  private Target target;
  private SessionTable sessions;
  private RawInitiator a;
  private RawInitiator b;

  @BeforeEach
  void start() throws Exception {
    DriveProfile profile = ProfileCatalog.builtIn().get("mo-640");
    MediumType type = profile.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "Q", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    Firmware drive = new Firmware(0, profile, "DEV", TimingMode.REALISTIC, clock::nanoTime);
    medium = store.open("Q");
    drive.insert(medium);
    clock.advance(Duration.ofMinutes(1)); // the medium has loaded
    target = new Target(List.of(drive));
    sessions = new SessionTable();
    Portal portal = portal(true);
    a = new RawInitiator(portal).loggedIn("iqn.2026-12.dev.secdrive:a", 1);
    b = new RawInitiator(portal).loggedIn("iqn.2026-12.dev.secdrive:b", 1);
    a.peers(List.of(b));
    b.peers(List.of(a));
  }

  private Portal portal(boolean coldResets) {
    return new Portal(
        target,
        IscsiEndpoint.DEFAULT_TARGET_NAME,
        IscsiEndpoint.POLICY,
        1 << 20,
        clock,
        Optional.empty(),
        Optional.empty(),
        sessions,
        coldResets,
        Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    a.channel.finishAndReleaseAll();
    b.channel.finishAndReleaseAll();
    medium.close();
  }

  /** A READ(10) of one block: its answer waits for the drive's time on the manual clock. */
  private void read(RawInitiator initiator, int itt) throws Exception {
    initiator.send(initiator.command(itt, new Read10(0, 1).encode(), true, 2048));
    assertNull(initiator.receive(), "the READ waits for its drive time");
  }

  private void driveTimePasses() {
    clock.advance(Duration.ofSeconds(10));
  }

  /** The answer to a TEST UNIT READY: null when GOOD, else sense key, ASC, ASCQ. */
  private static int[] testUnitReady(RawInitiator initiator, int itt) throws Exception {
    initiator.send(initiator.command(itt, TEST_UNIT_READY, false, 0));
    ScsiResponse response = assertInstanceOf(ScsiResponse.class, initiator.receive());
    assertEquals(itt, response.initiatorTaskTag());
    return response.status() == 0 ? null : RawInitiator.sense(response);
  }

  @Test
  void abortTaskDropsADelayedAnswerAndAnotherAbortFindsNoTask() throws Exception {
    read(a, 5);
    int refCmdSn = a.cmdSn - 1;
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.ABORT_TASK, LUN0, 5, refCmdSn));
    driveTimePasses();
    assertNull(a.receive(), "an aborted task gets no SCSI Response");
    assertEquals(
        TaskManagementResponse.TASK_DOES_NOT_EXIST,
        a.manage(TaskFunction.ABORT_TASK, LUN0, 5, refCmdSn));
    assertNull(testUnitReady(a, 6), "the session goes on");
  }

  @Test
  void abortTaskReleasesAWriteCollectingItsData() throws Exception {
    a.send(a.command(7, new Write10(0, 4).encode(), false, true, 8192, true));
    R2t r2t = assertInstanceOf(R2t.class, a.receive());
    assertEquals(1, a.connection.inFlight());
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.ABORT_TASK, LUN0, 7, a.cmdSn - 1));
    assertEquals(0, a.connection.inFlight(), "the write's buffer is released");
    a.send(
        new DataOut(
            true, LUN0, 7, r2t.targetTransferTag(), 0, 0, 0, DataSegment.of(new byte[8192])));
    assertEquals(RejectReason.PROTOCOL_ERROR, assertInstanceOf(Reject.class, a.receive()).reason());
  }

  @Test
  void abortTaskOfACommandNotYetArrivedDropsItWhenItComes() throws Exception {
    int skipped = a.cmdSn++;
    // Immediate, numbered after the missing command (still on its way, on another connection
    // say): RefCmdSN is in the window and below the request's CmdSN.
    a.send(a.tmf(true, TaskFunction.ABORT_TASK, LUN0, 9, skipped, a.cmdSn));
    TaskManagementResponse response = assertInstanceOf(TaskManagementResponse.class, a.receive());
    assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, response.response());
    assertEquals(a.cmdSn, response.expCmdSn(), "the missing CmdSN counts as received");
    a.cmdSn = skipped;
    a.send(a.command(9, TEST_UNIT_READY, false, 0));
    assertNull(a.receive(), "the aborted command never executes");
    a.cmdSn = response.expCmdSn();
    assertNull(testUnitReady(a, 10));
  }

  @Test
  void abortTaskSetConcernsOnlyTheRequestersNexus() throws Exception {
    read(a, 5);
    read(b, 5);
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.ABORT_TASK_SET, LUN0, 0, 0));
    driveTimePasses();
    assertNull(a.receive());
    DataIn data = assertInstanceOf(DataIn.class, b.receive());
    assertEquals(5, data.initiatorTaskTag());
    assertTrue(data.hasStatus(), "B's READ completes");
    assertNull(testUnitReady(b, 6), "B has no unit attention");
  }

  @Test
  void clearTaskSetAbortsEveryonesTasksAndTellsTheOthers() throws Exception {
    read(a, 5);
    read(b, 5);
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.CLEAR_TASK_SET, LUN0, 0, 0));
    driveTimePasses();
    assertNull(a.receive());
    assertNull(b.receive());
    assertNull(testUnitReady(a, 6));
    assertArrayEquals(new int[] {0x06, 0x2F, 0x00}, testUnitReady(b, 6));
  }

  @Test
  void lunResetAbortsEveryonesTasksAndGivesEveryNexus2903() throws Exception {
    read(a, 5);
    read(b, 5);
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.LOGICAL_UNIT_RESET, LUN0, 0, 0));
    driveTimePasses();
    assertNull(a.receive());
    assertNull(b.receive());
    assertArrayEquals(new int[] {0x06, 0x29, 0x03}, testUnitReady(a, 6));
    assertArrayEquals(new int[] {0x06, 0x29, 0x03}, testUnitReady(b, 6));
    assertNull(testUnitReady(b, 7), "a unit attention is reported once");
  }

  @Test
  void aLunWithoutADriveDoesNotExist() throws Exception {
    long lun5 = Lun.encode(5);
    for (TaskFunction function :
        List.of(
            TaskFunction.ABORT_TASK_SET,
            TaskFunction.CLEAR_TASK_SET,
            TaskFunction.LOGICAL_UNIT_RESET)) {
      assertEquals(TaskManagementResponse.LUN_DOES_NOT_EXIST, a.manage(function, lun5, 0, 0));
    }
    assertEquals(
        TaskManagementResponse.FUNCTION_NOT_SUPPORTED,
        a.manage(TaskFunction.CLEAR_ACA, LUN0, 0, 0));
    assertEquals(
        TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED,
        a.manage(TaskFunction.TASK_REASSIGN, LUN0, 5, 0));
  }

  @Test
  void aColdResetIsRefusedWhereThePortalDoesNotAllowIt() throws Exception {
    RawInitiator c = new RawInitiator(portal(false)).loggedIn("iqn.2026-12.dev.secdrive:c", 1);
    c.peers(List.of(a, b));
    read(b, 5);
    assertEquals(
        TaskManagementResponse.AUTHORIZATION_FAILED,
        c.manage(TaskFunction.TARGET_COLD_RESET, LUN0, 0, 0));
    driveTimePasses();
    assertInstanceOf(DataIn.class, b.receive(), "B's READ was not touched");
    assertTrue(b.channel.isOpen() && c.channel.isOpen());
    c.channel.finishAndReleaseAll();
  }

  @Test
  void targetWarmResetResetsEveryUnitAndKeepsTheSessions() throws Exception {
    read(b, 5);
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.TARGET_WARM_RESET, LUN0, 0, 0));
    driveTimePasses();
    assertNull(b.receive());
    assertArrayEquals(new int[] {0x06, 0x29, 0x03}, testUnitReady(b, 6));
    assertTrue(a.channel.isOpen() && b.channel.isOpen());
  }

  @Test
  void targetColdResetAnswersThenClosesEverySession() throws Exception {
    assertEquals(
        TaskManagementResponse.FUNCTION_COMPLETE,
        a.manage(TaskFunction.TARGET_COLD_RESET, LUN0, 0, 0));
    a.pump();
    b.pump();
    assertFalse(a.channel.isOpen());
    assertFalse(b.channel.isOpen());
  }

  @Test
  void aLoginWithTheIsidOfALiveSessionReinstatesIt() throws Exception {
    RawInitiator again = new RawInitiator(portal(true));
    again.peers(List.of(a, b));
    assertEquals(LoginStatus.SUCCESS, again.login("iqn.2026-12.dev.secdrive:a", 1, 0).status());
    a.pump();
    assertFalse(a.channel.isOpen(), "the old session of the same initiator and ISID is closed");
    assertTrue(b.channel.isOpen(), "another initiator's session with the same ISID stays");
    assertNull(testUnitReady(b, 6));
    again.channel.finishAndReleaseAll();
  }

  @Test
  void aTsihNamesALiveSessionOrNone() throws Exception {
    RawInitiator unknown = new RawInitiator(portal(true));
    assertEquals(
        LoginStatus.SESSION_DOES_NOT_EXIST,
        unknown.login("iqn.2026-12.dev.secdrive:c", 2, 0x7777).status());
    RawInitiator second = new RawInitiator(portal(true));
    second.cid = 1;
    int tsihOfA = 1; // the first session the table entered
    assertEquals(
        LoginStatus.TOO_MANY_CONNECTIONS,
        second.login("iqn.2026-12.dev.secdrive:a", 1, tsihOfA).status(),
        "MaxConnections was not offered, so 1: a session takes no second connection");
    assertFalse(unknown.channel.isOpen());
    assertFalse(second.channel.isOpen());
    assertNull(testUnitReady(a, 6), "the live session is untouched");
  }
}
