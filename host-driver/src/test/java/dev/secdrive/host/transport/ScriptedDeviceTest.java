package dev.secdrive.host.transport;

import static dev.secdrive.host.transport.ScriptedPeer.filled;
import static dev.secdrive.host.transport.ScriptedPeer.sense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.DriveUri;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.host.transport.ScriptedPeer.Command;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseKey;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host driver against a scripted device: exact bytes out, scripted bytes in. No emulator, no
 * mocks; every buffer tracked by Netty's paranoid leak detector.
 */
class ScriptedDeviceTest {

  /** Most tests: a timeout short enough that a broken script fails fast. */
  private static final String LUN0 = "/0?timeout=5s";

  private static final int TUR = 0x00;
  private static final int INQUIRY = 0x12;
  private static final int READ_CAPACITY_10 = 0x25;
  private static final int READ_10 = 0x28;
  private static final int WRITE_10 = 0x2A;

  private static final int MIB = 1 << 20;

  private static ResourceLeakDetector.Level previousLevel;

  @BeforeAll
  static void paranoidLeakDetection() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    assertTrue(
        LeakRecorder.isRecordingByteBufLeaks(),
        "protocol's LeakRecordingSessionListener did not install the recorder before Netty started");
  }

  @AfterAll
  static void noLeakedBuffers() {
    try {
      LeakRecorder.assertNoLeaks();
    } finally {
      ResourceLeakDetector.setLevel(previousLevel);
    }
  }

  // ---------------------------------------------------------------- open

  @Test
  void openSwallowsThePowerOnUnitAttention() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              Command first = c.read(TUR);
              c.checkCondition(first, sense(0x6, 0x29, 0x00));
              Command second = c.read(TUR);
              c.good(second, new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertEquals(2, peer.received().size(), "commands sent by open");
        assertEquals("tcp://127.0.0.1:" + peer.port() + "/0", drive.uri().toString());
        assertEquals("Drive[tcp://127.0.0.1:" + peer.port() + "/0]", drive.toString());
      }
      peer.awaitScript();
      List<Command> turs = peer.received();
      assertEquals(2, turs.size());
      assertNotEquals(turs.get(0).tag(), turs.get(1).tag(), "a new tag for the retry");
      for (Command tur : turs) {
        assertArrayEquals(new byte[6], tur.cdb(), "TEST UNIT READY CDB");
        assertEquals(0, tur.expectedDataIn());
        assertEquals(0, tur.dataOut().length);
        assertEquals(0, tur.lun());
      }
    }
  }

  @Test
  void openGivesUpOnPowerOnAttentionsAfterFourTries() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              for (int i = 0; i < 5; i++) {
                c.checkCondition(c.read(TUR), sense(0x6, 0x29, 0x00));
              }
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertEquals(4, peer.received().size());
        ScsiException e = assertThrows(ScsiException.class, drive::testUnitReady);
        assertTrue(e.is(SenseKey.UNIT_ATTENTION, AdditionalSense.POWER_ON_RESET), e::toString);
      }
      peer.awaitScript();
    }
  }

  @Test
  void notReadyOnOpenIsNotAnErrorForOpen() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.checkCondition(c.read(TUR), sense(0x2, 0x3A, 0x00));
              c.checkCondition(c.read(TUR), sense(0x2, 0x3A, 0x00));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertEquals(1, peer.received().size(), "open does not retry NOT READY");
        ScsiException e = assertThrows(ScsiException.class, drive::testUnitReady);
        assertEquals("NOT READY: MEDIUM NOT PRESENT (02/3A/00) on TEST UNIT READY", e.getMessage());
        assertTrue(e.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
      }
      peer.awaitScript();
    }
  }

  @Test
  void openDoesNotRetryOtherUnitAttentions() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.checkCondition(c.read(TUR), sense(0x6, 0x28, 0x00));
              c.good(c.read(TUR), new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertEquals(1, peer.received().size(), "open retries only the power-on attention");
        drive.testUnitReady();
      }
      peer.awaitScript();
    }
  }

  @Test
  void connectionRefused() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String uri = "tcp://127.0.0.1:" + port + "/0";
    TransportException e = assertThrows(TransportException.class, () -> Drive.open(uri));
    assertEquals(
        "cannot connect to tcp://127.0.0.1:" + port + ": Connection refused", e.getMessage());
  }

  @Test
  void ipv6TargetIsNamedWithSingleBrackets() {
    TransportException e =
        assertThrows(TransportException.class, () -> Drive.open("tcp://[::1]:1/0?timeout=2s"));
    assertTrue(e.getMessage().startsWith("cannot connect to tcp://[::1]:1: "), e::toString);
  }

  @Test
  void transportHandsOverStatusFramesAndOwnsDataOut() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              Command tur = c.read(TUR);
              assertEquals(7, tur.lun());
              c.checkCondition(tur, sense(0x2, 0x04, 0x01));
              Command write = c.read(WRITE_10);
              assertEquals(7, write.lun());
              assertArrayEquals(filled(512, 0x33), write.dataOut());
              c.good(write, new byte[0]);
              c.expectEof();
            })) {
      TcpTransport transport =
          TcpTransport.connect("127.0.0.1", peer.port(), Duration.ofSeconds(2));
      try {
        assertEquals(peer.target(), transport.target());
        assertTrue(transport.isOpen());
        StatusFrame tur =
            transport
                .submit(7, new byte[6], 0, null, "TEST UNIT READY", Duration.ofSeconds(5))
                .get(5, TimeUnit.SECONDS);
        try {
          assertEquals(peer.received().get(0).tag(), tur.tag());
          assertEquals(ScsiStatus.CHECK_CONDITION, tur.status());
          assertArrayEquals(sense(0x2, 0x04, 0x01), tur.sense());
        } finally {
          tur.release();
        }
        ByteBuf data = PooledByteBufAllocator.DEFAULT.buffer(512).writeBytes(filled(512, 0x33));
        byte[] write10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        StatusFrame written =
            transport
                .submit(7, write10, 0, data, "WRITE(10)", Duration.ofSeconds(5))
                .get(5, TimeUnit.SECONDS);
        written.release();
        assertEquals(ScsiStatus.GOOD, written.status());
        assertEquals(0, data.refCnt(), "the transport released the data-out buffer");
      } finally {
        transport.close();
      }
      assertFalse(transport.isOpen());
      ByteBuf unsent = PooledByteBufAllocator.DEFAULT.buffer(512).writeZero(512);
      CompletableFuture<StatusFrame> late =
          transport.submit(7, new byte[10], 0, unsent, "WRITE(10)", Duration.ofSeconds(5));
      ExecutionException e = assertThrows(ExecutionException.class, late::get);
      assertEquals(
          "connection to " + peer.target() + " is closed (WRITE(10) did not complete)",
          assertInstanceOf(TransportException.class, e.getCause()).getMessage());
      assertEquals(0, unsent.refCnt(), "data-out released when it cannot be sent");
      peer.awaitScript();
    }
  }

  // ---------------------------------------------------------------- encoder and decoder

  @Test
  void inquiryFrameBytesAndTypedResult() throws Exception {
    byte[] inquiryData = new byte[36];
    inquiryData[0] = 0x05; // connected, CD/DVD
    inquiryData[1] = (byte) 0x80; // removable
    inquiryData[2] = 0x06; // SPC-4
    inquiryData[3] = 0x12;
    inquiryData[4] = 31;
    System.arraycopy(
        "SECDRIVEDVD-RW EMU      1.07".getBytes(StandardCharsets.US_ASCII), 0, inquiryData, 8, 28);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command inquiry = c.read(INQUIRY);
              c.status(inquiry.tag(), 0x00, 0x01, 96 - 36, new byte[0], inquiryData);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri("/5?timeout=5s"))) {
        StandardInquiryData inquiry = drive.inquiry();
        assertEquals(
            new StandardInquiryData(0, 0x05, true, 0x06, "SECDRIVE", "DVD-RW EMU", "1.07"),
            inquiry);
      }
      peer.awaitScript();
      List<Command> received = peer.received();
      assertEquals(5, received.get(0).lun());
      assertEquals(
          "0000001A" // length prefix: 20 + 6
              + "53444357" // SDCW
              + "01" // version
              + "80" // data-in
              + "05" // LUN
              + "06" // CDB length
              + "00000001" // tag: the second command on the connection
              + "00000060" // expected data-in: 96
              + "00000000" // data-out length
              + "120000006000", // INQUIRY, allocation length 96
          HexFormat.of().withUpperCase().formatHex(received.get(1).wire()));
    }
  }

  @Test
  void checkConditionBecomesScsiException() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFF, 512);
              c.answerNoBlockLimits();
              Command read = c.read(READ_10);
              assertEquals(512, read.expectedDataIn());
              assertEquals(0x80, read.flags());
              assertEquals("28000000000500000100", HexFormat.of().formatHex(read.cdb()));
              c.checkCondition(read, sense(0x3, 0x11, 0x00, 5));
              c.checkCondition(c.read(READ_10), sense(0x2, 0x3A, 0x00));
              c.checkCondition(c.read(INQUIRY), sense(0x5, 0x24, 0x00));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertEquals(new Capacity(0xFFFF, 512), drive.capacity());
        ScsiException medium = assertThrows(ScsiException.class, () -> drive.read(5, 1));
        assertEquals(
            "MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00) at LBA 5 on READ(10) lba=5 blocks=1",
            medium.getMessage());
        assertEquals(ScsiStatus.CHECK_CONDITION, medium.status());
        assertEquals(5, medium.sense().information());
        ScsiException notReady = assertThrows(ScsiException.class, () -> drive.read(0, 1));
        assertEquals(
            "NOT READY: MEDIUM NOT PRESENT (02/3A/00) on READ(10) lba=0 blocks=1",
            notReady.getMessage());
        ScsiException illegal = assertThrows(ScsiException.class, drive::inquiry);
        assertEquals(
            "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00) on INQUIRY", illegal.getMessage());
      }
      peer.awaitScript();
    }
  }

  @Test
  void statusWithoutSenseAndUnreadableSense() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command busy = c.read(TUR);
              c.status(busy.tag(), 0x08, 0, 0, new byte[0], new byte[0]);
              Command bare = c.read(TUR);
              c.status(bare.tag(), 0x02, 0, 0, new byte[0], new byte[0]);
              Command garbled = c.read(TUR);
              c.status(garbled.tag(), 0x02, 0, 0, new byte[] {0x55, 0, 0, 0}, new byte[0]);
              c.good(c.read(TUR), new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        ScsiException busy = assertThrows(ScsiException.class, drive::testUnitReady);
        assertEquals("BUSY on TEST UNIT READY", busy.getMessage());
        assertEquals(ScsiStatus.BUSY, busy.status());
        ScsiException bare = assertThrows(ScsiException.class, drive::testUnitReady);
        assertEquals("CHECK CONDITION without sense data on TEST UNIT READY", bare.getMessage());
        TransportException garbled = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "device sent unreadable sense data for TEST UNIT READY:"
                + " unknown sense response code 0x55",
            garbled.getMessage());
        drive.testUnitReady();
      }
      peer.awaitScript();
    }
  }

  @Test
  void unitAttentionOnAReadForgetsTheCapacity() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(99, 512);
              c.answerNoBlockLimits();
              c.good(c.read(READ_10), filled(512, 1));
              c.checkCondition(c.read(READ_10), sense(0x6, 0x28, 0x00));
              c.answerCapacity(49, 2048); // the new medium
              c.answerNoBlockLimits();
              Command read = c.read(READ_10);
              assertEquals(2048, read.expectedDataIn());
              c.good(read, filled(2048, 2));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertArrayEquals(filled(512, 1), drive.read(0, 1));
        ScsiException e = assertThrows(ScsiException.class, () -> drive.read(0, 1));
        assertTrue(e.isUnitAttention());
        assertArrayEquals(filled(2048, 2), drive.read(0, 1));
      }
      peer.awaitScript();
    }
  }

  // ---------------------------------------------------------------- tags

  @Test
  void outOfOrderStatusFramesReachTheirOwnCommands() throws Exception {
    CountDownLatch secondAnswered = new CountDownLatch(1);
    CountDownLatch answerFirst = new CountDownLatch(1);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(1023, 512);
              c.answerNoBlockLimits();
              c.good(c.read(READ_10), filled(512, 0)); // the drive now knows size and limit
              Command first = c.read(READ_10);
              Command second = c.read(READ_10);
              assertEquals(0, first.cdbField(2, 4), "first LBA");
              assertEquals(2, first.cdbField(7, 2), "first block count");
              assertEquals(10, second.cdbField(2, 4), "second LBA");
              assertEquals(1, second.cdbField(7, 2), "second block count");
              assertNotEquals(first.tag(), second.tag());
              c.good(second, filled(512, 0xBB));
              secondAnswered.countDown();
              assertTrue(answerFirst.await(5, TimeUnit.SECONDS));
              c.good(first, filled(1024, 0xAA));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        drive.read(20, 1); // learns the capacity and the transfer limit first
        CompletableFuture<byte[]> first = drive.readAsync(0, 2);
        CompletableFuture<byte[]> second = drive.readAsync(10, 1);
        assertTrue(secondAnswered.await(5, TimeUnit.SECONDS));
        assertArrayEquals(filled(512, 0xBB), second.get(5, TimeUnit.SECONDS));
        assertFalse(first.isDone(), "the first read has no status yet");
        answerFirst.countDown();
        assertArrayEquals(filled(1024, 0xAA), first.get(5, TimeUnit.SECONDS));
      }
      peer.awaitScript();
    }
  }

  @Test
  void statusForAnUnknownTagIsDropped() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command tur = c.read(TUR);
              c.good(0x7FFF_0000, 64, filled(64, 0x5A)); // with data: it must be released
              c.checkCondition(0x7FFF_0001, 0, sense(0x6, 0x29, 0x00));
              c.good(tur, new byte[0]);
              c.good(c.read(READ_CAPACITY_10), new byte[] {0, 0, 0, 9, 0, 0, 2, 0});
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        drive.testUnitReady();
        assertEquals(new Capacity(9, 512), drive.capacity());
      }
      peer.awaitScript();
    }
  }

  // ---------------------------------------------------------------- broken connections

  @Test
  void protocolErrorFrameFromTheDevice() throws Exception {
    String text = "bad magic 0x12345678 (expected SDCW, SDSW or SDER)";
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              c.protocolError(text);
              c.close();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        TransportException e = assertThrows(TransportException.class, drive::testUnitReady);
        assertTrue(e.getMessage().contains("device closed the connection: " + text), e::toString);
        assertEquals(
            "device closed the connection: " + text + " (TEST UNIT READY did not complete)",
            e.getMessage());
        assertThrows(TransportException.class, drive::testUnitReady);
      }
      peer.awaitScript();
    }
  }

  static Stream<Arguments> brokenFrames() {
    byte[] badMagic = new byte[24];
    ByteBuffer.wrap(badMagic).putInt(20).putInt(0x1234_5678).put((byte) 1);
    byte[] badVersion = ScriptedPeer.statusFrame(0, 0, 0, 0, new byte[0], new byte[0]);
    badVersion[8] = 2;
    byte[] badStatus = ScriptedPeer.statusFrame(0, 0x01, 0, 0, new byte[0], new byte[0]);
    byte[] bothFlags = ScriptedPeer.statusFrame(0, 0, 0x03, 0, new byte[0], new byte[0]);
    byte[] longerThanHeader = ScriptedPeer.statusFrame(0, 0, 0, 0, new byte[0], new byte[4]);
    ByteBuffer.wrap(longerThanHeader).putInt(20, 2); // header says 2 bytes of data-in, body has 4
    return Stream.of(
        Arguments.of(badMagic, "bad magic 0x12345678 (expected SDCW, SDSW or SDER)"),
        Arguments.of(badVersion, "unsupported frame version 2 (this end speaks 1)"),
        Arguments.of(badStatus, "unknown SCSI status 0x01"),
        Arguments.of(bothFlags, "status frame flags both underflow and overflow"),
        Arguments.of(
            longerThanHeader,
            "frame length 24 does not match its header (header + sense + data-in = 22)"));
  }

  @ParameterizedTest
  @MethodSource("brokenFrames")
  void garbageFromTheDevice(byte[] garbage, String reason) throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              c.raw(garbage);
              c.expectEof(); // the host hangs up
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        TransportException e = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "protocol error from device: " + reason + " (TEST UNIT READY did not complete)",
            e.getMessage());
        assertTrue(e.getMessage().contains("protocol error from device: "));
      }
      peer.awaitScript();
    }
  }

  @Test
  void commandFrameFromTheDevice() throws Exception {
    byte[] command = new byte[4 + 26];
    ByteBuffer.wrap(command)
        .putInt(26)
        .putInt(ScriptedPeer.COMMAND_MAGIC)
        .put((byte) 1)
        .put((byte) 0x80)
        .put((byte) 0)
        .put((byte) 6);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              c.raw(command);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        TransportException e = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "protocol error: the device sent a CommandFrame (TEST UNIT READY did not complete)",
            e.getMessage());
      }
      peer.awaitScript();
    }
  }

  @Test
  void lengthPrefixAboveTheMaximum() throws Exception {
    int maximum = Frame.maximumFrameLength(Frame.DEFAULT_MAXIMUM_DATA_LENGTH);
    assertEquals(20 + 252 + 8 * MIB, maximum);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              c.raw(ByteBuffer.allocate(4).putInt(maximum + 1).array()); // no body follows
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        TransportException e = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "protocol error from device: frame length 8388881 exceeds the maximum of 8388880"
                + " (TEST UNIT READY did not complete)",
            e.getMessage());
      }
      peer.awaitScript();
    }
  }

  @Test
  void aFrameOfExactlyTheMaximumIsAccepted() throws Exception {
    byte[] data = new byte[8 * MIB];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + (i >>> 12));
    }
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFFF, 512);
              c.answerNoBlockLimits();
              Command read = c.read(READ_10);
              assertEquals(8 * MIB, read.expectedDataIn());
              assertEquals(16384, read.cdbField(7, 2));
              // GOOD may carry sense too; 252 bytes of it make the body exactly the maximum.
              c.status(read.tag(), 0x00, 0, 0, new byte[252], data);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertArrayEquals(data, drive.read(0, 16384));
      }
      peer.awaitScript();
    }
  }

  @Test
  void deviceClosesMidCommand() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              c.close();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        TransportException lost = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "connection to " + peer.target() + " lost (TEST UNIT READY did not complete)",
            lost.getMessage());
        assertTrue(lost.getMessage().contains("lost"));

        long start = System.nanoTime();
        TransportException closed = assertThrows(TransportException.class, drive::testUnitReady);
        assertEquals(
            "connection to " + peer.target() + " is closed (TEST UNIT READY did not complete)",
            closed.getMessage());
        assertThrows(TransportException.class, () -> drive.read(0, 1));
        assertThrows(TransportException.class, () -> drive.write(0, new byte[512]));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(2), "fail fast, took " + elapsed + " ns");
      }
      peer.awaitScript();
      assertEquals(2, peer.received().size(), "nothing sent after the loss");
    }
  }

  @Test
  void hostCloseFailsCommandsInFlight() throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.read(TUR);
              sent.countDown();
              c.expectEof();
            })) {
      Drive drive = Drive.open(peer.uri(LUN0));
      CompletableFuture<Object> pending = drive.execute(new TestUnitReady(), 0, data -> data);
      assertTrue(sent.await(5, TimeUnit.SECONDS));
      drive.close();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
      TransportException cause = assertInstanceOf(TransportException.class, e.getCause());
      assertEquals(
          "connection to "
              + peer.target()
              + " closed by the host (TEST UNIT READY did not complete)",
          cause.getMessage());
      peer.awaitScript();
    }
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  void commandTimeoutKeepsTheConnection() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch timedOut = new CountDownLatch(1);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command silent = c.read(TUR);
              received.countDown();
              assertTrue(timedOut.await(5, TimeUnit.SECONDS));
              // The late answer would fail the next command if it were matched to it.
              c.checkCondition(silent, sense(0x6, 0x29, 0x00));
              c.good(silent.tag(), 0, filled(16, 1)); // a second late answer, with data
              Command next = c.read(TUR);
              assertNotEquals(silent.tag(), next.tag());
              c.good(next, new byte[0]);
              c.expectEof();
            })) {
      // The timeout runs on a clock the test moves: no wall-clock wait, no margin.
      ManualScheduler time = new ManualScheduler();
      try (Drive drive = Drive.open(DriveUri.parse(peer.uri("/0?timeout=200ms")), time)) {
        CompletableFuture<Void> tur = drive.execute(new TestUnitReady(), 0, data -> null);
        assertTrue(received.await(5, TimeUnit.SECONDS));
        time.advance(Duration.ofMillis(199));
        assertFalse(tur.isDone(), "still waiting at 199 ms");
        time.advance(Duration.ofMillis(1));
        assertTrue(tur.isCompletedExceptionally(), "timed out at 200 ms");
        ExecutionException failed = assertThrows(ExecutionException.class, tur::get);
        CommandTimeoutException e =
            assertInstanceOf(CommandTimeoutException.class, failed.getCause());
        timedOut.countDown();
        assertEquals(
            "TEST UNIT READY timed out after 200 ms on tcp://127.0.0.1:" + peer.port(),
            e.getMessage());
        assertEquals(Duration.ofMillis(200), e.timeout());
        drive.testUnitReady();
      }
      peer.awaitScript();
    }
  }

  @Test
  void theLongestTimeoutTheUriAllows() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.good(c.read(TUR), new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri("/0?timeout=999999999m"))) {
        drive.testUnitReady();
      }
      peer.awaitScript();
    }
  }

  // ---------------------------------------------------------------- data

  @Test
  void shortReadIsAnError() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(1023, 512);
              c.answerNoBlockLimits();
              Command read = c.read(READ_10);
              assertEquals(1024, read.expectedDataIn());
              c.good(read, filled(512, 3)); // underflow
              c.good(c.read(READ_10), filled(1024, 4));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        DriveException e = assertThrows(DriveException.class, () -> drive.read(8, 2));
        assertEquals(DriveException.class, e.getClass());
        assertEquals("READ(10) lba=8 blocks=2 returned 512 bytes, expected 1024", e.getMessage());
        assertArrayEquals(filled(1024, 4), drive.read(8, 2), "the connection still works");
      }
      peer.awaitScript();
    }
  }

  @Test
  void largeWriteIsSplitAtTheMaximumTransfer() throws Exception {
    byte[] data = new byte[9 * MIB];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i ^ (i >>> 9));
    }
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFFF, 512);
              c.answerNoBlockLimits();
              Command first = c.read(WRITE_10);
              Command second = c.read(WRITE_10);
              for (Command write : List.of(first, second)) {
                assertEquals(0x00, write.flags(), "data-out");
                assertEquals(0, write.expectedDataIn());
              }
              assertEquals("2a000000006400400000", HexFormat.of().formatHex(first.cdb()));
              assertEquals(8 * MIB, first.dataOut().length);
              assertTrue(Arrays.equals(data, 0, 8 * MIB, first.dataOut(), 0, 8 * MIB));
              assertEquals("2a000000406400080000", HexFormat.of().formatHex(second.cdb()));
              assertEquals(MIB, second.dataOut().length);
              assertTrue(Arrays.equals(data, 8 * MIB, 9 * MIB, second.dataOut(), 0, MIB));
              c.good(second, new byte[0]);
              c.good(first, new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        drive.write(100, data);
      }
      peer.awaitScript();
      List<Command> writes = peer.received().subList(3, 5);
      assertEquals(100, writes.get(0).cdbField(2, 4));
      assertEquals(16384, writes.get(0).cdbField(7, 2));
      assertEquals(100 + 16384, writes.get(1).cdbField(2, 4));
      assertEquals(2048, writes.get(1).cdbField(7, 2));
    }
  }

  @Test
  void largeReadIsSplitAndReassembled() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFFF, 512);
              c.answerNoBlockLimits();
              Command first = c.read(READ_10);
              Command second = c.read(READ_10);
              assertEquals(8 * MIB, first.expectedDataIn());
              assertEquals(512, second.expectedDataIn());
              assertEquals(7 + 16384, second.cdbField(2, 4));
              c.good(second, filled(512, 0x22));
              c.good(first, filled(8 * MIB, 0x11));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        byte[] read = drive.read(7, 16385);
        assertEquals(8 * MIB + 512, read.length);
        assertArrayEquals(filled(8 * MIB, 0x11), Arrays.copyOf(read, 8 * MIB));
        assertArrayEquals(filled(512, 0x22), Arrays.copyOfRange(read, 8 * MIB, read.length));
      }
      peer.awaitScript();
    }
  }

  @Test
  void transfersAreSplitAtTheDevicesMaximumTransferLength() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFF, 512);
              c.answerBlockLimits(8); // a USB bridge's 4 KiB
              Command[] reads = {c.read(READ_10), c.read(READ_10), c.read(READ_10)};
              for (int i = 0; i < reads.length; i++) {
                assertEquals(i < 2 ? 8 : 4, reads[i].cdbField(7, 2), "READ(10) " + i + " blocks");
                assertEquals(100 + 8 * i, reads[i].cdbField(2, 4));
                c.good(reads[i], filled((int) reads[i].cdbField(7, 2) * 512, i + 1));
              }
              for (int i = 0; i < 2; i++) {
                Command write = c.read(WRITE_10);
                assertEquals(i == 0 ? 8 : 1, write.cdbField(7, 2), "WRITE(10) " + i + " blocks");
                c.good(write, new byte[0]);
              }
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        byte[] read = drive.read(100, 20);
        assertArrayEquals(filled(8 * 512, 1), Arrays.copyOf(read, 8 * 512));
        assertArrayEquals(filled(4 * 512, 3), Arrays.copyOfRange(read, 16 * 512, 20 * 512));
        drive.write(0, new byte[9 * 512]); // the limit is asked for once
      }
      peer.awaitScript();
    }
  }

  @Test
  void aDeviceThatRefusesTheVpdPagesGetsTheDriversOwnBound() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(0xFFFF, 512);
              c.checkCondition(c.read(INQUIRY), sense(0x5, 0x24, 0x00)); // an old SCSI-2 device
              Command first = c.read(READ_10);
              assertEquals(20, first.cdbField(7, 2), "one command: no limit from the device");
              c.good(first, filled(20 * 512, 1));
              c.good(c.read(READ_10), filled(512, 2)); // and it is not asked again
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertArrayEquals(filled(20 * 512, 1), drive.read(0, 20));
        assertArrayEquals(filled(512, 2), drive.read(0, 1));
      }
      peer.awaitScript();
    }
  }

  @Test
  void writeOfAPartialBlockIsRefusedBeforeSending() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(99, 512);
              c.answerNoBlockLimits();
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> drive.write(0, new byte[700]));
        assertEquals("write of 700 bytes is not a whole number of 512-byte blocks", e.getMessage());
      }
      peer.awaitScript();
      assertEquals(3, peer.received().size(), "no WRITE sent");
    }
  }

  @Test
  void implausibleBlockSizeIsAnErrorNotAHang() throws Exception {
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.answerCapacity(99, 16 * MIB);
              c.answerCapacity(99, 0);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        DriveException big = assertThrows(DriveException.class, () -> drive.read(0, 1));
        assertEquals(
            "the drive reports a block size of 16777216 bytes, outside 1..8388608",
            big.getMessage());
        DriveException zero = assertThrows(DriveException.class, () -> drive.read(0, 1));
        assertEquals(
            "the drive reports a block size of 0 bytes, outside 1..8388608", zero.getMessage());
      }
      peer.awaitScript();
    }
  }
}
