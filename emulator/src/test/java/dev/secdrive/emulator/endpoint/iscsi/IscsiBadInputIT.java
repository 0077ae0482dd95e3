package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.Emulator;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.Reject;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.testing.LeakRecorder;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input RFC 7143 names an answer for, on a real portal, one connection each, while
 * a bystander session logged in beforehand completes a command after every one of them: a PDU that
 * decodes to nothing (Reject, section 11.17), a wrong header digest (the connection ends, 7.8), a
 * wrong data digest on a command and on a Data-Out (Reject 0x02, 7.8), an unknown target name
 * (login 02/03), a CHAP exchange the portal cannot have (02/01), a login key out of range (02/00),
 * a data segment over the target's MaxRecvDataSegmentLength (the connection ends before the data is
 * buffered).
 */
class IscsiBadInputIT {

  private static final PduCodec.Settings LOGIN = PduCodec.Settings.login(Opcode.Sender.INITIATOR);
  private static final PduCodec.Settings DIGESTS =
      new PduCodec.Settings(Opcode.Sender.INITIATOR, 65536, true, true);

  @TempDir Path media;
  @TempDir Path anchors;
  private Emulator emulator;
  private IscsiEndpoint portal;
  private IscsiFuzzIT.Session bystander;

  @BeforeEach
  void start() throws Exception {
    portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    emulator = IscsiFuzzIT.emulator(media, anchors, portal, "BAD");
    bystander =
        new IscsiFuzzIT.Session(portal.address(), "iqn.2026-12.dev.secdrive:bystander", 9, false);
    bystander.testUnitReady(); // the power-on unit attention
  }

  @AfterEach
  void stop() throws IOException {
    bystander.close();
    emulator.close();
    LeakRecorder.assertNoLeaks();
  }

  private IscsiFuzzIT.Session digestSession() throws Exception {
    return new IscsiFuzzIT.Session(portal.address(), "iqn.2026-12.dev.secdrive:bad", 1, true);
  }

  private static void assertClosed(IscsiFuzzIT.Session session) {
    Exception e =
        assertThrows(Exception.class, () -> IscsiFuzzIT.read(session.in, session.targetSettings()));
    assertTrue(
        e instanceof EOFException || e instanceof SocketException,
        "the target closed the connection, not " + e);
  }

  private static Reject reject(IscsiFuzzIT.Session session) throws Exception {
    return assertInstanceOf(Reject.class, IscsiFuzzIT.read(session.in, session.targetSettings()));
  }

  private static byte[] nopOut(IscsiFuzzIT.Session session, int itt, byte[] data) {
    return PduCodec.encode(
        new NopOut(
            true,
            0L,
            itt,
            IscsiPdu.RESERVED_TAG,
            session.cmdSn,
            session.expStatSn,
            DataSegment.of(data)),
        session.settings);
  }

  private static void assertAlive(IscsiFuzzIT.Session session) throws Exception {
    session.out.write(nopOut(session, 77, new byte[0]));
    assertEquals(
        77,
        assertInstanceOf(NopIn.class, IscsiFuzzIT.read(session.in, session.targetSettings()))
            .initiatorTaskTag());
  }

  @Test
  void aPduThatDecodesToNothingIsRejectedAndTheSessionGoesOn() throws Exception {
    try (IscsiFuzzIT.Session session = digestSession()) {
      byte[] pdu = nopOut(session, 5, new byte[0]);
      pdu[0] = 0x1f; // a reserved initiator opcode; the header digest no longer matches
      int digest = dev.secdrive.protocol.iscsi.Crc32c.of(java.util.Arrays.copyOf(pdu, 48));
      for (int i = 0; i < 4; i++) {
        pdu[48 + i] = (byte) (digest >>> (8 * i));
      }
      session.out.write(pdu);
      assertEquals(RejectReason.COMMAND_NOT_SUPPORTED, reject(session).reason());
      assertAlive(session);
    }
    bystander.testUnitReady();
  }

  @Test
  void aWrongHeaderDigestEndsTheConnection() throws Exception {
    try (IscsiFuzzIT.Session session = digestSession()) {
      byte[] pdu = nopOut(session, 5, new byte[0]);
      pdu[49] ^= 1;
      session.out.write(pdu);
      assertClosed(session);
    }
    bystander.testUnitReady();
  }

  @Test
  void aWrongDataDigestOnACommandOrADataOutIsRejected() throws Exception {
    try (IscsiFuzzIT.Session session = digestSession()) {
      ScsiCommand write =
          new ScsiCommand(
              false,
              true,
              false,
              true,
              TaskAttribute.SIMPLE,
              Lun.encode(0),
              3,
              2048,
              session.cmdSn,
              session.expStatSn,
              DataSegment.of(new Write10(0, 1).encode()),
              ScsiCommand.NO_BIDIRECTIONAL,
              DataSegment.of(new byte[512]));
      byte[] pdu = PduCodec.encode(write, session.settings);
      pdu[pdu.length - 1] ^= 1;
      session.out.write(pdu);
      assertEquals(RejectReason.DATA_DIGEST_ERROR, reject(session).reason());
      // An unsolicited Data-Out (InitialR2T=No) for a write the target holds.
      ScsiCommand collecting =
          new ScsiCommand(
              false,
              false,
              false,
              true,
              TaskAttribute.SIMPLE,
              Lun.encode(0),
              4,
              2048,
              session.cmdSn,
              session.expStatSn,
              DataSegment.of(new Write10(0, 1).encode()),
              ScsiCommand.NO_BIDIRECTIONAL,
              DataSegment.EMPTY);
      session.out.write(PduCodec.encode(collecting, session.settings));
      byte[] data =
          PduCodec.encode(
              new DataOut(
                  true,
                  Lun.encode(0),
                  4,
                  IscsiPdu.RESERVED_TAG,
                  session.expStatSn,
                  0,
                  0,
                  DataSegment.of(new byte[2048])),
              session.settings);
      data[data.length - 2] ^= 1;
      session.out.write(data);
      assertEquals(RejectReason.DATA_DIGEST_ERROR, reject(session).reason());
      assertAlive(session);
    }
    bystander.testUnitReady();
  }

  private LoginResponse login(TextKeys keys, Stage stage) throws Exception {
    try (java.net.Socket socket =
        new java.net.Socket(portal.address().getAddress(), portal.address().getPort())) {
      socket.setSoTimeout(60_000); // a bound on a hung target
      socket
          .getOutputStream()
          .write(
              PduCodec.encode(
                  new LoginRequest(
                      stage == Stage.SECURITY_NEGOTIATION ? false : true,
                      false,
                      stage,
                      Stage.FULL_FEATURE_PHASE,
                      0,
                      0,
                      0x42,
                      0,
                      0,
                      0,
                      1,
                      0,
                      DataSegment.of(keys.encode())),
                  LOGIN));
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      LoginResponse response =
          assertInstanceOf(
              LoginResponse.class,
              IscsiFuzzIT.read(in, PduCodec.Settings.login(Opcode.Sender.TARGET)));
      assertEquals(-1, in.read(), "a refused login ends the connection");
      return response;
    }
  }

  @Test
  void refusedLoginsSayWhy() throws Exception {
    String name = "iqn.2026-12.dev.secdrive:bad";
    assertEquals(
        LoginStatus.NOT_FOUND,
        login(
                TextKeys.of("InitiatorName", name, "TargetName", "iqn.2026-12.dev.secdrive:other"),
                Stage.LOGIN_OPERATIONAL_NEGOTIATION)
            .status());
    bystander.testUnitReady();
    assertEquals(
        LoginStatus.AUTHENTICATION_FAILURE,
        login(
                TextKeys.of(
                    "InitiatorName",
                    name,
                    "TargetName",
                    IscsiEndpoint.DEFAULT_TARGET_NAME,
                    "AuthMethod",
                    "CHAP"),
                Stage.SECURITY_NEGOTIATION)
            .status());
    bystander.testUnitReady();
    assertEquals(
        LoginStatus.INITIATOR_ERROR,
        login(
                TextKeys.of(
                    "InitiatorName",
                    name,
                    "TargetName",
                    IscsiEndpoint.DEFAULT_TARGET_NAME,
                    "MaxRecvDataSegmentLength",
                    "100"),
                Stage.LOGIN_OPERATIONAL_NEGOTIATION)
            .status());
    bystander.testUnitReady();
  }

  @Test
  void loginTextSplitAcrossRequestsWithTheCBitLogsIn() throws Exception {
    byte[] text =
        TextKeys.of(
                "InitiatorName",
                "iqn.2026-12.dev.secdrive:split",
                "TargetName",
                IscsiEndpoint.DEFAULT_TARGET_NAME)
            .encode();
    int cut = 17; // inside the first key's value
    try (java.net.Socket socket =
        new java.net.Socket(portal.address().getAddress(), portal.address().getPort())) {
      socket.setSoTimeout(60_000); // a bound on a hung target
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      PduCodec.Settings fromTarget = PduCodec.Settings.login(Opcode.Sender.TARGET);
      for (boolean last : new boolean[] {false, true}) {
        byte[] part =
            last
                ? java.util.Arrays.copyOfRange(text, cut, text.length)
                : java.util.Arrays.copyOf(text, cut);
        socket
            .getOutputStream()
            .write(
                PduCodec.encode(
                    new LoginRequest(
                        last,
                        !last,
                        Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                        last ? Stage.FULL_FEATURE_PHASE : Stage.LOGIN_OPERATIONAL_NEGOTIATION,
                        0,
                        0,
                        0x43,
                        0,
                        0,
                        0,
                        1,
                        0,
                        DataSegment.of(part)),
                    LOGIN));
        LoginResponse response =
            assertInstanceOf(LoginResponse.class, IscsiFuzzIT.read(in, fromTarget));
        assertEquals(LoginStatus.SUCCESS, response.status());
        assertEquals(last, response.transit());
        assertEquals(last, response.tsih() != 0, "the TSIH comes with the transit");
      }
    }
    bystander.testUnitReady();
  }

  @Test
  void aDataSegmentBeyondTheTargetsMaximumEndsTheConnection() throws Exception {
    try (IscsiFuzzIT.Session session = digestSession()) {
      // Encoded as a careless initiator would: beyond what the target declared at login.
      session.out.write(
          PduCodec.encode(
              new NopOut(
                  true,
                  0L,
                  6,
                  IscsiPdu.RESERVED_TAG,
                  session.cmdSn,
                  session.expStatSn,
                  DataSegment.of(new byte[IscsiEndpoint.MAX_RECV_DATA_SEGMENT_LENGTH + 4])),
              new PduCodec.Settings(Opcode.Sender.INITIATOR, 1 << 20, true, true)));
      assertClosed(session);
    }
    bystander.testUnitReady();
  }
}
