package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.SupportedVpdPages;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A device that follows a script: a plain {@link ServerSocket} on 127.0.0.1, one connection, and a
 * test thread that reads the host's command frames (parsed by hand from {@code PROTOCOL.md}, not
 * with the codec under test) and writes scripted bytes back.
 *
 * <p>If the script fails, the connection is closed (so the host does not wait for an answer that
 * will never come) and {@link #awaitScript()} and {@link #close()} rethrow the failure.
 */
final class ScriptedPeer implements AutoCloseable {

  static final int COMMAND_MAGIC = 0x5344_4357; // SDCW
  static final int STATUS_MAGIC = 0x5344_5357; // SDSW
  static final int ERROR_MAGIC = 0x5344_4552; // SDER

  static final int GOOD = 0x00;
  static final int CHECK_CONDITION = 0x02;

  private static final int IO_TIMEOUT_MILLIS = 5_000;

  /** What the device does on its one connection. */
  @FunctionalInterface
  interface Script {
    void run(Connection connection) throws Exception;
  }

  /**
   * One command frame as received.
   *
   * @param wire the frame as it came off the socket, length prefix included
   */
  record Command(
      byte[] wire, int flags, int lun, int tag, long expectedDataIn, byte[] cdb, byte[] dataOut) {

    int opcode() {
      return cdb[0] & 0xFF;
    }

    /** A big-endian field of the CDB. */
    long cdbField(int offset, int length) {
      long value = 0;
      for (int i = 0; i < length; i++) {
        value = value << 8 | (cdb[offset + i] & 0xFF);
      }
      return value;
    }

    @Override
    public String toString() {
      return String.format(
          "Command[tag=%d, lun=%d, flags=%02X, cdb=%s, expectedDataIn=%d, dataOut=%d bytes]",
          tag, lun, flags, java.util.HexFormat.of().formatHex(cdb), expectedDataIn, dataOut.length);
    }
  }

  private final ServerSocket server;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final List<Command> received = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile Socket socket;

  private ScriptedPeer(Script script) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server.setSoTimeout(IO_TIMEOUT_MILLIS);
    thread = new Thread(() -> serve(script), "scripted-peer-" + server.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  static ScriptedPeer start(Script script) throws IOException {
    return new ScriptedPeer(script);
  }

  private void serve(Script script) {
    try (Socket accepted = server.accept()) {
      socket = accepted;
      accepted.setSoTimeout(IO_TIMEOUT_MILLIS);
      accepted.setTcpNoDelay(true);
      script.run(new Connection(accepted));
      done.complete(null);
    } catch (Throwable t) {
      done.completeExceptionally(t);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** {@code tcp://127.0.0.1:PORT} followed by {@code suffix}, e.g. {@code /0?timeout=5s}. */
  String uri(String suffix) {
    return target() + suffix;
  }

  /** The host driver's name for this peer: {@code tcp://127.0.0.1:PORT}. */
  String target() {
    return "tcp://127.0.0.1:" + port();
  }

  /** Every command frame received so far, in order. */
  List<Command> received() {
    return List.copyOf(received);
  }

  /** Waits for the script to end, and rethrows whatever made it fail. */
  void awaitScript() {
    try {
      done.get(IO_TIMEOUT_MILLIS * 2L, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the scripted peer", e);
    } catch (ExecutionException e) {
      throw new AssertionError("the scripted peer failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the scripted peer did not finish its script; received " + received);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Socket s = socket;
    if (s != null) {
      s.close();
    }
    try {
      thread.join(IO_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (done.isCompletedExceptionally()) {
      awaitScript();
    }
  }

  /** The device's end of the connection. */
  final class Connection {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** Reads one command frame, checking its framing per PROTOCOL.md. */
    Command read() throws IOException {
      int length = in.readInt();
      if (length < 20 || length > 20 + 16 + (16 << 20)) {
        throw new AssertionError("implausible command frame length " + length);
      }
      byte[] wire = new byte[4 + length];
      ByteBuffer.wrap(wire).putInt(length);
      in.readFully(wire, 4, length);
      ByteBuffer b = ByteBuffer.wrap(wire, 4, length).slice();
      assertEquals(COMMAND_MAGIC, b.getInt(0), "magic SDCW");
      assertEquals(1, b.get(4), "version");
      int flags = b.get(5) & 0xFF;
      assertEquals(0, flags & 0x7F, "reserved command flag bits");
      int lun = b.get(6) & 0xFF;
      int cdbLength = b.get(7) & 0xFF;
      int tag = b.getInt(8);
      long expectedDataIn = b.getInt(12) & 0xFFFF_FFFFL;
      long dataOutLength = b.getInt(16) & 0xFFFF_FFFFL;
      if (cdbLength < 1 || cdbLength > 16) {
        throw new AssertionError("CDB length " + cdbLength);
      }
      assertEquals(20 + cdbLength + dataOutLength, length, "length prefix vs header");
      if ((flags & 0x80) != 0) {
        assertEquals(0, dataOutLength, "a data-in command carries no data-out");
      } else {
        assertEquals(0, expectedDataIn, "a data-out command expects no data-in");
      }
      byte[] cdb = Arrays.copyOfRange(wire, 4 + 20, 4 + 20 + cdbLength);
      byte[] dataOut = Arrays.copyOfRange(wire, 4 + 20 + cdbLength, wire.length);
      Command command = new Command(wire, flags, lun, tag, expectedDataIn, cdb, dataOut);
      received.add(command);
      return command;
    }

    /** Reads one command frame and checks its operation code. */
    Command read(int opcode) throws IOException {
      Command command = read();
      assertEquals(opcode, command.opcode(), () -> "operation code of " + command);
      return command;
    }

    /** Answers the TEST UNIT READY that {@code Drive.open} sends first with GOOD. */
    Command acceptOpen() throws IOException {
      Command tur = read(0x00);
      good(tur, new byte[0]);
      return tur;
    }

    /** Answers READ CAPACITY(10). */
    Command answerCapacity(long lastLba, int blockSize) throws IOException {
      Command command = read(0x25);
      assertEquals(8, command.expectedDataIn(), "READ CAPACITY(10) expected data-in");
      good(command, ByteBuffer.allocate(8).putInt((int) lastLba).putInt(blockSize).array());
      return command;
    }

    /**
     * Answers the INQUIRY of VPD page 00h that the first READ, WRITE or VERIFY of a drive sends to
     * learn the device's MAXIMUM TRANSFER LENGTH: pages 00h and 80h, and when {@code
     * maximumTransferLength} is not negative the Block Limits page B0h too, whose INQUIRY it then
     * answers with that limit.
     */
    void answerBlockLimits(long maximumTransferLength) throws IOException {
      Command pages = read(0x12);
      assertEquals(0x01, pages.cdb()[1] & 0x01, "EVPD");
      assertEquals(0x00, pages.cdb()[2] & 0xFF, "VPD page 00h");
      List<Integer> supported =
          maximumTransferLength < 0 ? List.of(0x00, 0x80) : List.of(0x00, 0x80, 0xB0);
      good(pages, new SupportedVpdPages(0, supported).encode());
      if (maximumTransferLength >= 0) {
        Command limits = read(0x12);
        assertEquals(0xB0, limits.cdb()[2] & 0xFF, "VPD page B0h");
        good(limits, new BlockLimits(0, 0, maximumTransferLength, 0, 0).encode());
      }
    }

    /** As {@link #answerBlockLimits} for a device without the Block Limits page. */
    void answerNoBlockLimits() throws IOException {
      answerBlockLimits(-1);
    }

    /** GOOD with {@code data}; underflow or overflow and the residual follow from the command. */
    void good(Command command, byte[] data) throws IOException {
      good(command.tag(), command.expectedDataIn(), data);
    }

    void good(int tag, long expected, byte[] data) throws IOException {
      int flags = data.length < expected ? 0x01 : data.length > expected ? 0x02 : 0x00;
      status(tag, GOOD, flags, Math.abs(expected - data.length), new byte[0], data);
    }

    /** CHECK CONDITION with sense data and no data-in. */
    void checkCondition(Command command, byte[] sense) throws IOException {
      checkCondition(command.tag(), command.expectedDataIn(), sense);
    }

    void checkCondition(int tag, long expected, byte[] sense) throws IOException {
      status(tag, CHECK_CONDITION, expected > 0 ? 0x01 : 0x00, expected, sense, new byte[0]);
    }

    /** A status frame, field by field. */
    void status(int tag, int status, int flags, long residual, byte[] sense, byte[] data)
        throws IOException {
      raw(statusFrame(tag, status, flags, residual, sense, data));
    }

    /** A protocol error frame (SDER). */
    void protocolError(String message) throws IOException {
      byte[] text = message.getBytes(StandardCharsets.UTF_8);
      raw(
          ByteBuffer.allocate(4 + 8 + text.length)
              .putInt(8 + text.length)
              .putInt(ERROR_MAGIC)
              .put((byte) 1)
              .put((byte) 0)
              .putShort((short) text.length)
              .put(text)
              .array());
    }

    /** Any bytes at all. */
    void raw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Waits until the host closes the connection. */
    void expectEof() throws IOException {
      InputStream input = in;
      try {
        int b = input.read();
        if (b >= 0) {
          throw new AssertionError(
              "expected the host to close the connection, got byte "
                  + b
                  + "; received "
                  + received);
        }
      } catch (SocketException reset) {
        // a reset is a close too
      } catch (EOFException eof) {
        // closed
      }
    }

    /** Closes the connection from the device's side. */
    void close() throws IOException {
      socket.close();
    }
  }

  /** A status frame with its length prefix. */
  static byte[] statusFrame(
      int tag, int status, int flags, long residual, byte[] sense, byte[] data) {
    int body = 20 + sense.length + data.length;
    return ByteBuffer.allocate(4 + body)
        .putInt(body)
        .putInt(STATUS_MAGIC)
        .put((byte) 1)
        .put((byte) status)
        .put((byte) flags)
        .put((byte) sense.length)
        .putInt(tag)
        .putInt((int) residual)
        .putInt(data.length)
        .put(sense)
        .put(data)
        .array();
  }

  /** Fixed-format sense data (SPC-4 4.5.3), 18 bytes, built by hand. */
  static byte[] sense(int key, int asc, int ascq) {
    byte[] sense = new byte[18];
    sense[0] = 0x70;
    sense[2] = (byte) key;
    sense[7] = 10;
    sense[12] = (byte) asc;
    sense[13] = (byte) ascq;
    return sense;
  }

  /** Fixed-format sense with VALID set and INFORMATION holding {@code information}. */
  static byte[] sense(int key, int asc, int ascq, long information) {
    byte[] sense = sense(key, asc, ascq);
    sense[0] = (byte) 0xF0;
    ByteBuffer.wrap(sense).putInt(3, (int) information);
    return sense;
  }

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
