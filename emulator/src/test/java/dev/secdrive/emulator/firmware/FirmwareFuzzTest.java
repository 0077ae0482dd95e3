package dev.secdrive.emulator.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.Release6;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Whatever bytes a host sends, the firmware answers GOOD or CHECK CONDITION, never throws, and
 * never lets a byte of the secure area out. The secure area holds a known 16-byte pattern; no
 * 8-byte window of it may appear in any data-in (or sense) bytes.
 */
class FirmwareFuzzTest {

  private static final int BLOCK = 2048;
  private static final long BLOCKS = 2048;
  private static final int SECURE_BYTES = 8192;
  private static final int USER_BLOCKS = 192;
  private static final byte[] SECRET = {
    (byte) 0x9C,
    0x41,
    (byte) 0xE7,
    0x0B,
    0x5D,
    (byte) 0xA3,
    0x12,
    (byte) 0xF8,
    0x66,
    (byte) 0xC9,
    0x2E,
    (byte) 0xB4,
    0x07,
    0x73,
    (byte) 0xD5,
    0x38
  };
  private static final byte FILLER = 0x5A;

  private final Set<Long> secretWindows = new HashSet<>();
  private Path directory;
  private Medium medium;
  private Firmware firmware;
  private Target target;
  private Nexus[] hosts;

  @BeforeProperty
  void setUp() throws IOException {
    for (int offset = 0; offset < SECRET.length; offset++) {
      long window = 0;
      for (int i = 0; i < 8; i++) {
        window = window << 8 | (SECRET[(offset + i) % SECRET.length] & 0xFF);
      }
      secretWindows.add(window);
    }
    assertEquals(16, secretWindows.size(), "the pattern's windows are distinct");

    directory = Files.createTempDirectory("secdrive-fuzz");
    MediumStore store = MediumStore.openOrCreate(directory);
    store.create(
        new MediumStore.Spec("FUZZ-1", "mo-640", BLOCK, BLOCKS, SECURE_BYTES, false, null, null));
    medium = store.open("FUZZ-1");
    byte[] secure = new byte[SECURE_BYTES];
    for (int i = 0; i < secure.length; i++) {
      secure[i] = SECRET[i % SECRET.length];
    }
    medium.writeSecureArea(secure);
    assertArrayEquals(secure, medium.readSecureArea());

    byte[] user = new byte[USER_BLOCKS * BLOCK];
    new Random(42).nextBytes(user);
    assertFalse(leaks(user), "the user area must not hold the secret pattern");
    medium.write(0, ByteBuffer.wrap(user));

    AtomicLong clock = new AtomicLong();
    firmware =
        new Firmware(
            0,
            ProfileCatalog.builtIn().get("mo-640"),
            "SDDFUZZ",
            TimingMode.FAST,
            () -> clock.addAndGet(1_000));
    firmware.insert(medium);
    target = new Target(List.of(firmware));
    hosts = new Nexus[] {new Nexus("fuzz A"), new Nexus("fuzz B")};
  }

  @AfterProperty
  void tearDown() throws IOException {
    if (secureFixture != null) {
      assertTrue(secureFixture.provisioned > 1, "fresh PROVISIONs committed during the fuzz");
      secureFixture.harness.close();
      secureFixture = null;
    }
    medium.close();
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 4000)
  void randomCdbs(
      @ForAll @Size(min = 1, max = 16) byte[] cdb,
      @ForAll @IntRange(min = 0, max = 5) int dataOutBlocks,
      @ForAll @IntRange(min = 0, max = 9) int host) {
    check(cdb, dataOut(dataOutBlocks), host);
  }

  @Property(tries = 3000)
  void everyOpcodeWithRandomBytes(
      @ForAll @IntRange(min = 0, max = 255) int opcode,
      @ForAll @Size(value = 16) byte[] rest,
      @ForAll @IntRange(min = 1, max = 16) int anyLength,
      @ForAll boolean impliedLength,
      @ForAll @IntRange(min = 0, max = 2) int dataOutBlocks,
      @ForAll @IntRange(min = 0, max = 9) int host) {
    int implied = Opcode.cdbLength(opcode);
    int length = impliedLength && implied > 0 ? implied : anyLength;
    byte[] cdb = Arrays.copyOf(rest, length);
    cdb[0] = (byte) opcode;
    check(cdb, dataOut(dataOutBlocks), host);
  }

  /** Implemented commands with in-range LBAs, so that reads really return medium data. */
  @Property(tries = 3000)
  void plausibleCommands(
      @ForAll("plausible") Command command, @ForAll @IntRange(min = 0, max = 9) int host) {
    check(command.cdb(), command.dataOut(), host);
  }

  /** Through the target, which answers REPORT LUNS and unconfigured LUNs itself. */
  @Property(tries = 1000)
  void randomCdbsThroughTheTarget(
      @ForAll @Size(min = 1, max = 16) byte[] cdb,
      @ForAll @IntRange(min = 0, max = 3) int lun,
      @ForAll boolean reportLuns) {
    byte[] bytes = cdb.clone();
    if (reportLuns) {
      bytes[0] = (byte) Opcode.REPORT_LUNS.code();
    }
    Recording dataIn = new Recording();
    Response response = target.execute(hosts[0], lun, bytes, ByteBuffer.allocate(0), dataIn);
    verify(bytes, response, dataIn);
    restore();
  }

  /** Every operation code, deterministically, in several forms. */
  @Example
  void everyOperationCodeInEveryForm() {
    Random random = new Random(7);
    for (int opcode = 0; opcode < 256; opcode++) {
      for (int form = 0; form < 24; form++) {
        int implied = Opcode.cdbLength(opcode);
        int length = form % 3 != 0 && implied > 0 ? implied : 1 + random.nextInt(16);
        byte[] cdb = new byte[length];
        if (form % 2 == 1) {
          random.nextBytes(cdb);
          cdb[length - 1] &= ~0x04;
        }
        cdb[0] = (byte) opcode;
        check(cdb, dataOut(form % 4 == 3 ? 1 : 0), form);
      }
    }
  }

  @Example
  void readsOfTheWholeUserAreaNeverLeak() {
    for (long lba = 0; lba < BLOCKS; lba += 256) {
      byte[] cdb = new dev.secdrive.protocol.cdb.Read16(lba, 256).encode();
      Recording dataIn = new Recording();
      Response response = firmware.execute(hosts[1], cdb, ByteBuffer.allocate(0), dataIn);
      if (response.status() == ScsiStatus.CHECK_CONDITION
          && response.sense().key() == SenseKey.UNIT_ATTENTION) {
        lba -= 256;
        continue;
      }
      verify(cdb, response, dataIn);
      assertEquals(256 * BLOCK, response.dataInLength());
    }
  }

  // ------------------------------------------------------------------ a secure area with licenses

  /** A second drive whose medium holds real licenses, built on the first try that needs it. */
  private SecureFixture secureFixture;

  private static final class SecureFixture {
    final dev.secdrive.emulator.secure.Authority authority =
        dev.secdrive.emulator.secure.Authority.create();
    final dev.secdrive.emulator.secure.DriveKeys keys =
        dev.secdrive.emulator.secure.DriveKeys.enroll("SDDFUZZS", authority);
    final dev.secdrive.emulator.secure.TestLicensor licensor =
        new dev.secdrive.emulator.secure.TestLicensor(authority, "fuzz licensor");
    final Harness harness;
    final Nexus nexus;
    final Set<java.nio.ByteBuffer> forbidden = new HashSet<>();
    final java.util.Map<dev.secdrive.protocol.security.Operation, List<byte[]>> payloads =
        new java.util.EnumMap<>(dev.secdrive.protocol.security.Operation.class);
    int provisioned;

    SecureFixture(Path directory) throws Exception {
      harness =
          new Harness(
              directory.resolve("secure"),
              "mo-640",
              keys,
              dev.secdrive.emulator.secure.DriveNv.inMemory());
      harness.insert("FUZZ-S", "mo-640");
      nexus = harness.nexus();
      byte[] contentKey = provision("fuzz-title", 1000);
      byte[] title =
          dev.secdrive.emulator.secure.TestLicensor.title(
              "fuzz-title", contentKey, new byte[5000], BLOCK);
      run(new dev.secdrive.protocol.cdb.Write10(64, title.length / BLOCK).encode(), title);
      var cert = keys.certificate();
      var toHost =
          dev.secdrive.protocol.security.BackupRequest.toHost(
                  dev.secdrive.protocol.security.Binding.MEDIUM_THEN_DEVICE)
              .encode();
      run(out(0x0104, toHost.length), toHost);
      byte[] blob =
          dev.secdrive.protocol.security.BackupData.decode(
                  run(
                      new dev.secdrive.protocol.cdb.SecurityProtocolIn(0xF0, 0x0003, 65536)
                          .encode(),
                      new byte[0]))
              .blob();
      put(
          dev.secdrive.protocol.security.Operation.OPEN_PLAYBACK,
          new dev.secdrive.protocol.security.OpenPlayback("fuzz-title", 64).encode());
      put(dev.secdrive.protocol.security.Operation.CLOSE_PLAYBACK, new byte[0]);
      for (var binding : dev.secdrive.protocol.security.Binding.values()) {
        if (binding != dev.secdrive.protocol.security.Binding.SEALED) {
          put(
              dev.secdrive.protocol.security.Operation.BACKUP,
              dev.secdrive.protocol.security.BackupRequest.toHost(binding).encode());
        }
      }
      put(
          dev.secdrive.protocol.security.Operation.BACKUP,
          dev.secdrive.protocol.security.BackupRequest.sealedToHost(cert).encode());
      put(
          dev.secdrive.protocol.security.Operation.BACKUP,
          dev.secdrive.protocol.security.BackupRequest.toUserArea(
                  dev.secdrive.protocol.security.Binding.MEDIUM, 200)
              .encode());
      put(
          dev.secdrive.protocol.security.Operation.RESTORE,
          dev.secdrive.protocol.security.RestoreRequest.inline(blob).encode());
      put(
          dev.secdrive.protocol.security.Operation.RESTORE,
          dev.secdrive.protocol.security.RestoreRequest.fromUserArea(200).encode());
      put(
          dev.secdrive.protocol.security.Operation.RESEAL,
          new dev.secdrive.protocol.security.ResealRequest(
                  dev.secdrive.protocol.security.BlobSource.INLINE, 0, blob, cert.encode())
              .encode());
      put(
          dev.secdrive.protocol.security.Operation.INSTALL_CONVERSION,
          new dev.secdrive.protocol.security.InstallConversion(new byte[40], 300, 4096, new byte[8])
              .encode());
      put(
          dev.secdrive.protocol.security.Operation.CONVERT_WRITE,
          dev.secdrive.kit.crypto.Bytes.concat(
              dev.secdrive.protocol.security.ConvertWrite.header(0), new byte[BLOCK]));
      forbid(contentKey);
      forbid(dev.secdrive.emulator.secure.Crypto.kdf(contentKey, "title-check", new byte[0]));
      keys.secretsForLeakTests().forEach(this::forbid);
      byte[] km = dev.secdrive.emulator.secure.Blobs.mediumKey(authority.systemSecret(), "FUZZ-S");
      forbid(km);
      for (String label : List.of("secure-area", "content-key", "backup-medium")) {
        forbid(dev.secdrive.emulator.secure.Crypto.kdf(km, label, new byte[0]));
      }
      forbidSecureArea();
    }

    /** PROVISION of a new title with a fresh challenge and content key; returns the key. */
    byte[] provision(String contentId, long plays) throws Exception {
      byte[] challenge =
          dev.secdrive.protocol.security.Challenge.decode(
                  run(
                      new dev.secdrive.protocol.cdb.SecurityProtocolIn(0xF0, 0x0001, 64).encode(),
                      new byte[0]))
              .nonce();
      byte[] key = dev.secdrive.kit.crypto.Bytes.random(32);
      forbid(key);
      byte[] request =
          licensor
              .provision(challenge, "FUZZ-S", contentId, plays, key, keys.certificate())
              .encode();
      run(out(0x0101, request.length), request);
      put(dev.secdrive.protocol.security.Operation.PROVISION, request);
      provisioned++;
      return key;
    }

    void forbidSecureArea() throws IOException {
      byte[] area = harness.firmware.medium().readSecureArea();
      forbid(dev.secdrive.emulator.secure.SecureArea.sealedLayer(area));
      byte[] km = dev.secdrive.emulator.secure.Blobs.mediumKey(authority.systemSecret(), "FUZZ-S");
      dev.secdrive.emulator.secure.SecureArea.open(km, "FUZZ-S", area)
          .state()
          .licenses()
          .forEach(l -> forbid(l.wrappedKey()));
    }

    void put(dev.secdrive.protocol.security.Operation op, byte[] payload) {
      payloads.computeIfAbsent(op, o -> new java.util.ArrayList<>()).add(payload);
    }

    void forbid(byte[] secret) {
      for (int i = 0; i + 16 <= secret.length; i++) {
        forbidden.add(ByteBuffer.wrap(Arrays.copyOfRange(secret, i, i + 16)));
      }
    }

    boolean leaks(byte[] data) {
      for (int i = 0; i + 16 <= data.length; i++) {
        if (forbidden.contains(ByteBuffer.wrap(data, i, 16).slice())) {
          return true;
        }
      }
      return false;
    }

    static byte[] out(int operation, int length) {
      return new dev.secdrive.protocol.cdb.SecurityProtocolOut(0xF0, operation, length).encode();
    }

    byte[] run(byte[] cdb, byte[] dataOut) {
      Harness.Result r = harness.run(nexus, cdb, dataOut);
      Harness.assertGood(r);
      return r.data();
    }
  }

  /**
   * Valid security-protocol payloads of every operation, then mutated (bit flips, truncation,
   * extension), against a drive whose secure area holds real licenses; one try in eight first
   * commits a fresh PROVISION, so the area changes under the fuzz. Every answer is GOOD with data
   * or CHECK CONDITION with sense (never HARDWARE ERROR, never an exception), and no 16-byte window
   * of a key, a wrapped key or the sealed area ever comes back.
   */
  @Property(tries = 400)
  void mutatedSecurityProtocolPayloads(
      @ForAll dev.secdrive.protocol.security.Operation operation,
      @ForAll @IntRange(min = 0, max = 15) int variant,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 1 << 20) Integer> flips,
      @ForAll @IntRange(min = -8, max = 8) int resize,
      @ForAll @IntRange(min = 0, max = 70000) int allocation,
      @ForAll @IntRange(min = 0, max = 7) int fresh)
      throws Exception {
    if (secureFixture == null) {
      secureFixture = new SecureFixture(directory);
    }
    SecureFixture f = secureFixture;
    // At most 24 fresh titles: the harness's 4 KiB secure area holds about 40 licenses.
    if (fresh == 0 && f.provisioned < 24) {
      f.provision("fuzz-fresh-" + f.provisioned, 1 + variant % 3);
      f.forbidSecureArea();
    }
    byte[] cdb;
    byte[] payload = new byte[0];
    if (operation.in()) {
      cdb =
          new dev.secdrive.protocol.cdb.SecurityProtocolIn(0xF0, operation.code(), allocation)
              .encode();
    } else {
      List<byte[]> valid = f.payloads.getOrDefault(operation, List.of(new byte[0]));
      payload = valid.get(variant % valid.size()).clone();
      for (int flip : flips) {
        if (payload.length > 0) {
          payload[(flip >>> 3) % payload.length] ^= (byte) (1 << (flip & 7));
        }
      }
      payload = Arrays.copyOf(payload, Math.max(0, payload.length + (variant < 4 ? resize : 0)));
      cdb = SecureFixture.out(operation.code(), payload.length);
    }
    Recording dataIn = new Recording();
    Response response = f.harness.firmware.execute(f.nexus, cdb, ByteBuffer.wrap(payload), dataIn);
    String what = operation + " " + java.util.HexFormat.of().formatHex(payload);
    assertNotNull(response, what);
    if (response.status() == ScsiStatus.CHECK_CONDITION) {
      assertNotNull(response.sense(), what);
      assertEquals(0, response.dataInLength(), what);
      assertNotEquals(SenseKey.HARDWARE_ERROR, response.sense().key(), what);
      assertFalse(f.leaks(response.sense().encode()), what);
    } else {
      assertEquals(ScsiStatus.GOOD, response.status(), what);
      assertNull(response.sense(), what);
      int allocated = dataIn.buffer == null ? 0 : dataIn.buffer.capacity();
      assertEquals(allocated, response.dataInLength(), what);
      if (operation.in()) {
        assertTrue(allocated > 0 || allocation < 4, what + ": an IN operation returns data");
      }
      if (dataIn.buffer != null) {
        assertFalse(f.leaks(dataIn.buffer.array()), what + " returned key material");
      }
    }
  }

  // ------------------------------------------------------------------ checking

  private void check(byte[] cdb, byte[] dataOut, int host) {
    Nexus nexus = hosts[host % 2];
    if (host == 9) {
      firmware.disconnect(nexus); // a new connection: power-on unit attention again
    }
    Recording dataIn = new Recording();
    // REPORT LUNS belongs to the target (a Firmware alone answers it with HARDWARE ERROR 44/00)
    Response response =
        (cdb[0] & 0xFF) == Opcode.REPORT_LUNS.code()
            ? target.execute(nexus, 0, cdb, ByteBuffer.wrap(dataOut), dataIn)
            : firmware.execute(nexus, cdb, ByteBuffer.wrap(dataOut), dataIn);
    verify(cdb, response, dataIn);
    restore();
  }

  private void verify(byte[] cdb, Response response, Recording dataIn) {
    String what = "CDB " + java.util.HexFormat.of().formatHex(cdb);
    assertNotNull(response, what);
    assertTrue(
        response.status() == ScsiStatus.GOOD
            || response.status() == ScsiStatus.CHECK_CONDITION
            || response.status() == ScsiStatus.RESERVATION_CONFLICT,
        what);
    assertTrue(response.delayNanos() >= 0, what);
    assertTrue(dataIn.allocations <= 1, what);
    if (response.status() == ScsiStatus.RESERVATION_CONFLICT) {
      // the other host holds a RESERVE(6): nothing ran, nothing came back
      assertNull(response.sense(), what);
      assertEquals(0, response.dataInLength(), what);
      assertEquals(0, dataIn.allocations, what);
    } else if (response.status() == ScsiStatus.CHECK_CONDITION) {
      assertNotNull(response.sense(), what);
      assertEquals(0, response.dataInLength(), what);
      assertNotEquals(SenseKey.HARDWARE_ERROR, response.sense().key(), what);
      assertFalse(leaks(response.sense().encode()), what);
    } else {
      assertNull(response.sense(), what);
      assertTrue(response.dataInLength() >= 0, what);
      assertTrue(response.dataInLength() <= Firmware.MAXIMUM_TRANSFER_BYTES, what);
      int allocated = dataIn.buffer == null ? 0 : dataIn.buffer.capacity();
      assertEquals(allocated, response.dataInLength(), what + ": allocated = returned");
      if (dataIn.buffer != null) {
        assertEquals(0, dataIn.buffer.remaining(), what + ": every allocated byte written");
        assertFalse(leaks(dataIn.buffer.array()), what + " returned secure-area bytes");
      }
    }
  }

  private boolean leaks(byte[] data) {
    if (data.length < 8) {
      return false;
    }
    long window = 0;
    for (int i = 0; i < data.length; i++) {
      window = window << 8 | (data[i] & 0xFF);
      if (i >= 7 && secretWindows.contains(window)) {
        return true;
      }
    }
    return false;
  }

  /** Puts the medium back and spins it up after a try that ejected or stopped it. */
  private void restore() {
    // A RESERVE(6) one host sent would make the other's commands conflict from then on.
    for (Nexus host : hosts) {
      firmware.execute(host, new Release6().encode(), ByteBuffer.allocate(0), new Recording());
    }
    if (firmware.status().state() != DriveState.READY) {
      if (firmware.medium() != null) {
        firmware.remove(true);
      }
      firmware.insert(medium);
    }
    assertEquals(DriveState.READY, firmware.status().state());
  }

  private static byte[] dataOut(int blocks) {
    byte[] out = new byte[blocks * BLOCK];
    Arrays.fill(out, FILLER);
    return out;
  }

  /** A DataIn that records how it was used. */
  private static final class Recording implements DataIn {
    ByteBuffer buffer;
    int allocations;

    @Override
    public ByteBuffer allocate(int length) {
      allocations++;
      buffer = ByteBuffer.allocate(length);
      return buffer;
    }
  }

  // ------------------------------------------------------------------ generators

  record Command(byte[] cdb, byte[] dataOut) {
    @Override
    public String toString() {
      return java.util.HexFormat.of().formatHex(cdb) + " +" + dataOut.length + " bytes out";
    }
  }

  @Provide
  Arbitrary<Command> plausible() {
    Arbitrary<Opcode> opcodes = Arbitraries.of(Opcode.class);
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofSize(16);
    Arbitrary<Long> lbas =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, BLOCKS - 1)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(BLOCKS - 4, BLOCKS + 4)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
    Arbitrary<Integer> lengths = Arbitraries.integers().between(0, 80);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, 9);
    return Combinators.combine(opcodes, noise, lbas, lengths, flags).as(FirmwareFuzzTest::build);
  }

  private static Command build(Opcode opcode, byte[] noise, long lba, int length, int flags) {
    byte[] cdb = Arrays.copyOf(noise, opcode.cdbLength());
    cdb[0] = (byte) opcode.code();
    if (opcode.hasServiceAction()) {
      cdb[1] = (byte) ((cdb[1] & 0xE0) | opcode.serviceAction());
    }
    if (flags < 8) {
      cdb[cdb.length - 1] &= ~0x04; // NACA
    }
    byte[] dataOut = new byte[0];
    switch (opcode) {
      case READ_10, WRITE_10, VERIFY_10, SYNCHRONIZE_CACHE_10 -> {
        ByteBuffer b = ByteBuffer.wrap(cdb);
        if (flags < 7) {
          cdb[1] &= 0x1F; // no protection information
        }
        if (opcode == Opcode.VERIFY_10 && flags < 6) {
          cdb[1] &= ~0x04; // BYTCHK 00b or 01b
        }
        b.putInt(2, (int) lba);
        b.putShort(7, (short) length);
      }
      case READ_16, WRITE_16 -> {
        ByteBuffer b = ByteBuffer.wrap(cdb);
        if (flags < 7) {
          cdb[1] &= 0x1F;
        }
        b.putLong(2, lba);
        b.putInt(10, length);
      }
      case INQUIRY -> {
        if (flags < 6) {
          int[] pages = {0x00, 0x80, 0x83, 0xB0};
          cdb[1] = (byte) (flags % 2);
          cdb[2] = (byte) (flags % 2 == 1 ? pages[(noise[2] & 0xFF) % 4] : 0);
        }
      }
      case MODE_SENSE_6 -> {
        if (flags < 6) {
          cdb[2] = (byte) ((flags % 3) << 6 | (flags % 2 == 0 ? 0x08 : 0x3F));
          cdb[3] = 0;
        }
      }
      default -> {}
    }
    boolean writes =
        opcode == Opcode.WRITE_10 || opcode == Opcode.WRITE_16 || opcode == Opcode.VERIFY_10;
    if (writes && flags % 3 != 2) {
      dataOut = dataOut(length);
    }
    return new Command(cdb, dataOut);
  }
}
