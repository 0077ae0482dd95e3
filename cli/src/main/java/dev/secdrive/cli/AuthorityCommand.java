package dev.secdrive.cli;

import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.flow.LicensorCredential;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive authority}: the development licensing authority (DESIGN.md "Security model") —
 * create it, and certify licensors with it. The emulator enrols its drives with the same file.
 */
@Command(
    name = "authority",
    mixinStandardHelpOptions = true,
    description = "Create the development licensing authority and certify licensors.",
    subcommands = {AuthorityCommand.Init.class, AuthorityCommand.Licensor.class})
final class AuthorityCommand {

  /** The authority file: --file, else the emulator's default in the media directory. */
  static final class AuthorityFile {
    @Mixin MediaDirectory media;

    @Option(
        names = "--file",
        paramLabel = "FILE",
        description =
            "Authority file (default: <media dir>/.secdrive/authority.json, the emulator's).")
    Path file;

    Path path() {
      return file != null ? file : media.directory.resolve(".secdrive").resolve("authority.json");
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Create a licensing authority (refuses to replace one).")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AuthorityFile authorityFile;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      Path file = authorityFile.path();
      if (Files.exists(file)) {
        throw new CliException(
            file + " already exists; an authority is not replaced (drives are enrolled with it)");
      }
      Authority authority = Authority.create();
      authority.save(file);
      String key = HexFormat.of().formatHex(authority.publicKey());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("file", file.toString());
        value.put("publicKey", key);
        Json.print(out, value);
      } else {
        out.println("created licensing authority " + file);
        out.println("public key: " + key);
      }
      return 0;
    }
  }

  @Command(
      name = "licensor",
      mixinStandardHelpOptions = true,
      description = "Make a licensor credential certified by the authority (a new key pair).")
  static final class Licensor implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AuthorityFile authorityFile;

    @Option(names = "--name", required = true, description = "The licensor's name.")
    String name;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the credential (created with permissions 0600).")
    Path out;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      Path file = authorityFile.path();
      if (!Files.exists(file)) {
        throw new CliException(
            "no licensing authority at " + file + " (create one with 'secdrive authority init')");
      }
      if (Files.exists(out)) {
        throw new CliException(out + " already exists; not overwriting a credential");
      }
      Authority authority = Authority.load(file);
      LicensorCredential credential;
      try {
        credential = LicensorCredential.create(name, authority::certify, authority.publicKey());
      } catch (IllegalArgumentException e) {
        throw new CliException("--name '" + name + "': " + e.getMessage());
      }
      credential.save(out);
      PrintWriter printer = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", name);
        value.put("file", out.toString());
        value.put("authority", file.toString());
        Json.print(printer, value);
      } else {
        printer.println("licensor '" + name + "' certified by " + file + ", credential in " + out);
      }
      return 0;
    }
  }
}
