package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.serial.SerialEndpoint;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.transport.SerialTransport;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.link.ReliableLink;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of fault a script arms, against the real host driver over TCP, iSCSI or a serial line,
 * and what the host sees: media errors after N accesses and N times, torn writes (failed, or the
 * power lost), power loss at the Nth write, a connection cut in the middle of a transfer, delays on
 * the drive's clock, line noise; and a seeded choice made again by the same seed.
 */
class FaultScriptIT {

  private static final int BLOCK = 2048;

  @TempDir Path media;
  @TempDir Path scripts;

  private Rig rig(Path directory, ManualScheduler time) {
    MediumStore store = MediumStore.openOrCreate(directory);
    if (!store.exists("FAULT-MO")) {
      Rig.createMedium(store, "FAULT-MO", "mo-640", null);
    }
    return new Rig(
        directory,
        TimingMode.FAST,
        List.of(new DriveConfig(0, "mo-640", "FAULT-0", "FAULT-MO")),
        time);
  }

  /**
   * {@code secdrive control URL faults ARGS} against {@code rig}, with its media directory's token.
   */
  private Cli faults(Rig rig, String... args) {
    String[] command = {"control", rig.controlUrl(), "--media-dir", media.toString(), "faults"};
    String[] all = Arrays.copyOf(command, command.length + args.length);
    System.arraycopy(args, 0, all, command.length, args.length);
    return Cli.run(all);
  }

  private static FaultScript script(String yaml) {
    return FaultScript.parse("test", yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] blocks(int count, int fill) {
    byte[] data = new byte[count * BLOCK];
    Arrays.fill(data, (byte) fill);
    return data;
  }

  private static void assertMediumError(
      AdditionalSense expected, long lba, org.junit.jupiter.api.function.Executable command) {
    ScsiException e = assertThrows(ScsiException.class, command);
    assertTrue(e.is(SenseKey.MEDIUM_ERROR, expected), e.getMessage());
    assertTrue(e.sense().valid(), "INFORMATION is valid");
    assertEquals(lba, e.sense().information(), e.getMessage());
  }

  @Test
  void mediaErrorsFireAfterTheirAccessesForTheirTimesArmedThroughTheControlApi() throws Exception {
    try (Rig rig = rig(media, null);
        Drive drive = Drive.open(rig.uri(0))) {
      Path file = scripts.resolve("media.yaml");
      Files.writeString(
          file,
          """
          seed: 1
          faults:
            - media-error: {lun: 0, lba: 10, after: 1, times: 1}
            - media-error: {lun: 0, lba: 20, blocks: 2, on: write}
          """);
      Cli armed = faults(rig, "--script", file.toString());
      assertEquals("fault script: 2 faults, seed 1", armed.out().trim(), armed::toString);

      drive.read(8, 4); // the first access of LBA 10 passes
      assertMediumError(AdditionalSense.UNRECOVERED_READ_ERROR, 10, () -> drive.read(9, 4));
      drive.read(10, 1); // it failed once: no more
      drive.write(0, blocks(4, 1));
      for (int i = 0; i < 2; i++) { // every write of LBAs 20-21 fails, naming the first of them hit
        assertMediumError(AdditionalSense.WRITE_ERROR, 21, () -> drive.write(21, blocks(2, 2)));
      }
      assertArrayEquals(blocks(1, 0), drive.read(21, 1), "nothing of the failed write");

      Cli status = faults(rig, "--script", file.toString(), "--json");
      JsonNode fired = Json.MAPPER.readTree(status.out()).path("fired").path("0");
      assertEquals(0, fired.get(0).path("fired").asLong(), "a new script counts from zero");
      Cli disarm = faults(rig, "--disarm");
      assertEquals("fault script: 0 faults, seed 0", disarm.out().trim(), disarm::toString);
      drive.write(21, blocks(2, 2));

      Path bad = scripts.resolve("bad.yaml");
      Files.writeString(bad, "faults:\n  - media-error: {lun: 0, lbaa: 10}\n");
      Cli refused = faults(rig, "--script", bad.toString());
      assertEquals(1, refused.exit());
      assertTrue(
          refused.err().contains("fault script " + bad + ": $.faults[0].media-error.lba"),
          refused::toString);
    }
  }

  @Test
  void aTornWriteThatFailsLeavesItsFirstBlocksAndNamesTheFirstNotWritten() throws Exception {
    try (Rig rig = rig(media, null);
        Drive drive = Drive.open(rig.uri(0))) {
      rig.emulator
          .target()
          .arm(script("faults:\n  - torn-write: {write: 2, written: 3, then: medium-error}\n"));
      drive.write(100, blocks(8, 0xA)); // write 1
      assertMediumError(AdditionalSense.WRITE_ERROR, 103, () -> drive.write(100, blocks(8, 0xB)));
      byte[] expected = blocks(8, 0xA);
      Arrays.fill(expected, 0, 3 * BLOCK, (byte) 0xB);
      assertArrayEquals(expected, drive.read(100, 8));
    }
  }

  /** Writes 8 blocks at LBA 200 under a torn write with power loss; the blocks torn off. */
  private long tornByPowerLoss(Path directory, long seed) throws Exception {
    try (Rig rig = rig(directory, null);
        Drive drive = Drive.open(rig.uri(0))) {
      rig.emulator
          .target()
          .arm(script("seed: " + seed + "\nfaults:\n  - torn-write: {write: 1}\n"));
      DriveException lost =
          assertThrows(DriveException.class, () -> drive.write(200, blocks(8, 0xC)));
      assertFalse(lost instanceof ScsiException, "no answer, only a lost connection: " + lost);
    }
    try (Rig again = rig(directory, null);
        Drive drive = Drive.open(again.uri(0))) {
      byte[] read = drive.read(200, 8);
      int written = 0;
      while (written < 8 && read[written * BLOCK] == 0xC) {
        written++;
      }
      byte[] expected = blocks(8, 0);
      Arrays.fill(expected, 0, written * BLOCK, (byte) 0xC);
      assertArrayEquals(expected, read, "the first blocks new, the rest as they were");
      assertTrue(written < 8, "a torn write is never whole");
      return written;
    }
  }

  @Test
  void aTornWriteWithPowerLossLeavesTheSameSeededPartAcrossARestart() throws Exception {
    long first = tornByPowerLoss(media, 20261204);
    long again = tornByPowerLoss(Files.createDirectory(scripts.resolve("again")), 20261204);
    assertEquals(first, again, "the same seed tears the same write at the same block");
  }

  @Test
  void powerLossAtTheNthWriteWritesNothingOfIt() throws Exception {
    try (Rig rig = rig(media, null);
        Drive drive = Drive.open(rig.uri(0))) {
      rig.emulator.target().arm(script("faults:\n  - power-loss: {lun: 0, write: 2}\n"));
      drive.write(300, blocks(2, 1));
      assertThrows(DriveException.class, () -> drive.write(302, blocks(2, 2)));
    }
    try (Rig again = rig(media, null);
        Drive drive = Drive.open(again.uri(0))) {
      assertArrayEquals(blocks(2, 1), drive.read(300, 2));
      assertArrayEquals(blocks(2, 0), drive.read(302, 2), "nothing of the second write");
    }
  }

  @Test
  void powerLossAtANamedStepStopsAProvisionBeforeItCommits() throws Exception {
    Path content = Files.write(scripts.resolve("title.bin"), new byte[3 * BLOCK]);
    try (Rig rig = rig(media, null)) {
      Path credential = Rig.licensor(media, scripts.resolve("studio.json"), "Studio");
      rig.emulator
          .target()
          .arm(script("faults:\n  - power-loss: {step: \"provision:verified\"}\n"));
      Cli provision = Rig.provision(rig.uri(0, "timeout=10s"), credential, "T-1", content);
      assertEquals(1, provision.exit(), "no answer: the power went " + provision);
    }
    try (Rig again = rig(media, null)) {
      Cli status = Cli.run("license", "status", again.uri(0));
      assertEquals(0, status.exit(), status::toString);
      assertFalse(status.out().contains("T-1"), "nothing committed: " + status);
    }
  }

  @Test
  void aDisconnectCutsTheTransferAndTheNextConnectionIsServedOverTcpAndIscsi() throws Exception {
    try (Rig rig = rig(media, null)) {
      try (Drive drive = Drive.open(rig.uri(0))) {
        drive.write(400, blocks(8, 7));
        rig.emulator
            .target()
            .arm(script("faults:\n  - disconnect: {command: 2, after-bytes: 5000}\n"));
        assertArrayEquals(blocks(8, 7), drive.read(400, 8)); // transfer 1
        DriveException cut = assertThrows(DriveException.class, () -> drive.read(400, 8));
        assertFalse(cut instanceof ScsiException, cut.toString());
      }
      try (Drive drive = Drive.open(rig.uri(0))) {
        assertArrayEquals(blocks(8, 7), drive.read(400, 8));
      }
      rig.emulator
          .target()
          .arm(script("faults:\n  - disconnect: {command: 1, after-bytes: 3000}\n"));
      try (Drive drive = Drive.open(rig.iscsiUri(0, ""))) {
        assertThrows(DriveException.class, () -> drive.read(400, 8));
      }
      try (Drive drive = Drive.open(rig.iscsiUri(0, ""))) {
        assertArrayEquals(blocks(8, 7), drive.read(400, 8));
      }
    }
  }

  /**
   * An emulator serving FAULT-MO on one end of {@code pair}, {@code script} armed from the start.
   */
  private Emulator onSerial(PtyPair pair, FaultScript script) {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "FAULT-MO", "mo-640", null);
    return Rig.builder(media)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .serial(pair.a().toString(), 921600)
        .drive(new DriveConfig(0, "mo-640", "FAULT-0", "FAULT-MO"))
        .faults(script)
        .start();
  }

  private static Drive hostOn(PtyPair pair) {
    return Drive.open("serial://" + pair.b() + "?baud=921600&timeout=120s");
  }

  @Test
  void aDisconnectOnASerialPortLosesTheAnswerAndTheHostsRetryGetsIt() throws Exception {
    try (PtyPair pair = PtyPair.create(scripts, "cut");
        Emulator emulator = onSerial(pair, FaultScript.none());
        Drive drive = hostOn(pair)) {
      drive.write(500, blocks(4, 9));
      emulator.target().arm(script("faults:\n  - disconnect: {command: 1, after-bytes: 100}\n"));
      long executed = emulator.drive(0).status().commands();
      assertArrayEquals(blocks(4, 9), drive.read(500, 4), "answered, on the retry");
      assertEquals(1, emulator.drive(0).faults().firings().get(0).fired());
      assertEquals(
          executed + 1,
          emulator.drive(0).status().commands(),
          "the READ ran once: its retry was answered from the reply cache");
    }
  }

  @Test
  void delaysHoldAnswersBackOnTheDrivesClock() throws Exception {
    ManualScheduler time = new ManualScheduler();
    try (Rig rig = rig(media, time);
        Drive drive = Drive.open(rig.uri(0))) {
      drive.testUnitReady();
      rig.emulator
          .target()
          .arm(
              script(
                  "faults:\n  - delay: {opcodes: [\"READ(10)\"], fixed-ms: 50}\n"
                      + "  - delay: {opcodes: [\"READ(10)\"], uniform-ms: [10, 20]}\n"));
      drive.testUnitReady(); // not delayed: not a READ(10)
      CompletableFuture<byte[]> read = drive.readAsync(0, 1);
      time.awaitPending(1, Duration.ofSeconds(30));
      time.advance(Duration.ofMillis(60).minusNanos(1));
      assertFalse(read.isDone(), "50 ms plus at least 10 ms");
      time.advance(Duration.ofMillis(10).plusNanos(1));
      assertArrayEquals(new byte[BLOCK], read.get(), "at most 50 + 20 ms");
    }
  }

  @Test
  void lineNoiseOnTheEmulatorsSerialPortIsRecoveredByTheLinkLayer() throws Exception {
    FaultScript noise =
        script("seed: 3\nfaults:\n  - line-noise: {ber: 2.0e-5, drop: 1.0e-5, dup: 1.0e-5}\n");
    try (PtyPair pair = PtyPair.create(scripts, "noise");
        Emulator emulator = onSerial(pair, noise);
        Drive drive = hostOn(pair)) {
      byte[] data = DriveIT.bytes(2 << 20, 5);
      drive.write(1000, data);
      assertArrayEquals(data, drive.read(1000, data.length / BLOCK));
      SerialEndpoint port = emulator.endpoints(SerialEndpoint.class).get(0);
      assertTrue(port.noiseFaults() > 0, "the line was noisy");
      ReliableLink.Stats host = ((SerialTransport) drive.transport()).stats();
      ReliableLink.Stats device = port.stats();
      assertTrue(
          host.corruptFrames()
                  + device.corruptFrames()
                  + host.chunksRetransmitted()
                  + device.chunksRetransmitted()
              > 0,
          "and the link layer recovered: host " + host + ", device " + device);
    }
  }
}
