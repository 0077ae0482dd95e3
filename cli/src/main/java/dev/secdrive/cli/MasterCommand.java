package dev.secdrive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.CenterException;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.security.MasterCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive master}: presses master media for the software copy (PROTOCOL.md "Master
 * catalog"): each title registered at the central site, which returns its key, encrypted under it,
 * and recorded with the catalog onto a pressed medium.
 */
@Command(
    name = "master",
    mixinStandardHelpOptions = true,
    description = "Author pressed master media for the software copy.",
    subcommands = {MasterCommand.Author.class})
final class MasterCommand {

  /** One {@code --title ID=FILE[,name=..,scheme=1|2,price=N]}. */
  record TitleSpec(String titleId, Path file, String name, int scheme, long priceCents) {

    static TitleSpec parse(String text) {
      String[] parts = text.split(",");
      int eq = parts[0].indexOf('=');
      if (eq <= 0 || eq == parts[0].length() - 1) {
        throw new CliException(
            "--title '" + text + "': expected ID=FILE[,name=NAME][,scheme=1|2][,price=CENTS]");
      }
      String id = parts[0].substring(0, eq);
      Path file = Path.of(parts[0].substring(eq + 1));
      String name = id;
      int scheme = 2;
      long price = 0;
      for (int i = 1; i < parts.length; i++) {
        int at = parts[i].indexOf('=');
        String key = at < 0 ? parts[i] : parts[i].substring(0, at);
        String value = at < 0 ? "" : parts[i].substring(at + 1);
        switch (key) {
          case "name" -> name = value;
          case "scheme" -> {
            if (!value.equals("1") && !value.equals("2")) {
              throw new CliException(
                  "--title '"
                      + text
                      + "': scheme must be 1 (certificate copy) or 2 (converted"
                      + " copy), not '"
                      + value
                      + "'");
            }
            scheme = Integer.parseInt(value);
          }
          case "price" -> {
            try {
              price = Long.parseLong(value);
            } catch (NumberFormatException e) {
              price = -1;
            }
            if (price < 0) {
              throw new CliException(
                  "--title '" + text + "': price must be a number of cents, not '" + value + "'");
            }
          }
          default ->
              throw new CliException(
                  "--title '" + text + "': unknown key '" + key + "' (name, scheme, price)");
        }
      }
      if (name.isBlank()) {
        throw new CliException("--title '" + text + "': the name must not be empty");
      }
      return new TitleSpec(id, file, name, scheme, price);
    }
  }

  static String readToken(Path file) {
    String token = SecretFileOption.read("--admin-token", file).strip();
    if (token.isEmpty()) {
      throw new CliException("--admin-token " + file + " is empty");
    }
    return token;
  }

  /**
   * Registers {@code t}, or, if the site has it already with the same scheme and name (an earlier
   * run that failed at a later title), fetches its key again, so that a re-run goes on.
   *
   * @throws CliException if the site has the title with another scheme or name
   */
  static CenterClient.RegisteredTitle register(CenterClient client, TitleSpec t) {
    try {
      return client.registerTitle(t.titleId(), t.name(), t.scheme(), t.priceCents());
    } catch (CenterException e) {
      if (e.status() != 409) {
        throw e;
      }
      JsonNode existing = client.title(t.titleId());
      int scheme = existing.path("scheme").asInt();
      String name = existing.path("name").asText();
      if (scheme != t.scheme() || !name.equals(t.name())) {
        throw new CliException(
            "--title "
                + t.titleId()
                + ": the central site has "
                + t.titleId()
                + " registered already as scheme "
                + scheme
                + " '"
                + name
                + "', not scheme "
                + t.scheme()
                + " '"
                + t.name()
                + "'; give the same scheme and name to press it again, or another title ID");
      }
      return client.titleKey(t.titleId());
    }
  }

  @Command(
      name = "author",
      mixinStandardHelpOptions = true,
      description =
          "Register titles at the central site, encrypt each under the key it returns, and press a"
              + " master medium with the catalog and the titles.")
  static final class Author implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin MediaDirectory media;
    @Mixin Profiles profiles;

    @Option(names = "--id", description = "Medium ID of the master (default: a fresh one).")
    String id;

    @Option(
        names = "--type",
        defaultValue = "cd-rom-650",
        description = "Pressed medium type (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--label", defaultValue = "", description = "Text printed on the label.")
    String label;

    @Option(names = "--center", required = true, paramLabel = "URL", description = "Central site.")
    String center;

    @Option(
        names = "--admin-token",
        required = true,
        paramLabel = "FILE",
        description = "File holding the central site's admin token.")
    Path adminToken;

    @Option(
        names = "--title",
        required = true,
        paramLabel = "ID=FILE[,name=..,scheme=1|2,price=CENTS]",
        description = "A title to press (repeatable); scheme 2 (converted copy) by default.")
    List<String> titles;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      List<TitleSpec> specs = titles.stream().map(TitleSpec::parse).toList();
      ProfileCatalog catalog = profiles.catalog();
      MediumType mediumType =
          catalog
              .mediumType(type)
              .orElseThrow(() -> new CliException("unknown medium type '" + type + "'"));
      if (!mediumType.pressed()) {
        throw new CliException(
            "medium type " + type + " is not pressed; a master is a pressed medium (cd-rom-650)");
      }
      for (TitleSpec t : specs) {
        if (!Files.isRegularFile(t.file())) {
          throw new CliException("--title " + t.titleId() + ": no such file " + t.file());
        }
      }
      MediumStore store = MediumStore.openOrCreate(media.directory);
      if (id != null && store.list().stream().anyMatch(m -> m.id().equals(id))) {
        throw new CliException("medium " + id + " already exists in " + media.directory);
      }
      CenterClient client = new CenterClient(center, readToken(adminToken));
      List<MasterAuthoring.Title> toPress = new ArrayList<>();
      List<InputStream> streams = new ArrayList<>();
      Path image = Files.createTempFile(media.directory.toAbsolutePath(), ".master-", ".img");
      MediumMetadata created;
      MasterCatalog pressed;
      try {
        for (TitleSpec t : specs) {
          CenterClient.RegisteredTitle registered = register(client, t);
          InputStream in = Files.newInputStream(t.file());
          streams.add(in);
          toPress.add(
              new MasterAuthoring.Title(
                  t.titleId(), t.name(), t.scheme(), registered.key(), Files.size(t.file()), in));
        }
        pressed = MasterAuthoring.author(toPress, mediumType.blockSize(), image, Progress.NONE);
        created = Media.create(store, catalog, type, id, label, image);
      } finally {
        for (InputStream in : streams) {
          in.close();
        }
        Files.deleteIfExists(image);
      }
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("mediumId", created.id());
        value.put("type", created.type());
        value.put(
            "titles",
            pressed.titles().stream()
                .map(
                    e -> {
                      Map<String, Object> t = new LinkedHashMap<>();
                      t.put("titleId", e.titleId());
                      t.put("name", e.name());
                      t.put("scheme", e.scheme());
                      t.put("firstLba", e.firstLba());
                      t.put("bytes", e.plaintextLength());
                      return t;
                    })
                .toList());
        Json.print(spec.commandLine().getOut(), value);
      } else {
        spec.commandLine()
            .getOut()
            .printf("pressed master %s (%s) with %d title(s)%n", created.id(), type, specs.size());
        for (MasterCatalog.Entry e : pressed.titles()) {
          spec.commandLine()
              .getOut()
              .printf(
                  "  %-24s scheme %d  %12d bytes  from LBA %d  %s%n",
                  e.titleId(), e.scheme(), e.plaintextLength(), e.firstLba(), e.name());
        }
      }
      return 0;
    }
  }
}
