package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.serial.SerialEndpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveUri;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.host.transport.SerialTransport;
import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.link.ReliableLink;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's commands over the serial carrier: an emulator on one end of a socat pty pair,
 * the host driver on the other; and through a fault relay that flips bits, drops, duplicates and
 * cuts.
 */
class SerialIT {

  @TempDir Path media;
  @TempDir Path ptys;

  private Emulator emulator(Path device, TimingMode timing) {
    MediumStore store = MediumStore.openOrCreate(media);
    if (!store.exists("SER-MO")) {
      Rig.createMedium(store, "SER-MO", "mo-640", null);
    }
    return Rig.builder(media)
        .profiles(Rig.PROFILES)
        .timing(timing)
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .serial(device.toString(), 921600)
        .drive(new DriveConfig(0, "mo-640", "SER-0", "SER-MO"))
        .drive(new DriveConfig(1, "dvd-ram", "SER-1", null))
        .start();
  }

  private static String uri(Path host, String query) {
    return "serial://" + host + "?baud=921600" + (query.isEmpty() ? "" : "&" + query);
  }

  @Test
  void everyFoundationCommandWorksOverTheLine() throws Exception {
    try (PtyPair pair = PtyPair.create(ptys, "line");
        Emulator emulator = emulator(pair.a(), TimingMode.FAST);
        Drive drive = Drive.open(uri(pair.b(), ""))) {
      StandardInquiryData inquiry = drive.inquiry();
      assertEquals("SECDRIVE", inquiry.vendor());
      assertEquals(List.of(0x00, 0x80, 0x83, 0xB0), drive.vpdPages());
      assertEquals("SER-0", drive.deviceId());
      assertTrue(drive.deviceIdentification().designators().get(0).text().endsWith("SER-0"));
      assertEquals((8 << 20) / 2048, drive.blockLimits().maximumTransferLength());
      assertEquals(new Capacity(310351, 2048), drive.capacity());
      assertEquals("SER-MO", drive.mediumId());
      assertEquals(List.of(0, 1), drive.reportLuns());
      assertTrue(drive.supportedCommands().contains(Opcode.VERIFY_10));
      assertFalse(drive.writeProtected());
      assertEquals(SenseKey.NO_SENSE, drive.requestSense().key());
      drive.testUnitReady();

      byte[] small = DriveIT.bytes(3 * 2048, 1);
      drive.write(7, small);
      assertArrayEquals(small, drive.read(7, 3));
      byte[] large = DriveIT.bytes(9 << 20, 2); // two commands each way, 8 MiB + 1 MiB
      drive.writeAsync(5000, large).get();
      assertArrayEquals(large, drive.readAsync(5000, (9 << 20) / 2048).get());
      List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        inFlight.add(drive.readAsync(5000 + 32L * i, 32));
      }
      for (int i = 0; i < 16; i++) {
        byte[] expected = java.util.Arrays.copyOfRange(large, i * 32 * 2048, (i + 1) * 32 * 2048);
        assertArrayEquals(expected, inFlight.get(i).get());
      }
      drive.verify(7, small);
      drive.synchronizeCache();

      ScsiException range = assertThrows(ScsiException.class, () -> drive.read(310352, 1));
      assertEquals(
          "ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE (05/21/00) on READ(10) lba=310352 blocks=1",
          range.getMessage());
      drive.eject();
      ScsiException absent = assertThrows(ScsiException.class, () -> drive.read(0, 1));
      assertEquals(
          "NOT READY: MEDIUM NOT PRESENT (02/3A/00) on READ(10) lba=0 blocks=1",
          absent.getMessage());
      assertEquals(MediaEvent.MEDIA_REMOVAL, drive.mediaEvent().event());
      drive.load();
      drive.testUnitReady(); // its own load: no 28/00 for this nexus (SPC-4 5.14)
      drive.preventRemoval();
      DriveIT.assertSense(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.MEDIUM_REMOVAL_PREVENTED, drive::eject);
      drive.allowRemoval();

      emulator.setWriteProtected(0, true);
      DriveIT.assertSense(
          SenseKey.DATA_PROTECT,
          AdditionalSense.WRITE_PROTECTED,
          () -> drive.write(0, new byte[2048]));
      emulator.setWriteProtected(0, false);
      emulator.drive(0).faults().addReadError(9);
      DriveIT.assertSense(
          SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR, () -> drive.read(9, 1));
    }
  }

  @Test
  void otherLunsAndAReopenedPort() throws Exception {
    try (PtyPair pair = PtyPair.create(ptys, "luns");
        Emulator emulator = emulator(pair.a(), TimingMode.FAST)) {
      try (Drive dvd = Drive.open(uri(pair.b(), "lun=1"))) {
        DriveIT.assertSense(
            SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_CLOSED, dvd::testUnitReady);
      }
      try (Drive none = Drive.open(uri(pair.b(), "lun=9"))) {
        DriveIT.assertSense(
            SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED, none::capacity);
      }
      // The same port opened again: the serial line is one nexus, and it still answers.
      try (Drive again = Drive.open(uri(pair.b(), ""))) {
        assertEquals("SER-MO", again.mediumId());
      }
    }
  }

  @Test
  void sixteenMegabytesThroughANoisyLineExecuteEveryCommandOnce() throws Exception {
    try (PtyPair hostSide = PtyPair.create(ptys, "host");
        PtyPair deviceSide = PtyPair.create(ptys, "dev");
        FaultRelay relay =
            FaultRelay.start(
                hostSide.b(), deviceSide.a(), new LineNoise(1e-5, 1e-6, 1e-6, 20261122));
        Emulator emulator = emulator(deviceSide.b(), TimingMode.FAST);
        Drive drive = Drive.open(uri(hostSide.a(), "timeout=120s"))) {
      int chunkBlocks = (64 << 10) / 2048;
      int commands = (16 << 20) / (64 << 10);
      byte[] data = DriveIT.bytes(16 << 20, 3);
      drive.read(0, 1); // the drive learns the capacity and the transfer limit before the count
      long before = emulator.drive(0).status().commands();

      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < commands; i++) {
        byte[] part = java.util.Arrays.copyOfRange(data, i * (64 << 10), (i + 1) * (64 << 10));
        writes.add(drive.writeAsync((long) i * chunkBlocks, part));
        if (writes.size() >= 8) {
          writes.remove(0).get();
        }
      }
      for (CompletableFuture<Void> w : writes) {
        w.get();
      }
      byte[] back = new byte[data.length];
      List<CompletableFuture<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < commands; i++) {
        reads.add(drive.readAsync((long) i * chunkBlocks, chunkBlocks));
      }
      for (int i = 0; i < commands; i++) {
        System.arraycopy(reads.get(i).get(), 0, back, i * (64 << 10), 64 << 10);
      }
      long executed = emulator.drive(0).status().commands() - before;

      assertArrayEquals(data, back, "data through the noisy line");
      assertEquals(2L * commands, executed, "every command executed exactly once");
      FaultRelay.Stats line = relay.stats();
      assertTrue(line.bitsFlipped() > 100, "the line flipped bits: " + line);
      assertTrue(line.bytesDropped() > 0 && line.bytesDuplicated() > 0, line::toString);
      ReliableLink.Stats host = ((SerialTransport) drive.transport()).stats();
      ReliableLink.Stats device = emulator.endpoints(SerialEndpoint.class).get(0).stats();
      assertTrue(host.corruptFrames() + device.corruptFrames() > 0, "corrupt frames dropped");
      assertTrue(
          host.chunksRetransmitted() + device.chunksRetransmitted() > 0, "chunks retransmitted");
      System.out.printf("noisy line: %s%n  host link %s%n  device link %s%n", line, host, device);
    }
  }

  @Test
  void aCutLineTimesOutThenTheHostReconnectsToAConsistentMedium() throws Exception {
    // The cut and the host's command timeout each run on a clock the test moves: the cut lasts
    // until the test ends it, and the command times out when the test says, however busy the
    // machine.
    ManualScheduler lineTime = new ManualScheduler();
    ManualScheduler hostTime = new ManualScheduler();
    try (PtyPair hostSide = PtyPair.create(ptys, "h");
        PtyPair deviceSide = PtyPair.create(ptys, "d");
        FaultRelay relay =
            FaultRelay.start(hostSide.b(), deviceSide.a(), LineNoise.NONE, lineTime::nanoTime);
        Emulator emulator = emulator(deviceSide.b(), TimingMode.FAST)) {
      byte[] before = DriveIT.bytes(512 << 10, 4);
      byte[] during = DriveIT.bytes(512 << 10, 5);
      try (Drive drive = Drive.open(DriveUri.parse(uri(hostSide.a(), "timeout=2s")), hostTime)) {
        drive.write(0, before);
        relay.cut(Duration.ofSeconds(4));
        CompletableFuture<Void> write = drive.writeAsync(0, during);
        hostTime.advance(Duration.ofSeconds(2));
        ExecutionException failed = assertThrows(ExecutionException.class, write::get);
        CommandTimeoutException timeout =
            assertInstanceOf(CommandTimeoutException.class, failed.getCause());
        assertTrue(timeout.getMessage().contains("timed out after 2000 ms"), timeout.getMessage());
      }
      lineTime.advance(Duration.ofSeconds(4));
      assertFalse(relay.isCut(), "the cut ends");
      try (Drive again = Drive.open(uri(hostSide.a(), "timeout=30s"))) {
        byte[] now = again.read(0, (512 << 10) / 2048);
        // The write in the cut either reached the drive whole or not at all, block by block.
        for (int block = 0; block < now.length / 2048; block++) {
          byte[] got = java.util.Arrays.copyOfRange(now, block * 2048, (block + 1) * 2048);
          boolean old =
              java.util.Arrays.equals(
                  got, java.util.Arrays.copyOfRange(before, block * 2048, (block + 1) * 2048));
          boolean fresh =
              java.util.Arrays.equals(
                  got, java.util.Arrays.copyOfRange(during, block * 2048, (block + 1) * 2048));
          assertTrue(old || fresh, "block " + block + " is neither the old nor the new data");
        }
        again.write(0, before);
        assertArrayEquals(before, again.read(0, (512 << 10) / 2048));
      }
    }
  }

  @Test
  void aBrokenFrameGetsAProtocolErrorAndTheLineCarriesOn() throws Exception {
    try (PtyPair pair = PtyPair.create(ptys, "broken");
        Emulator emulator = emulator(pair.a(), TimingMode.FAST)) {
      // A raw link on the host's end, to send a frame no host driver would.
      java.util.concurrent.BlockingQueue<byte[]> answers =
          new java.util.concurrent.LinkedBlockingQueue<>();
      java.io.RandomAccessFile file = new java.io.RandomAccessFile(pair.b().toFile(), "rw");
      java.io.FileInputStream in = new java.io.FileInputStream(file.getFD());
      ReliableLink link =
          new ReliableLink(
              ReliableLink.Config.forBaudRate(921600, 1 << 20), System::nanoTime, answers::add);
      dev.secdrive.kit.serial.Line line =
          new dev.secdrive.kit.serial.Line() {
            @Override
            public int available() throws java.io.IOException {
              return in.available();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
              return file.read(buffer, offset, length);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws java.io.IOException {
              file.write(buffer, offset, length);
            }

            @Override
            public void close() throws java.io.IOException {
              file.close();
            }
          };
      try (var runner =
          new dev.secdrive.kit.serial.LineRunner(
              "raw", line, link::receive, link::takeOutput, 921600, false, e -> {})) {
        byte[] garbage =
            "not a frame at all, just bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        link.send(garbage);
        byte[] answer = answers.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(answer != null, "no answer to a broken frame");
        String text =
            new String(answer, 8, answer.length - 8, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith("protocol error: bad magic"), text);
        // The raw host acknowledges the answer before it lets go of the line; otherwise the
        // drive retransmits it to the next host, whose commands it would fail.
        SerialEndpoint endpoint = emulator.endpoints(SerialEndpoint.class).get(0);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!endpoint.idle()) {
          assertTrue(System.nanoTime() < deadline, "the answer was never acknowledged");
          Thread.sleep(10);
        }
      }
      // The endpoint serves on: the same line, a real host.
      try (Drive drive = Drive.open(uri(pair.b(), "timeout=10s"))) {
        assertEquals("SER-MO", drive.mediumId());
      }
    }
  }

  @Test
  void aLongAnswerOnAPacedLineIsSentOnceNotRetried() throws Exception {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "SER-PACED", "mo-640", null);
    try (PtyPair pair = PtyPair.create(ptys, "paced");
        Emulator emulator =
            Rig.builder(media)
                .profiles(Rig.PROFILES)
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .serial(pair.a().toString(), 921600, true)
                .drive(new DriveConfig(0, "mo-640", "SER-P", "SER-PACED"))
                .start();
        Drive drive = Drive.open(uri(pair.b(), "pace=true&timeout=60s"))) {
      drive.capacity();
      // 1 MiB at 921600 baud takes about 11 s on the line, twice the link's give-up time: the
      // host must wait for the answer it sees arriving, not ask again.
      byte[] read = drive.read(0, 512);
      assertEquals(1 << 20, read.length);
      ReliableLink.Stats host = ((SerialTransport) drive.transport()).stats();
      ReliableLink.Stats device = emulator.endpoints(SerialEndpoint.class).get(0).stats();
      // Two TEST UNIT READY at open (the first meets the power-on unit attention), READ
      // CAPACITY, the INQUIRYs of VPD 00h and B0h (the transfer limit), READ: each sent once,
      // each answered once.
      assertEquals(6, host.messagesSent(), "commands sent: " + host);
      assertEquals(6, device.messagesSent(), "answers sent: " + device);
      assertEquals(0, host.messagesAbandoned() + device.messagesAbandoned(), "nothing given up");
      // Chunks may still be sent again here: the link's timers run on the wall clock, and a
      // starved receiver acknowledges late. That a clean paced line retransmits nothing is shown
      // on a simulated clock, ReliableLinkTest's clean-line test.
    }
  }

  @Test
  void badPortsAreNamed() throws Exception {
    TransportException missing =
        assertThrows(
            TransportException.class, () -> Drive.open("serial://" + ptys.resolve("none")));
    assertEquals("serial port " + ptys.resolve("none") + " does not exist", missing.getMessage());
    Path file = Files.writeString(ptys.resolve("plain-file"), "x");
    TransportException notTty =
        assertThrows(TransportException.class, () -> Drive.open("serial://" + file));
    assertEquals(file + " is not a serial port (not a tty)", notTty.getMessage());
    TransportException devNull =
        assertThrows(TransportException.class, () -> Drive.open("serial:///dev/null"));
    assertEquals("/dev/null is not a serial port (not a tty)", devNull.getMessage());
    try (PtyPair pair = PtyPair.create(ptys, "busy");
        Emulator emulator = emulator(pair.a(), TimingMode.FAST)) {
      TransportException baud =
          assertThrows(
              TransportException.class, () -> Drive.open("serial://" + pair.b() + "?baud=1000"));
      assertTrue(
          baud.getMessage().startsWith("unsupported baud rate 1000 for " + pair.b()),
          baud.getMessage());
      TransportException busy =
          assertThrows(TransportException.class, () -> Drive.open("serial://" + pair.a()));
      assertTrue(busy.getMessage().contains("is busy"), busy.getMessage());
    }
  }
}
