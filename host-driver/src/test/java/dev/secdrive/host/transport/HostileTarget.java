package dev.secdrive.host.transport;

import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scripted iSCSI target on 127.0.0.1 at the driver's network boundary: it logs the initiator in
 * (AuthMethod None, every key left at its default, or with {@code answers}) and then sends whatever
 * PDUs or raw bytes a test crafts with {@link PduCodec}, reading what the initiator sends back.
 */
final class HostileTarget implements AutoCloseable {

  static final String NAME = "iqn.2026-12.dev.secdrive:hostile";

  private static final PduCodec.Settings FROM_INITIATOR =
      new PduCodec.Settings(Sender.INITIATOR, 1 << 20, false, false);
  private static final PduCodec.Settings TO_INITIATOR =
      new PduCodec.Settings(Sender.TARGET, 1 << 20, false, false);

  private final ServerSocket server;
  private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
  private Socket socket;
  private DataInputStream in;
  private OutputStream out;
  int cmdSn;

  /** Commands the login grants beyond the first: MaxCmdSN = CmdSN + window. */
  int window = 31;

  HostileTarget() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                accepted.complete(server.accept());
              } catch (IOException e) {
                accepted.completeExceptionally(e);
              }
            },
            "hostile-target");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String uri(String query) {
    return "iscsi://127.0.0.1:" + server.getLocalPort() + "/" + NAME + "/0" + query;
  }

  /** Waits for the initiator's connection. */
  void accept() throws Exception {
    socket = accepted.get(30, TimeUnit.SECONDS);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Accepts and answers the first Login Request by moving to the full feature phase. */
  void acceptAndLogIn(TextKeys answers) throws Exception {
    accept();
    LoginRequest request = (LoginRequest) read();
    cmdSn = request.cmdSn();
    send(
        new LoginResponse(
            true,
            false,
            Stage.LOGIN_OPERATIONAL_NEGOTIATION,
            Stage.FULL_FEATURE_PHASE,
            0,
            0,
            request.isid(),
            1,
            request.initiatorTaskTag(),
            0,
            cmdSn,
            cmdSn + window,
            0,
            0,
            DataSegment.of(answers.encode())));
  }

  /** Logs in on a background thread, so the test's thread can open the transport meanwhile. */
  CompletableFuture<Void> logInLater(TextKeys answers) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            acceptAndLogIn(answers);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /**
   * Answers the Logout Request closing the transport sends, on a background thread, so that closing
   * does not wait for its bound.
   */
  CompletableFuture<Void> answerLogoutLater() {
    return CompletableFuture.runAsync(
        () -> {
          try {
            IscsiPdu pdu;
            do {
              pdu = read();
            } while (!(pdu instanceof IscsiPdu.LogoutRequest));
            IscsiPdu.LogoutRequest logout = (IscsiPdu.LogoutRequest) pdu;
            send(
                new IscsiPdu.LogoutResponse(
                    0, logout.initiatorTaskTag(), 9, logout.cmdSn(), logout.cmdSn() + 8, 0, 0));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** The next PDU from the initiator (no digests: the script never negotiates them). */
  IscsiPdu read() throws Exception {
    byte[] header = new byte[PduCodec.BHS_LENGTH];
    in.readFully(header);
    ByteBuf buffer = Unpooled.wrappedBuffer(header);
    int length = PduCodec.pduLength(buffer, FROM_INITIATOR);
    byte[] whole = new byte[length];
    System.arraycopy(header, 0, whole, 0, header.length);
    in.readFully(whole, header.length, length - header.length);
    return PduCodec.decode(Unpooled.wrappedBuffer(whole), FROM_INITIATOR);
  }

  void send(IscsiPdu pdu) throws IOException {
    sendRaw(PduCodec.encode(pdu, TO_INITIATOR));
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Whether the initiator closed the connection: the next read meets the end of the stream. */
  boolean closedByInitiator() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }
}
