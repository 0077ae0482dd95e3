package dev.secdrive.host.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.transport.ScriptedPeer.Command;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.data.BlockLimits;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The CD audio API's exact CDBs against a scripted device, and how it splits long reads. */
class ScriptedCdAudioTest {

  private static final String LUN0 = "/0?timeout=5s";

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static byte[] filled(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    return bytes;
  }

  @Test
  void readCdSplitsAtEightMebibytesAndKeepsTheOrder() throws Exception {
    // A drive reporting no limit in B0h (zero): 8 MiB / 2,352 = 3,566 sectors a command, so
    // 4,000 sectors from LBA 100 are 3,566 + 434.
    byte[] first = filled(3566 * 2352, 1);
    byte[] second = filled(434 * 2352, 2);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              answerBlockLimits(c, 0);
              Command a = c.read(0xBE);
              Command b = c.read(0xBE);
              assertArrayEquals(hex("BE 04 00 00 00 64 00 0D EE 10 00 00"), a.cdb());
              assertEquals(3566L * 2352, a.expectedDataIn());
              assertArrayEquals(hex("BE 04 00 00 0E 52 00 01 B2 10 00 00"), b.cdb());
              assertEquals(434L * 2352, b.expectedDataIn());
              c.good(b, second); // answered out of order: the result keeps LBA order
              c.good(a, first);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        byte[] data = drive.cdAudio().readCd(100, 4000);
        assertArrayEquals(first, Arrays.copyOfRange(data, 0, first.length));
        assertArrayEquals(second, Arrays.copyOfRange(data, first.length, data.length));
      }
      peer.awaitScript();
    }
  }

  @Test
  void readCdSplitsAtTheMaximumTransferLengthTheDriveReports() throws Exception {
    // B0h says 2,000 sectors: 4,000 from LBA 100 are two commands of 2,000, and B0h is asked once.
    byte[] first = filled(2000 * 2352, 1);
    byte[] second = filled(2000 * 2352, 2);
    byte[] third = filled(5 * 2352, 3);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              answerBlockLimits(c, 2000);
              Command a = c.read(0xBE);
              Command b = c.read(0xBE);
              assertArrayEquals(hex("BE 04 00 00 00 64 00 07 D0 10 00 00"), a.cdb());
              assertArrayEquals(hex("BE 04 00 00 08 34 00 07 D0 10 00 00"), b.cdb());
              c.good(a, first);
              c.good(b, second);
              Command again = c.read(0xBE);
              assertArrayEquals(hex("BE 04 00 00 00 00 00 00 05 10 00 00"), again.cdb());
              c.good(again, third);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        byte[] data = drive.cdAudio().readCd(100, 4000);
        assertArrayEquals(first, Arrays.copyOfRange(data, 0, first.length));
        assertArrayEquals(second, Arrays.copyOfRange(data, first.length, data.length));
        assertArrayEquals(third, drive.cdAudio().readCd(0, 5));
      }
      peer.awaitScript();
    }
  }

  /** Answers the INQUIRY of the Block Limits VPD page with {@code maximum} sectors. */
  private static void answerBlockLimits(ScriptedPeer.Connection c, long maximum) throws Exception {
    Command inquiry = c.read(0x12);
    assertEquals(0x01, inquiry.cdb()[1]); // EVPD
    assertEquals((byte) 0xB0, inquiry.cdb()[2]);
    c.good(inquiry, new BlockLimits(0x05, 0, maximum, 0, 0).encode());
  }

  @Test
  void tocAndReadCdMsfCdbs() throws Exception {
    byte[] toc = hex("00 12 01 01  00 10 01 00 00 00 00 00  00 10 AA 00 00 00 00 96");
    byte[] audio = filled(150 * 2352, 3);
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command read = c.read(0x43);
              assertArrayEquals(hex("43 00 00 00 00 00 00 08 00 00"), read.cdb());
              c.good(read, toc);
              // A drive without B0h: the data phase alone bounds the read.
              Command inquiry = c.read(0x12);
              c.checkCondition(inquiry, ScriptedPeer.sense(5, 0x24, 0));
              Command msf = c.read(0xB9);
              assertArrayEquals(hex("B9 04 00 00 02 00 00 04 00 10 00 00"), msf.cdb());
              c.good(msf, audio);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        Toc decoded = drive.cdAudio().readToc();
        assertEquals(150, decoded.descriptors().get(1).lba(false));
        assertArrayEquals(audio, drive.cdAudio().readCdMsf(new Msf(0, 2, 0), new Msf(0, 4, 0)));
      }
      peer.awaitScript();
    }
  }
}
