package dev.secdrive.kit.audio;

import dev.secdrive.kit.files.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * RIFF/WAVE files of 16-bit linear PCM (Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0", the {@code fmt } and {@code data} chunks; format tag 1, or {@code
 * WAVE_FORMAT_EXTENSIBLE} FFFEh with the PCM sub-format GUID). Every other file is refused with a
 * {@link WavException} naming the file and what it holds, before any audio is returned.
 */
public final class Wav {

  /** What CD audio needs, the tail of every refusal of a format. */
  public static final String CD_AUDIO = "CD audio needs 16-bit 44,100 Hz stereo";

  private static final int FORMAT_PCM = 0x0001;
  private static final int FORMAT_IEEE_FLOAT = 0x0003;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;

  /** KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (the format tag). */
  private static final byte[] PCM_GUID_TAIL = {
    0x00,
    0x00,
    0x00,
    0x00,
    0x10,
    0x00,
    (byte) 0x80,
    0x00,
    0x00,
    (byte) 0xAA,
    0x00,
    0x38,
    (byte) 0x9B,
    0x71
  };

  /**
   * The largest WAV file {@link #read} accepts: one CD's worth of audio, 79:59:74 = 359,999 sectors
   * of 2,352 bytes (846,717,648 bytes), plus 1 MiB for the RIFF, fmt and data headers and any other
   * chunks (LIST, bext, ...) a file carries. A larger file is refused before any of it is read, so
   * a huge file cannot make a reader allocate without bound.
   */
  public static final long MAXIMUM_FILE_BYTES = 359_999L * Pcm.CD_SECTOR_BYTES + (1 << 20);

  private static final int RIFF_HEADER = 12;
  private static final int CHUNK_HEADER = 8;
  private static final int FMT_MINIMUM = 16;
  private static final int HEADER_BYTES = 44;
  private static final int FMT_EXTENSIBLE = 40;

  private Wav() {}

  /**
   * The 16-bit PCM audio in {@code file}, of any rate and channel count ({@link #requireCdAudio}
   * narrows it to CD audio).
   *
   * @throws WavException "a.wav: 24-bit samples; CD audio needs ...", "a.wav: not a RIFF file",
   *     "a.wav: truncated: ...", and so on
   * @throws IOException if the file cannot be read
   */
  public static Pcm read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAXIMUM_FILE_BYTES) {
      throw tooLarge(file, size);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Bounded even if the file grows after its size was taken.
      bytes = in.readNBytes((int) MAXIMUM_FILE_BYTES + 1);
    }
    if (bytes.length > MAXIMUM_FILE_BYTES) {
      throw tooLarge(file, bytes.length);
    }
    return parse(file.toString(), bytes);
  }

  private static WavException tooLarge(Path file, long size) {
    return new WavException(
        String.format(
            "%s: %,d bytes is larger than the %,d bytes a WAV file of one CD's audio (79:59:74)"
                + " can take",
            file, size, MAXIMUM_FILE_BYTES));
  }

  /** As {@link #read}, then {@link #requireCdAudio}. */
  public static Pcm readCdAudio(Path file) throws IOException {
    Pcm pcm = read(file);
    requireCdAudio(file, pcm);
    return pcm;
  }

  /**
   * Refuses audio that is not 44,100 Hz stereo (a {@link Pcm} is always 16-bit).
   *
   * @throws WavException "a.wav: mono; CD audio needs 16-bit 44,100 Hz stereo" or "a.wav: 48,000
   *     Hz; ..."
   */
  public static void requireCdAudio(Path file, Pcm pcm) throws WavException {
    if (pcm.channels() != Pcm.CD_CHANNELS) {
      throw new WavException(file + ": " + channelName(pcm.channels()) + "; " + CD_AUDIO);
    }
    if (pcm.sampleRate() != Pcm.CD_SAMPLE_RATE) {
      throw new WavException(
          file + ": " + String.format("%,d", pcm.sampleRate()) + " Hz; " + CD_AUDIO);
    }
  }

  /** Writes {@code pcm} to {@code file} as 16-bit PCM (format tag 1), atomically. */
  public static void write(Path file, Pcm pcm) throws IOException {
    byte[] data = pcm.toLittleEndian();
    ByteBuffer header = header(pcm.sampleRate(), pcm.channels(), data.length);
    AtomicFiles.replace(
        file,
        out -> {
          out.write(header.array());
          out.write(data);
          return null;
        });
  }

  /** The 44-byte header of a 16-bit PCM file with {@code dataBytes} of samples. */
  private static ByteBuffer header(int sampleRate, int channels, long dataBytes) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.put("RIFF".getBytes(StandardCharsets.US_ASCII));
    header.putInt((int) (HEADER_BYTES - CHUNK_HEADER + dataBytes));
    header.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
    header.putInt(FMT_MINIMUM);
    header.putShort((short) FORMAT_PCM);
    header.putShort((short) channels);
    header.putInt(sampleRate);
    header.putInt(sampleRate * channels * 2);
    header.putShort((short) (channels * 2));
    header.putShort((short) 16);
    header.put("data".getBytes(StandardCharsets.US_ASCII));
    header.putInt((int) dataBytes);
    return header.flip();
  }

  /**
   * Writes a 16-bit PCM WAV file as its samples arrive; the header's sizes are patched at {@link
   * #close()}. Until then the file's sizes are zero, so a file left by a crash reads as empty
   * audio, not as audio of a wrong length. The file is written in place, not atomically.
   */
  public static final class Writer implements Closeable {

    /** The largest data chunk whose RIFF size (data + 36) still fits in 32 bits. */
    private static final long MAXIMUM_DATA_BYTES = 0xFFFF_FFFFL - (HEADER_BYTES - CHUNK_HEADER);

    private final Path file;
    private final FileChannel channel;
    private final int sampleRate;
    private final int channels;
    private long dataBytes;
    private boolean closed;

    private Writer(Path file, FileChannel channel, int sampleRate, int channels) {
      this.file = file;
      this.channel = channel;
      this.sampleRate = sampleRate;
      this.channels = channels;
    }

    /** Creates or truncates {@code file} and writes its header with sizes of zero. */
    public static Writer open(Path file, int sampleRate, int channels) throws IOException {
      if (sampleRate <= 0 || channels < 1 || channels > 0xFFFF / 2) {
        throw new IllegalArgumentException(
            channels + " channels at " + sampleRate + " Hz is not audio");
      }
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      try {
        writeFully(channel, header(sampleRate, channels, 0), 0);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      return new Writer(file, channel, sampleRate, channels);
    }

    /**
     * Appends {@code length} bytes of little-endian 16-bit samples, whole frames (channels x 2
     * bytes each).
     */
    public void write(byte[] littleEndianSamples, int offset, int length) throws IOException {
      if (closed) {
        throw new IOException(file + ": written after close");
      }
      Objects.checkFromIndexSize(offset, length, littleEndianSamples.length);
      int frameBytes = 2 * channels;
      if (length % frameBytes != 0) {
        throw new IllegalArgumentException(
            length
                + " bytes are not a whole number of "
                + channels
                + "-channel 16-bit frames ("
                + frameBytes
                + " bytes each)");
      }
      if (dataBytes + length > MAXIMUM_DATA_BYTES) {
        throw new WavException(
            file + ": more than " + MAXIMUM_DATA_BYTES + " bytes of samples do not fit a WAV file");
      }
      writeFully(
          channel, ByteBuffer.wrap(littleEndianSamples, offset, length), HEADER_BYTES + dataBytes);
      dataBytes += length;
    }

    /** Frames written so far. */
    public long frames() {
      return dataBytes / (2L * channels);
    }

    /** Patches the RIFF and data sizes, forces the file to disk and closes it. */
    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (channel) {
        writeFully(channel, header(sampleRate, channels, dataBytes), 0);
        channel.force(true);
      }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position)
        throws IOException {
      long at = position;
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
    }
  }

  static Pcm parse(String name, byte[] bytes) throws WavException {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < RIFF_HEADER || !tag(bytes, 0).equals("RIFF")) {
      throw new WavException(name + ": not a RIFF file (no RIFF header)");
    }
    if (!tag(bytes, 8).equals("WAVE")) {
      throw new WavException(
          name + ": a RIFF file but not WAVE (form type '" + tag(bytes, 8) + "')");
    }
    int position = RIFF_HEADER;
    int channels = 0;
    int rate = 0;
    boolean haveFormat = false;
    while (position + CHUNK_HEADER <= bytes.length) {
      String id = tag(bytes, position);
      long size = in.getInt(position + 4) & 0xFFFF_FFFFL;
      int body = position + CHUNK_HEADER;
      if (id.equals("fmt ")) {
        if (size < FMT_MINIMUM) {
          throw new WavException(
              name + ": the fmt chunk has " + size + " bytes, fewer than " + FMT_MINIMUM);
        }
        if (body + size > bytes.length) {
          throw new WavException(
              name
                  + ": truncated: the fmt chunk declares "
                  + size
                  + " bytes, the file holds "
                  + (bytes.length - body));
        }
        int tag = in.getShort(body) & 0xFFFF;
        channels = in.getShort(body + 2) & 0xFFFF;
        rate = in.getInt(body + 4);
        int blockAlign = in.getShort(body + 12) & 0xFFFF;
        int bits = in.getShort(body + 14) & 0xFFFF;
        if (tag == FORMAT_EXTENSIBLE) {
          if (size < FMT_EXTENSIBLE) {
            throw new WavException(
                name + ": truncated: WAVE_FORMAT_EXTENSIBLE fmt chunk of " + size + " bytes");
          }
          int subFormat = in.getShort(body + 24) & 0xFFFF;
          boolean guidTail = true;
          for (int i = 0; i < PCM_GUID_TAIL.length; i++) {
            guidTail &= bytes[body + 26 + i] == PCM_GUID_TAIL[i];
          }
          if (!guidTail) {
            throw new WavException(
                name + ": WAVE_FORMAT_EXTENSIBLE with a sub-format that is not PCM; " + CD_AUDIO);
          }
          tag = subFormat;
        }
        if (tag == FORMAT_IEEE_FLOAT) {
          throw new WavException(name + ": " + bits + "-bit floating-point samples; " + CD_AUDIO);
        }
        if (tag != FORMAT_PCM) {
          throw new WavException(
              name
                  + ": compressed audio (format tag "
                  + String.format("%04Xh", tag)
                  + "); "
                  + CD_AUDIO);
        }
        if (bits != 16) {
          throw new WavException(name + ": " + bits + "-bit samples; " + CD_AUDIO);
        }
        if (channels == 0 || rate <= 0) {
          throw new WavException(
              name + ": " + channels + " channels at " + rate + " Hz is not audio; " + CD_AUDIO);
        }
        if (blockAlign != channels * 2) {
          throw new WavException(
              name
                  + ": block align "
                  + blockAlign
                  + " does not fit "
                  + channels
                  + " channels of 16-bit samples");
        }
        haveFormat = true;
      } else if (id.equals("data")) {
        if (!haveFormat) {
          throw new WavException(name + ": the data chunk comes before any fmt chunk");
        }
        if (body + size > bytes.length) {
          throw new WavException(
              name
                  + ": truncated: the data chunk declares "
                  + size
                  + " bytes, the file holds "
                  + (bytes.length - body));
        }
        if (size % (2L * channels) != 0) {
          throw new WavException(
              name
                  + ": truncated: "
                  + size
                  + " data bytes are not a whole number of "
                  + channels
                  + "-channel 16-bit frames");
        }
        byte[] data = new byte[(int) size];
        System.arraycopy(bytes, body, data, 0, data.length);
        return Pcm.fromLittleEndian(data, rate, channels);
      }
      if (body + size > bytes.length) {
        throw new WavException(
            name
                + ": truncated: chunk '"
                + id.strip()
                + "' declares "
                + size
                + " bytes, the file holds "
                + (bytes.length - body));
      }
      position = (int) (body + size + (size & 1)); // chunks are padded to even sizes
    }
    throw new WavException(name + ": truncated: no " + (haveFormat ? "data" : "fmt") + " chunk");
  }

  private static String channelName(int channels) {
    return switch (channels) {
      case 1 -> "mono";
      case 2 -> "stereo";
      default -> channels + " channels";
    };
  }

  private static String tag(byte[] bytes, int at) {
    return at + 4 <= bytes.length ? new String(bytes, at, 4, StandardCharsets.ISO_8859_1) : "";
  }
}
