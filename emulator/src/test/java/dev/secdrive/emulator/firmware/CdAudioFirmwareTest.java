package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static dev.secdrive.emulator.firmware.Harness.assertGoodNoData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.QSubChannel;
import dev.secdrive.protocol.cd.SubChannelPosition;
import dev.secdrive.protocol.cdb.GetConfiguration;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSense10;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCd;
import dev.secdrive.protocol.cdb.ReadCdMsf;
import dev.secdrive.protocol.cdb.ReadSubChannel;
import dev.secdrive.protocol.cdb.ReadTocPmaAtip;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CD-DA drive's MMC-6 commands against a pressed disc of three tracks: 120 sectors (ISRC
 * USSD12600001), 7.5 sectors padded to 8 (ISRC USSD12600002), 5 sectors (no ISRC); MCN
 * 0123456789012. Track starts 0, 120, 128; lead-out 133.
 */
class CdAudioFirmwareTest {

  static final String MCN = "0123456789012";

  @TempDir Path dir;

  private Harness h;
  private Nexus host;
  private byte[][] pcm;

  static byte[][] pcm() {
    Random random = new Random(13);
    byte[][] tracks = {
      new byte[120 * 2352], new byte[7 * 2352 + 1176], new byte[5 * 2352],
    };
    for (byte[] t : tracks) {
      random.nextBytes(t);
    }
    return tracks;
  }

  @BeforeEach
  void press() {
    h = new Harness(dir, "cdda", TimingMode.FAST);
    pcm = pcm();
    CdAudioDisc.press(
        h.store.directory(),
        "CDDA-1",
        "three tracks",
        Optional.of(MCN),
        List.of(
            new CdAudioDisc.Track(Optional.of("USSD12600001"), pcm[0]),
            new CdAudioDisc.Track(Optional.of("USSD12600002"), pcm[1]),
            new CdAudioDisc.Track(Optional.empty(), pcm[2])));
    h.firmware.insert(h.open("CDDA-1"));
    host = h.nexus();
  }

  @AfterEach
  void close() {
    h.close();
  }

  private byte[] good(dev.secdrive.protocol.cdb.Cdb cdb) {
    return assertGood(h.run(host, cdb)).data();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }

  private static String hex(String spaced) {
    return spaced.replace(" ", "");
  }

  // ------------------------------------------------------------------ the medium

  @Test
  void thePressedDiscHasItsTocAndPaddedSectors() {
    Medium medium = h.firmware.medium();
    CdAudioDisc disc = CdAudioDisc.of(medium);
    assertEquals(133, disc.leadOutLba());
    assertEquals(133, medium.blockCount());
    assertEquals(List.of(0L, 120L, 128L), disc.tracks().stream().map(t -> t.startLba()).toList());
    assertEquals(Optional.of(MCN), disc.mcn());
    assertEquals(2, disc.trackAt(127).orElseThrow().number());
    assertEquals(Optional.empty(), disc.trackAt(133));
    assertEquals(Optional.empty(), disc.track(3).orElseThrow().isrc());
    assertEquals(true, medium.metadata().pressed());
    assertEquals(0, medium.metadata().secureAreaBytes());
  }

  @Test
  void aSecondPressUnderTheSameIdIsRefusedAndBadCodesAreNamed() {
    var e =
        assertThrows(
            dev.secdrive.emulator.media.MediumException.class,
            () ->
                CdAudioDisc.press(
                    h.store.directory(),
                    "CDDA-1",
                    "",
                    Optional.empty(),
                    List.of(new CdAudioDisc.Track(Optional.empty(), new byte[4]))));
    assertEquals("medium CDDA-1 already exists in " + h.store.directory(), e.getMessage());
    var isrc =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CdAudioDisc.Track(Optional.of("US-SD1-26-00001"), new byte[4]));
    assertEquals(true, isrc.getMessage().startsWith("ISRC 'US-SD1-26-00001' is not 12"));
    assertThrows(
        IllegalArgumentException.class, () -> new CdAudioDisc.Track(Optional.empty(), new byte[3]));
  }

  @Test
  void aDiscWithoutItsTocIsRefusedAtInsertion() throws Exception {
    CdAudioDisc.press(
        h.store.directory(),
        "CDDA-2",
        "",
        Optional.empty(),
        List.of(new CdAudioDisc.Track(Optional.empty(), new byte[2352])));
    Files.delete(h.store.directory().resolve("CDDA-2").resolve("disc.json"));
    h.firmware.remove(true).close();
    var e = assertThrows(DriveControlException.class, () -> h.firmware.insert(h.open("CDDA-2")));
    assertEquals(true, e.getMessage().contains("disc.json is missing"), e.getMessage());
  }

  // ------------------------------------------------------------------ READ TOC/PMA/ATIP

  @Test
  void tocInLbaAndMsf() {
    assertEquals(
        hex(
            "00 22 01 03  00 10 01 00 00 00 00 00  00 10 02 00 00 00 00 78"
                + "  00 10 03 00 00 00 00 80  00 10 AA 00 00 00 00 85"),
        hex(good(new ReadTocPmaAtip(false, 0, 0, 804, 0))));
    // 00:02:00, 00:03:45 (270 frames), 00:03:53, 00:03:58
    assertEquals(
        hex(
            "00 22 01 03  00 10 01 00 00 00 02 00  00 10 02 00 00 00 03 2D"
                + "  00 10 03 00 00 00 03 35  00 10 AA 00 00 00 03 3A"),
        hex(good(new ReadTocPmaAtip(true, 0, 0, 804, 0))));
  }

  @Test
  void tocFromATrackFromTheLeadOutAndPastTheLastTrack() {
    assertEquals(
        hex(
            "00 1A 01 03  00 10 02 00 00 00 00 78  00 10 03 00 00 00 00 80  00 10 AA 00 00 00 00 85"),
        hex(good(new ReadTocPmaAtip(false, 0, 2, 804, 0))));
    assertEquals(
        hex("00 0A 01 03  00 10 AA 00 00 00 00 85"),
        hex(good(new ReadTocPmaAtip(false, 0, 0xAA, 804, 0))));
    assertFieldPointer(
        assertCheck(h.run(host, new ReadTocPmaAtip(false, 0, 4, 804, 0)), 5, 0x24, 0), 6, -1);
    // The allocation length cuts the data, not the TOC DATA LENGTH field.
    assertEquals(hex("00 22 01 03 00 10"), hex(good(new ReadTocPmaAtip(false, 0, 0, 6, 0))));
  }

  @Test
  void sessionInfoAlsoByTheOldByteNineFormatBits() {
    String expected = hex("00 0A 01 01  00 10 01 00 00 00 00 00");
    assertEquals(expected, hex(good(new ReadTocPmaAtip(false, 1, 0, 12, 0))));
    assertEquals(expected, hex(good(new ReadTocPmaAtip(false, 0, 0, 12, 0x40))));
    assertEquals(
        hex("00 0A 01 01  00 10 01 00 00 00 02 00"),
        hex(good(new ReadTocPmaAtip(true, 1, 0, 12, 0))));
  }

  @Test
  void fullTocHasPointsA0A1A2AndTheTracksInMsf() {
    assertEquals(
        hex(
            "00 44 01 01"
                + "  01 10 00 A0 00 00 00 00 01 00 00"
                + "  01 10 00 A1 00 00 00 00 03 00 00"
                + "  01 10 00 A2 00 00 00 00 00 03 3A"
                + "  01 10 00 01 00 00 00 00 00 02 00"
                + "  01 10 00 02 00 00 00 00 00 03 2D"
                + "  01 10 00 03 00 00 00 00 00 03 35"),
        hex(good(new ReadTocPmaAtip(false, 2, 1, 2048, 0))));
    assertFieldPointer(
        assertCheck(h.run(host, new ReadTocPmaAtip(true, 2, 2, 2048, 0)), 5, 0x24, 0), 6, -1);
  }

  @Test
  void pmaAtipAndCdTextAreNotOnAPressedDisc() {
    for (int format = 3; format <= 5; format++) {
      assertFieldPointer(
          assertCheck(h.run(host, new ReadTocPmaAtip(false, format, 0, 2048, 0)), 5, 0x24, 0),
          2,
          3);
    }
  }

  // ------------------------------------------------------------------ READ CD, READ CD MSF

  @Test
  void readCdReturnsThePcmAndItsPadding() {
    byte[] all = good(ReadCd.audio(0, 133, ReadCd.SUB_CHANNEL_NONE));
    assertEquals(133 * 2352, all.length);
    assertArrayEquals(pcm[0], Arrays.copyOfRange(all, 0, 120 * 2352));
    assertArrayEquals(pcm[1], Arrays.copyOfRange(all, 120 * 2352, 120 * 2352 + pcm[1].length));
    assertArrayEquals(
        new byte[1176], Arrays.copyOfRange(all, 120 * 2352 + pcm[1].length, 128 * 2352));
    assertArrayEquals(pcm[2], Arrays.copyOfRange(all, 128 * 2352, 133 * 2352));
    // Expected sector type 000b (any) reads audio too; READ CD MSF the same sectors.
    assertArrayEquals(
        Arrays.copyOfRange(all, 5 * 2352, 7 * 2352),
        good(new ReadCd(0, false, 5, 2, ReadCd.USER_DATA, 0, 0)));
    assertArrayEquals(
        Arrays.copyOfRange(all, 118 * 2352, 125 * 2352),
        good(ReadCdMsf.audio(Msf.fromLba(118), Msf.fromLba(125), 0)));
  }

  @Test
  void formattedQCarriesPositionCatalogAndIsrc() {
    byte[] data = good(ReadCd.audio(96, 30, ReadCd.SUB_CHANNEL_Q));
    assertEquals(30 * 2368, data.length);
    for (int i = 0; i < 30; i++) {
      long lba = 96 + i;
      int at = i * 2368;
      byte[] audio = Arrays.copyOfRange(data, at, at + 2352);
      byte[] q = Arrays.copyOfRange(data, at + 2352, at + 2368);
      QSubChannel sub = QSubChannel.decode(q);
      if (lba == 98) {
        assertEquals(2, sub.adr());
        assertEquals(MCN, sub.mcn());
      } else if (lba == 99) {
        assertEquals(3, sub.adr());
        assertEquals("USSD12600001", sub.isrc());
      } else {
        assertEquals(1, sub.adr());
        int track = lba < 120 ? 1 : 2;
        assertEquals(track, sub.trackNumber(), "track at " + lba);
        assertEquals(1, sub.indexNumber());
        assertEquals(Msf.ofFrames(lba - (track == 1 ? 0 : 120)), sub.relative());
        assertEquals(Msf.fromLba(lba), sub.absolute());
      }
      assertArrayEquals(good(ReadCd.audio(lba, 1, 0)), audio, "audio of " + lba);
    }
    // LBA 96: ADR 1, track 01, index 01, relative 00:01:21, ZERO, absolute 00:03:21 (BCD)
    assertEquals(
        hex(QSubChannel.position(0, 1, 1, 96, 96).encode()),
        hex(Arrays.copyOfRange(data, 2352, 2368)));
    assertEquals("01010100012100000321", hex(Arrays.copyOfRange(data, 2352, 2362)));
  }

  @Test
  void rawPwAndQWithoutMainChannel() {
    byte[] raw = good(ReadCd.audio(10, 1, ReadCd.SUB_CHANNEL_RAW));
    assertEquals(2352 + 96, raw.length);
    assertArrayEquals(
        QSubChannel.position(0, 1, 1, 10, 10).rawPw(), Arrays.copyOfRange(raw, 2352, 2448));
    byte[] qOnly = good(new ReadCd(1, false, 10, 2, 0, ReadCd.SUB_CHANNEL_Q, 0));
    assertEquals(32, qOnly.length);
    assertEquals(11, QSubChannel.decode(Arrays.copyOfRange(qOnly, 16, 32)).relative().frame());
    assertGoodNoData(h.run(host, new ReadCd(1, false, 10, 2, 0, 0, 0)));
    assertGoodNoData(h.run(host, ReadCd.audio(10, 0, 0)));
  }

  @Test
  void readCdRefusals() {
    // Mode 1 expected on an audio sector: ILLEGAL MODE FOR THIS TRACK, INFORMATION = the LBA
    var mode = assertCheck(h.run(host, new ReadCd(2, false, 3, 1, 0x10, 0, 0)), 5, 0x64, 0);
    assertEquals(3, mode.information());
    assertCheck(h.run(host, new ReadCd(5, false, 3, 1, 0x10, 0, 0)), 5, 0x64, 0);
    assertFieldPointer(
        assertCheck(h.run(host, new ReadCd(6, false, 3, 1, 0x10, 0, 0)), 5, 0x24, 0), 1, 4);
    // past the lead-out, into it, and negative (lead-in)
    assertCheck(h.run(host, ReadCd.audio(133, 1, 0)), 5, 0x21, 0);
    assertCheck(h.run(host, ReadCd.audio(130, 4, 0)), 5, 0x21, 0);
    assertCheck(h.run(host, ReadCd.audio(-1, 1, 0)), 5, 0x21, 0);
    assertCheck(h.run(host, ReadCdMsf.audio(Msf.fromLba(130), Msf.fromLba(134), 0)), 5, 0x21, 0);
    // C2 pointers are not claimed; R-W (100b) and reserved sub-channel codes are refused
    assertFieldPointer(
        assertCheck(h.run(host, new ReadCd(1, false, 3, 1, 0x12, 0, 0)), 5, 0x24, 0), 9, 2);
    assertFieldPointer(
        assertCheck(h.run(host, new ReadCd(1, false, 3, 1, 0x10, 4, 0)), 5, 0x24, 0), 10, 2);
    // an end before the start
    assertFieldPointer(
        assertCheck(h.run(host, ReadCdMsf.audio(Msf.fromLba(20), Msf.fromLba(10), 0)), 5, 0x24, 0),
        6,
        -1);
    // a second of 60 does not decode
    assertCheck(h.run(host, HexFormat.of().parseHex("B90400003C000004001000" + "00")), 5, 0x24, 0);
  }

  @Test
  void readCdUpToTheMaximumTransferLengthAndNoFurther() throws Exception {
    // 8 MiB / (2,352 + 96): any sub-channel selection of that many sectors fits one data phase.
    int max = (8 << 20) / 2448;
    assertEquals(3426, max);
    BlockLimits limits = BlockLimits.decode(good(Inquiry.vpd(BlockLimits.PAGE_CODE, 255)));
    assertEquals(max, limits.maximumTransferLength());

    h.firmware.remove(false).close();
    byte[] audio = new byte[2352 * (max + 10)];
    new Random(7).nextBytes(audio);
    CdAudioDisc.press(
        h.store.directory(),
        "CDDA-LONG",
        "",
        Optional.empty(),
        List.of(new CdAudioDisc.Track(Optional.empty(), audio)));
    h.firmware.insert(h.open("CDDA-LONG"));
    assertCheck(h.run(host, new ReadTocPmaAtip(false, 0, 0, 804, 0)), 6, 0x28, 0);

    assertArrayEquals(
        Arrays.copyOfRange(audio, 2352, 2352 * (max + 1)),
        good(ReadCd.audio(1, max, ReadCd.SUB_CHANNEL_NONE)));
    assertEquals(max * 2448, good(ReadCd.audio(0, max, ReadCd.SUB_CHANNEL_RAW)).length);
    assertEquals(max * 2352, good(ReadCdMsf.audio(Msf.fromLba(0), Msf.fromLba(max), 0)).length);
    // One sector more is INVALID FIELD IN CDB at the transfer length (SBC-3 5.8), with or
    // without sub-channel, as READ(10) and READ(16) of a block medium are.
    for (int sub : new int[] {ReadCd.SUB_CHANNEL_NONE, ReadCd.SUB_CHANNEL_Q}) {
      assertFieldPointer(
          assertCheck(h.run(host, ReadCd.audio(0, max + 1, sub)), 5, 0x24, 0), 6, -1);
    }
    assertFieldPointer(
        assertCheck(
            h.run(host, ReadCdMsf.audio(Msf.fromLba(0), Msf.fromLba(max + 1), 0)), 5, 0x24, 0),
        6,
        -1);
    // The firmware names the limit in the refusal's message.
    CheckCondition refusal =
        assertThrows(
            CheckCondition.class,
            () -> {
              throw CheckCondition.transferTooLong(6, max + 1, max);
            });
    assertEquals(
        "transfer length 3,427 exceeds the maximum transfer length of 3,426 (Block Limits VPD page"
            + " B0h; one data phase carries at most 8,388,608 bytes)",
        refusal.getMessage());
  }

  @Test
  void blockCommandsOnAnAudioDisc() {
    var read = assertCheck(h.run(host, new Read10(5, 1)), 5, 0x64, 0);
    assertEquals(5, read.information());
    assertCheck(h.run(host, new Read10(133, 1)), 5, 0x21, 0);
    assertCheck(h.run(host, new Write10(0, 1), new byte[2352]), 7, 0x27, 0);
    // MMC-6 6.23: the last sector before the lead-out, 2,048-byte blocks
    assertEquals(
        new ReadCapacity10Data(132, 2048), ReadCapacity10Data.decode(good(new ReadCapacity10())));
  }

  // ------------------------------------------------------------------ READ SUB-CHANNEL

  @Test
  void subChannelMcnIsrcAndPosition() {
    assertEquals(
        hex("00 15 00 14  02 00 00 00  80 30 31 32 33 34 35 36 37 38 39 30 31 32 00 00"),
        hex(good(new ReadSubChannel(false, true, 2, 0, 24, 0))));
    assertEquals(
        hex("00 15 00 14  03 30 02 00  80 55 53 53 44 31 32 36 30 30 30 30 32 00 00 00"),
        hex(good(new ReadSubChannel(false, true, 3, 2, 24, 0))));
    assertEquals(
        hex("00 15 00 14  03 30 03 00  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
        hex(good(new ReadSubChannel(false, true, 3, 3, 24, 0))));
    assertFieldPointer(
        assertCheck(h.run(host, new ReadSubChannel(false, true, 3, 4, 24, 0)), 5, 0x24, 0), 6, -1);
    assertFieldPointer(
        assertCheck(h.run(host, new ReadSubChannel(false, true, 0x40, 0, 24, 0)), 5, 0x24, 0),
        3,
        -1);
    assertEquals(hex("00 15 00 00"), hex(good(new ReadSubChannel(false, false, 1, 0, 24, 0))));

    // before any read: LBA 0, track 1; after reading up to LBA 124: track 2, 4 sectors in
    assertEquals(
        hex("00 15 00 0C  01 10 01 01  00 00 00 00  00 00 00 00"),
        hex(good(new ReadSubChannel(false, true, 1, 0, 16, 0))));
    good(ReadCd.audio(121, 4, 0));
    assertEquals(
        hex("00 15 00 0C  01 10 02 01  00 00 00 7C  00 00 00 04"),
        hex(good(new ReadSubChannel(false, true, 1, 0, 16, 0))));
    SubChannelPosition msf =
        SubChannelPosition.decode(good(new ReadSubChannel(true, true, 1, 0, 16, 0)));
    assertEquals(new Msf(0, 3, 49), Msf.fromAddressField(msf.absoluteAddress())); // 274 frames
    assertEquals(new Msf(0, 0, 4), Msf.fromAddressField(msf.relativeAddress()));
  }

  // ------------------------------------------------------------------ GET CONFIGURATION

  @Test
  void configurationWithAndWithoutADisc() throws Exception {
    assertEquals(
        hex(
            "00 00 00 34 00 00 00 08  00 00 03 04 00 08 01 00  00 01 0B 08 00 00 00 01 00 00 00 00"
                + "  00 03 03 04 29 00 00 00  00 10 00 08 00 00 08 00 00 01 00 00"
                + "  00 1E 09 04 00 00 00 00"),
        hex(good(new GetConfiguration(0, 0, 0xFFFF, 0))));
    // RT 10b: one feature; the unsupported Morphing feature (0002h): the header alone
    assertEquals(
        hex("00 00 00 0C 00 00 00 08  00 1E 09 04 00 00 00 00"),
        hex(good(new GetConfiguration(2, 0x1E, 0xFFFF, 0))));
    assertEquals(
        hex("00 00 00 04 00 00 00 08"), hex(good(new GetConfiguration(2, 0x02, 0xFFFF, 0))));
    // RT 00b from 0003h: Removable Medium, Random Readable (2,048-byte blocks, blocking 1; not
    // current on an audio disc, which READ(10) cannot read), CD Read
    assertEquals(
        3, Configuration.decode(good(new GetConfiguration(0, 3, 0xFFFF, 0))).features().size());
    assertFieldPointer(
        assertCheck(h.run(host, new GetConfiguration(3, 0, 0xFFFF, 0)), 5, 0x24, 0), 1, 1);

    h.firmware.remove(true).close();
    Nexus after = h.nexus();
    Configuration none =
        Configuration.decode(
            assertGood(h.run(after, new GetConfiguration(1, 0, 0xFFFF, 0))).data());
    assertEquals(Configuration.PROFILE_NONE, none.currentProfile());
    // RT 01b: Random Readable and CD Read are not current without a disc
    assertEquals(
        List.of(0, 1, 3), none.features().stream().map(Configuration.Feature::code).toList());
    // the Profile List says CD-ROM without CURRENTP
    Configuration all =
        Configuration.decode(
            assertGood(h.run(after, new GetConfiguration(0, 0, 0xFFFF, 0))).data());
    assertEquals("00080000", hex(all.features().get(0).data()));
    assertEquals(false, all.features().get(3).current()); // Random Readable
    assertEquals(false, all.features().get(4).current()); // CD Read
  }

  // ------------------------------------------------------------------ MODE SENSE(10)

  @Test
  void modeSenseTenHasTheCapabilitiesPage() {
    String page =
        "2A 1E 00 00 00 67 29 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
            + " 00 00 00";
    assertEquals(
        hex("00 26 00 00 00 00 00 00 " + page),
        hex(good(new ModeSense10(false, true, 0, 0x2A, 0, 255, 0))));
    // All pages: the Control page (0Ah, SPC-4) first, then 2Ah, in page code order.
    String control = "0A 0A 02 00 00 00 00 00 FF FF 00 00 ";
    assertEquals(
        hex("00 32 00 00 00 00 00 00 " + control + page),
        hex(good(new ModeSense10(false, false, 0, 0x3F, 0, 255, 0))));
    assertEquals(
        hex("00 12 00 00 00 00 00 00 " + control),
        hex(good(new ModeSense10(false, false, 0, 0x0A, 0, 255, 0))));
    byte[] changeable = good(new ModeSense10(false, false, 1, 0x2A, 0, 255, 0));
    assertEquals("2A1E" + "00".repeat(30), hex(Arrays.copyOfRange(changeable, 8, 40)));
    assertFieldPointer(
        assertCheck(h.run(host, new ModeSense10(false, false, 0, 0x08, 0, 255, 0)), 5, 0x24, 0),
        2,
        5);
    assertCheck(h.run(host, new ModeSense10(false, false, 3, 0x2A, 0, 255, 0)), 5, 0x39, 0);
    // PREVENT sets the lock state bit (byte 6 bit 1)
    assertGood(h.run(host, new dev.secdrive.protocol.cdb.PreventAllowMediumRemoval(1, 0)));
    assertEquals(0x2B, good(new ModeSense10(false, true, 0, 0x2A, 0, 255, 0))[8 + 6] & 0xFF);
  }

  // ------------------------------------------------------------------ NOT READY, UNIT ATTENTION

  @Test
  void ejectedDiscIsNotReadyAndANewOneIsAUnitAttention() throws Exception {
    assertGood(h.run(host, new StartStopUnit(false, 0, 0, false, true, false, 0)));
    assertCheck(h.run(host, new ReadTocPmaAtip(false, 0, 0, 804, 0)), 2, 0x3A, 0x02);
    assertCheck(h.run(host, ReadCd.audio(0, 1, 0)), 2, 0x3A, 0x02);
    assertCheck(h.run(host, new ReadSubChannel(false, true, 2, 0, 24, 0)), 2, 0x3A, 0x02);
    // GET CONFIGURATION and MODE SENSE(10) answer without a disc
    assertEquals(
        0, Configuration.decode(good(new GetConfiguration(0, 0, 0xFFFF, 0))).currentProfile());
    good(new ModeSense10(false, true, 0, 0x2A, 0, 255, 0));

    h.firmware.remove(false).close();
    CdAudioDisc.press(
        h.store.directory(),
        "CDDA-3",
        "",
        Optional.empty(),
        List.of(new CdAudioDisc.Track(Optional.empty(), new byte[2352 * 3])));
    h.firmware.insert(h.open("CDDA-3"));
    assertCheck(h.run(host, new ReadTocPmaAtip(false, 0, 0, 804, 0)), 6, 0x28, 0);
    assertEquals(
        hex("00 12 01 01  00 10 01 00 00 00 00 00  00 10 AA 00 00 00 00 03"),
        hex(good(new ReadTocPmaAtip(false, 0, 0, 804, 0))));
    // the new disc has no MCN: MCVAL clear
    assertEquals(0, good(new ReadSubChannel(false, true, 2, 0, 24, 0))[8]);
  }
}
