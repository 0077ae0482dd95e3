package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveFiles;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.profiles.ProfileCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * {@code secdrive authority}: the development licensing authority (DESIGN.md "Security model") —
 * create it, certify licensors with it, and enrol drives with it. These are the authority's tools;
 * a running emulator holds only what each drive holds, never the authority's signing key.
 */
@Command(
    name = "authority",
    mixinStandardHelpOptions = true,
    description = "Create the development licensing authority, certify licensors and enrol drives.",
    subcommands = {
      AuthorityCommand.Init.class,
      AuthorityCommand.Licensor.class,
      AuthorityCommand.Enrol.class,
      AuthorityCommand.KeyTree.class
    })
final class AuthorityCommand {

  /**
   * The authority file: --file (or --authority), else {@code <media dir>/.secdrive/authority.json},
   * a development convenience that only these tools read; a running emulator never does.
   */
  static final class AuthorityFile {
    @Mixin MediaDirectory media;

    @Option(
        names = {"--file", "--authority"},
        paramLabel = "FILE",
        description = "Authority file (default: <media dir>/.secdrive/authority.json).")
    Path file;

    Path path() {
      return file != null ? file : media.directory.resolve(".secdrive").resolve("authority.json");
    }

    /** The authority in the file, which must exist. */
    Authority load() {
      Path path = path();
      if (!Files.exists(path)) {
        throw new CliException(
            "no licensing authority at " + path + " (create one with 'secdrive authority init')");
      }
      return Authority.load(path);
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
      Authority authority = authorityFile.load();
      if (Files.exists(out)) {
        throw new CliException(out + " already exists; not overwriting a credential");
      }
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

  @Command(
      name = "enrol",
      mixinStandardHelpOptions = true,
      description = {
        "Enrol drives: for each, fresh keys certified by the authority, what the drive holds of",
        "the authority (system secret, public key), a fresh sealed state and its anchor.",
        "Name drives as serve does (--drive lun=N[,profile=ID][,device-id=ID][,medium=ID]) or",
        "by --device-id; without either, the drive serve runs by default (LUN 0)."
      })
  static final class Enrol implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AuthorityFile authorityFile;
    @Mixin AnchorDirectory anchors;

    @Option(names = "--drive", paramLabel = "SPEC", description = "A drive, as serve names it.")
    List<String> drives = new ArrayList<>();

    @Option(names = "--device-id", paramLabel = "ID", description = "A drive by device ID.")
    List<String> deviceIds = new ArrayList<>();

    @Option(
        names = "--replace",
        description =
            "Enrol drives that are enrolled already, again: each becomes a new drive, whose old"
                + " device-bound and sealed backups are lost.")
    boolean replace;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      Path media = authorityFile.media.directory;
      if (!Files.isDirectory(media)) {
        throw new CliException("--media-dir " + media + ": no such directory");
      }
      List<DriveConfig> configs = new ArrayList<>();
      for (String drive : drives) {
        try {
          configs.add(DriveConfig.parse(drive, ProfileCatalog.DEFAULT_PROFILE));
        } catch (IllegalArgumentException e) {
          throw new CliException("--drive: " + e.getMessage());
        }
      }
      for (String id : deviceIds) {
        try {
          configs.add(new DriveConfig(0, ProfileCatalog.DEFAULT_PROFILE, id, null));
        } catch (IllegalArgumentException e) {
          throw new CliException("--device-id: " + e.getMessage());
        }
      }
      if (configs.isEmpty()) {
        configs.add(new DriveConfig(0, ProfileCatalog.DEFAULT_PROFILE, null, null));
      }
      Authority authority = authorityFile.load();
      // All or none: every drive is checked before the first is enrolled.
      Map<String, DriveFiles> drives = new LinkedHashMap<>();
      for (DriveConfig config : configs) {
        DriveFiles files = Emulator.driveFiles(media, anchors.path(), config);
        if (drives.put(files.deviceId(), files) != null) {
          throw new CliException("device ID " + files.deviceId() + " is given more than once");
        }
        if (!replace) {
          files.requireNotEnrolled();
        }
      }
      List<Map<String, Object>> enrolled = new ArrayList<>();
      PrintWriter out = spec.commandLine().getOut();
      for (DriveFiles files : drives.values()) {
        DriveKeys keys = files.enrol(authority, replace);
        if (json) {
          Map<String, Object> value = new LinkedHashMap<>();
          value.put("deviceId", files.deviceId());
          value.put("keys", files.keysFile().toString());
          value.put("state", files.stateFile().toString());
          value.put("anchor", files.anchorFile(keys).toString());
          enrolled.add(value);
        } else {
          out.println(
              "enrolled drive "
                  + files.deviceId()
                  + ": keys "
                  + files.keysFile()
                  + ", state "
                  + files.stateFile()
                  + ", anchor "
                  + files.anchorFile(keys));
        }
      }
      if (json) {
        Json.print(out, enrolled);
      }
      return 0;
    }
  }

  @Command(
      name = "key-tree",
      mixinStandardHelpOptions = true,
      description = {
        "Create the federation's key tree (seed 002): a fresh tree secret for the Subset",
        "Difference tree every distributor makes device node keys and EKBs with. Whoever holds",
        "the file can make device keys for any leaf; it is written owner-only (0600)."
      })
  static final class KeyTree implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the key tree (created with permissions 0600).")
    Path out;

    @Option(
        names = "--depth",
        paramLabel = "D",
        description = "Tree depth, 1..32: 2^D leaves (default: ${DEFAULT-VALUE}).")
    int depth = KeyTreeFile.DEFAULT_DEPTH;

    @Option(
        names = "--category-depth",
        paramLabel = "C",
        description =
            "Category depth, 0..D-1: 2^C distributor categories of 2^(D-C) leaves (default:"
                + " ${DEFAULT-VALUE}).")
    int categoryDepth = KeyTreeFile.DEFAULT_CATEGORY_DEPTH;

    @Option(
        names = "--replace",
        description =
            "Replace an existing key tree: every device node key made with the old one stops"
                + " working.")
    boolean replace;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      KeyTreeFile tree;
      try {
        tree = KeyTreeFile.create(depth, categoryDepth);
      } catch (IllegalArgumentException e) {
        throw new CliException(
            "--depth " + depth + " --category-depth " + categoryDepth + ": " + e.getMessage());
      }
      if (!replace && Files.exists(out)) {
        throw new CliException(out + " already exists; not replacing a key tree without --replace");
      }
      try {
        tree.write(out, replace);
      } catch (FileAlreadyExistsException e) {
        throw new CliException(out + " already exists; not replacing a key tree without --replace");
      } catch (IOException e) {
        throw new CliException("cannot write " + out + ": " + e.getMessage());
      }
      PrintWriter printer = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("file", out.toString());
        value.put("depth", depth);
        value.put("categoryDepth", categoryDepth);
        value.put("leaves", 1L << depth);
        value.put("categories", 1L << categoryDepth);
        value.put("leavesPerCategory", tree.leavesPerCategory());
        Json.print(printer, value);
      } else {
        printer.println(
            "created key tree "
                + out
                + ": depth "
                + depth
                + " ("
                + (1L << depth)
                + " leaves), category depth "
                + categoryDepth
                + " ("
                + (1L << categoryDepth)
                + " categories of "
                + tree.leavesPerCategory()
                + " leaves)");
      }
      return 0;
    }
  }
}
