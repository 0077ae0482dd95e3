package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.host.api.CdAudio;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.protocol.cd.FullToc;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.QSubChannel;
import dev.secdrive.protocol.cd.SessionInfo;
import dev.secdrive.protocol.cd.SubChannelPosition;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackDescriptor;
import dev.secdrive.protocol.cdb.ReadCd;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pressed CD-DA disc end to end: three tracks of generated PCM (a 440 Hz tone, noise, a sweep)
 * with ISRCs and an MCN, served by an emulator on 127.0.0.1:0 in the cdda drive, read with the host
 * driver over TCP: the TOC in both addressings and all three formats, the audio with READ CD (in
 * more commands than one, the read being larger than one transfer) and READ CD MSF, the Q
 * sub-channel, the MCN and ISRCs, and NOT READY and the unit attention around an eject and a new
 * disc.
 */
class CdAudioIT {

  static final String MCN = "4006381333931";
  static final List<String> ISRCS = List.of("DEA121500001", "DEA121500002");

  @TempDir Path media;

  private Rig rig;
  private byte[][] pcm;

  /** {@code seconds} of 44.1 kHz 16-bit stereo, little-endian, from {@code sample(n)}. */
  static byte[] pcm(double seconds, java.util.function.IntUnaryOperator sample) {
    int frames = (int) (seconds * 44_100);
    byte[] out = new byte[frames * 4];
    for (int n = 0; n < frames; n++) {
      int left = sample.applyAsInt(n);
      int right = sample.applyAsInt(n + 7);
      out[4 * n] = (byte) left;
      out[4 * n + 1] = (byte) (left >> 8);
      out[4 * n + 2] = (byte) right;
      out[4 * n + 3] = (byte) (right >> 8);
    }
    return out;
  }

  @BeforeEach
  void start() {
    java.util.Random noise = new java.util.Random(42);
    pcm =
        new byte[][] {
          pcm(3.0, n -> (int) (12_000 * Math.sin(2 * Math.PI * 440 * n / 44_100.0))),
          pcm(2.01, n -> noise.nextInt(20_000) - 10_000), // not a whole number of sectors
          pcm(1.5, n -> (int) (9_000 * Math.sin(2 * Math.PI * (200 + n / 50.0) * n / 44_100.0))),
        };
    CdAudioDisc.press(
        media,
        "CDDA-IT",
        "generated audio",
        Optional.of(MCN),
        List.of(
            new CdAudioDisc.Track(Optional.of(ISRCS.get(0)), pcm[0]),
            new CdAudioDisc.Track(Optional.of(ISRCS.get(1)), pcm[1]),
            new CdAudioDisc.Track(Optional.empty(), pcm[2])));
    rig =
        new Rig(
            media, TimingMode.FAST, List.of(new DriveConfig(0, "cdda", "DEV-CDDA-0", "CDDA-IT")));
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  private static long sectors(byte[] track) {
    return (track.length + 2351) / 2352;
  }

  @Test
  void tocInAllFormatsAndBothAddressings() {
    long t2 = sectors(pcm[0]);
    long t3 = t2 + sectors(pcm[1]);
    long leadOut = t3 + sectors(pcm[2]);
    assertEquals(225, t2); // 3 s
    try (Drive drive = Drive.open(rig.uri(0))) {
      CdAudio cd = drive.cdAudio();
      Toc lba = cd.readToc();
      assertEquals(1, lba.firstTrack());
      assertEquals(3, lba.lastTrack());
      assertEquals(
          List.of(0L, t2, t3, leadOut), lba.descriptors().stream().map(d -> d.lba(false)).toList());
      assertEquals(
          List.of(1, 2, 3, TrackDescriptor.LEAD_OUT),
          lba.descriptors().stream().map(TrackDescriptor::trackNumber).toList());
      assertTrue(lba.descriptors().stream().allMatch(d -> d.adr() == 1 && d.control() == 0));

      Toc msf = cd.readToc(true);
      assertEquals(Msf.fromLba(t2).toAddressField(), msf.descriptors().get(1).address());
      assertEquals(new Msf(0, 2, 0), Msf.fromAddressField(msf.descriptors().get(0).address()));
      assertEquals(
          lba.descriptors().stream().map(d -> d.lba(false)).toList(),
          msf.descriptors().stream().map(d -> d.lba(true)).toList());

      SessionInfo session = cd.readSessionInfo();
      assertEquals(1, session.lastSession());
      assertEquals(1, session.firstTrackInLastSession().trackNumber());
      assertEquals(0, session.firstTrackInLastSession().lba(false));

      FullToc full = cd.readFullToc();
      assertEquals(6, full.descriptors().size());
      assertEquals(FullToc.POINT_FIRST_TRACK, full.descriptors().get(0).point());
      assertEquals(1, full.descriptors().get(0).pmin());
      assertEquals(3, full.descriptors().get(1).pmin());
      assertEquals(Msf.fromLba(leadOut), full.descriptors().get(2).pointAddress());
      assertEquals(Msf.fromLba(t3), full.descriptors().get(5).pointAddress());

      // READ CAPACITY (MMC-6 6.23): the last sector before the lead-out, 2,048-byte blocks
      assertEquals(new dev.secdrive.host.api.Capacity(leadOut - 1, 2048), drive.capacity());
    }
  }

  @Test
  void sectorsReadBackByteForByte() {
    try (Drive drive = Drive.open(rig.uri(0))) {
      CdAudio cd = drive.cdAudio();
      long total = sectors(pcm[0]) + sectors(pcm[1]) + sectors(pcm[2]);
      byte[] all = cd.readCd(0, (int) total);
      int at = 0;
      for (byte[] track : pcm) {
        assertArrayEquals(track, Arrays.copyOfRange(all, at, at + track.length));
        int padded = (int) sectors(track) * 2352;
        assertArrayEquals(
            new byte[padded - track.length],
            Arrays.copyOfRange(all, at + track.length, at + padded));
        at += padded;
      }
      assertEquals(all.length, at);

      byte[] msf = cd.readCdMsf(Msf.fromLba(200), Msf.fromLba(260));
      assertArrayEquals(Arrays.copyOfRange(all, 200 * 2352, 260 * 2352), msf);

      // with Q: 2,368 bytes a sector; audio identical, Q naming each sector's place
      byte[] withQ = cd.readCdWithQ(190, 60);
      for (int i = 0; i < 60; i++) {
        long lba = 190 + i;
        int base = i * CdAudio.SECTOR_WITH_Q_BYTES;
        assertArrayEquals(
            Arrays.copyOfRange(all, (int) lba * 2352, (int) (lba + 1) * 2352),
            Arrays.copyOfRange(withQ, base, base + 2352));
        QSubChannel q =
            QSubChannel.decode(
                Arrays.copyOfRange(withQ, base + 2352, base + CdAudio.SECTOR_WITH_Q_BYTES));
        if (lba == 198) {
          assertEquals(MCN, q.mcn());
        } else if (lba == 199) {
          assertEquals(ISRCS.get(0), q.isrc());
        } else {
          int track = lba < 225 ? 1 : 2;
          assertEquals(track, q.trackNumber());
          assertEquals(1, q.indexNumber());
          assertEquals(Msf.fromLba(lba), q.absolute());
          assertEquals(Msf.ofFrames(track == 1 ? lba : lba - 225), q.relative());
        }
      }
      SubChannelPosition position = cd.currentPosition();
      assertEquals(249, position.absoluteLba(false));
      assertEquals(2, position.trackNumber());
      assertEquals(24, position.relativeSectors(false));
      assertEquals(Msf.fromLba(249).toAddressField(), cd.currentPosition(true).absoluteAddress());

      assertEquals(Optional.of(MCN), cd.mcn());
      assertEquals(Optional.of(ISRCS.get(0)), cd.isrc(1));
      assertEquals(Optional.of(ISRCS.get(1)), cd.isrc(2));
      assertEquals(Optional.empty(), cd.isrc(3));
    }
  }

  @Test
  void largeReadsAreSplitIntoBoundedCommands() {
    // A disc longer than one transfer (8 MiB = 3,566 sectors): 60 s of tone.
    byte[] long1 = pcm(60, n -> (int) (8_000 * Math.sin(n / 7.0)));
    CdAudioDisc.press(
        media,
        "CDDA-LONG",
        "",
        Optional.empty(),
        List.of(new CdAudioDisc.Track(Optional.empty(), long1)));
    try (Drive drive = Drive.open(rig.uri(0))) {
      rig.emulator.remove(0, true);
      rig.emulator.insert(0, "CDDA-LONG");
      assertThrows(ScsiException.class, drive::testUnitReady); // 06/28/00
      // The drive reports 8 MiB / 2,448 (its largest READ CD sector) and refuses one more ...
      assertEquals(3426, drive.blockLimits().maximumTransferLength());
      CompletionException tooLong =
          assertThrows(
              CompletionException.class,
              () ->
                  drive
                      .execute(ReadCd.audio(0, 3427, ReadCd.SUB_CHANNEL_NONE), 3427L * 2352, d -> d)
                      .join());
      ScsiException refusal = assertInstanceOf(ScsiException.class, tooLong.getCause());
      assertTrue(refusal.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB));
      // ... while readCd of any count is split into commands it accepts.
      byte[] read = drive.cdAudio().readCd(0, 4500);
      assertArrayEquals(long1, read);
      assertArrayEquals(
          Arrays.copyOfRange(long1, 2352 * 100, 2352 * 4100),
          drive.cdAudio().readCdMsf(Msf.fromLba(100), Msf.fromLba(4100)));
      byte[] withQ = drive.cdAudio().readCdWithQ(0, 4500);
      assertEquals(4500 * CdAudio.SECTOR_WITH_Q_BYTES, withQ.length);
      int last = 4499 * CdAudio.SECTOR_WITH_Q_BYTES;
      assertEquals(
          Msf.fromLba(4499),
          QSubChannel.decode(Arrays.copyOfRange(withQ, last + 2352, last + 2368)).absolute());
    }
  }

  @Test
  void refusalsNotReadyAndUnitAttention() {
    try (Drive drive = Drive.open(rig.uri(0))) {
      CdAudio cd = drive.cdAudio();
      ScsiException notAudio = assertThrows(ScsiException.class, () -> drive.read(0, 1));
      assertEquals(0x05, notAudio.sense().key().code());
      assertEquals(0x64, notAudio.sense().asc());
      ScsiException past = assertThrows(ScsiException.class, () -> cd.readCd(500, 1));
      assertEquals(0x21, past.sense().asc());
      ScsiException write = assertThrows(ScsiException.class, () -> drive.write(0, new byte[2048]));
      assertEquals(0x07, write.sense().key().code());
      assertEquals(0x27, write.sense().asc());

      drive.eject();
      ScsiException open = assertThrows(ScsiException.class, cd::readToc);
      assertEquals(0x02, open.sense().key().code());
      assertEquals(0x3A, open.sense().asc());
      rig.emulator.remove(0, false);
      CdAudioDisc.press(
          media,
          "CDDA-2",
          "",
          Optional.empty(),
          List.of(new CdAudioDisc.Track(Optional.empty(), new byte[2352 * 10])));
      rig.emulator.insert(0, "CDDA-2");
      ScsiException attention = assertThrows(ScsiException.class, cd::readToc);
      assertTrue(attention.isUnitAttention());
      assertEquals(0x28, attention.sense().asc());
      assertEquals(10, cd.readToc().descriptors().get(1).lba(false));
      assertEquals(Optional.empty(), cd.mcn());
    }
  }
}
