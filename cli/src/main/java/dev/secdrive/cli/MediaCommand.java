package dev.secdrive.cli;

import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code secdrive media}: make and inspect media in a media directory. */
@Command(
    name = "media",
    mixinStandardHelpOptions = true,
    description = "Create and inspect media in a media directory.",
    subcommands = {
      MediaCommand.Create.class,
      MediaCommand.Info.class,
      MediaCommand.ListMedia.class
    })
final class MediaCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a blank (or pre-recorded) medium.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MediaDirectory media;
    @Mixin Profiles profiles;

    @Option(
        names = "--type",
        defaultValue = "mo-640",
        description = "Medium type (see 'secdrive profiles'; default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--id", description = "Medium ID (default: a fresh unique one).")
    String id;

    @Option(names = "--label", defaultValue = "", description = "Text printed on the label.")
    String label;

    @Option(
        names = "--content",
        paramLabel = "FILE",
        description = "Record FILE into the user area (required for pressed types such as CD-ROM).")
    Path content;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      MediumMetadata created =
          Media.create(
              MediumStore.openOrCreate(media.directory),
              profiles.catalog(),
              type,
              id,
              label,
              content);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, created);
      } else {
        out.println(created.id());
      }
      return 0;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Show a medium and its label.")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MediaDirectory media;

    @Parameters(paramLabel = "ID", description = "Medium ID.")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      MediumMetadata m = MediumStore.open(media.directory).info(id);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, m);
        return 0;
      }
      out.print(Label.render(m));
      out.printf(
          "type:          %s, %d-byte blocks x %d = %s%n",
          m.type(), m.blockSize(), m.blockCount(), Units.bytes(m.capacityBytes()));
      out.printf("secure area:   %d bytes (not readable by any command)%n", m.secureAreaBytes());
      out.printf(
          "recording:     %s%n",
          m.pressed()
              ? "pressed (read-only)"
              : m.writeProtected() ? "write-protected" : "writable");
      out.printf("created:       %s%n", m.created());
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the media in a media directory.")
  static final class ListMedia implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MediaDirectory media;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      var all = MediumStore.open(media.directory).list();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, all);
        return 0;
      }
      for (MediumMetadata m : all) {
        out.printf(
            "%-20s %-12s %10s %-16s %s%n",
            m.id(),
            m.type(),
            Units.bytes(m.capacityBytes()),
            m.pressed() ? "pressed" : m.writeProtected() ? "write-protected" : "writable",
            m.label());
      }
      return 0;
    }
  }
}
