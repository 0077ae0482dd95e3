package dev.secdrive.kit.audio;

import java.util.Arrays;

/**
 * Linear 16-bit PCM audio: {@code samples} interleaved by channel (for stereo: left, right, left,
 * ...). A frame is one sample per channel; a CD-DA sector holds {@value #CD_FRAMES_PER_SECTOR}
 * stereo frames.
 *
 * @param sampleRate frames per second, e.g. {@value #CD_SAMPLE_RATE}
 * @param channels samples per frame, 1 or more
 * @param samples the interleaved samples; a whole number of frames. Not copied: a Pcm is a view the
 *     caller agrees not to change.
 */
public record Pcm(int sampleRate, int channels, short[] samples) {

  /** The sample rate of CD audio (IEC 60908). */
  public static final int CD_SAMPLE_RATE = 44_100;

  /** The channels of CD audio. */
  public static final int CD_CHANNELS = 2;

  /** Bytes in a CD-DA sector's user data. */
  public static final int CD_SECTOR_BYTES = 2_352;

  /** Stereo frames in a CD-DA sector: 2,352 / (2 channels × 2 bytes). */
  public static final int CD_FRAMES_PER_SECTOR = 588;

  public Pcm {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate " + sampleRate + " is not positive");
    }
    if (channels <= 0) {
      throw new IllegalArgumentException("channel count " + channels + " is not positive");
    }
    if (samples == null) {
      throw new IllegalArgumentException("samples are missing");
    }
    if (samples.length % channels != 0) {
      throw new IllegalArgumentException(
          samples.length + " samples are not a whole number of " + channels + "-channel frames");
    }
  }

  /** Silence of {@code frames} frames. */
  public static Pcm silence(int sampleRate, int channels, int frames) {
    return new Pcm(sampleRate, channels, new short[Math.multiplyExact(frames, channels)]);
  }

  /** The number of frames. */
  public int frames() {
    return samples.length / channels;
  }

  /** The duration in seconds. */
  public double seconds() {
    return (double) frames() / sampleRate;
  }

  /** True for 16-bit 44,100 Hz stereo, the format of CD audio. */
  public boolean isCdAudio() {
    return sampleRate == CD_SAMPLE_RATE && channels == CD_CHANNELS;
  }

  /** Sample {@code channel} of frame {@code frame}. */
  public short sample(int frame, int channel) {
    return samples[frame * channels + channel];
  }

  /**
   * Frames {@code fromFrame} (inclusive) to {@code toFrame} (exclusive), copied.
   *
   * @throws IndexOutOfBoundsException if the range is not inside this audio
   */
  public Pcm slice(int fromFrame, int toFrame) {
    if (fromFrame < 0 || toFrame > frames() || fromFrame > toFrame) {
      throw new IndexOutOfBoundsException(
          "frames " + fromFrame + ".." + toFrame + " are not inside 0.." + frames());
    }
    return new Pcm(
        sampleRate,
        channels,
        Arrays.copyOfRange(samples, fromFrame * channels, toFrame * channels));
  }

  /**
   * The samples as bytes, each little-endian, in frame order: for CD audio the Red Book byte order
   * of a sector's user data (left low, left high, right low, right high).
   */
  public byte[] toLittleEndian() {
    byte[] bytes = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      bytes[2 * i] = (byte) samples[i];
      bytes[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return bytes;
  }

  /**
   * Audio from little-endian 16-bit samples, as {@link #toLittleEndian} writes them.
   *
   * @throws IllegalArgumentException if {@code bytes} is not a whole number of frames
   */
  public static Pcm fromLittleEndian(byte[] bytes, int sampleRate, int channels) {
    if (channels > 0 && bytes.length % (2 * channels) != 0) {
      throw new IllegalArgumentException(
          bytes.length + " bytes are not a whole number of 16-bit " + channels + "-channel frames");
    }
    short[] samples = new short[bytes.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) ((bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] << 8));
    }
    return new Pcm(sampleRate, channels, samples);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pcm p
        && p.sampleRate == sampleRate
        && p.channels == channels
        && Arrays.equals(p.samples, samples);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * sampleRate + channels) + Arrays.hashCode(samples);
  }

  @Override
  public String toString() {
    return "Pcm[" + sampleRate + " Hz, " + channels + " channels, " + frames() + " frames]";
  }
}
