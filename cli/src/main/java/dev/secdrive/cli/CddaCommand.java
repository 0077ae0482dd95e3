package dev.secdrive.cli;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import dev.secdrive.kit.audio.WavException;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Payload;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secdrive cdda}: CD-DA discs (seed 004). */
@Command(
    name = "cdda",
    mixinStandardHelpOptions = true,
    description = "CD-DA audio discs: author one from WAV files, with a watermark in every track.",
    subcommands = {CddaCommand.Author.class})
final class CddaCommand {

  /** The copy control as users write it. */
  enum Copy {
    FREE(CopyControl.COPY_FREE),
    ONCE(CopyControl.COPY_ONCE),
    NEVER(CopyControl.NO_MORE_COPIES);

    final CopyControl control;

    Copy(CopyControl control) {
      this.control = control;
    }
  }

  /** One {@code --track} with what belongs to it. */
  static final class TrackOption {
    @Option(
        names = "--track",
        required = true,
        paramLabel = "WAV",
        description = "A track: 16-bit 44,100 Hz stereo WAV, in disc order.")
    Path wav;

    @Option(
        names = "--isrc",
        paramLabel = "ISRC",
        description = "The track's ISRC, CC-XXX-YY-NNNNN or CCXXXYYNNNNN (after its --track).")
    String isrc;

    @Option(
        names = "--track-copy-control",
        paramLabel = "free|once|never",
        description = "This track's copy control, instead of --copy-control.")
    Copy copyControl;

    @Option(
        names = "--track-content-id",
        paramLabel = "N",
        description = "This track's content ID, instead of --content-id + its index.")
    Long contentId;
  }

  @Command(
      name = "author",
      mixinStandardHelpOptions = true,
      description =
          "Press a CD-DA disc into the media directory from WAV files, embedding the watermark"
              + " (copy control and content ID) in every track.")
  static final class Author implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin MediaDirectory media;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "Medium ID.")
    String id;

    @Option(names = "--label", paramLabel = "TEXT", description = "Label printed on the disc.")
    String label;

    @Option(names = "--mcn", paramLabel = "13DIGITS", description = "Media catalog number.")
    String mcn;

    @Option(
        names = "--watermark-key",
        required = true,
        paramLabel = "FILE",
        description = "The watermark key ('secdrive watermark key').")
    Path watermarkKey;

    @Option(
        names = "--content-id",
        defaultValue = "1",
        paramLabel = "N",
        description =
            "Content ID of the first track; track i gets N + i - 1 (default ${DEFAULT-VALUE}).")
    long contentId;

    @Option(
        names = "--copy-control",
        defaultValue = "free",
        paramLabel = "free|once|never",
        description = "Copy control of every track (default ${DEFAULT-VALUE}).")
    Copy copyControl;

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<TrackOption> tracks;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      WatermarkKey key;
      try {
        key = WatermarkKey.read(watermarkKey);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<CdAuthor.TrackSpec> specs = new ArrayList<>();
      List<Map<String, Object>> described = new ArrayList<>();
      for (int i = 0; i < tracks.size(); i++) {
        TrackOption t = tracks.get(i);
        Pcm pcm;
        try {
          pcm = Wav.readCdAudio(t.wav);
        } catch (WavException e) {
          throw new CliException(e.getMessage());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        long content = t.contentId != null ? t.contentId : contentId + i;
        CopyControl copy = (t.copyControl != null ? t.copyControl : copyControl).control;
        Payload payload;
        try {
          payload = new Payload(copy, content);
        } catch (IllegalArgumentException e) {
          throw new CliException("track " + (i + 1) + ": " + e.getMessage());
        }
        Optional<String> isrc = Optional.ofNullable(t.isrc).map(CdAuthor::isrc);
        specs.add(new CdAuthor.TrackSpec(pcm, isrc, Optional.of(payload)));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("track", i + 1);
        value.put("file", t.wav.toString());
        value.put("isrc", isrc.orElse(null));
        value.put("seconds", pcm.seconds());
        value.put("copyControl", copy.name());
        value.put("contentId", content);
        described.add(value);
      }
      CdAuthor.press(
          media.directory,
          id,
          label != null ? label : id,
          Optional.ofNullable(mcn),
          new Watermark(key),
          specs);
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("mediumId", id);
        value.put("mediaDir", media.directory.toString());
        value.put("tracks", described);
        Json.print(spec.commandLine().getOut(), value);
      } else {
        spec.commandLine()
            .getOut()
            .printf("pressed CD-DA disc %s in %s: %d tracks%n", id, media.directory, specs.size());
        for (Map<String, Object> t : described) {
          spec.commandLine()
              .getOut()
              .printf(
                  Locale.ROOT,
                  "  track %02d  %-12s  %6.2f s  %s, content %d  (%s)%n",
                  t.get("track"),
                  t.get("isrc") == null ? "no ISRC" : t.get("isrc"),
                  (Double) t.get("seconds"),
                  t.get("copyControl").toString().toLowerCase(Locale.ROOT).replace('_', ' '),
                  t.get("contentId"),
                  t.get("file"));
        }
      }
      return 0;
    }
  }
}
