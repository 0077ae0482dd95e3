package dev.secdrive.emulator.endpoint.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.iscsi.Crc32c;
import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.LogoutRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.LoginStatus;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.PduCodec;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TaskAttribute;
import dev.secdrive.protocol.iscsi.TaskFunction;
import dev.secdrive.protocol.iscsi.TextKeys;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 random and mutated PDUs against a real {@link IscsiEndpoint} on 127.0.0.1:0: mutations of
 * valid logins, SCSI Commands, Data-Out, Text, TMF, NOP-Out and Logout, on connections with and
 * without digests, where a mutated header gets its digest recomputed half of the time so it gets
 * past the digest check to the fields behind it. About one logged-in connection in four joins a
 * session of several connections (MaxConnections=4, CIDs 1 to 3, so some reinstate a connection)
 * and fuzzes there, its PDUs crossing to that session's event loop. Each connection must end in a
 * close the target makes or accepts, with nothing but whole, decodable PDUs from the target on the
 * way; a separate session logged in beforehand must keep completing commands throughout; and no
 * buffer leaks (this module runs its ITs under Netty's paranoid leak detector).
 */
class IscsiFuzzIT {

  private static final long SEED = 0x15c5_1f22L;
  private static final int PDUS = 100_000;
  private static final int PER_CONNECTION = 500;

  /** The initiator of the session some fuzzed connections join. */
  private static final String SHARED = "iqn.2026-12.dev.secdrive:shared";

  private static final long SHARED_ISID = 0x4000_0000_0099L;

  private static final PduCodec.Settings PLAIN =
      new PduCodec.Settings(Opcode.Sender.INITIATOR, 65536, false, false);
  private static final PduCodec.Settings DIGESTS =
      new PduCodec.Settings(Opcode.Sender.INITIATOR, 65536, true, true);

  @TempDir Path media;
  @TempDir Path anchors;
  private Emulator emulator;
  private IscsiEndpoint portal;

  @BeforeEach
  void start() throws IOException {
    portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    emulator = emulator(media, anchors, portal, "FUZZ");
  }

  /**
   * An emulator with one MO-640 drive on LUN 0 (medium {@code <name>-MO}, device ID {@code
   * <name>0}), freshly enrolled, served on {@code portal}.
   */
  static Emulator emulator(Path media, Path anchors, IscsiEndpoint portal, String name) {
    MediumStore store = MediumStore.openOrCreate(media);
    ProfileCatalog profiles = ProfileCatalog.builtIn();
    MediumType type = profiles.mediumType("mo-640").orElseThrow();
    store.create(
        new MediumStore.Spec(
            name + "-MO", "mo-640", type.blockSize(), type.blockCount(), 4096, false, "", null));
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(anchors)
        .enrol(Authority.create())
        .profiles(profiles)
        .drive(new DriveConfig(0, "mo-640", name + "0", name + "-MO"))
        .endpoint(portal)
        .start();
  }

  @AfterEach
  void stop() {
    emulator.close();
    LeakRecorder.assertNoLeaks();
  }

  // ------------------------------------------------------------------ a well-behaved session

  /** A blocking initiator on a plain socket: login, then one command at a time. */
  static final class Session implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    final PduCodec.Settings settings;
    int cmdSn = 1;
    int expStatSn;
    int itt = 1;
    final int tsih;

    Session(InetSocketAddress at, String initiator, long isid, boolean digests)
        throws IOException, PduException {
      this(at, initiator, isid, digests, TextKeys.EMPTY);
    }

    /** As above, offering {@code more} keys besides (MaxConnections, say). */
    Session(InetSocketAddress at, String initiator, long isid, boolean digests, TextKeys more)
        throws IOException, PduException {
      socket = new Socket(at.getAddress(), at.getPort());
      socket.setSoTimeout(60_000); // a bound on a hung target, not a timing assertion
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      settings = digests ? DIGESTS : PLAIN;
      TextKeys offer =
          TextKeys.of(
                  "InitiatorName",
                  initiator,
                  "TargetName",
                  IscsiEndpoint.DEFAULT_TARGET_NAME,
                  "HeaderDigest",
                  digests ? "CRC32C" : "None",
                  "DataDigest",
                  digests ? "CRC32C" : "None",
                  "MaxRecvDataSegmentLength",
                  "65536")
              .with(more);
      out.write(
          PduCodec.encode(login(isid, offer), PduCodec.Settings.login(Opcode.Sender.INITIATOR)));
      LoginResponse response =
          assertInstanceOf(
              LoginResponse.class, read(in, PduCodec.Settings.login(Opcode.Sender.TARGET)));
      assertEquals(LoginStatus.SUCCESS, response.status());
      expStatSn = response.statSn() + 1;
      tsih = response.tsih();
    }

    static LoginRequest login(long isid, TextKeys offer) {
      return login(isid, 0, 0, 1, offer);
    }

    /** A leading login ({@code tsih} 0) or one that adds connection {@code cid} to a session. */
    static LoginRequest login(long isid, int tsih, int cid, int cmdSn, TextKeys offer) {
      return new LoginRequest(
          true,
          false,
          Stage.LOGIN_OPERATIONAL_NEGOTIATION,
          Stage.FULL_FEATURE_PHASE,
          0,
          0,
          isid,
          tsih,
          0,
          cid,
          cmdSn,
          0,
          DataSegment.of(offer.encode()));
    }

    /** A TEST UNIT READY, answered with a SCSI Response (GOOD or a unit attention). */
    void testUnitReady() throws IOException, PduException {
      int tag = itt++;
      out.write(PduCodec.encode(command(tag, cmdSn++, expStatSn, new byte[6], 0, false), settings));
      IscsiPdu answer = read(in, targetSettings());
      ScsiResponse response = assertInstanceOf(ScsiResponse.class, answer);
      assertEquals(tag, response.initiatorTaskTag());
      expStatSn = response.statSn() + 1;
    }

    PduCodec.Settings targetSettings() {
      return new PduCodec.Settings(
          Opcode.Sender.TARGET, 65536, settings.headerDigest(), settings.dataDigest());
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static ScsiCommand command(
      int itt, int cmdSn, int expStatSn, byte[] cdb, long length, boolean w) {
    return new ScsiCommand(
        false,
        true,
        !w && length > 0,
        w,
        TaskAttribute.SIMPLE,
        Lun.encode(0),
        itt,
        length,
        cmdSn,
        expStatSn,
        DataSegment.of(cdb),
        ScsiCommand.NO_BIDIRECTIONAL,
        DataSegment.EMPTY);
  }

  /** Reads one whole PDU from the target and decodes it; any broken PDU fails the test. */
  static IscsiPdu read(DataInputStream in, PduCodec.Settings settings)
      throws IOException, PduException {
    byte[] bhs = new byte[PduCodec.BHS_LENGTH];
    in.readFully(bhs);
    ByteBuf head = Unpooled.wrappedBuffer(bhs);
    int length = PduCodec.pduLength(head, settings);
    byte[] whole = new byte[length];
    System.arraycopy(bhs, 0, whole, 0, bhs.length);
    in.readFully(whole, bhs.length, length - bhs.length);
    return PduCodec.decode(Unpooled.wrappedBuffer(whole), settings);
  }

  // ------------------------------------------------------------------ the fuzz

  private static byte[] randomText(SplittableRandom random) {
    String[] keys = {
      "SendTargets=All",
      "SendTargets=",
      "MaxRecvDataSegmentLength=512",
      "HeaderDigest=CRC32C",
      "X-secdrive=1",
      "MaxBurstLength=0",
      "=",
      "InitiatorName=iqn.x",
      "DataDigest=Bogus"
    };
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(4); i >= 0; i--) {
      text.append(keys[random.nextInt(keys.length)]).append('\0');
    }
    return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A valid PDU of a random kind, as a session in the full feature phase might send it. */
  private static IscsiPdu template(SplittableRandom random, int cmdSn, int expStatSn) {
    int itt = random.nextInt(64);
    switch (random.nextInt(8)) {
      case 0:
        return command(
            itt, cmdSn, expStatSn, new Read10(random.nextInt(100), 1).encode(), 2048, false);
      case 1:
        return command(
            itt, cmdSn, expStatSn, new Write10(random.nextInt(100), 2).encode(), 4096, true);
      case 2:
        return new DataOut(
            random.nextBoolean(),
            Lun.encode(0),
            itt,
            random.nextBoolean() ? IscsiPdu.RESERVED_TAG : random.nextInt(8),
            expStatSn,
            random.nextInt(3),
            random.nextInt(3) * 2048L,
            DataSegment.of(new byte[random.nextInt(3) * 1024]));
      case 3:
        return new TextRequest(
            random.nextBoolean(),
            true,
            false,
            0,
            itt,
            IscsiPdu.RESERVED_TAG,
            cmdSn,
            expStatSn,
            DataSegment.of(randomText(random)));
      case 4:
        return new TaskManagementRequest(
            random.nextBoolean(),
            TaskFunction.values()[random.nextInt(TaskFunction.values().length)],
            Lun.encode(random.nextInt(3)),
            itt,
            random.nextInt(64),
            cmdSn,
            expStatSn,
            cmdSn - random.nextInt(4),
            0);
      case 5:
        return new NopOut(
            random.nextBoolean(),
            0,
            itt,
            IscsiPdu.RESERVED_TAG,
            cmdSn,
            expStatSn,
            DataSegment.of(new byte[random.nextInt(64)]));
      case 6:
        if (random.nextInt(50) != 0) {
          return new NopOut(
              true, 0, itt, IscsiPdu.RESERVED_TAG, cmdSn, expStatSn, DataSegment.EMPTY);
        }
        // A Logout ends the connection: rare, so most connections carry many PDUs.
        return new LogoutRequest(
            random.nextBoolean(),
            dev.secdrive.protocol.iscsi.LogoutReason.CLOSE_SESSION,
            itt,
            0,
            cmdSn,
            expStatSn);
      default:
        return Session.login(
            random.nextLong() & 0xFFFF_FFFF_FFFFL, TextKeys.of("InitiatorName", "iqn.2026-12.x:y"));
    }
  }

  /**
   * {@code pdu} encoded, then perhaps broken; a broken header may get its digest recomputed. Most
   * mutations keep the stream's framing (the lengths), so a connection lives on through many PDUs;
   * a few break it (byte soup, a flipped length), which ends the connection.
   */
  private static byte[] mutate(SplittableRandom random, byte[] pdu, boolean digests) {
    int kind = random.nextInt(50);
    if (kind == 0) {
      byte[] soup = new byte[random.nextInt(200)];
      random.nextBytes(soup);
      return soup;
    }
    if (kind >= 25) {
      return pdu; // a valid PDU, in the wrong place or not
    }
    byte[] bytes = pdu.clone();
    if (kind < 8 && bytes.length > PduCodec.BHS_LENGTH) {
      bytes[PduCodec.BHS_LENGTH + random.nextInt(bytes.length - PduCodec.BHS_LENGTH)] ^= 0x10;
      return bytes; // a data or digest byte: a data digest error where digests are on
    }
    int flips = 1 + random.nextInt(3);
    for (int i = 0; i < flips; i++) {
      int at;
      if (kind < 10) {
        at = 4 + random.nextInt(4); // TotalAHSLength, DataSegmentLength: the framing breaks
      } else {
        at = random.nextInt(PduCodec.BHS_LENGTH - 4);
        at = at < 4 ? at : at + 4; // any other header field
      }
      bytes[at] ^= (byte) (1 << random.nextInt(8));
    }
    if (digests
        && bytes.length >= PduCodec.BHS_LENGTH + 4
        && (bytes[4] == 0)
        && random.nextInt(4) != 0) {
      int digest = Crc32c.of(java.util.Arrays.copyOf(bytes, PduCodec.BHS_LENGTH));
      for (int i = 0; i < 4; i++) {
        bytes[PduCodec.BHS_LENGTH + i] = (byte) (digest >>> (8 * i));
      }
    }
    return bytes;
  }

  private static Session sharedSession(InetSocketAddress at) throws IOException, PduException {
    return new Session(at, SHARED, SHARED_ISID, false, TextKeys.of("MaxConnections", "4"));
  }

  /** Whether {@code session}'s connection still answers an immediate NOP-Out. */
  private static boolean alive(Session session) {
    try {
      session.out.write(
          PduCodec.encode(
              new NopOut(
                  true, 0, 0x7E, IscsiPdu.RESERVED_TAG, 0, session.expStatSn, DataSegment.EMPTY),
              session.settings));
      return read(session.in, session.targetSettings()) instanceof NopIn;
    } catch (IOException | PduException e) {
      return false;
    }
  }

  /** PDUs the target sent on the fuzzed connections. */
  private static final java.util.concurrent.atomic.AtomicLong ANSWERS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Fuzzed connections whose login joined the shared session. */
  private static final java.util.concurrent.atomic.AtomicInteger JOINED =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Drains what the target sends until it closes; each PDU must decode. */
  private static Thread drain(
      Socket socket,
      PduCodec.Settings settings,
      boolean joining,
      AtomicReference<Throwable> failure) {
    Thread reader =
        new Thread(
            () -> {
              try (InputStream raw = socket.getInputStream()) {
                DataInputStream in = new DataInputStream(raw);
                PduCodec.Settings current = PduCodec.Settings.login(Opcode.Sender.TARGET);
                while (true) {
                  IscsiPdu pdu = read(in, current);
                  ANSWERS.incrementAndGet();
                  if (pdu instanceof LoginResponse login
                      && login.transit()
                      && login.nextStage() == Stage.FULL_FEATURE_PHASE) {
                    current = settings;
                    if (joining) {
                      JOINED.incrementAndGet();
                    }
                  }
                }
              } catch (EOFException | SocketException e) {
                // the target closed, or reset after closing: what a broken stream earns
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            "iscsi-fuzz-reader");
    reader.start();
    return reader;
  }

  @Test
  void mutatedPdusAreAnsweredOrClosedAndAnotherSessionCarriesOn() throws Exception {
    long started = System.nanoTime();
    SplittableRandom random = new SplittableRandom(SEED);
    InetSocketAddress at = portal.address();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int connections = 0;
    int joined = 0;
    int sessionCmdSn = 1; // about where the shared session's window is
    Session shared = sharedSession(at);
    try (Session bystander = new Session(at, "iqn.2026-12.dev.secdrive:bystander", 1, true)) {
      bystander.testUnitReady(); // the power-on unit attention
      for (int sent = 0; sent < PDUS; connections++) {
        boolean digests = random.nextBoolean();
        boolean loggedIn = random.nextInt(4) != 0;
        // Some connections join a session of several connections (CIDs 1-3, so some reinstate
        // a connection) and fuzz there; the session may end under them, and they are refused.
        boolean joining = loggedIn && random.nextInt(4) == 0;
        PduCodec.Settings settings = digests ? DIGESTS : PLAIN;
        try (Socket socket = new Socket(at.getAddress(), at.getPort())) {
          Thread reader =
              drain(
                  socket,
                  new PduCodec.Settings(Opcode.Sender.TARGET, 65536, digests, digests),
                  joining,
                  failure);
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          int cmdSn = joining ? sessionCmdSn : 1;
          if (joining) {
            joined++;
            TextKeys offer =
                TextKeys.of(
                    "InitiatorName",
                    SHARED,
                    "TargetName",
                    IscsiEndpoint.DEFAULT_TARGET_NAME,
                    "HeaderDigest",
                    digests ? "CRC32C" : "None",
                    "DataDigest",
                    digests ? "CRC32C" : "None");
            out.write(
                PduCodec.encode(
                    Session.login(SHARED_ISID, shared.tsih, 1 + joined % 3, cmdSn, offer),
                    PduCodec.Settings.login(Opcode.Sender.INITIATOR)));
          } else if (loggedIn) {
            TextKeys offer =
                TextKeys.of(
                    "InitiatorName",
                    "iqn.2026-12.dev.secdrive:fuzz" + (connections % 7),
                    "TargetName",
                    IscsiEndpoint.DEFAULT_TARGET_NAME,
                    "HeaderDigest",
                    digests ? "CRC32C" : "None",
                    "DataDigest",
                    digests ? "CRC32C" : "None");
            out.write(
                PduCodec.encode(
                    Session.login(connections, offer),
                    PduCodec.Settings.login(Opcode.Sender.INITIATOR)));
          }
          int count = 1 + random.nextInt(PER_CONNECTION);
          for (int i = 0; i < count; i++, sent++) {
            IscsiPdu pdu = template(random, cmdSn, 0);
            if (random.nextBoolean()) {
              cmdSn++;
            }
            if (joining) {
              sessionCmdSn = cmdSn;
            }
            PduCodec.Settings encoding =
                loggedIn ? settings : PduCodec.Settings.login(Opcode.Sender.INITIATOR);
            out.write(mutate(random, PduCodec.encode(pdu, encoding), loggedIn && digests));
          }
          OutputStream stream = socket.getOutputStream();
          try {
            stream.write(out.toByteArray());
            socket.shutdownOutput(); // the target sees the end of the stream and closes
          } catch (SocketException e) {
            // the target closed first, which is one of the two allowed outcomes
          }
          reader.join(60_000); // a bound on a hung target, not a timing assertion
          assertTrue(
              !reader.isAlive(),
              "connection " + connections + " was neither answered to its end nor closed");
        }
        if (failure.get() != null) {
          throw new AssertionError("connection " + connections, failure.get());
        }
        if (connections % 10 == 0) {
          bystander.testUnitReady();
        }
        if (joining && !alive(shared)) {
          // a fuzzed Logout or reinstatement ended it: lead a new one for the next joiners
          shared.close();
          shared = sharedSession(at);
          sessionCmdSn = 1;
        }
      }
      bystander.testUnitReady();
    } finally {
      shared.close();
    }
    System.out.printf(
        "iSCSI fuzz: %,d PDUs on %d connections (%d of %d joined a shared session), %,d PDUs"
            + " back, in %.1f s%n",
        PDUS,
        connections,
        JOINED.get(),
        joined,
        ANSWERS.get(),
        (System.nanoTime() - started) / 1e9);
    assertTrue(2 * JOINED.get() > joined, "most joining logins reached a shared session");
    assertTrue(
        ANSWERS.get() > 2L * connections, "the fuzz reached past the logins: " + ANSWERS.get());
  }
}
