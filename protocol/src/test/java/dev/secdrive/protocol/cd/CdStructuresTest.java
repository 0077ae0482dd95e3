package dev.secdrive.protocol.cd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.protocol.testing.Hex;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the golden vectors do not show: MSF arithmetic, Q factories, CRC and raw P-W. */
class CdStructuresTest {

  @Test
  void lbaZeroIsTwoSecondsIn() {
    assertEquals(new Msf(0, 2, 0), Msf.fromLba(0));
    assertEquals(new Msf(0, 0, 0), Msf.fromLba(-150));
    assertEquals(new Msf(1, 0, 0), Msf.fromLba(4350));
    assertEquals(new Msf(79, 59, 74), Msf.fromLba(359_849));
    assertEquals(4350, new Msf(1, 0, 0).toLba());
    assertEquals(0, new Msf(0, 2, 0).toLba());
  }

  @Test
  void leadInAddressesAreNinetyMinutesAndUp() {
    // MMC-6 table 17: LBA -45150 is 90:00:00, -151 is 99:59:74.
    assertEquals(new Msf(90, 0, 0), Msf.fromLba(-45_150));
    assertEquals(new Msf(99, 59, 74), Msf.fromLba(-151));
    assertEquals(-151, new Msf(99, 59, 74).toLba());
    assertEquals(new Msf(89, 59, 74), Msf.fromLba(Msf.MAXIMUM_LBA));
    assertThrows(IllegalArgumentException.class, () -> Msf.fromLba(-45_151));
    assertThrows(IllegalArgumentException.class, () -> Msf.fromLba(Msf.MAXIMUM_LBA + 1));
  }

  @Test
  void msfFieldsAreCheckedAndRoundTrip() {
    assertThrows(IllegalArgumentException.class, () -> new Msf(0, 60, 0));
    assertThrows(IllegalArgumentException.class, () -> new Msf(0, 0, 75));
    for (long lba = -200; lba < 400_000; lba += 997) {
      assertEquals(lba, Msf.fromLba(lba).toLba());
      assertEquals(
          lba, Msf.fromAddressField(TrackDescriptor.address(lba, true)).toLba(), "field " + lba);
    }
  }

  @Test
  void qFactoriesMakeTheVectorsBytes() {
    assertEquals(
        "010201000125000023255" + "83F00000000",
        Hex.format(QSubChannel.position(0, 2, 1, 100, 1600).encode()));
    assertEquals(
        "02012345678901200025444000000000",
        Hex.format(QSubChannel.catalog(0, "0123456789012", 25).encode()));
    assertEquals(
        "039638D404261234502466390000" + "0000",
        Hex.format(QSubChannel.isrc(0, "USSD12612345", 24).encode()));
  }

  @Test
  void qReadsBackItsFields() {
    QSubChannel q = QSubChannel.decode(QSubChannel.position(2, 12, 1, 4499, 98_765).encode());
    assertEquals(12, q.trackNumber());
    assertEquals(1, q.indexNumber());
    assertEquals(new Msf(0, 59, 74), q.relative());
    assertEquals(Msf.fromLba(98_765), q.absolute());
    assertEquals(2, q.control());
    assertEquals(
        "9876543210987",
        QSubChannel.decode(QSubChannel.catalog(0, "9876543210987", 3).encode()).mcn());
    assertEquals(
        "GBAYE6700149", QSubChannel.decode(QSubChannel.isrc(0, "GBAYE6700149", 3).encode()).isrc());
  }

  @Test
  void aCorruptQIsRefusedByItsCrc() {
    byte[] q = QSubChannel.position(0, 1, 1, 0, 0).encode();
    q[3] ^= 0x01;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> QSubChannel.decode(q));
    assertEquals(true, e.getMessage().startsWith("Q sub-channel CRC"));
  }

  @Test
  void rawPwCarriesQInBitSix() {
    QSubChannel q = QSubChannel.position(0, 2, 1, 100, 1600);
    byte[] raw = q.rawPw();
    byte[] packed = new byte[12];
    for (int i = 0; i < 96; i++) {
      assertEquals(0, raw[i] & 0xBF, "only Q in byte " + i);
      packed[i / 8] |= (byte) (((raw[i] >>> 6) & 1) << (7 - i % 8));
    }
    assertArrayEquals(q.q(), packed);
  }

  @Test
  void tocTruncatedByTheAllocationLengthDecodesWholeDescriptors() {
    byte[] full =
        new Toc(
                1,
                2,
                List.of(
                    TrackDescriptor.of(1, 0, 1, 0, false),
                    TrackDescriptor.of(1, 0, 2, 100, false),
                    TrackDescriptor.of(1, 0, 0xAA, 200, false)))
            .encode();
    Toc cut = Toc.decode(java.util.Arrays.copyOf(full, 4 + 8 + 5));
    assertEquals(1, cut.descriptors().size());
    assertEquals(26, ((full[0] & 0xFF) << 8) | (full[1] & 0xFF));
  }

  @Test
  void recordsRefuseWhatTheFieldsCannotHold() {
    assertThrows(
        IllegalArgumentException.class, () -> new MediaCatalogNumber(0x15, Optional.of("123")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TrackIsrc(0x15, 3, 0, 1, Optional.of("us-sd1-26-12345")));
    assertThrows(IllegalArgumentException.class, () -> QSubChannel.isrc(0, "USSD1261234X", 0));
  }
}
