package dev.secdrive.cli;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.Backups;
import dev.secdrive.host.flow.BlobLocation;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.Player;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.ProvisionRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code secdrive license}: the licensing flows of the host driver (FIG. 5-15) — install a license,
 * play a title, show the licenses, back them up and restore them.
 */
@Command(
    name = "license",
    mixinStandardHelpOptions = true,
    description = "Install, play, list, back up and restore licenses on a secure drive.",
    subcommands = {
      LicenseCommand.Provision.class,
      LicenseCommand.Play.class,
      LicenseCommand.Status.class,
      LicenseCommand.Backup.class,
      LicenseCommand.Restore.class
    })
final class LicenseCommand {

  /** A plays count: a number from 1, or "unlimited". */
  static long plays(String text) {
    if (text.equalsIgnoreCase("unlimited")) {
      return ProvisionRequest.UNLIMITED;
    }
    long plays;
    try {
      plays = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CliException("--plays '" + text + "' is not a number or 'unlimited'");
    }
    if (plays < 1 || plays >= ProvisionRequest.UNLIMITED) {
      throw new CliException(
          "--plays must be 1.."
              + (ProvisionRequest.UNLIMITED - 1)
              + " or 'unlimited', not "
              + text);
    }
    return plays;
  }

  static String playsText(long plays) {
    return plays == ProvisionRequest.UNLIMITED ? "unlimited" : Long.toString(plays);
  }

  static BlobLocation location(String option, String text) {
    try {
      return BlobLocation.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(option + ": " + e.getMessage());
    }
  }

  @Command(
      name = "provision",
      mixinStandardHelpOptions = true,
      description =
          "Encrypt a content into a title at --lba and install its license (FIG. 5), as the"
              + " licensor in --credential.")
  static final class Provision extends DriveSubcommand {
    @Option(
        names = "--credential",
        required = true,
        paramLabel = "FILE",
        description = "The licensor credential (secdrive authority licensor).")
    Path credential;

    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "The content.")
    Path in;

    @Option(
        names = "--lba",
        required = true,
        paramLabel = "N",
        description = "LBA of the title header; the data blocks follow it.")
    long lba;

    @Option(
        names = "--plays",
        defaultValue = "unlimited",
        paramLabel = "N",
        description = "Plays allowed, or 'unlimited' (default).")
    String plays;

    @Option(
        names = "--replace",
        description =
            "Provision even if the content is already licensed on the medium (its license is"
                + " replaced) or the title's blocks hold another title or a license backup (they"
                + " are overwritten). The drive still refuses another licensor's content.")
    boolean replace;

    @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
    boolean progress;

    @Override
    public Integer call() {
      long allowed = plays(plays);
      if (!Files.isRegularFile(in)) {
        throw new CliException("--in " + in + ": no such file");
      }
      Licensor licensor = new Licensor(LicensorCredential.load(credential));
      Licensor.Provisioned done;
      try (Drive drive = Drive.open(uri);
          ProgressDisplay bar = ProgressDisplay.open(err(), "provision", progress, json)) {
        done = licensor.provision(drive, contentId, in, lba, allowed, replace, bar.listener());
      }
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", done.contentId());
      value.put("mediumId", done.mediumId());
      value.put("deviceId", done.deviceId());
      value.put("headerLba", done.headerLba());
      value.put("dataBlocks", done.dataBlocks());
      value.put("bytes", done.plaintextLength());
      value.put("plays", playsText(done.plays()));
      print(
          value,
          String.format(
              "provisioned %s on medium %s in drive %s: %d bytes, title at LBA %d-%d, plays %s",
              done.contentId(),
              done.mediumId(),
              done.deviceId(),
              done.plaintextLength(),
              done.headerLba(),
              done.headerLba() + done.dataBlocks(),
              playsText(done.plays())));
      return 0;
    }
  }

  @Command(
      name = "play",
      mixinStandardHelpOptions = true,
      description =
          "Play a title (FIG. 6): the drive decrypts it. Writes the plaintext to --out, or prints"
              + " its length and SHA-256.")
  static final class Play extends DriveSubcommand {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(
        names = "--lba",
        required = true,
        paramLabel = "N",
        description = "LBA of the title header.")
    long lba;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the plaintext to FILE.")
    Path file;

    @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
    boolean progress;

    @Override
    public Integer call() throws IOException {
      Player.Played played;
      if (file != null) {
        // Into a temporary file renamed at the end: a refused or broken play leaves no torn file.
        played = AtomicFiles.replace(file, out -> play(out));
      } else {
        played = play(OutputStream.nullOutputStream());
      }
      String sha = HexFormat.of().formatHex(played.sha256());
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", played.contentId());
      value.put("bytes", played.bytes());
      value.put("sha256", sha);
      if (file != null) {
        value.put("file", file.toString());
      }
      print(
          value,
          file != null
              ? String.format(
                  "%d bytes of %s to %s (SHA-256 %s)", played.bytes(), contentId, file, sha)
              : String.format("%d bytes of %s, SHA-256 %s", played.bytes(), contentId, sha));
      return 0;
    }

    private Player.Played play(OutputStream out) {
      try (Drive drive = Drive.open(uri);
          ProgressDisplay bar = ProgressDisplay.open(err(), "play", progress, json)) {
        return Player.play(drive, contentId, lba, out, bar.listener());
      } catch (UncheckedIOException e) {
        throw new CliException("cannot write " + file + ": " + e.getCause().getMessage(), e);
      }
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "LICENSE STATUS: the license version and records of the medium in the drive.")
  static final class Status extends DriveSubcommand {
    @Override
    public Integer call() {
      LicenseStatus status;
      String mediumId;
      try (Drive drive = Drive.open(uri)) {
        mediumId = drive.mediumId();
        status = drive.secure().status();
      }
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("mediumId", mediumId);
        value.put("version", status.version());
        List<Map<String, Object>> records =
            status.entries().stream()
                .map(
                    e -> {
                      Map<String, Object> r = new LinkedHashMap<>();
                      r.put("contentId", e.contentId());
                      r.put("licensor", e.licensor().isEmpty() ? null : e.licensor());
                      r.put("playsLeft", e.unlimited() ? null : e.playsLeft());
                      r.put("unlimited", e.unlimited());
                      return r;
                    })
                .toList();
        value.put("records", records);
        Json.print(out(), value);
        return 0;
      }
      out()
          .printf(
              "medium %s: license version %d, %d record(s)%n",
              mediumId, status.version(), status.entries().size());
      for (LicenseStatus.Entry e : status.entries()) {
        out()
            .printf(
                "  %-40s plays left: %-10s licensor: %s%n",
                e.contentId(),
                playsText(e.playsLeft()),
                e.licensor().isEmpty() ? "(not recorded)" : e.licensor());
      }
      return 0;
    }
  }

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description =
          "Back up the medium's licenses (FIG. 7, 11, 14) to user-area:LBA, file:PATH, or"
              + " drive:URI (sealed to that drive, written at --lba on its medium).")
  static final class Backup extends DriveSubcommand {
    @Option(
        names = "--to",
        required = true,
        paramLabel = "TARGET",
        description = "user-area:LBA, file:PATH or drive:URI")
    String to;

    @Option(
        names = "--bind",
        paramLabel = "BINDING",
        description =
            "medium (default), medium+device or device+medium; drive: targets are always sealed.")
    String bind;

    @Option(
        names = "--lba",
        paramLabel = "N",
        defaultValue = "-1",
        description = "For drive: targets, the LBA on the second drive's medium.")
    long lba;

    @Override
    public Integer call() {
      BlobLocation target = location("--to", to);
      Binding binding = null;
      if (bind != null) {
        try {
          binding = Binding.fromText(bind);
        } catch (IllegalArgumentException e) {
          throw new CliException("--bind: " + e.getMessage());
        }
      }
      Backups.checkBackup(target, binding, lba);
      Backups.Backup done;
      try (Drive drive = Drive.open(uri)) {
        done = Backups.backup(drive, target, binding, lba);
      }
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("to", done.location().toString());
      if (lba >= 0) {
        value.put("lba", lba);
      }
      value.put("binding", done.binding().text());
      value.put("bytes", done.bytes());
      print(
          value,
          String.format(
              "backed up to %s%s, %s, %s",
              done.location(),
              lba >= 0 ? " at LBA " + lba : "",
              done.binding() == Binding.SEALED
                  ? "sealed to that drive's key"
                  : "bound to " + done.binding().text(),
              done.bytes() >= 0 ? done.bytes() + " bytes" : "length unknown"));
      return 0;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description =
          "Restore the medium's licenses (FIG. 9, 12, 15) from user-area:LBA, file:PATH, or"
              + " drive:URI (that drive reseals the blob at --lba on its medium to this one).")
  static final class Restore extends DriveSubcommand {
    @Option(
        names = "--from",
        required = true,
        paramLabel = "SOURCE",
        description = "user-area:LBA, file:PATH or drive:URI")
    String from;

    @Option(
        names = "--lba",
        paramLabel = "N",
        defaultValue = "-1",
        description = "For drive: sources, the LBA on the second drive's medium.")
    long lba;

    @Override
    public Integer call() {
      BlobLocation source = location("--from", from);
      Backups.checkRestore(source, lba);
      LicenseStatus status;
      try (Drive drive = Drive.open(uri)) {
        Backups.restore(drive, source, lba);
        status = drive.secure().status();
      }
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("from", source.toString());
      value.put("version", status.version());
      value.put("records", status.entries().size());
      print(
          value,
          String.format(
              "restored from %s%s: license version %d, %d record(s)",
              source, lba >= 0 ? " at LBA " + lba : "", status.version(), status.entries().size()));
      return 0;
    }
  }
}
