package dev.secdrive.kit.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {

  @TempDir Path dir;

  @Test
  void writesAndReadsCdAudio() throws IOException {
    Pcm pcm = Signals.music(0.5, 3);
    Path file = dir.resolve("a.wav");
    Wav.write(file, pcm);
    assertEquals(44 + 4L * pcm.frames(), Files.size(file));
    assertEquals(pcm, Wav.readCdAudio(file));
    try (var list = Files.list(dir)) {
      assertEquals(1, list.count(), "no temporary file is left beside it");
    }
  }

  @Test
  void readsExtensiblePcmAndSkipsOtherChunks() throws IOException {
    short[] samples = {1, -2, 3, -4};
    Path file = dir.resolve("x.wav");
    Files.write(file, wav(0xFFFE, 2, 44_100, 16, true, 4, samples, true));
    assertEquals(new Pcm(44_100, 2, samples), Wav.readCdAudio(file));
  }

  @Test
  void refuses8BitAnd24BitSamples() throws IOException {
    assertRefused(
        wav(1, 2, 44_100, 8, false, 4, new short[0], false),
        "8-bit samples; CD audio needs 16-bit 44,100 Hz stereo");
    assertRefused(
        wav(1, 2, 44_100, 24, false, 4, new short[0], false),
        "24-bit samples; CD audio needs 16-bit 44,100 Hz stereo");
    assertRefused(
        wav(3, 2, 44_100, 32, false, 4, new short[0], false),
        "32-bit floating-point samples; CD audio needs 16-bit 44,100 Hz stereo");
  }

  @Test
  void refusesMonoAnd48kHzAsCdAudio() throws IOException {
    Path mono = dir.resolve("mono.wav");
    Files.write(mono, wav(1, 1, 44_100, 16, false, 2, new short[] {1, 2}, false));
    assertEquals(1, Wav.read(mono).channels());
    WavException e = assertThrows(WavException.class, () -> Wav.readCdAudio(mono));
    assertEquals(mono + ": mono; CD audio needs 16-bit 44,100 Hz stereo", e.getMessage());

    Path rate = dir.resolve("48k.wav");
    Files.write(rate, wav(1, 2, 48_000, 16, false, 4, new short[] {1, 2}, false));
    e = assertThrows(WavException.class, () -> Wav.readCdAudio(rate));
    assertEquals(rate + ": 48,000 Hz; CD audio needs 16-bit 44,100 Hz stereo", e.getMessage());
  }

  @Test
  void refusesWhatIsNotRiffWave() throws IOException {
    assertRefused(
        "ID3 this is an mp3".getBytes(StandardCharsets.US_ASCII),
        "not a RIFF file (no RIFF header)");
    byte[] avi = wav(1, 2, 44_100, 16, false, 4, new short[0], false);
    System.arraycopy("AVI ".getBytes(StandardCharsets.US_ASCII), 0, avi, 8, 4);
    assertRefused(avi, "a RIFF file but not WAVE (form type 'AVI ')");
  }

  @Test
  void refusesTruncatedFiles() throws IOException {
    byte[] whole = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2, 3, 4}, false);
    assertRefused(
        Arrays.copyOf(whole, whole.length - 2),
        "truncated: the data chunk declares 8 bytes, the file holds 6");
    assertRefused(
        Arrays.copyOf(whole, 30), "truncated: the fmt chunk declares 16 bytes, the file holds 10");
    assertRefused(Arrays.copyOf(whole, 36), "truncated: no data chunk");
    byte[] odd = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2, 3}, false);
    assertRefused(odd, "truncated: 6 data bytes are not a whole number of 2-channel 16-bit frames");
  }

  @Test
  void refusesChunkSizesLargerThanTheFile() throws IOException {
    byte[] lyingData = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2, 3, 4}, false);
    ByteBuffer.wrap(lyingData).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0xFFFF_FFF0);
    assertRefused(
        lyingData, "truncated: the data chunk declares 4294967280 bytes, the file holds 8");
    byte[] lyingFmt = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2}, false);
    ByteBuffer.wrap(lyingFmt).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x7FFF_FFFF);
    assertRefused(
        lyingFmt, "truncated: the fmt chunk declares 2147483647 bytes, the file holds 28");
    byte[] shortFmt = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2}, false);
    ByteBuffer.wrap(shortFmt).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 12);
    assertRefused(shortFmt, "the fmt chunk has 12 bytes, fewer than 16");
    byte[] lyingList = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2}, true);
    ByteBuffer.wrap(lyingList).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0xFFFF_FFFF);
    assertRefused(
        lyingList, "truncated: chunk 'LIST' declares 4294967295 bytes, the file holds 40");
  }

  @Test
  void refusesAFileLargerThanOneCdBeforeReadingIt() throws IOException {
    assertEquals(359_999L * 2_352 + (1 << 20), Wav.MAXIMUM_FILE_BYTES);
    Path huge = dir.resolve("huge.wav");
    byte[] head = wav(1, 2, 44_100, 16, false, 4, new short[] {1, 2}, false);
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.write(head);
      f.setLength(Wav.MAXIMUM_FILE_BYTES + 1); // sparse: costs no disk
    }
    WavException e = assertThrows(WavException.class, () -> Wav.read(huge));
    assertEquals(
        huge
            + ": 847,766,225 bytes is larger than the 847,766,224 bytes a WAV file of one CD's"
            + " audio (79:59:74) can take",
        e.getMessage());
  }

  @Test
  void theStreamingWriterWritesWhatWriteWrites() throws IOException {
    Pcm pcm = Signals.music(1.3, 5);
    Path whole = dir.resolve("whole.wav");
    Wav.write(whole, pcm);
    byte[] samples = pcm.toLittleEndian();
    Path streamed = dir.resolve("streamed.wav");
    try (Wav.Writer w = Wav.Writer.open(streamed, pcm.sampleRate(), pcm.channels())) {
      int chunk = 4 * 1_000;
      for (int at = 0; at < samples.length; at += chunk) {
        w.write(samples, at, Math.min(chunk, samples.length - at));
      }
      assertEquals(pcm.frames(), w.frames());
    }
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
    assertEquals(pcm, Wav.read(streamed));
  }

  @Test
  void theStreamingWriterRefusesPartFramesAndTruncates() throws IOException {
    Path file = dir.resolve("w.wav");
    Files.write(file, new byte[1000]);
    try (Wav.Writer w = Wav.Writer.open(file, 44_100, 2)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.write(new byte[6], 0, 6));
      assertEquals(
          "6 bytes are not a whole number of 2-channel 16-bit frames (4 bytes each)",
          e.getMessage());
      w.write(new byte[] {1, 0, 2, 0}, 0, 4);
    }
    assertEquals(48, Files.size(file));
    assertEquals(new Pcm(44_100, 2, new short[] {1, 2}), Wav.read(file));
  }

  private void assertRefused(byte[] content, String problem) throws IOException {
    Path file = dir.resolve("bad.wav");
    Files.write(file, content);
    WavException e = assertThrows(WavException.class, () -> Wav.read(file));
    assertEquals(file + ": " + problem, e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file");
  }

  /** A WAV file, written field by field; {@code extensible} uses the 40-byte fmt chunk. */
  private static byte[] wav(
      int tag,
      int channels,
      int rate,
      int bits,
      boolean extensible,
      int blockAlign,
      short[] samples,
      boolean junk) {
    ByteBuffer b = ByteBuffer.allocate(200 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(0);
    b.put("WAVE".getBytes(StandardCharsets.US_ASCII));
    if (junk) {
      b.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(3).put(new byte[] {1, 2, 3, 0});
    }
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(extensible ? 40 : 16);
    b.putShort((short) tag).putShort((short) channels).putInt(rate);
    b.putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
    if (extensible) {
      b.putShort((short) 22).putShort((short) bits).putInt(3);
      b.put(
          new byte[] {
            1, 0, 0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71
          });
    }
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * samples.length);
    for (short s : samples) {
      b.putShort(s);
    }
    byte[] bytes = Arrays.copyOf(b.array(), b.position());
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, bytes.length - 8);
    return bytes;
  }
}
