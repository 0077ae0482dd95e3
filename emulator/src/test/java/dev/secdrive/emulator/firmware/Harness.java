package dev.secdrive.emulator.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One drive on a test bench: a {@link Firmware} of a built-in profile with a manual nanosecond
 * clock, and a media store in a temporary directory whose media it closes at the end.
 */
final class Harness implements AutoCloseable {

  static final String DEVICE_ID = "SDDTEST0001";
  static final long NANOS_PER_MILLI = 1_000_000L;
  static final int SECURE_AREA_BYTES = 4096;

  final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  final MediumStore store;
  final Firmware firmware;
  private final List<Medium> opened = new ArrayList<>();

  Harness(Path directory, String profileId, TimingMode mode) {
    this(directory, profileId, mode, 0);
  }

  Harness(Path directory, String profileId, TimingMode mode, int lun) {
    this.store = MediumStore.openOrCreate(directory.resolve("media-" + profileId + "-" + lun));
    this.firmware = new Firmware(lun, profile(profileId), DEVICE_ID, mode, clock::get);
  }

  /** A drive with the given key material and drive state. */
  Harness(
      Path directory,
      String profileId,
      dev.secdrive.emulator.secure.DriveKeys keys,
      dev.secdrive.emulator.secure.DriveNv nv) {
    this.store = MediumStore.openOrCreate(directory.resolve("media-" + profileId));
    this.firmware =
        new Firmware(0, profile(profileId), keys.deviceId(), TimingMode.FAST, clock::get, keys, nv);
  }

  /** Opens a medium of the store (closed at the end) without inserting it. */
  Medium open(String id) {
    Medium medium = store.open(id);
    opened.add(medium);
    return medium;
  }

  static DriveProfile profile(String id) {
    return ProfileCatalog.builtIn().get(id);
  }

  DriveProfile profile() {
    return firmware.profile();
  }

  /** Creates and opens a medium with the geometry the profile gives {@code type}. */
  Medium create(String id, String type) {
    MediumType t = profile().medium(type).orElseThrow();
    return create(id, type, t.blockSize(), t.blockCount(), t.pressed());
  }

  Medium create(String id, String type, int blockSize, long blockCount, boolean pressed) {
    store.create(
        new MediumStore.Spec(
            id, type, blockSize, blockCount, SECURE_AREA_BYTES, pressed, "label " + id, null));
    Medium medium = store.open(id);
    opened.add(medium);
    return medium;
  }

  /** Creates a medium of the profile's default type and inserts it. */
  Medium insert(String id) {
    return insert(id, profile().defaultMedium().type());
  }

  Medium insert(String id, String type) {
    Medium medium = create(id, type);
    firmware.insert(medium);
    return medium;
  }

  void advanceMillis(long millis) {
    clock.addAndGet(millis * NANOS_PER_MILLI);
  }

  void advanceNanos(long nanos) {
    clock.addAndGet(nanos);
  }

  Result run(Nexus nexus, Cdb cdb) {
    return run(nexus, cdb.encode(), new byte[0]);
  }

  Result run(Nexus nexus, Cdb cdb, byte[] dataOut) {
    return run(nexus, cdb.encode(), dataOut);
  }

  Result run(Nexus nexus, byte[] cdb) {
    return run(nexus, cdb, new byte[0]);
  }

  Result run(Nexus nexus, byte[] cdb, byte[] dataOut) {
    DataIn.Heap dataIn = new DataIn.Heap();
    Response response = firmware.execute(nexus, cdb, ByteBuffer.wrap(dataOut), dataIn);
    return new Result(response, dataIn.bytes(response));
  }

  /** A new nexus whose pending unit attentions (power on, medium changed) are already taken. */
  Nexus nexus() {
    Nexus nexus = new Nexus("test host");
    clearUnitAttentions(nexus);
    return nexus;
  }

  void clearUnitAttentions(Nexus nexus) {
    for (int i = 0; i < 8; i++) {
      Result r = run(nexus, new RequestSense(false, 18, 0));
      assertGood(r);
      if (SenseData.decode(r.data()).key() != SenseKey.UNIT_ATTENTION) {
        return;
      }
    }
    fail("unit attentions never ran out");
  }

  @Override
  public void close() {
    for (Medium medium : opened) {
      try {
        medium.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ------------------------------------------------------------------ results and assertions

  /** A command's response and the data-in bytes it returned. */
  record Result(Response response, byte[] data) {
    SenseData sense() {
      return response.sense();
    }

    boolean good() {
      return response.status() == ScsiStatus.GOOD;
    }
  }

  static Result assertGood(Result r) {
    assertEquals(
        ScsiStatus.GOOD,
        r.response().status(),
        () -> "expected GOOD, got " + (r.sense() == null ? "no sense" : r.sense().describe()));
    assertNull(r.sense(), "GOOD carries no sense");
    assertEquals(r.response().dataInLength(), r.data().length);
    return r;
  }

  static void assertGoodNoData(Result r) {
    assertGood(r);
    assertEquals(0, r.response().dataInLength(), "no data-in expected");
  }

  /**
   * Asserts CHECK CONDITION with exactly this sense key / ASC / ASCQ, checked in the fixed-format
   * bytes as DESIGN.md lays them out, and no data-in.
   */
  static SenseData assertCheck(Result r, int key, int asc, int ascq) {
    assertEquals(
        ScsiStatus.CHECK_CONDITION,
        r.response().status(),
        () -> String.format("expected CHECK CONDITION %02X/%02X/%02X, got GOOD", key, asc, ascq));
    SenseData sense = r.sense();
    assertNotNull(sense, "CHECK CONDITION without sense");
    assertEquals(0, r.response().dataInLength(), "CHECK CONDITION carries no data-in");
    assertEquals(0, r.data().length);
    byte[] bytes = sense.encode();
    assertEquals(SenseData.FIXED_LENGTH, bytes.length);
    String actual =
        String.format("%02X/%02X/%02X", bytes[2] & 0x0F, bytes[12] & 0xFF, bytes[13] & 0xFF);
    assertEquals(String.format("%02X/%02X/%02X", key, asc, ascq), actual, sense::describe);
    assertEquals(0x70, bytes[0] & 0x7F, "response code 70h");
    assertEquals(10, bytes[7], "additional sense length");
    assertEquals(sense, SenseData.decode(bytes), "sense round-trips through its encoding");
    return sense;
  }

  /** Asserts the sense-key specific field pointer (C/D = 1), both as record and as bytes. */
  static void assertFieldPointer(SenseData sense, int byteOffset, int bit) {
    assertEquals(new FieldPointer(true, byteOffset, bit), sense.fieldPointer(), sense::describe);
    byte[] bytes = sense.encode();
    int sks = bytes[15] & 0xFF;
    assertEquals(0x80, sks & 0x80, "SKSV");
    assertEquals(0x40, sks & 0x40, "C/D");
    if (bit < 0) {
      assertEquals(0, sks & 0x08, "BPV clear");
    } else {
      assertEquals(0x08, sks & 0x08, "BPV set");
      assertEquals(bit, sks & 0x07, "bit pointer");
    }
    assertEquals(byteOffset, (bytes[16] & 0xFF) << 8 | (bytes[17] & 0xFF), "field pointer");
  }

  static void assertNoFieldPointer(SenseData sense) {
    assertNull(sense.fieldPointer(), sense::describe);
    assertEquals(0, sense.encode()[15] & 0x80, "SKSV clear");
  }

  /** Asserts VALID and the INFORMATION field, as record and as bytes 3-6. */
  static void assertInformation(SenseData sense, long information) {
    assertTrue(sense.valid(), "VALID");
    assertEquals(information, sense.information());
    byte[] bytes = sense.encode();
    assertEquals(0x80, bytes[0] & 0x80, "VALID bit in byte 0");
    long encoded =
        (bytes[3] & 0xFFL) << 24
            | (bytes[4] & 0xFF) << 16
            | (bytes[5] & 0xFF) << 8
            | (bytes[6] & 0xFF);
    assertEquals(information, encoded, "INFORMATION bytes 3-6");
  }

  static byte[] pattern(int length, int seed) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (i * 31 + seed + (i >>> 8) * 7);
    }
    return out;
  }

  static void assertBytes(byte[] expected, byte[] actual) {
    assertArrayEquals(expected, actual);
  }
}
