package dev.secdrive.cli;

import dev.secdrive.kit.watermark.WatermarkKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secdrive watermark}: the audio watermark's key (seed 004). */
@Command(
    name = "watermark",
    mixinStandardHelpOptions = true,
    description = "The audio watermark of CD-DA discs: its key.",
    subcommands = {WatermarkCommand.Key.class})
final class WatermarkCommand {

  @Command(
      name = "key",
      mixinStandardHelpOptions = true,
      description =
          "Create a watermark key file (owner-only): the key that places and finds the mark; the"
              + " author embeds with it and the ripper detects with it.")
  static final class Key implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Key file.")
    Path out;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (Files.exists(out)) {
        throw new CliException(out + " exists; a new key would orphan every disc marked with it");
      }
      try {
        WatermarkKey.generate().write(out);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + out + ": " + e, e);
      }
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("file", out.toString());
        Json.print(spec.commandLine().getOut(), value);
      } else {
        spec.commandLine().getOut().println("created watermark key " + out);
      }
      return 0;
    }
  }
}
