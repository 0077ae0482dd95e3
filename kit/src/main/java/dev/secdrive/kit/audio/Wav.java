package dev.secdrive.kit.audio;

import dev.secdrive.kit.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

  private static final int RIFF_HEADER = 12;
  private static final int CHUNK_HEADER = 8;
  private static final int FMT_MINIMUM = 16;
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
    return parse(file.toString(), Files.readAllBytes(file));
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
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.put("RIFF".getBytes(StandardCharsets.US_ASCII));
    header.putInt(36 + data.length);
    header.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
    header.putInt(FMT_MINIMUM);
    header.putShort((short) FORMAT_PCM);
    header.putShort((short) pcm.channels());
    header.putInt(pcm.sampleRate());
    header.putInt(pcm.sampleRate() * pcm.channels() * 2);
    header.putShort((short) (pcm.channels() * 2));
    header.putShort((short) 16);
    header.put("data".getBytes(StandardCharsets.US_ASCII));
    header.putInt(data.length);
    AtomicFiles.replace(
        file,
        out -> {
          out.write(header.array());
          out.write(data);
          return null;
        });
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
        if (size < FMT_MINIMUM || body + size > bytes.length) {
          throw new WavException(name + ": truncated: the fmt chunk has " + size + " bytes");
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
