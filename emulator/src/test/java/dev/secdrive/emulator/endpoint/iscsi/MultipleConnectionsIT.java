package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.Emulator;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.LogoutReason;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.testing.LeakRecorder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session over two TCP connections of a real portal (RFC 7143 section 6.3.3): the second
 * connection joins with the session's TSIH and negotiates its own digests, the session's commands
 * reach the drive in CmdSN order whichever connection carries them, and connections leave, by
 * Logout or by failing, without taking the session with them.
 */
class MultipleConnectionsIT {

  private static final String INITIATOR = "iqn.2026-12.dev.secdrive:two-links";
  private static final long ISID = 0x4000_0000_0077L;

  @TempDir Path media;
  @TempDir Path anchors;
  private Emulator emulator;
  private IscsiEndpoint portal;
  private Link a;
  private Link b;
  private int tsih;
  private int cmdSn = 1;
  private int itt = 1;

  /** One TCP connection, with the digests its login chose. */
  private static final class Link implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    PduCodec.Settings sending = PduCodec.Settings.login(Opcode.Sender.INITIATOR);
    PduCodec.Settings receiving = PduCodec.Settings.login(Opcode.Sender.TARGET);
    int expStatSn;

    Link(InetSocketAddress at) throws IOException {
      socket = new Socket(at.getAddress(), at.getPort());
      socket.setSoTimeout(60_000); // a bound on a hung target, not a timing assertion
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    LoginResponse login(int tsih, int cid, int cmdSn, boolean digests, TextKeys more)
        throws IOException, PduException {
      TextKeys offer =
          TextKeys.of(
                  "InitiatorName",
                  INITIATOR,
                  "TargetName",
                  IscsiEndpoint.DEFAULT_TARGET_NAME,
                  "HeaderDigest",
                  digests ? "CRC32C" : "None",
                  "DataDigest",
                  digests ? "CRC32C" : "None",
                  "MaxRecvDataSegmentLength",
                  "65536")
              .with(more);
      send(IscsiFuzzIT.Session.login(ISID, tsih, cid, cmdSn, offer));
      LoginResponse response = assertInstanceOf(LoginResponse.class, read());
      expStatSn = response.statSn() + 1;
      sending = new PduCodec.Settings(Opcode.Sender.INITIATOR, 65536, digests, digests);
      receiving = new PduCodec.Settings(Opcode.Sender.TARGET, 65536, digests, digests);
      return response;
    }

    void send(IscsiPdu pdu) throws IOException {
      out.write(PduCodec.encode(pdu, sending));
    }

    IscsiPdu read() throws IOException, PduException {
      IscsiPdu pdu = IscsiFuzzIT.read(in, receiving);
      if (pdu instanceof ScsiResponse r) {
        expStatSn = r.statSn() + 1;
      } else if (pdu instanceof DataIn d && d.hasStatus()) {
        expStatSn = d.statSn() + 1;
      }
      return pdu;
    }

    void assertClosed() {
      Exception e = assertThrows(Exception.class, this::read);
      assertTrue(
          e instanceof EOFException || e instanceof SocketException,
          "the target closed the connection, not " + e);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    emulator = IscsiFuzzIT.emulator(media, anchors, portal, "MCS");
    a = new Link(portal.address());
    LoginResponse leading = a.login(0, 0, cmdSn, false, TextKeys.of("MaxConnections", "3"));
    assertEquals(LoginStatus.SUCCESS, leading.status());
    tsih = leading.tsih();
    b = new Link(portal.address());
    assertEquals(LoginStatus.SUCCESS, b.login(tsih, 1, cmdSn, true, TextKeys.EMPTY).status());
    a.send(command(a, new byte[6], false, 0, DataSegment.EMPTY));
    assertEquals(
        ScsiStatus.CHECK_CONDITION.code(),
        assertInstanceOf(ScsiResponse.class, a.read()).status(),
        "the power-on unit attention, once for the session's nexus");
  }

  @AfterEach
  void stop() throws IOException {
    a.close();
    b.close();
    emulator.close();
    LeakRecorder.assertNoLeaks();
  }

  private ScsiCommand command(Link on, byte[] cdb, boolean read, long length, DataSegment data) {
    boolean write = !data.isEmpty();
    return new ScsiCommand(
        false,
        true,
        read,
        write,
        TaskAttribute.SIMPLE,
        Lun.encode(0),
        itt++,
        length,
        cmdSn++,
        on.expStatSn,
        DataSegment.of(cdb),
        ScsiCommand.NO_BIDIRECTIONAL,
        data);
  }

  private static NopOut ping(Link on, int tag) {
    return new NopOut(true, 0L, tag, IscsiPdu.RESERVED_TAG, 0, on.expStatSn, DataSegment.EMPTY);
  }

  private static byte[] block(int fill) {
    byte[] block = new byte[2048];
    Arrays.fill(block, (byte) fill);
    return block;
  }

  @Test
  void aReadSentFirstOnOneConnectionWaitsForTheEarlierWriteOnTheOther() throws Exception {
    ScsiCommand write =
        command(a, new Write10(5, 1).encode(), false, 2048, DataSegment.of(block(0x3C)));
    ScsiCommand read = command(b, new Read10(5, 1).encode(), true, 2048, DataSegment.EMPTY);
    b.send(read); // CmdSN n+1, with CRC32C digests
    b.send(ping(b, 0x99));
    NopIn pong = assertInstanceOf(NopIn.class, b.read(), "the READ waits for CmdSN n");
    assertEquals(write.cmdSn(), pong.expCmdSn());
    a.send(write); // CmdSN n, without digests
    assertEquals(ScsiStatus.GOOD.code(), assertInstanceOf(ScsiResponse.class, a.read()).status());
    DataIn data = assertInstanceOf(DataIn.class, b.read());
    assertArrayEquals(block(0x3C), data.data().toByteArray());
    assertEquals(cmdSn, data.expCmdSn(), "one window for both connections");
  }

  @Test
  void connectionsLeaveAndTheSessionStaysUntilItsLast() throws Exception {
    try (Link c = new Link(portal.address())) {
      assertEquals(LoginStatus.SUCCESS, c.login(tsih, 2, cmdSn, false, TextKeys.EMPTY).status());
      try (Link d = new Link(portal.address())) {
        assertEquals(
            LoginStatus.TOO_MANY_CONNECTIONS,
            d.login(tsih, 3, cmdSn, false, TextKeys.EMPTY).status(),
            "MaxConnections=3");
        d.assertClosed();
      }
      c.close(); // a connection that fails ...
      b.send(new LogoutRequest(true, LogoutReason.CLOSE_CONNECTION, 0x70, 1, cmdSn, b.expStatSn));
      assertEquals(
          LogoutResponse.CLOSED_SUCCESSFULLY,
          assertInstanceOf(LogoutResponse.class, b.read()).response());
      b.assertClosed(); // ... and one that logs out
    }
    a.send(command(a, new byte[6], false, 0, DataSegment.EMPTY));
    assertEquals(ScsiStatus.GOOD.code(), assertInstanceOf(ScsiResponse.class, a.read()).status());
    a.send(new LogoutRequest(true, LogoutReason.CLOSE_SESSION, 0x71, 0, cmdSn, a.expStatSn));
    assertEquals(
        LogoutResponse.CLOSED_SUCCESSFULLY,
        assertInstanceOf(LogoutResponse.class, a.read()).response());
    a.assertClosed();
    try (Link late = new Link(portal.address())) {
      assertEquals(
          LoginStatus.SESSION_DOES_NOT_EXIST,
          late.login(tsih, 1, cmdSn, false, TextKeys.EMPTY).status(),
          "the session ended with its last connection");
    }
  }
}
