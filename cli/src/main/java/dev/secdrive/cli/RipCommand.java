package dev.secdrive.cli;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.RipTable;
import dev.secdrive.host.flow.Ripper;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.kit.watermark.WatermarkKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code secdrive rip}: the watermark-verified ripper of seed 004 — audio tracks of the CD-DA disc
 * in a drive to WAV files, each checked for its watermark and copy control in one of three modes.
 */
@Command(
    name = "rip",
    mixinStandardHelpOptions = true,
    description =
        "Rip audio tracks of a CD-DA disc to WAV files, refusing unmarked, partly substituted or"
            + " no-copy tracks. Modes: full (detect the watermark in the whole track), table (the"
            + " first rip detects and has the drive register the track; later rips have the drive"
            + " verify the table's record and skip detection; claims 1-7), sampled (detect in"
            + " ranges at random addresses; claims 8-13).")
final class RipCommand extends DriveSubcommand {

  static final class Which {
    @Option(
        names = "--track",
        paramLabel = "N",
        description = "A track to rip (repeatable).",
        required = true)
    List<Integer> tracks;

    @Option(names = "--all", description = "Every audio track (the default).", required = true)
    boolean all;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Which which;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the WAVs go.")
  Path out;

  @Option(
      names = "--mode",
      defaultValue = "table",
      paramLabel = "table|sampled|full",
      description = "How tracks are checked (default ${DEFAULT-VALUE}).")
  Ripper.Mode mode;

  @Option(
      names = "--watermark-key",
      required = true,
      paramLabel = "FILE",
      description = "The watermark key the detector uses.")
  Path watermarkKey;

  @Option(
      names = "--table",
      paramLabel = "FILE",
      description =
          "The verification table (table mode; default $XDG_DATA_HOME/secdrive/rip-table.json).")
  Path table;

  @Option(
      names = "--sampling",
      defaultValue = "0.25",
      paramLabel = "P",
      description =
          "Sampled mode: the probability that a range is examined, in steps of 1/256 (claim 10's"
              + " threshold on the random value's lowest byte; default ${DEFAULT-VALUE}).")
  double sampling;

  @Option(
      names = "--range-sectors",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Sampled mode: sectors in a range (1/75 s each; default: the detector's shortest"
              + " excerpt).")
  int rangeSectors;

  @Option(
      names = "--designated-sectors",
      defaultValue = "16",
      paramLabel = "K",
      description =
          "Table mode: sectors the drive designates and re-reads per track (1-64, default"
              + " ${DEFAULT-VALUE}).")
  int designated;

  @Option(
      names = "--force",
      description = "Replace WAV files already in --out (otherwise such a rip is refused).")
  boolean force;

  @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
  boolean progress;

  @Override
  public Integer call() {
    if (sampling <= 0 || sampling > 1) {
      throw new CliException("--sampling must be in (0, 1], got " + sampling);
    }
    if (rangeSectors < 0) {
      throw new CliException("--range-sectors must not be negative");
    }
    if (designated < 1 || designated > 64) {
      throw new CliException("--designated-sectors must be 1-64, got " + designated);
    }
    WatermarkKey key;
    try {
      key = WatermarkKey.read(watermarkKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path tableFile = table != null ? table : RipTable.defaultPath();
    Ripper.Settings settings =
        new Ripper.Settings(mode, tableFile, sampling, rangeSectors, designated, force);
    List<Integer> numbers = which == null || which.all ? List.of() : which.tracks;
    List<Ripper.Ripped> ripped;
    Ripper ripper;
    try (Drive drive = Drive.open(uri);
        ProgressDisplay bar = ProgressDisplay.open(err(), "rip", progress, json)) {
      ripper = new Ripper(drive, new Watermark(key), settings);
      ripped = ripper.rip(numbers, out, bar.listener());
    }
    List<Map<String, Object>> tracks = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (Ripper.Ripped r : ripped) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("track", r.track());
      v.put("isrc", r.isrc().orElse(null));
      v.put("sectors", r.sectors());
      v.put("seconds", r.sectors() / 75.0);
      v.put("file", r.wav().toString());
      v.put("verification", r.verification().name().toLowerCase(Locale.ROOT));
      v.put("copyControl", r.payload().copyControl().name());
      v.put("contentId", r.payload().contentId());
      v.put("excerptsExamined", r.rangesExamined());
      v.put("segmentsVerified", r.segmentsVerified());
      v.put("sectorsExamined", r.sectorsExamined());
      v.put("detectionCpuMillis", r.detectionCpuNanos() / 1e6);
      v.put("detectionMillis", r.detectionNanos() / 1e6);
      v.put("ripMillis", r.ripNanos() / 1e6);
      tracks.add(v);
      text.append(
          String.format(
              Locale.ROOT,
              "track %02d  %-12s  %6.2f s  -> %s: %s, %s, content %d; %s%n",
              r.track(),
              r.isrc().orElse("no ISRC"),
              r.sectors() / 75.0,
              r.wav(),
              how(r),
              r.payload().copyControl().name().toLowerCase(Locale.ROOT).replace('_', ' '),
              r.payload().contentId(),
              String.format(
                  Locale.ROOT,
                  "detection %.0f ms CPU, rip %.0f ms",
                  r.detectionCpuNanos() / 1e6,
                  r.ripNanos() / 1e6)));
    }
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("mode", mode.name().toLowerCase(Locale.ROOT));
    value.put("out", out.toString());
    if (mode == Ripper.Mode.TABLE) {
      value.put("table", tableFile.toString());
    }
    value.put("tracks", tracks);
    value.put("detections", ripper.detections());
    value.put("detectionCpuMillis", ripper.detectionCpuNanos() / 1e6);
    text.append(
        String.format(
            Locale.ROOT,
            "ripped %d track%s (%s mode): %d watermark detection%s, %.0f ms CPU",
            ripped.size(),
            ripped.size() == 1 ? "" : "s",
            mode.name().toLowerCase(Locale.ROOT),
            ripper.detections(),
            ripper.detections() == 1 ? "" : "s",
            ripper.detectionCpuNanos() / 1e6));
    print(value, text.toString());
    return 0;
  }

  private static String how(Ripper.Ripped r) {
    return switch (r.verification()) {
      case DETECTED -> "watermark throughout (" + r.segmentsVerified() + " stretches verified)";
      case REGISTERED ->
          "watermark throughout ("
              + r.segmentsVerified()
              + " stretches verified), registered in the table";
      case TABLE -> "verified by the drive from the table, no detection";
      case SAMPLED ->
          "watermark in "
              + r.rangesExamined()
              + " sampled range"
              + (r.rangesExamined() == 1 ? "" : "s")
              + " ("
              + r.sectorsExamined() * 100 / Math.max(1, r.sectors())
              + "% of the track, "
              + r.segmentsVerified()
              + " stretches verified)";
    };
  }
}
