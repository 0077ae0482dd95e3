package dev.secdrive.kit.watermark;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The attacks the watermark is measured against, run through the real programs: an MP3 round trip
 * with LAME ({@code lame -b 128}, then {@code lame --decode}) and resampling with SoX (44.1 kHz to
 * 48 kHz and back, SoX's default high-quality rate conversion and dither).
 */
public final class RoundTrip {

  private RoundTrip() {}

  /** {@code name} on the {@code PATH}, if this machine has it. */
  public static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "" : path).split(":")) {
      if (!dir.isEmpty()) {
        Path file = Path.of(dir, name);
        if (Files.isRegularFile(file) && Files.isExecutable(file)) {
          return Optional.of(file);
        }
      }
    }
    return Optional.empty();
  }

  /** {@code pcm} encoded as constant-bit-rate MP3 at {@code kbps} by {@code lame}, and decoded. */
  public static Pcm mp3(Path lame, Pcm pcm, int kbps) throws IOException {
    Path dir = Files.createTempDirectory("secdrive-mp3-");
    try {
      Path in = dir.resolve("in.wav");
      Path mp3 = dir.resolve("in.mp3");
      Path out = dir.resolve("out.wav");
      Wav.write(in, pcm);
      run(
          List.of(
              lame.toString(),
              "--quiet",
              "-b",
              Integer.toString(kbps),
              in.toString(),
              mp3.toString()));
      run(List.of(lame.toString(), "--quiet", "--decode", mp3.toString(), out.toString()));
      return Wav.read(out);
    } finally {
      delete(dir);
    }
  }

  /** {@code pcm} resampled by {@code sox} to {@code viaRate} and back to its own rate. */
  public static Pcm resample(Path sox, Pcm pcm, int viaRate) throws IOException {
    Path dir = Files.createTempDirectory("secdrive-sox-");
    try {
      Path in = dir.resolve("in.wav");
      Path mid = dir.resolve("mid.wav");
      Path out = dir.resolve("out.wav");
      Wav.write(in, pcm);
      run(List.of(sox.toString(), in.toString(), "-r", Integer.toString(viaRate), mid.toString()));
      run(
          List.of(
              sox.toString(),
              mid.toString(),
              "-r",
              Integer.toString(pcm.sampleRate()),
              out.toString()));
      return Wav.read(out);
    } finally {
      delete(dir);
    }
  }

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    int status;
    try {
      status = process.waitFor();
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
    if (status != 0) {
      throw new IOException(
          String.join(" ", command)
              + " exited with "
              + status
              + ": "
              + new String(output, StandardCharsets.UTF_8).strip());
    }
  }

  private static void delete(Path dir) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
