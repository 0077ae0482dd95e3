package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Write10;
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
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.LogoutReason;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session through the connection's pipeline, PDU by PDU: login, the first command's unit
 * attention, a write that needs immediate data and three R2Ts, the read of it in Data-In PDUs of
 * the initiator's MaxRecvDataSegmentLength with the status in the last, NOP, Reject and Logout.
 */
class IscsiConnectionTest {

  private static final PduCodec.Settings FROM_INITIATOR =
      PduCodec.Settings.login(Opcode.Sender.INITIATOR);
  private static final PduCodec.Settings TO_INITIATOR =
      new PduCodec.Settings(Opcode.Sender.TARGET, 8192, false, false);
  private static final long LUN0 = Lun.encode(0);

  @TempDir Path media;

  private EmbeddedChannel channel;
  private int cmdSn = 1;
  private int expStatSn;

  /** A connection of a portal without CHAP, its own session table, answers without delay. */
  static IscsiConnection connection(
      Target target, IscsiPduDecoder decoder, IscsiPduEncoder encoder) {
    return new IscsiConnection(portal(target, new SessionTable()), decoder, encoder);
  }

  static Portal portal(Target target, SessionTable sessions) {
    return new Portal(
        target,
        IscsiEndpoint.DEFAULT_TARGET_NAME,
        IscsiEndpoint.POLICY,
        1 << 20,
        null,
        java.util.Optional.empty(),
        java.util.Optional.empty(),
        sessions,
        true,
        java.util.Optional.empty());
  }

  /** Data-In holds slices of the READ buffers: every one must be given back. */
  @AfterEach
  void noBufferLeaks() {
    LeakRecorder.assertNoLeaks();
  }

  private void send(IscsiPdu pdu) {
    channel.writeInbound(Unpooled.wrappedBuffer(PduCodec.encode(pdu, FROM_INITIATOR)));
  }

  /**
   * The next PDU the target wrote: its header and, for READ data, the data buffer the encoder
   * passes on uncopied, gathered until the PDU is whole; no write may straddle two PDUs.
   */
  private IscsiPdu receive() throws Exception {
    return RawInitiator.readPdu(channel);
  }

  private ScsiCommand command(
      int itt, byte[] cdb, boolean read, boolean write, long length, byte[] immediate) {
    return new ScsiCommand(
        false,
        true,
        read,
        write,
        TaskAttribute.SIMPLE,
        LUN0,
        itt,
        length,
        cmdSn++,
        expStatSn,
        DataSegment.of(cdb),
        ScsiCommand.NO_BIDIRECTIONAL,
        DataSegment.of(immediate));
  }

  @Test
  void aSessionLogsInWritesThroughR2tsReadsBackAndLogsOut() throws Exception {
    DriveProfile profile = ProfileCatalog.builtIn().get("mo-640");
    MediumType type = profile.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "Q", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    Firmware drive = new Firmware(0, profile, "DEV", TimingMode.FAST, System::nanoTime);
    try (Medium medium = store.open("Q")) {
      drive.insert(medium);
      IscsiPduDecoder decoder = new IscsiPduDecoder();
      IscsiPduEncoder encoder = new IscsiPduEncoder();
      channel =
          new EmbeddedChannel(
              decoder, encoder, connection(new Target(List.of(drive)), decoder, encoder));

      TextKeys offer =
          TextKeys.of(
              "InitiatorName", "iqn.2026-12.dev.secdrive:test",
              "TargetName", IscsiEndpoint.DEFAULT_TARGET_NAME,
              "SessionType", "Normal",
              "InitialR2T", "Yes",
              "ImmediateData", "Yes",
              "MaxRecvDataSegmentLength", "8192",
              "MaxBurstLength", "8192",
              "FirstBurstLength", "4096");
      send(
          new LoginRequest(
              true,
              false,
              Stage.LOGIN_OPERATIONAL_NEGOTIATION,
              Stage.FULL_FEATURE_PHASE,
              0,
              0,
              0x123456L,
              0,
              1,
              0,
              cmdSn,
              0,
              DataSegment.of(offer.encode())));
      LoginResponse login = assertInstanceOf(LoginResponse.class, receive());
      assertEquals(LoginStatus.SUCCESS, login.status());
      assertTrue(login.transit());
      assertEquals(Stage.FULL_FEATURE_PHASE, login.nextStage());
      assertEquals(1, login.tsih());
      TextKeys answer = TextKeys.parse(login.data().toByteArray(), 8192);
      assertEquals("Yes", answer.get("InitialR2T").orElseThrow());
      assertEquals("4096", answer.get("FirstBurstLength").orElseThrow());
      assertEquals("1", answer.get("TargetPortalGroupTag").orElseThrow());
      expStatSn = login.statSn() + 1;

      // The session's first command meets the power-on unit attention (06/29/00).
      send(command(2, new byte[6], false, false, 0, new byte[0]));
      ScsiResponse attention = assertInstanceOf(ScsiResponse.class, receive());
      assertEquals(ScsiStatus.CHECK_CONDITION.code(), attention.status());
      byte[] sense = attention.sense().toByteArray();
      assertEquals(0x06, sense[2] & 0x0F);
      assertEquals(0x29, sense[12] & 0xFF);
      expStatSn = attention.statSn() + 1;

      // WRITE(10) of 10 blocks: 2 KiB immediate (InitialR2T=Yes: no unsolicited Data-Out), then
      // R2Ts of MaxBurstLength 8 KiB, answered each with two Data-Out PDUs.
      byte[] data = new byte[10 * 2048];
      new Random(5).nextBytes(data);
      send(
          command(
              3,
              new Write10(0, 10).encode(),
              false,
              true,
              data.length,
              java.util.Arrays.copyOf(data, 2048)));
      long[][] bursts = {{2048, 8192}, {10240, 8192}, {18432, 2048}};
      for (int r = 0; r < bursts.length; r++) {
        R2t r2t = assertInstanceOf(R2t.class, receive());
        assertEquals(3, r2t.initiatorTaskTag());
        assertEquals(r, r2t.r2tSn());
        assertEquals(bursts[r][0], r2t.bufferOffset());
        assertEquals(bursts[r][1], r2t.desiredDataTransferLength());
        assertNull(receive(), "one R2T outstanding at a time");
        int offset = (int) r2t.bufferOffset();
        int end = offset + (int) r2t.desiredDataTransferLength();
        int dataSn = 0;
        while (offset < end) {
          int length = Math.min(4096, end - offset);
          send(
              new DataOut(
                  offset + length == end,
                  LUN0,
                  3,
                  r2t.targetTransferTag(),
                  expStatSn,
                  dataSn++,
                  offset,
                  DataSegment.of(java.util.Arrays.copyOfRange(data, offset, offset + length))));
          offset += length;
        }
      }
      ScsiResponse written = assertInstanceOf(ScsiResponse.class, receive());
      assertEquals(ScsiStatus.GOOD.code(), written.status());
      assertEquals(3, written.initiatorTaskTag());
      assertFalse(written.underflow() || written.overflow());
      expStatSn = written.statSn() + 1;

      // A write whose expected length differs from its CDB's (RFC 7143 11.4.5.1): one block sent
      // with two expected is GOOD with a one-block underflow; two blocks with none sent, GOOD
      // with a two-block overflow, and nothing written.
      send(
          command(
              5,
              new Write10(20, 1).encode(),
              false,
              true,
              4096,
              java.util.Arrays.copyOf(data, 4096)));
      ScsiResponse under = assertInstanceOf(ScsiResponse.class, receive());
      assertEquals(ScsiStatus.GOOD.code(), under.status());
      assertTrue(under.underflow());
      assertEquals(2048, under.residual());
      expStatSn = under.statSn() + 1;
      send(command(6, new Write10(0, 2).encode(), false, true, 0, new byte[0]));
      ScsiResponse over = assertInstanceOf(ScsiResponse.class, receive());
      assertEquals(ScsiStatus.GOOD.code(), over.status());
      assertTrue(over.overflow());
      assertEquals(4096, over.residual());
      expStatSn = over.statSn() + 1;

      // READ(10) of the same blocks: Data-In of at most 8 KiB, the status in the last (S bit).
      send(command(4, new Read10(0, 10).encode(), true, false, data.length, new byte[0]));
      byte[] read = new byte[data.length];
      int[] lengths = {8192, 8192, 4096};
      for (int i = 0; i < lengths.length; i++) {
        DataIn in = assertInstanceOf(DataIn.class, receive());
        assertEquals(4, in.initiatorTaskTag());
        assertEquals(i, in.dataSn());
        assertEquals(lengths[i], in.data().length());
        assertTrue(in.finalPdu(), "MaxBurstLength 8 KiB ends a sequence with every PDU");
        assertEquals(i == lengths.length - 1, in.hasStatus());
        System.arraycopy(in.data().toByteArray(), 0, read, (int) in.bufferOffset(), lengths[i]);
        if (in.hasStatus()) {
          assertEquals(ScsiStatus.GOOD.code(), in.status());
          assertEquals(expStatSn, in.statSn());
          assertFalse(in.underflow() || in.overflow());
        }
      }
      assertArrayEquals(data, read);
      assertNull(receive(), "phase collapse: no SCSI Response after the Data-In");
      expStatSn++;

      send(
          new NopOut(
              false,
              0,
              9,
              IscsiPdu.RESERVED_TAG,
              cmdSn++,
              expStatSn,
              DataSegment.of(new byte[] {1, 2, 3})));
      NopIn pong = assertInstanceOf(NopIn.class, receive());
      assertEquals(9, pong.initiatorTaskTag());
      assertArrayEquals(new byte[] {1, 2, 3}, pong.data().toByteArray());
      expStatSn = pong.statSn() + 1;

      // Non-immediate commands beyond MaxCmdSN or below ExpCmdSN are ignored (section 4.2.2.1).
      int maxCmdSn = pong.maxCmdSn();
      for (int outside : new int[] {maxCmdSn + 1, cmdSn - 1}) {
        send(
            new NopOut(false, 0, 11, IscsiPdu.RESERVED_TAG, outside, expStatSn, DataSegment.EMPTY));
        assertNull(receive(), "CmdSN " + outside + " is outside the window");
      }
      send(command(12, new byte[6], false, false, 0, new byte[0]));
      ScsiResponse ready = assertInstanceOf(ScsiResponse.class, receive());
      assertEquals(ScsiStatus.GOOD.code(), ready.status());
      assertEquals(expStatSn, ready.statSn());
      expStatSn++;

      // A Data-Out for a transfer tag the target never sent.
      send(new DataOut(true, LUN0, 3, 0x7777, expStatSn, 0, 0, DataSegment.of(new byte[512])));
      Reject reject = assertInstanceOf(Reject.class, receive());
      assertEquals(RejectReason.PROTOCOL_ERROR, reject.reason());
      assertEquals(PduCodec.BHS_LENGTH, reject.data().length());

      send(new LogoutRequest(true, LogoutReason.CLOSE_SESSION, 10, 0, cmdSn, expStatSn));
      LogoutResponse logout = assertInstanceOf(LogoutResponse.class, receive());
      assertEquals(LogoutResponse.CLOSED_SUCCESSFULLY, logout.response());
      assertEquals(expStatSn, logout.statSn());
      assertFalse(channel.isOpen(), "the connection closes after the Logout Response");
      channel.finishAndReleaseAll();
    }
  }

  private static LoginRequest loginPart(
      boolean transit, boolean continues, Stage stage, int cmdSn, byte[] text) {
    return new LoginRequest(
        transit,
        continues,
        stage,
        transit ? Stage.FULL_FEATURE_PHASE : stage,
        0,
        0,
        0x42L,
        0,
        1,
        0,
        cmdSn,
        0,
        DataSegment.of(text));
  }

  @Test
  void loginTextContinuedAcrossRequestsIsCollectedAndNegotiatedWhenItEnds() throws Exception {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    channel =
        new EmbeddedChannel(decoder, encoder, connection(new Target(List.of()), decoder, encoder));
    TextKeys keysOffered =
        TextKeys.of(
            "InitiatorName", "iqn.2026-12.dev.secdrive:test",
            "TargetName", IscsiEndpoint.DEFAULT_TARGET_NAME,
            "MaxBurstLength", "8192");
    for (int i = 0; i < 45; i++) { // more than one 8 KiB PDU holds
      keysOffered = keysOffered.with(TextKeys.of("X-dev.secdrive.pad" + i, "p".repeat(200)));
    }
    byte[] offer = keysOffered.encode();
    assertTrue(offer.length > 8192);
    // cut inside a key and inside a value: the parts are only bytes
    assertTrue(offer.length > 8192);
    int[] cuts = {0, 20, 4100, offer.length};
    for (int i = 0; i < 3; i++) {
      boolean last = i == 2;
      send(
          loginPart(
              last,
              !last,
              Stage.LOGIN_OPERATIONAL_NEGOTIATION,
              1,
              Arrays.copyOfRange(offer, cuts[i], cuts[i + 1])));
      LoginResponse answer = assertInstanceOf(LoginResponse.class, receive());
      assertEquals(LoginStatus.SUCCESS, answer.status());
      assertFalse(answer.continues());
      if (!last) {
        assertFalse(answer.transit(), "a part is answered without a transit");
        assertEquals(0, answer.data().length(), "and without text");
        assertEquals(0, answer.tsih());
      } else {
        assertTrue(answer.transit());
        assertEquals(Stage.FULL_FEATURE_PHASE, answer.nextStage());
        assertEquals(1, answer.tsih());
        TextKeys keys = TextKeys.parse(answer.data().toByteArray(), 8192);
        assertEquals("8192", keys.get("MaxBurstLength").orElseThrow());
        assertEquals("NotUnderstood", keys.get("X-dev.secdrive.pad44").orElseThrow());
      }
    }
    assertTrue(channel.isOpen());
    channel.finishAndReleaseAll();

    // text whose answer would not fit one Login Response (800 keys, each NotUnderstood): 02/00
    TextKeys many = keysOffered;
    for (int i = 0; i < 800; i++) {
      many = many.with(TextKeys.of(String.format("X-dev.secdrive.k%03d", i), "x"));
    }
    byte[] manyBytes = many.encode();
    {
      IscsiPduDecoder d = new IscsiPduDecoder();
      IscsiPduEncoder e = new IscsiPduEncoder();
      channel = new EmbeddedChannel(d, e, connection(new Target(List.of()), d, e));
      LoginResponse last = null;
      for (int at = 0; at < manyBytes.length; at += 8192) {
        boolean end = at + 8192 >= manyBytes.length;
        send(
            loginPart(
                end,
                !end,
                Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                1,
                Arrays.copyOfRange(manyBytes, at, Math.min(manyBytes.length, at + 8192))));
        last = assertInstanceOf(LoginResponse.class, receive());
      }
      assertEquals(LoginStatus.INITIATOR_ERROR, last.status());
      assertFalse(channel.isOpen());
      channel.finishAndReleaseAll();
    }

    // a continued text whose stage changes, and one that grows past 64 KiB, are refused
    for (boolean tooLong : new boolean[] {false, true}) {
      IscsiPduDecoder d = new IscsiPduDecoder();
      IscsiPduEncoder e = new IscsiPduEncoder();
      channel = new EmbeddedChannel(d, e, connection(new Target(List.of()), d, e));
      send(loginPart(false, true, Stage.LOGIN_OPERATIONAL_NEGOTIATION, 1, new byte[8192]));
      assertEquals(LoginStatus.SUCCESS, assertInstanceOf(LoginResponse.class, receive()).status());
      LoginResponse refused = null;
      for (int part = 0; part < 9 && refused == null; part++) {
        send(
            loginPart(
                false,
                true,
                tooLong ? Stage.LOGIN_OPERATIONAL_NEGOTIATION : Stage.SECURITY_NEGOTIATION,
                1,
                new byte[8192]));
        LoginResponse r = assertInstanceOf(LoginResponse.class, receive());
        if (r.status() != LoginStatus.SUCCESS) {
          refused = r;
        }
      }
      assertEquals(LoginStatus.INITIATOR_ERROR, refused.status(), "too long: " + tooLong);
      assertFalse(channel.isOpen());
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void aLoginToAnotherTargetIsRefusedAndTheConnectionCloses() throws Exception {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    channel =
        new EmbeddedChannel(decoder, encoder, connection(new Target(List.of()), decoder, encoder));
    TextKeys offer =
        TextKeys.of(
            "InitiatorName", "iqn.2026-12.dev.secdrive:test",
            "TargetName", "iqn.2026-12.dev.secdrive:other");
    send(
        new LoginRequest(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            1L,
            0,
            1,
            0,
            1,
            0,
            DataSegment.of(offer.encode())));
    LoginResponse refused = assertInstanceOf(LoginResponse.class, receive());
    assertEquals(LoginStatus.NOT_FOUND, refused.status());
    assertNotEquals(Stage.FULL_FEATURE_PHASE, refused.nextStage());
    assertFalse(channel.isOpen());
    channel.finishAndReleaseAll();
  }

  @Test
  void byteSoupBeforeAndAfterLoginIsAnsweredWithWholePdusOrClosedNeverThrown() throws Exception {
    for (long seed = 0; seed < 300; seed++) {
      Random random = new Random(seed);
      IscsiPduDecoder decoder = new IscsiPduDecoder();
      IscsiPduEncoder encoder = new IscsiPduEncoder();
      channel =
          new EmbeddedChannel(
              decoder, encoder, connection(new Target(List.of()), decoder, encoder));
      cmdSn = 1;
      if (seed % 2 == 1) {
        TextKeys offer =
            TextKeys.of(
                "InitiatorName", "iqn.2026-12.dev.secdrive:test",
                "SessionType", "Discovery",
                "MaxRecvDataSegmentLength", "8192");
        send(
            new LoginRequest(
                true,
                false,
                Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                Stage.FULL_FEATURE_PHASE,
                0,
                0,
                1L,
                0,
                1,
                0,
                cmdSn,
                0,
                DataSegment.of(offer.encode())));
        assertEquals(LoginStatus.SUCCESS, ((LoginResponse) receive()).status());
      }
      for (int chunk = 0; chunk < 8 && channel.isOpen(); chunk++) {
        byte[] soup = new byte[8 + random.nextInt(200)];
        random.nextBytes(soup);
        if (random.nextBoolean()) {
          soup[0] = (byte) random.nextInt(0x20); // an initiator opcode, more often than by chance
          soup[4] = 0; // no AHS
          soup[5] = 0;
          soup[6] = 0;
          soup[7] = (byte) random.nextInt(16);
        }
        channel.writeInbound(Unpooled.wrappedBuffer(soup));
        for (IscsiPdu answer; (answer = receive()) != null; ) {
          assertNotEquals(null, answer.opcode()); // every answer decodes as a whole target PDU
        }
      }
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void writesBeyondTheSixteenCollectingTheirDataAreAnsweredTaskSetFull() throws Exception {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    channel =
        new EmbeddedChannel(decoder, encoder, connection(new Target(List.of()), decoder, encoder));
    TextKeys offer =
        TextKeys.of(
            "InitiatorName", "iqn.2026-12.dev.secdrive:test",
            "TargetName", IscsiEndpoint.DEFAULT_TARGET_NAME,
            "MaxRecvDataSegmentLength", "8192");
    send(
        new LoginRequest(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            1L,
            0,
            1,
            0,
            cmdSn,
            0,
            DataSegment.of(offer.encode())));
    assertEquals(LoginStatus.SUCCESS, ((LoginResponse) receive()).status());
    for (int itt = 1; itt <= ScsiTasks.MAXIMUM_COLLECTING_WRITES; itt++) {
      send(command(itt, new Write10(0, 4).encode(), false, true, 8192, new byte[0]));
      assertEquals(itt, assertInstanceOf(R2t.class, receive()).initiatorTaskTag());
    }
    send(command(99, new Write10(0, 4).encode(), false, true, 8192, new byte[0]));
    ScsiResponse full = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(99, full.initiatorTaskTag());
    assertEquals(ScsiStatus.TASK_SET_FULL.code(), full.status());
    channel.finishAndReleaseAll();
  }

  @Test
  void aCommandWithAnIttInUseAbortsTheWriteAndIsAnsweredOverlapped() throws Exception {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    channel =
        new EmbeddedChannel(decoder, encoder, connection(new Target(List.of()), decoder, encoder));
    TextKeys offer =
        TextKeys.of(
            "InitiatorName", "iqn.2026-12.dev.secdrive:test",
            "TargetName", IscsiEndpoint.DEFAULT_TARGET_NAME,
            "MaxRecvDataSegmentLength", "8192");
    send(
        new LoginRequest(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            1L,
            0,
            1,
            0,
            cmdSn,
            0,
            DataSegment.of(offer.encode())));
    assertEquals(LoginStatus.SUCCESS, ((LoginResponse) receive()).status());
    send(command(5, new Write10(0, 4).encode(), false, true, 8192, new byte[0]));
    assertEquals(5, assertInstanceOf(R2t.class, receive()).initiatorTaskTag());

    // SAM-5 5.10: the same ITT while the write collects its data is an overlapped command.
    send(command(5, new TestUnitReady().encode(), false, false, 0, new byte[0]));
    ScsiResponse overlapped = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(5, overlapped.initiatorTaskTag());
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), overlapped.status());
    byte[] sense = overlapped.sense().toByteArray();
    assertEquals(0x0B, sense[2] & 0x0F, "ABORTED COMMAND");
    assertEquals(0x4E, sense[12] & 0xFF, "OVERLAPPED COMMANDS ATTEMPTED");
    assertEquals(0x00, sense[13] & 0xFF);
    assertNull(receive(), "the aborted write gets no answer");

    // The ITT is free again: the next command with it executes (no LUN 0 here: 05/25/00).
    send(command(5, new TestUnitReady().encode(), false, false, 0, new byte[0]));
    ScsiResponse next = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(0x25, next.sense().toByteArray()[12] & 0xFF, "executed, not overlapped");
    channel.finishAndReleaseAll();
  }

  @Test
  void aDataOutWithTheWrongDataSnFailsItsWriteOnceTheSequenceIsInAndTheSessionGoesOn()
      throws Exception {
    IscsiPduDecoder decoder = new IscsiPduDecoder();
    IscsiPduEncoder encoder = new IscsiPduEncoder();
    channel =
        new EmbeddedChannel(decoder, encoder, connection(new Target(List.of()), decoder, encoder));
    TextKeys offer =
        TextKeys.of(
            "InitiatorName", "iqn.2026-12.dev.secdrive:test",
            "TargetName", IscsiEndpoint.DEFAULT_TARGET_NAME,
            "MaxRecvDataSegmentLength", "8192");
    send(
        new LoginRequest(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            1L,
            0,
            1,
            0,
            cmdSn,
            0,
            DataSegment.of(offer.encode())));
    assertEquals(LoginStatus.SUCCESS, ((LoginResponse) receive()).status());
    send(command(1, new Write10(0, 4).encode(), false, true, 8192, new byte[0]));
    R2t r2t = assertInstanceOf(R2t.class, receive());
    send(
        new DataOut(
            false, LUN0, 1, r2t.targetTransferTag(), 0, 0, 0, DataSegment.of(new byte[4096])));
    assertNull(receive(), "DataSN 0 is the first of the sequence");
    // DataSN 2 where 1 was due, and in the reverse order: each task waits for its sequence's end.
    send(
        new DataOut(
            false, LUN0, 1, r2t.targetTransferTag(), 0, 2, 4096, DataSegment.of(new byte[2048])));
    assertNull(receive(), "the sequence is not over");
    send(
        new DataOut(
            true, LUN0, 1, r2t.targetTransferTag(), 0, 1, 6144, DataSegment.of(new byte[2048])));
    ScsiResponse failed = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(1, failed.initiatorTaskTag());
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), failed.status());
    byte[] sense = failed.sense().toByteArray();
    assertEquals(0x0B, sense[2] & 0x0F, "ABORTED COMMAND");
    assertEquals(0x47, sense[12] & 0xFF, "PROTOCOL SERVICE CRC ERROR");
    assertEquals(0x05, sense[13] & 0xFF);
    assertTrue(channel.isOpen(), "the session goes on (RFC 7143 7.8)");

    send(command(2, new Write10(0, 1).encode(), false, true, 2048, new byte[0]));
    R2t next = assertInstanceOf(R2t.class, receive());
    assertEquals(2, next.initiatorTaskTag());
    send(
        new DataOut(
            true, LUN0, 2, next.targetTransferTag(), 0, 5, 0, DataSegment.of(new byte[2048])));
    ScsiResponse alone = assertInstanceOf(ScsiResponse.class, receive());
    assertEquals(0x47, alone.sense().toByteArray()[12] & 0xFF, "one PDU, out of order");
    assertNull(receive());
    channel.finishAndReleaseAll();
  }
}
