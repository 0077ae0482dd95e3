package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.kit.testing.ExternalTool;
import dev.secdrive.protocol.iscsi.Chap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The iSCSI endpoint against libiscsi's own tools, run as processes: discovery (SendTargets), login
 * to the target, INQUIRY, READ CAPACITY(16), and iscsi-test-cu's READ(10)/WRITE(10) tests. Skips
 * when libiscsi-bin is not installed.
 */
class IscsiIT {

  /** CUnit's summary line: one test, run, passed, none failed (a skipped test shows as passed). */
  private static final Pattern ONE_RAN_AND_PASSED = Pattern.compile("tests\\s+1\\s+1\\s+1\\s+0\\s");

  private static final String PACKAGE = "apt-get install -y libiscsi-bin";

  @TempDir Path media;

  private Emulator emulator;
  private IscsiEndpoint portal;

  @BeforeEach
  void start() {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "DVD-1", "dvd-ram-4.7", null);
    Rig.createMedium(store, "MO230-1", "mo-230", null);
    // Cold resets allowed: PreventAllow.ColdReset sends one.
    portal =
        new IscsiEndpoint(
            new InetSocketAddress("127.0.0.1", 0),
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            Optional.empty(),
            Optional.empty(),
            true);
    emulator =
        Rig.builder(media)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1"))
            .drive(new DriveConfig(1, "dvd-ram", "DEV-DVD-1", "DVD-1"))
            .drive(new DriveConfig(2, "mo-230", "DEV-MO230-2", "MO230-1"))
            .endpoint(portal)
            .start();
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  private String portalUrl() {
    return "iscsi://127.0.0.1:" + portal.address().getPort();
  }

  private String lunUrl(int lun) {
    return portalUrl() + "/" + portal.targetName() + "/" + lun;
  }

  @Test
  void iscsiLsListsTheTargetAndItsLuns() throws Exception {
    Run run = run("iscsi-ls", "-s", portalUrl());
    assertEquals(0, run.exit, run.output);
    assertTrue(
        run.output.contains("Target:" + portal.targetName() + " Portal:127.0.0.1:"), run.output);
    assertTrue(run.output.contains("Lun:0"), run.output);
    assertTrue(run.output.contains("Lun:1"), run.output);
  }

  @Test
  void iscsiInqReadsTheDrivesInquiryData() throws Exception {
    Run run = run("iscsi-inq", lunUrl(0));
    assertEquals(0, run.exit, run.output);
    assertTrue(run.output.contains("SECDRIVE"), run.output);
    assertTrue(run.output.contains("MO-640 SCSI"), run.output);
  }

  @Test
  void iscsiReadCapacity16ReadsTheMediumsSize() throws Exception {
    Run run = run("iscsi-readcapacity16", lunUrl(0));
    assertEquals(0, run.exit, run.output);
    // A 640 MB magneto-optical disc: 310352 blocks of 2048 bytes.
    assertTrue(run.output.contains("RETURNED LOGICAL BLOCK ADDRESS:310351\n"), run.output);
    assertTrue(run.output.contains("LOGICAL BLOCK LENGTH IN BYTES:2048\n"), run.output);
    assertTrue(run.output.contains("Total size:635600896\n"), run.output);
  }

  @Test
  void iscsiPerfReadsWithEightInFlight() throws Exception {
    // 128 KiB sequential reads, 8 in flight, for one second: it ends by itself and prints its
    // average, which must be of commands that completed.
    Run run = run("iscsi-perf", "-t", "1", "-m", "8", "-b", "64", lunUrl(0));
    assertEquals(0, run.exit, run.output);
    var average = java.util.regex.Pattern.compile("iops average (\\d+)").matcher(run.output);
    assertTrue(average.find(), run.output);
    assertTrue(Long.parseLong(average.group(1)) > 0, run.output);
    assertTrue(run.output.contains("finished."), run.output);
  }

  @Test
  void iscsiTestCuReadsAndWrites() throws Exception {
    Run read = run("iscsi-test-cu", "--verbose", "--test=SCSI.Read10.Simple", lunUrl(0));
    assertEquals(0, read.exit, read.output);
    assertTrue(read.output.contains("Suite: Read10\n  Test: Simple ...passed"), read.output);
    assertTrue(ONE_RAN_AND_PASSED.matcher(read.output).find(), read.output);
    Run write =
        run("iscsi-test-cu", "--dataloss", "--verbose", "--test=SCSI.Write10.Simple", lunUrl(0));
    assertEquals(0, write.exit, write.output);
    assertTrue(write.output.contains("Suite: Write10\n  Test: Simple ...passed"), write.output);
    assertTrue(ONE_RAN_AND_PASSED.matcher(write.output).find(), write.output);
  }

  @Test
  void aPortalRequiringChapLetsInOnlyTheInitiatorWithItsSecret(@TempDir Path chapMedia)
      throws Exception {
    MediumStore store = MediumStore.openOrCreate(chapMedia);
    Rig.createMedium(store, "MO-2", "mo-640", null);
    IscsiEndpoint chapPortal =
        new IscsiEndpoint(
            new InetSocketAddress("127.0.0.1", 0),
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            Optional.of(Chap.Credentials.of("secdrive-host", "host-secret-16by")));
    try (Emulator chapEmulator =
        Rig.builder(chapMedia)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-9", "MO-2"))
            .endpoint(chapPortal)
            .start()) {
      String at =
          "127.0.0.1:" + chapPortal.address().getPort() + "/" + chapPortal.targetName() + "/0";
      Run right = run("iscsi-inq", "iscsi://secdrive-host%host-secret-16by@" + at);
      assertEquals(0, right.exit, right.output);
      assertTrue(right.output.contains("MO-640 SCSI"), right.output);
      Run wrong = run("iscsi-inq", "iscsi://secdrive-host%host-secret-17by@" + at);
      assertNotEquals(0, wrong.exit, wrong.output);
      assertFalse(wrong.output.contains("MO-640 SCSI"), wrong.output);
      Run none = run("iscsi-inq", "iscsi://" + at);
      assertNotEquals(0, none.exit, none.output);
      assertFalse(none.output.contains("MO-640 SCSI"), none.output);
    }
  }

  /** CUnit's summary line with every test run and passed and none failed. */
  private static final Pattern ALL_RAN_AND_PASSED =
      Pattern.compile("tests\\s+(\\d+)\\s+\\1\\s+\\1\\s+0\\s");

  private static final Pattern SKIPPED_TEST =
      Pattern.compile("Test: \\S+ \\.\\.\\.\\s*\\[SKIPPED\\]");

  private static void assertAllPassedNoneSkipped(Run run) {
    assertEquals(0, run.exit, run.output);
    assertTrue(ALL_RAN_AND_PASSED.matcher(run.output).find(), run.output);
    // libiscsi's set-up prints "[SKIPPED] PERSISTENT RESERVE IN ..." whatever runs; a skipped
    // test shows as "Test: NAME ...    [SKIPPED]".
    assertFalse(SKIPPED_TEST.matcher(run.output).find(), run.output);
  }

  @Test
  void taskManagementPassesLibiscsisTmfSuite() throws Exception {
    // libiscsi runs them only on a direct-access device: the MO-230 (peripheral type 0) on LUN 2.
    // AbortTaskSimpleAsync and LUNResetSimpleAsync: a WRITE, then ABORT TASK / LUN RESET for it;
    // the TMF must answer "function complete" and the WRITE either GOOD or nothing at all.
    assertAllPassedNoneSkipped(
        run("iscsi-test-cu", "--dataloss", "--verbose", "--test=iSCSI.iSCSITMF", lunUrl(2)));
  }

  @Test
  void resetsEndPreventAsSpc4SaysAcrossTwoSessions() throws Exception {
    // PreventAllow's WarmReset, ColdReset, LUNReset, ITNexusLoss, Logout and 2ITNexuses log in
    // twice and check that a reset or a lost nexus ends PREVENT (SPC-4 6.13) with a unit attention.
    // (PreventAllow.Eject fails on the firmware's START STOP UNIT, not on the transport.)
    // ColdReset is not run here: in about one run of ten libiscsi does not reconnect after the
    // connection drop RFC 7143 11.5.1 prescribes once the response is out, and spins in its TEST
    // UNIT READY loop with no connection to the portal (ISCSI-NOTES.md, "Task management").
    for (String test : List.of("WarmReset", "LUNReset", "ITNexusLoss", "Logout", "2ITNexuses")) {
      assertAllPassedNoneSkipped(
          run(
              "iscsi-test-cu",
              "--dataloss",
              "--verbose",
              "--test=SCSI.PreventAllow." + test,
              lunUrl(2)));
    }
  }

  @Test
  void mutualChapAuthenticatesTheTargetToo(@TempDir Path chapMedia) throws Exception {
    MediumStore store = MediumStore.openOrCreate(chapMedia);
    Rig.createMedium(store, "MO-3", "mo-640", null);
    IscsiEndpoint chapPortal =
        new IscsiEndpoint(
            new InetSocketAddress("127.0.0.1", 0),
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            Optional.of(Chap.Credentials.of("secdrive-host", "host-secret-16by")),
            Optional.of(Chap.Credentials.of("secdrive-tgt", "target-secret-16")),
            true);
    try (Emulator chapEmulator =
        Rig.builder(chapMedia)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-8", "MO-3"))
            .endpoint(chapPortal)
            .start()) {
      String at =
          "secdrive-host%host-secret-16by@127.0.0.1:"
              + chapPortal.address().getPort()
              + "/"
              + chapPortal.targetName()
              + "/0";
      Run right =
          run(
              "iscsi-inq",
              "iscsi://" + at + "?target_user=secdrive-tgt&target_password=target-secret-16");
      assertEquals(0, right.exit, right.output);
      assertTrue(right.output.contains("MO-640 SCSI"), right.output);
      // The initiator expects another target secret: the target's answer does not verify.
      Run impostor =
          run(
              "iscsi-inq",
              "iscsi://" + at + "?target_user=secdrive-tgt&target_password=target-secret-17");
      assertNotEquals(0, impostor.exit, impostor.output);
      assertFalse(impostor.output.contains("MO-640 SCSI"), impostor.output);
      // One-way CHAP still logs in to a portal that could authenticate itself.
      Run oneWay = run("iscsi-inq", "iscsi://" + at);
      assertEquals(0, oneWay.exit, oneWay.output);
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(String tool, String... args) throws IOException, InterruptedException {
    ExternalTool external =
        ExternalTool.onPath(tool).describedAs(tool + " (libiscsi-bin)", PACKAGE);
    List<String> command = new ArrayList<>();
    command.add(external.require().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // A bound on a hung tool, not a timing assertion: a working run takes well under a second.
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(tool + " did not finish");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.exitValue(), String.join(" ", command) + "\n" + output);
  }
}
