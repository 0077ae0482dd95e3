package dev.secdrive.protocol.rip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.security.Sealing;
import dev.secdrive.protocol.testing.Hex;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors of the verification table's records (PROTOCOL.md "Verification table"). The MAC,
 * the designation and the table key were computed with Python's hmac and hashlib from the layout in
 * PROTOCOL.md, independently of these classes.
 */
class RipRecordsTest {

  /** R = 00h..1Fh. */
  static final byte[] R = range(0x00, 32);

  /** The MAC key of the vector: 60h..7Fh. */
  static final byte[] TABLE_KEY = range(0x60, 32);

  static final String RECORD_HEX =
      "5344545201 0743442D30303031 0653442D434431 02 0C474253444132363030303032"
          + " 000003E8 000008CA 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
          + " 01 0000123456789ABC 04 0000042E 000006A2 00000B46 00000C01"
          + " 202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
          + " 404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F"
          + " D1A45F0E0BF3F7C460C6810A44D1FFB3172BAD8DA1905763197A01DD7BDF04CF";

  static byte[] range(int from, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (from + i);
    }
    return out;
  }

  private static void refused(byte[] in, Kind kind, int offset) {
    ParameterException e = assertThrows(ParameterException.class, () -> TrackRecord.decode(in));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  private static byte[] with(byte[] in, int at, int value) {
    byte[] out = in.clone();
    out[at] = (byte) value;
    return out;
  }

  @Test
  void designationGoldenVector() {
    // Track of 2,250 sectors (30 s) at LBA 1000, four sectors designated by R = 00h..1Fh.
    assertEquals(List.of(1070L, 1698L, 2886L, 3073L), TrackRecord.designate(R, 1000, 2250, 4));
    // Floyd's algorithm picks every sector of a track exactly as long as k, and k distinct ones.
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), TrackRecord.designate(R, 0, 5, 5));
    assertEquals(List.of(2L, 3L, 4L, 5L), TrackRecord.designate(R, 0, 6, 4));
  }

  @Test
  void designationIsDistinctInsideTheTrackAndDependsOnR() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 500; trial++) {
      byte[] r = new byte[32];
      random.nextBytes(r);
      long start = random.nextLong(0, 300_000);
      long sectors = random.nextLong(1, 40_000);
      int k = (int) Math.min(sectors, random.nextInt(1, TrackRecord.MAX_DESIGNATED + 1));
      List<Long> lbas = TrackRecord.designate(r, start, sectors, k);
      assertEquals(k, new HashSet<>(lbas).size(), "distinct");
      for (int i = 0; i < lbas.size(); i++) {
        assertTrue(lbas.get(i) >= start && lbas.get(i) < start + sectors, "inside the track");
        assertTrue(i == 0 || lbas.get(i - 1) < lbas.get(i), "ascending");
      }
    }
    byte[] other = R.clone();
    other[31] ^= 1;
    assertFalse(
        TrackRecord.designate(R, 1000, 2250, 8)
            .equals(TrackRecord.designate(other, 1000, 2250, 8)));
    assertThrows(IllegalArgumentException.class, () -> TrackRecord.designate(R, 0, 3, 4));
  }

  @Test
  void trackRecordGoldenVectorRoundTripsAndVerifies() throws ParameterException {
    byte[] bytes = Hex.parse(RECORD_HEX);
    assertEquals(196, bytes.length);
    TrackRecord record = TrackRecord.decode(bytes);
    assertEquals("CD-0001", record.mediumId());
    assertEquals("SD-CD1", record.deviceId());
    assertEquals(2, record.track());
    assertEquals(Optional.of("GBSDA2600002"), record.isrc());
    assertEquals(1000, record.startLba());
    assertEquals(2250, record.sectors());
    assertArrayEquals(R, record.random());
    assertEquals(TrackRecord.COPY_ONCE, record.copyControl());
    assertEquals(0x123456789ABCL, record.contentId());
    assertEquals(List.of(1070L, 1698L, 2886L, 3073L), record.designated());
    assertEquals(record.designated(), record.designatedAgain());
    assertArrayEquals(range(0x20, 32), record.designatedDigest());
    assertArrayEquals(range(0x40, 32), record.trackDigest());
    assertTrue(record.verifies(TABLE_KEY));
    assertFalse(record.verifies(range(0x61, 32)));
    assertEquals(Hex.format(bytes), Hex.format(record.encode()));

    TrackRecord made =
        TrackRecord.unsigned(
                "CD-0001",
                "SD-CD1",
                2,
                Optional.of("GBSDA2600002"),
                1000,
                2250,
                R,
                TrackRecord.COPY_ONCE,
                0x123456789ABCL,
                TrackRecord.designate(R, 1000, 2250, 4),
                range(0x20, 32),
                range(0x40, 32))
            .sign(TABLE_KEY);
    assertEquals(Hex.format(bytes), Hex.format(made.encode()));
  }

  @Test
  void everyFlippedBitOfTheRecordFailsItsMacOrItsDecoding() {
    byte[] bytes = Hex.parse(RECORD_HEX);
    for (int i = 0; i < bytes.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = bytes.clone();
        flipped[i] ^= (byte) (1 << bit);
        try {
          assertFalse(TrackRecord.decode(flipped).verifies(TABLE_KEY), "byte " + i + " bit " + bit);
        } catch (ParameterException e) {
          // a flip that breaks the framing is refused before the MAC
        }
      }
    }
  }

  @Test
  void tableKeyGoldenVector() {
    // KDF(device secret 80h..9Fh, "track-table", "SD-CD1")
    assertEquals(
        "B492E799BAF3BE5415BC961498B0913C1B9F5C7423DEA9949784F199CEF0E0CF",
        Hex.format(
            Sealing.kdf(
                range(0x80, 32),
                dev.secdrive.protocol.security.KeyLabels.TRACK_TABLE,
                "SD-CD1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
  }

  @Test
  void trackRecordRefusals() {
    byte[] bytes = Hex.parse(RECORD_HEX);
    refused(with(bytes, 0, 'X'), Kind.MAGIC, 0);
    refused(with(bytes, 4, 2), Kind.FORMAT_VERSION, 4);
    refused(with(bytes, 20, 0), Kind.INVALID_VALUE, 20); // track 0
    refused(with(bytes, 20, 100), Kind.INVALID_VALUE, 20);
    refused(with(bytes, 22, 'g'), Kind.INVALID_VALUE, 21); // lower-case country code
    refused(with(with(with(with(bytes, 38, 0), 39, 0), 40, 0), 41, 0), Kind.INVALID_VALUE, 38);
    refused(with(bytes, 74, 3), Kind.INVALID_VALUE, 74); // copy control
    refused(with(bytes, 75, 1), Kind.INVALID_VALUE, 75); // content ID beyond 48 bits
    refused(with(bytes, 83, 0), Kind.INVALID_VALUE, 83); // no designated sector
    refused(with(bytes, 83, 65), Kind.INVALID_VALUE, 83);
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
    refused(trailing, Kind.TRAILING_BYTES, bytes.length);
    for (int n = 0; n < bytes.length; n++) {
      byte[] prefix = Arrays.copyOf(bytes, n);
      ParameterException e =
          assertThrows(ParameterException.class, () -> TrackRecord.decode(prefix));
      assertEquals(Kind.TRUNCATED, e.kind(), "prefix of " + n);
    }
  }

  @Test
  void registerTrackGoldenVectorAndRefusals() throws ParameterException {
    // Track 2, 16 sectors, copy once, content ID 123456789ABCh.
    byte[] bytes = Hex.parse("02 10 01 00 0000123456789ABC");
    RegisterTrack request = RegisterTrack.decode(bytes);
    assertEquals(new RegisterTrack(2, 16, TrackRecord.COPY_ONCE, 0x123456789ABCL), request);
    assertEquals(Hex.format(bytes), Hex.format(request.encode()));
    assertEquals(RegisterTrack.LENGTH, bytes.length);
    refusedRegister(with(bytes, 0, 0), Kind.INVALID_VALUE, 0);
    refusedRegister(with(bytes, 0, 100), Kind.INVALID_VALUE, 0);
    refusedRegister(with(bytes, 1, 0), Kind.INVALID_VALUE, 1);
    refusedRegister(with(bytes, 1, 65), Kind.INVALID_VALUE, 1);
    refusedRegister(with(bytes, 2, 3), Kind.INVALID_VALUE, 2);
    refusedRegister(with(bytes, 3, 1), Kind.RESERVED, 3);
    refusedRegister(with(bytes, 5, 1), Kind.INVALID_VALUE, 4);
    refusedRegister(Arrays.copyOf(bytes, 13), Kind.TRAILING_BYTES, 12);
    refusedRegister(Arrays.copyOf(bytes, 11), Kind.TRUNCATED, 4);
  }

  private static void refusedRegister(byte[] in, Kind kind, int offset) {
    ParameterException e = assertThrows(ParameterException.class, () -> RegisterTrack.decode(in));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  @Test
  void verifyTrackGoldenVectorAndRefusals() throws ParameterException {
    byte[] bytes = Hex.parse("02 000000 " + RECORD_HEX);
    VerifyTrack request = VerifyTrack.decode(bytes);
    assertEquals(2, request.track());
    assertEquals(TrackRecord.decode(Hex.parse(RECORD_HEX)), request.record());
    assertEquals(Hex.format(bytes), Hex.format(request.encode()));
    ParameterException zero =
        assertThrows(ParameterException.class, () -> VerifyTrack.decode(with(bytes, 0, 0)));
    assertEquals(Kind.INVALID_VALUE, zero.kind());
    ParameterException reserved =
        assertThrows(ParameterException.class, () -> VerifyTrack.decode(with(bytes, 2, 1)));
    assertEquals(Kind.RESERVED, reserved.kind());
    assertEquals(2, reserved.offset());
    // a record that does not parse is reported at its byte in the list: the magic at 4
    ParameterException magic =
        assertThrows(ParameterException.class, () -> VerifyTrack.decode(with(bytes, 4, 'X')));
    assertEquals(Kind.MAGIC, magic.kind());
    assertEquals(4, magic.offset());
  }

  @Test
  void trackRecordDataGoldenVector() throws ParameterException {
    byte[] record = Hex.parse(RECORD_HEX);
    byte[] bytes = Hex.parse("000000C4 " + RECORD_HEX);
    TrackRecordData data = TrackRecordData.decode(bytes);
    assertArrayEquals(record, data.record());
    assertEquals(Hex.format(bytes), Hex.format(data.encode()));
    ParameterException e =
        assertThrows(
            ParameterException.class,
            () -> TrackRecordData.decode(Arrays.copyOf(bytes, bytes.length - 1)));
    assertEquals(Kind.TRUNCATED, e.kind());
  }
}
