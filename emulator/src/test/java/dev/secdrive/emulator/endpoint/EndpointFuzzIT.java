package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.Blobs;
import dev.secdrive.emulator.secure.Crypto;
import dev.secdrive.emulator.secure.SecureArea;
import dev.secdrive.emulator.secure.TestCenter;
import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.ConvertWrite;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.testing.LeakRecorder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte soup against the real TCP endpoint. Every frame is answered with a status frame, or — for
 * broken framing — with a protocol error frame and a closed connection, while other connections
 * carry on; no buffer leaks (this module runs its ITs under Netty's paranoid leak detector); and no
 * response ever contains a run of the secure area's contents.
 *
 * <p>The client side is deliberately not the host driver: plain sockets and hand-built frames, so
 * the bytes are exactly the ones chosen here.
 */
class EndpointFuzzIT {

  private static final long SEED = 0x5ec_d21e;
  private static final int FRAMES = 100_000;
  private static final byte[] SECRET =
      "SECURE-AREA-SECRET-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int WINDOW = 8;

  @TempDir Path media;
  @TempDir Path anchors;
  private final Authority authority = Authority.create();
  private Emulator emulator;

  @BeforeEach
  void start() throws IOException {
    MediumStore store = MediumStore.openOrCreate(media);
    ProfileCatalog profiles = ProfileCatalog.builtIn();
    create(store, profiles, "FUZZ-MO", "mo-640", 65536);
    create(store, profiles, "FUZZ-DVD", "dvd-ram-4.7", 262144);
    emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(anchors)
            .enrol(authority)
            .profiles(profiles)
            .drive(new DriveConfig(0, "mo-640", "FUZZ0", "FUZZ-MO"))
            .drive(new DriveConfig(1, "dvd-ram", "FUZZ1", "FUZZ-DVD"))
            .start();
    seedSecureArea();
  }

  // ------------------------------------------------------------------ a real secure area

  private static final int TITLE_LBA = 64;
  private final byte[] contentKey = Bytes.random(32);
  private final java.util.Set<java.nio.ByteBuffer> secretWindows = new java.util.HashSet<>();
  private final List<byte[]> validPayloads = new ArrayList<>();
  private static final int SECRET_WINDOW = 16;
  private static final String CONVERSION_TITLE = "fuzz-converted";
  private static final int CONVERSION_LBA = 400;
  private final List<byte[]> conversionKeys = new ArrayList<>();
  private final java.util.Map<Integer, List<byte[]>> operationPayloads = new java.util.HashMap<>();
  private TestLicensor licensor;

  /**
   * Provisions a title with a known content key on FUZZ-MO through the firmware, backs it up, and
   * collects every secret a response must never contain, as 16-byte windows.
   */
  private void seedSecureArea() throws IOException {
    Firmware drive = emulator.drive(0);
    dev.secdrive.emulator.firmware.Nexus nexus = new dev.secdrive.emulator.firmware.Nexus("seed");
    for (int i = 0; i < 4; i++) {
      drive.execute(nexus, new TestUnitReady().encode(), ByteBuffer.allocate(0), new DataIn.Heap());
    }
    licensor = new TestLicensor(authority, "fuzz licensor");
    byte[] challenge;
    try {
      challenge =
          Challenge.decode(
                  execute(
                      drive, nexus, new SecurityProtocolIn(0xF0, 0x0001, 64).encode(), new byte[0]))
              .nonce();
      var request =
          licensor.provision(
              challenge,
              "FUZZ-MO",
              "fuzz-title",
              ProvisionRequest.UNLIMITED,
              contentKey,
              drive.secure().keys().certificate());
      execute(
          drive,
          nexus,
          new SecurityProtocolOut(0xF0, 0x0101, request.encode().length).encode(),
          request.encode());
      byte[] title = TestLicensor.title("fuzz-title", contentKey, new byte[5000], 2048);
      execute(drive, nexus, new Write10(TITLE_LBA, title.length / 2048).encode(), title);
      byte[] backup = BackupRequest.toHost(Binding.MEDIUM_THEN_DEVICE).encode();
      execute(drive, nexus, new SecurityProtocolOut(0xF0, 0x0104, backup.length).encode(), backup);
      byte[] blob =
          BackupData.decode(
                  execute(
                      drive,
                      nexus,
                      new SecurityProtocolIn(0xF0, 0x0003, 65536).encode(),
                      new byte[0]))
              .blob();
      // A converted copy (PROTOCOL.md "Scheme 2") seeded on this nexus; its INSTALL CONVERSION and
      // CONVERT WRITE lists join the fuzzed payloads, so the fuzzing connection opens conversions
      // of its own and converts blocks; Ka and Ku must never come back.
      TestCenter center = new TestCenter(authority, "fuzz centre");
      byte[] masterNonce = {8, 7, 6, 5, 4, 3, 2, 1};
      byte[] plain = new byte[3 * 2048 + 500];
      new java.util.Random(SEED).nextBytes(plain);
      byte[] master = center.master(CONVERSION_TITLE, masterNonce, plain, 2048);
      byte[] install =
          new InstallConversion(
                  center
                      .grant(CONVERSION_TITLE, "FUZZ-MO", drive.secure().keys().certificate())
                      .encode(),
                  CONVERSION_LBA,
                  plain.length,
                  masterNonce)
              .encode();
      execute(
          drive,
          nexus,
          new SecurityProtocolOut(0xF0, 0x0107, install.length).encode(),
          install.clone());
      byte[] convert = Bytes.concat(ConvertWrite.header(0), master);
      execute(
          drive,
          nexus,
          new SecurityProtocolOut(0xF0, 0x0108, convert.length).encode(),
          convert.clone());
      byte[] convertOne =
          Bytes.concat(ConvertWrite.header(2048), java.util.Arrays.copyOfRange(master, 2048, 4096));
      validPayloads.add(install);
      validPayloads.add(convert);
      validPayloads.add(convertOne);
      // A conversion must be open on the fuzzing nexus for CONVERT WRITE to get past its checks:
      // these operations draw their own lists more often than the others.
      operationPayloads.put(0x0107, List.of(install));
      operationPayloads.put(0x0108, List.of(convert, convertOne));
      conversionKeys.add(center.ka(CONVERSION_TITLE));
      conversionKeys.add(center.ku("FUZZ-MO"));
      validPayloads.add(request.encode());
      validPayloads.add(new OpenPlayback("fuzz-title", TITLE_LBA).encode());
      validPayloads.add(backup);
      validPayloads.add(BackupRequest.toUserArea(Binding.MEDIUM, 200).encode());
      validPayloads.add(BackupRequest.sealedToHost(drive.secure().keys().certificate()).encode());
      validPayloads.add(RestoreRequest.inline(blob).encode());
      validPayloads.add(RestoreRequest.fromUserArea(200).encode());
      validPayloads.add(
          new ResealRequest(
                  BlobSource.INLINE, 0, blob, drive.secure().keys().certificate().encode())
              .encode());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    byte[] systemSecret = authority.systemSecret();
    byte[] km = Blobs.mediumKey(systemSecret, "FUZZ-MO");
    byte[] area = Files.readAllBytes(media.resolve("FUZZ-MO").resolve("secure.bin"));
    SecureArea.Contents contents = SecureArea.open(km, "FUZZ-MO", area);
    assertEquals(SecureArea.Condition.SEALED, contents.condition(), "seeded a real secure area");
    List<byte[]> secrets = new ArrayList<>();
    secrets.add(contentKey);
    secrets.add(km);
    secrets.add(systemSecret);
    secrets.addAll(drive.secure().keys().secretsForLeakTests());
    for (byte[] key : conversionKeys) {
      secrets.add(key);
      secrets.add(Crypto.kdf(key, "title-check", new byte[0]));
    }
    for (String label : List.of("secure-area", "content-key", "backup-medium")) {
      secrets.add(Crypto.kdf(km, label, new byte[0]));
    }
    secrets.add(Crypto.kdf(contentKey, "title-check", new byte[0]));
    secrets.add(
        Crypto.kdf(
            deviceSecret(drive),
            "backup-device",
            "FUZZ-MO".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    secrets.forEach(this::forbid);
    forbidSecureArea();
  }

  /** A secret's every 16-byte window (except all-zero ones) must never appear in a response. */
  private void forbid(byte[] secret) {
    for (int i = 0; i + SECRET_WINDOW <= secret.length; i++) {
      byte[] window = java.util.Arrays.copyOfRange(secret, i, i + SECRET_WINDOW);
      if (!java.util.Arrays.equals(window, new byte[SECRET_WINDOW])) {
        secretWindows.add(ByteBuffer.wrap(window));
      }
    }
  }

  private static byte[] deviceSecret(Firmware drive) {
    // secretsForLeakTests lists the device secret first.
    return drive.secure().keys().secretsForLeakTests().get(0);
  }

  /**
   * Reads FUZZ-MO's secure area as it is now and forbids its sealed bytes, its wrapped content keys
   * and the windows of its plaintext that hold at least 8 bytes of a wrapped key. The rest of the
   * plaintext (content IDs, version, plays) is public through LICENSE STATUS.
   */
  private void forbidSecureArea() throws IOException {
    byte[] km = Blobs.mediumKey(authority.systemSecret(), "FUZZ-MO");
    byte[] area = Files.readAllBytes(media.resolve("FUZZ-MO").resolve("secure.bin"));
    SecureArea.Contents contents = SecureArea.open(km, "FUZZ-MO", area);
    if (!contents.readable()) {
      return; // a fuzzed RESTORE cannot make it unreadable, but nothing to add if it were
    }
    forbid(SecureArea.sealedLayer(area));
    byte[] plaintext = contents.state().encode();
    for (var license : contents.state().licenses()) {
      byte[] wrapped = license.wrappedKey();
      forbid(wrapped);
      int at = indexOf(plaintext, wrapped);
      // Windows holding at least half a window of the wrapped key: fewer wrapped bytes next to
      // public ones could match a LICENSE STATUS answer by chance.
      int from = Math.max(0, at - SECRET_WINDOW / 2);
      int to = Math.min(plaintext.length, at + wrapped.length + SECRET_WINDOW / 2);
      forbid(java.util.Arrays.copyOfRange(plaintext, from, to));
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("wrapped key not in the license state");
  }

  /**
   * A valid PROVISION on the fuzzing connection: a fresh CHALLENGE, a new title with a new content
   * key, signed by the licensor. Commits a new secure area in the middle of the fuzz; its keys and
   * sealed bytes join the forbidden windows at once.
   */
  private void provisionFresh(Connection connection, int n) throws Exception {
    int tag = 0x4000_0000 + 2 * n;
    connection.send(
        commandFrame(
            tag, 0, true, new SecurityProtocolIn(0xF0, 0x0001, 64).encode(), 64, new byte[0]));
    Reply challenge = connection.receive();
    assertEquals(tag, challenge.tag());
    assertEquals(ScsiStatus.GOOD.code(), challenge.status(), "CHALLENGE during the fuzz");
    assertNoKeyMaterial(challenge.data());
    byte[] key = Bytes.random(32);
    forbid(key);
    forbid(Crypto.kdf(key, "title-check", new byte[0]));
    byte[] request =
        licensor
            .provision(
                Challenge.decode(challenge.data()).nonce(),
                "FUZZ-MO",
                "fuzz-provisioned-" + n,
                1 + n % 5,
                key,
                emulator.drive(0).secure().keys().certificate())
            .encode();
    connection.send(
        commandFrame(
            tag + 1,
            0,
            false,
            new SecurityProtocolOut(0xF0, 0x0101, request.length).encode(),
            0,
            request));
    Reply provisioned = connection.receive();
    assertEquals(tag + 1, provisioned.tag());
    assertEquals(ScsiStatus.GOOD.code(), provisioned.status(), "PROVISION during the fuzz");
    forbidSecureArea();
    validPayloads.add(request); // from now on a replay, refused 03h
  }

  private static byte[] execute(
      Firmware drive, dev.secdrive.emulator.firmware.Nexus nexus, byte[] cdb, byte[] dataOut) {
    DataIn.Heap in = new DataIn.Heap();
    Response response = drive.execute(nexus, cdb, ByteBuffer.wrap(dataOut), in);
    assertEquals(ScsiStatus.GOOD, response.status(), () -> response.sense().describe());
    return in.bytes(response);
  }

  private void assertNoKeyMaterial(byte[] bytes) {
    for (int i = 0; i + SECRET_WINDOW <= bytes.length; i++) {
      if (secretWindows.contains(ByteBuffer.wrap(bytes, i, SECRET_WINDOW).slice())) {
        fail("a response contains secret bytes at offset " + i);
      }
    }
  }

  @Test
  void securityProtocolFuzzNeverLeaksKeyMaterial() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED + 2);
    int good = 0;
    int converted = 0;
    int provisioned = 0;
    // Everything the wire carries is captured too: the capture must hold no secret either.
    Path capture = anchors.resolve("fuzz.pcapng");
    emulator.target().captures().start(capture);
    try (Connection connection = connect()) {
      for (int i = 0; i < SECURITY_FRAMES; i += 32) {
        if (i % (32 * 16) == 32 * 8) {
          provisionFresh(connection, provisioned++);
        }
        int batch = Math.min(32, SECURITY_FRAMES - i);
        for (int k = 0; k < batch; k++) {
          connection.send(securityCommand(random, i + k));
        }
        for (int k = 0; k < batch; k++) {
          Reply reply = connection.receive();
          assertEquals(Frame.STATUS_MAGIC, reply.magic(), "expected a status frame");
          assertEquals(i + k, reply.tag());
          if (reply.status() == ScsiStatus.GOOD.code()) {
            good++;
            if (convertWrites.get(i + k)) {
              converted++;
            }
          } else {
            assertEquals(ScsiStatus.CHECK_CONDITION.code(), reply.status());
            assertEquals(18, reply.sense().length);
          }
          assertNoKeyMaterial(reply.sense());
          assertNoKeyMaterial(reply.data());
          assertNoSecret(reply.data());
        }
      }
    }
    emulator.target().captures().stop();
    byte[] captured = Files.readAllBytes(capture);
    assertTrue(captured.length > 1 << 20, "the capture holds the fuzz: " + captured.length);
    assertNoKeyMaterial(captured);
    assertNoSecret(captured);
    assertTrue(good > SECURITY_FRAMES / 20, "some operations succeed: " + good);
    assertTrue(converted > 0, "the fuzz opens conversions and converts blocks");
    assertTrue(provisioned >= 20, "valid PROVISIONs committed during the fuzz: " + provisioned);
  }

  /** Tags of the fuzzed frames that are CONVERT WRITEs. */
  private final java.util.BitSet convertWrites = new java.util.BitSet();

  private static final int SECURITY_FRAMES = 12_000;
  private static final int[] OPERATIONS = {
    0x0001, 0x0002, 0x0003, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108
  };

  private byte[] securityCommand(SplittableRandom random, int tag) {
    int protocol =
        switch (random.nextInt(8)) {
          case 0 -> 0x00;
          case 1 -> random.nextInt(256);
          default -> 0xF0;
        };
    int specific =
        random.nextInt(10) == 0
            ? random.nextInt(1 << 16)
            : protocol == 0 ? random.nextInt(3) : OPERATIONS[random.nextInt(OPERATIONS.length)];
    boolean inc512 = random.nextInt(50) == 0;
    int lun = random.nextInt(10) == 0 ? 1 : 0;
    if (random.nextBoolean() || (specific & 0x0100) == 0 && random.nextInt(4) != 0) {
      long allocation = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(1 << 16);
      byte[] cdb = new SecurityProtocolIn(protocol, specific, inc512, allocation, 0).encode();
      return commandFrame(tag, lun, true, cdb, allocation, new byte[0]);
    }
    byte[] payload;
    if (random.nextInt(3) == 0) {
      payload = new byte[random.nextInt(300)];
      random.nextBytes(payload);
    } else {
      List<byte[]> own = operationPayloads.get(specific);
      payload =
          own != null && random.nextBoolean()
              ? own.get(random.nextInt(own.size())).clone()
              : validPayloads.get(random.nextInt(validPayloads.size())).clone();
      int flips = random.nextInt(3);
      for (int f = 0; f < flips && payload.length > 0; f++) {
        payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
      }
    }
    long transfer = random.nextInt(20) == 0 ? random.nextInt(1 << 12) : payload.length;
    convertWrites.set(tag, protocol == 0xF0 && specific == 0x0108);
    byte[] cdb = new SecurityProtocolOut(protocol, specific, inc512, transfer, 0).encode();
    return commandFrame(tag, lun, false, cdb, 0, payload);
  }

  private static void create(
      MediumStore store, ProfileCatalog profiles, String id, String type, int secureBytes)
      throws IOException {
    MediumType t = profiles.mediumType(type).orElseThrow();
    store.create(
        new MediumStore.Spec(
            id, type, t.blockSize(), t.blockCount(), secureBytes, false, "", null));
    try (Medium medium = store.open(id)) {
      byte[] secure = new byte[secureBytes];
      for (int i = 0; i < secure.length; i++) {
        secure[i] = SECRET[i % SECRET.length];
      }
      medium.writeSecureArea(secure);
    }
  }

  @AfterEach
  void stop() {
    emulator.close();
    LeakRecorder.assertNoLeaks();
  }

  @Test
  void randomCdbsOnEveryOpcodeAreAnsweredAndNeverLeakTheSecureArea() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    int answered = 0;
    int checkConditions = 0;
    try (Connection connection = connect()) {
      for (int i = 0; i < FRAMES; i += 64) {
        // Pipeline up to 64 commands, then read their answers.
        int batch = Math.min(64, FRAMES - i);
        int[] tags = new int[batch];
        for (int k = 0; k < batch; k++) {
          int opcode = (i + k) % 256; // every opcode, over and over
          tags[k] = i + k;
          connection.send(randomCommand(random, i + k, opcode));
        }
        for (int k = 0; k < batch; k++) {
          Reply reply = connection.receive();
          assertEquals(Frame.STATUS_MAGIC, reply.magic(), "expected a status frame");
          assertEquals(tags[k], reply.tag(), "answers come back in order with fast timing");
          ScsiStatus status = ScsiStatus.fromCode(reply.status());
          assertTrue(
              status == ScsiStatus.GOOD || status == ScsiStatus.CHECK_CONDITION, status::name);
          if (status == ScsiStatus.CHECK_CONDITION) {
            assertEquals(18, reply.sense().length);
            assertEquals(0x70, reply.sense()[0] & 0x7F);
            assertEquals(0, reply.data().length);
            checkConditions++;
          }
          assertNoSecret(reply.sense());
          assertNoSecret(reply.data());
          assertNoKeyMaterial(reply.data());
          answered++;
        }
      }
    }
    assertEquals(FRAMES, answered);
    assertTrue(checkConditions > FRAMES / 2, "random CDBs are mostly refused: " + checkConditions);
  }

  @Test
  void brokenFramesCloseOnlyTheirOwnConnection() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong bystanderCommands = new AtomicLong();
    AtomicReference<Throwable> bystanderFailure = new AtomicReference<>();
    Thread bystander =
        new Thread(
            () -> {
              try (Connection c = connect()) {
                int tag = 0;
                while (running.get()) {
                  c.send(
                      commandFrame(
                          tag,
                          0,
                          true,
                          new byte[] {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                          8,
                          new byte[0]));
                  Reply reply = c.receive();
                  if (reply.tag() != tag || reply.status() != ScsiStatus.GOOD.code()) {
                    // The first READ CAPACITY meets the power-on unit attention.
                    if (!(tag == 0 && reply.status() == ScsiStatus.CHECK_CONDITION.code())) {
                      throw new AssertionError("bystander got " + reply);
                    }
                  }
                  tag++;
                  bystanderCommands.incrementAndGet();
                }
              } catch (Throwable t) {
                bystanderFailure.set(t);
              }
            },
            "bystander");
    bystander.start();

    SplittableRandom random = new SplittableRandom(SEED + 1);
    int statusFrames = 0;
    int protocolErrors = 0;
    Connection connection = connect();
    try {
      for (int i = 0; i < FRAMES; i++) {
        boolean broken = random.nextInt(50) == 0;
        byte[] frame =
            broken ? brokenFrame(random, i) : randomCommand(random, i, random.nextInt(256));
        connection.send(frame);
        Reply reply = connection.receive();
        if (reply.magic() == Frame.STATUS_MAGIC) {
          assertEquals(i, reply.tag());
          statusFrames++;
          if (broken) {
            fail("broken frame " + i + " was answered as a command: " + hex(frame));
          }
        } else if (reply.magic() == Frame.ERROR_MAGIC) {
          assertTrue(broken, () -> "valid frame refused: " + reply.message());
          assertTrue(reply.message().startsWith("protocol error: "), reply.message());
          connection.assertClosedByDevice();
          connection.close();
          connection = connect();
          protocolErrors++;
        } else {
          fail("unexpected reply magic " + Integer.toHexString(reply.magic()));
        }
      }
    } finally {
      connection.close();
      running.set(false);
      bystander.join(10_000);
    }
    if (bystanderFailure.get() != null) {
      throw new AssertionError("the bystander connection failed", bystanderFailure.get());
    }
    assertEquals(FRAMES, statusFrames + protocolErrors);
    assertTrue(protocolErrors > FRAMES / 100, "too few broken frames: " + protocolErrors);
    assertTrue(bystanderCommands.get() > 100, "bystander ran " + bystanderCommands.get());
  }

  // ------------------------------------------------------------------ frames

  private static byte[] randomCommand(SplittableRandom random, int tag, int opcode) {
    int cdbLength = 1 + random.nextInt(16);
    byte[] cdb = new byte[cdbLength];
    random.nextBytes(cdb);
    cdb[0] = (byte) opcode;
    if (random.nextBoolean() && cdbLength > 1) {
      cdb[cdbLength - 1] = 0; // often a clean CONTROL byte, so more CDBs get past NACA
    }
    int lun = random.nextInt(8) == 0 ? random.nextInt(256) : random.nextInt(2);
    if (random.nextInt(4) == 0) {
      byte[] data = new byte[random.nextInt(5) * 512];
      random.nextBytes(data);
      return commandFrame(tag, lun, false, cdb, 0, data);
    }
    long expected = random.nextInt(3) == 0 ? random.nextInt(1 << 16) : random.nextInt(512);
    return commandFrame(tag, lun, true, cdb, expected, new byte[0]);
  }

  /** A frame whose framing is broken in one of the ways PROTOCOL.md lists. */
  private static byte[] brokenFrame(SplittableRandom random, int tag) {
    byte[] valid = commandFrame(tag, 0, true, new byte[] {0, 0, 0, 0, 0, 0}, 0, new byte[0]);
    ByteBuffer b = ByteBuffer.wrap(valid);
    switch (random.nextInt(9)) {
      case 0 -> b.putInt(4, random.nextInt() & 0x7FFF_FFFF & ~0x5300_0000); // bad magic
      case 1 -> b.put(8, (byte) (2 + random.nextInt(250))); // version
      case 2 -> b.put(9, (byte) (0x01 | random.nextInt(0x7F))); // reserved flag bits
      case 3 ->
          b.put(11, (byte) (random.nextBoolean() ? 0 : 17 + random.nextInt(200))); // CDB length
      case 4 -> b.putInt(0, valid.length - 4 - 1 - random.nextInt(3)); // prefix shorter than frame
      case 5 ->
          b.putInt(
              0,
              Frame.maximumFrameLength(Frame.DEFAULT_MAXIMUM_DATA_LENGTH)
                  + 1
                  + random.nextInt(1 << 20));
      case 6 -> {
        return commandFrame(
            tag, 0, true, new byte[6], 0, new byte[] {1, 2, 3}); // data-in with data-out
      }
      case 7 -> b.putInt(4, Frame.STATUS_MAGIC); // a status frame sent to a device
      default -> {
        byte[] soup = new byte[4 + 8 + random.nextInt(64)];
        random.nextBytes(soup);
        ByteBuffer.wrap(soup).putInt(0, soup.length - 4).put(4, (byte) 0x00); // never 'S'
        return soup;
      }
    }
    return valid;
  }

  static byte[] commandFrame(
      int tag, int lun, boolean dataIn, byte[] cdb, long expected, byte[] dataOut) {
    // Built by hand to PROTOCOL.md so that nothing here depends on the codec under test.
    ByteBuffer b = ByteBuffer.allocate(4 + 20 + cdb.length + dataOut.length);
    b.putInt(20 + cdb.length + dataOut.length);
    b.putInt(Frame.COMMAND_MAGIC).put((byte) 1).put((byte) (dataIn ? 0x80 : 0)).put((byte) lun);
    b.put((byte) cdb.length).putInt(tag).putInt((int) expected).putInt(dataOut.length);
    b.put(cdb).put(dataOut);
    return b.array();
  }

  private static void assertNoSecret(byte[] bytes) {
    for (int i = 0; i + WINDOW <= bytes.length; i++) {
      for (int phase = 0; phase < SECRET.length; phase++) {
        boolean match = true;
        for (int j = 0; j < WINDOW && match; j++) {
          match = bytes[i + j] == SECRET[(phase + j) % SECRET.length];
        }
        if (match) {
          fail("a response contains secure-area bytes at offset " + i);
        }
      }
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  // ------------------------------------------------------------------ client

  private Connection connect() throws IOException {
    InetSocketAddress address = emulator.address();
    Socket socket = new Socket(address.getAddress(), address.getPort());
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    return new Connection(socket);
  }

  record Reply(int magic, int status, int tag, byte[] sense, byte[] data, String message) {}

  static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final List<byte[]> pending = new ArrayList<>();

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out =
          new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16));
      this.in =
          new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16));
    }

    void send(byte[] frame) throws IOException {
      pending.add(frame);
      out.write(frame);
    }

    Reply receive() throws IOException {
      out.flush();
      pending.clear();
      int length = in.readInt();
      byte[] body = new byte[length];
      in.readFully(body);
      ByteBuffer b = ByteBuffer.wrap(body);
      int magic = b.getInt(0);
      if (magic == Frame.ERROR_MAGIC) {
        int messageLength = b.getShort(6) & 0xFFFF;
        return new Reply(
            magic,
            -1,
            -1,
            new byte[0],
            new byte[0],
            new String(body, 8, messageLength, java.nio.charset.StandardCharsets.UTF_8));
      }
      int status = body[5] & 0xFF;
      int senseLength = body[7] & 0xFF;
      int tag = b.getInt(8);
      int dataLength = b.getInt(16);
      byte[] sense = java.util.Arrays.copyOfRange(body, 20, 20 + senseLength);
      byte[] data =
          java.util.Arrays.copyOfRange(body, 20 + senseLength, 20 + senseLength + dataLength);
      return new Reply(magic, status, tag, sense, data, null);
    }

    /** After a protocol error frame the device closes: the next read sees end of stream. */
    void assertClosedByDevice() throws IOException {
      try {
        int next = in.read();
        assertEquals(-1, next, "device kept the connection open after a protocol error");
      } catch (SocketException e) {
        // connection reset: closed as well
      } catch (EOFException e) {
        // closed
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
