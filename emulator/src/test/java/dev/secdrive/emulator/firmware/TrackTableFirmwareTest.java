package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.rip.TrackRecordData;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004's verification table in the firmware (PROTOCOL.md "Verification table"): REGISTER TRACK,
 * TRACK RECORD and VERIFY TRACK on a pressed CD-DA disc, and the order of their refusals.
 */
class TrackTableFirmwareTest {

  static final String DISC = "CD-TABLE-1";

  @TempDir Path directory;
  final Authority authority = Authority.create();
  Harness h;
  Nexus host;
  Medium medium;

  @BeforeEach
  void setUp() {
    h =
        new Harness(
            directory, "cdda", DriveKeys.enroll("SDCDDA0001", authority), DriveNv.inMemory());
    CdAudioDisc.press(
        directory.resolve("media-cdda"),
        DISC,
        "table test",
        Optional.empty(),
        List.of(
            new CdAudioDisc.Track(Optional.of("ZZSDA2600001"), pcm(300, 1)),
            new CdAudioDisc.Track(Optional.empty(), pcm(40, 2))));
    medium = h.open(DISC);
    h.firmware.insert(medium);
    host = h.nexus();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  static byte[] pcm(int sectors, long seed) {
    byte[] b = new byte[sectors * CdAudioDisc.SECTOR_BYTES];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Result in(Harness h, Nexus n, Operation op) {
    return h.run(n, new SecurityProtocolIn(SecurityProtocols.SECDRIVE, op.code(), 4096));
  }

  static Result out(Harness h, Nexus n, Operation op, byte[] parameters) {
    return h.run(
        n,
        new SecurityProtocolOut(SecurityProtocols.SECDRIVE, op.code(), parameters.length),
        parameters);
  }

  static void assertRefused(Result r, Reason reason) {
    SenseData sense = assertCheck(r, 0x05, reason.sense().asc(), reason.sense().ascq());
    assertEquals(reason.code(), sense.commandSpecific(), sense::describe);
  }

  /** A VERIFY TRACK list: the track, three reserved bytes, the record's bytes as they are. */
  static byte[] verify(int track, byte[] record) {
    byte[] out = new byte[4 + record.length];
    out[0] = (byte) track;
    System.arraycopy(record, 0, out, 4, record.length);
    return out;
  }

  TrackRecord register(int track, int sectors) throws Exception {
    assertGoodNoData(
        out(h, host, Operation.REGISTER_TRACK, new RegisterTrack(track, sectors, 1, 77).encode()));
    return TrackRecord.decode(
        TrackRecordData.decode(assertGood(in(h, host, Operation.TRACK_RECORD)).data()).record());
  }

  byte[] sectors(List<Long> lbas) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (long lba : lbas) {
      ByteBuffer b = ByteBuffer.allocate(CdAudioDisc.SECTOR_BYTES);
      medium.read(lba, b);
      sha.update(b.flip());
    }
    return sha.digest();
  }

  @Test
  void registerMakesARecordOfTheDiscsTrackThatVerifies() throws Exception {
    TrackRecord record = register(1, 16);
    assertEquals(DISC, record.mediumId());
    assertEquals("SDCDDA0001", record.deviceId());
    assertEquals(1, record.track());
    assertEquals(Optional.of("ZZSDA2600001"), record.isrc());
    assertEquals(0, record.startLba());
    assertEquals(300, record.sectors());
    assertEquals(1, record.copyControl());
    assertEquals(77, record.contentId());
    assertEquals(16, record.designated().size());
    assertEquals(record.designatedAgain(), record.designated());
    assertArrayEquals(sectors(record.designated()), record.designatedDigest());
    List<Long> all = new java.util.ArrayList<>();
    for (long l = 0; l < 300; l++) {
      all.add(l);
    }
    assertArrayEquals(sectors(all), record.trackDigest());
    assertGoodNoData(out(h, host, Operation.VERIFY_TRACK, verify(1, record.encode())));
    // the same record sent for another track of the disc (19h)
    assertRefused(
        out(h, host, Operation.VERIFY_TRACK, verify(2, record.encode())), Reason.OTHER_TRACK);

    TrackRecord second = register(2, 40);
    assertEquals(Optional.empty(), second.isrc());
    assertEquals(300, second.startLba());
    assertEquals(40, second.designated().size(), "a whole track can be designated");
    assertGoodNoData(out(h, host, Operation.VERIFY_TRACK, verify(2, second.encode())));
  }

  @Test
  void theRecordIsPendingOnItsOwnNexusOnly() throws Exception {
    register(1, 4);
    assertRefused(in(h, h.nexus(), Operation.TRACK_RECORD), Reason.NO_TRACK_RECORD);
  }

  @Test
  void everyFlippedBitOfARecordIsRefusedAndNoneVerifies() throws Exception {
    byte[] good = register(1, 8).encode();
    Set<Long> refusals = new java.util.TreeSet<>();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 << (i % 8));
      Result r = out(h, host, Operation.VERIFY_TRACK, verify(1, bad));
      assertEquals(
          dev.secdrive.protocol.sense.ScsiStatus.CHECK_CONDITION,
          r.response().status(),
          "byte " + i);
      SenseData sense = r.response().sense();
      assertEquals(0x05, sense.key().code(), sense.describe());
      refusals.add((long) sense.asc() << 16 | sense.commandSpecific());
    }
    // framing (26h), another drive (06h), the MAC (18h) and another version (0Bh) all occur
    assertTrue(refusals.contains(0x6FL << 16 | Reason.RECORD_ALTERED.code()), refusals::toString);
    assertTrue(refusals.contains(0x6FL << 16 | Reason.OTHER_DRIVE.code()), refusals::toString);
    assertTrue(refusals.contains(0x26L << 16), refusals::toString);
    assertGoodNoData(out(h, host, Operation.VERIFY_TRACK, verify(1, good)));
  }

  @Test
  void refusalsOfRegisterTrack() throws Exception {
    Result noTrack = out(h, host, Operation.REGISTER_TRACK, new RegisterTrack(3, 4, 0, 1).encode());
    assertEquals(0, assertCheck(noTrack, 0x05, 0x26, 0x00).fieldPointer().byteOffset());
    Result tooMany =
        out(h, host, Operation.REGISTER_TRACK, new RegisterTrack(2, 41, 0, 1).encode());
    assertEquals(1, assertCheck(tooMany, 0x05, 0x26, 0x00).fieldPointer().byteOffset());
    byte[] list = new RegisterTrack(1, 4, 0, 1).encode();
    list[3] = 1;
    assertEquals(
        3,
        assertCheck(out(h, host, Operation.REGISTER_TRACK, list), 0x05, 0x26, 0x00)
            .fieldPointer()
            .byteOffset());
    assertRefused(
        out(h, host, Operation.REGISTER_TRACK, new RegisterTrack(1, 4, 2, 1).encode()),
        Reason.COPY_NOT_PERMITTED);
  }

  @Test
  void aRecordOfAnotherDriveWithTheSameDeviceIdFailsItsMac() throws Exception {
    byte[] good = register(1, 8).encode();
    Path other = directory.resolve("other");
    java.nio.file.Files.createDirectories(other);
    try (Harness second =
        new Harness(other, "cdda", DriveKeys.enroll("SDCDDA0001", authority), DriveNv.inMemory())) {
      CdAudioDisc.press(
          other.resolve("media-cdda"),
          DISC,
          "table test",
          Optional.empty(),
          List.of(
              new CdAudioDisc.Track(Optional.of("ZZSDA2600001"), pcm(300, 1)),
              new CdAudioDisc.Track(Optional.empty(), pcm(40, 2))));
      second.firmware.insert(second.open(DISC));
      Nexus n = second.nexus();
      assertRefused(out(second, n, Operation.VERIFY_TRACK, verify(1, good)), Reason.RECORD_ALTERED);
    }
  }

  @Test
  void aMediumThatIsNotCdDaIsRefusedBeforeTheParameterList() throws Exception {
    try (Harness mo =
        new Harness(
            directory.resolve("mo"),
            "mo-640",
            DriveKeys.enroll("SDMO0001", authority),
            DriveNv.inMemory())) {
      mo.insert("MO-TABLE-1", "mo-640");
      Nexus n = mo.nexus();
      assertRefused(out(mo, n, Operation.REGISTER_TRACK, new byte[] {1}), Reason.NOT_AUDIO);
      assertRefused(out(mo, n, Operation.VERIFY_TRACK, new byte[0]), Reason.NOT_AUDIO);
    }
  }

  @Test
  void theRecordIsNotWrittenAnywhereOnThePressedDisc() throws Exception {
    assertFalse(medium.metadata().secureAreaBytes() > 0);
    register(1, 4);
    assertTrue(medium.metadata().pressed());
  }

  @Test
  void aRecordingWithAnIsrcVerifiesWhereverItIsPressedAndOnlyAsItself() throws Exception {
    TrackRecord album = register(1, 16);
    TrackRecord noIsrc = register(2, 8);
    byte[] recording = pcm(300, 1);
    CdAudioDisc.press(
        directory.resolve("media-cdda"),
        "CD-COMPILATION",
        "the same master as track 3 of another disc",
        Optional.empty(),
        List.of(
            new CdAudioDisc.Track(Optional.empty(), pcm(40, 2)),
            new CdAudioDisc.Track(Optional.of("ZZSDA2600009"), pcm(75, 3)),
            new CdAudioDisc.Track(Optional.of("ZZSDA2600001"), recording),
            new CdAudioDisc.Track(Optional.of("ZZSDA2600001"), pcm(300, 4)),
            new CdAudioDisc.Track(Optional.of("ZZSDA2600001"), pcm(301, 1))));
    h.firmware.remove(true).close();
    h.firmware.insert(h.open("CD-COMPILATION"));
    host = h.nexus();
    h.run(host, new dev.secdrive.protocol.cdb.TestUnitReady()); // the medium change
    // the same recording as track 3, 115 sectors further on: the record of track 1 verifies
    assertGoodNoData(out(h, host, Operation.VERIFY_TRACK, verify(3, album.encode())));
    // another recording under the same ISRC and length: refused by its content (1Ah)
    assertRefused(
        out(h, host, Operation.VERIFY_TRACK, verify(4, album.encode())), Reason.CONTENT_DIFFERS);
    // the same ISRC with another length, and another ISRC: not the recording (19h)
    assertRefused(
        out(h, host, Operation.VERIFY_TRACK, verify(5, album.encode())), Reason.OTHER_TRACK);
    assertRefused(
        out(h, host, Operation.VERIFY_TRACK, verify(2, album.encode())), Reason.OTHER_TRACK);
    // a track without an ISRC is its disc's: the same audio as track 1 here is another medium
    assertRefused(
        out(h, host, Operation.VERIFY_TRACK, verify(1, noIsrc.encode())), Reason.OTHER_TRACK);
  }
}
