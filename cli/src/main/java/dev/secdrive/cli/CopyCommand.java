package dev.secdrive.cli;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.protocol.security.MasterCatalog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive copy}: the user's terminal of the software copy (seed 003) — a title from the
 * master in one drive to the medium in another, with the central site's consent, by the scheme the
 * master's catalog gives the title.
 */
@Command(
    name = "copy",
    mixinStandardHelpOptions = true,
    description =
        "Copy a title from a master to a target medium with the central site's consent: scheme 1"
            + " writes a copy certificate and the ciphertext (FIG. 2-6), scheme 2 re-encrypts it"
            + " inside the target drive (FIG. 7-10).")
final class CopyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--master", required = true, paramLabel = "URI", description = "Master drive.")
  String master;

  @Option(names = "--target", required = true, paramLabel = "URI", description = "Target drive.")
  String target;

  @Option(names = "--title", required = true, paramLabel = "ID", description = "Title ID.")
  String title;

  @Option(names = "--center", required = true, paramLabel = "URL", description = "Central site.")
  String center;

  @Option(names = "--user", required = true, paramLabel = "ID", description = "User ID.")
  String user;

  @Option(
      names = "--user-key",
      paramLabel = "FILE",
      description =
          "User key file: signs the copy request (both schemes); the title's keys go to the"
              + " target drive, never to it.")
  Path userKey;

  @Option(
      names = "--lba",
      defaultValue = "0",
      paramLabel = "N",
      description = "Where the copy starts on the target (default: ${DEFAULT-VALUE}).")
  long lba;

  @Option(
      names = "--authority-key",
      paramLabel = "HEX",
      description =
          "The licensing authority's public key: refuse a central site it did not certify"
              + " (without it, the authority the site names is trusted).")
  String authorityKey;

  @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
  boolean progress;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (lba < 0) {
      throw new CliException("--lba must not be negative: " + lba);
    }
    CenterClient client = new CenterClient(center);
    if (authorityKey != null) {
      client = client.pinnedTo(AuthorityKeys.parse("--authority-key", authorityKey));
    }
    if (userKey == null) {
      throw new CliException(
          "--user-key FILE is needed: the central site bills a copy only on a request the user"
              + " signed with the user key ('secdrive user-key create')");
    }
    UserKey key = UserKey.load(userKey);
    SoftwareCopy.Copied done;
    try (Drive masterDrive = Drive.open(master);
        Drive targetDrive = Drive.open(target);
        ProgressDisplay bar =
            ProgressDisplay.open(spec.commandLine().getErr(), "copy", progress, json)) {
      done =
          SoftwareCopy.copy(
              masterDrive, targetDrive, client, user, key, title, lba, bar.listener());
    }
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("titleId", done.titleId());
    value.put("scheme", done.scheme());
    value.put("mediumId", done.mediumId());
    value.put("serial", done.serial());
    value.put("lba", done.lba());
    value.put("dataLba", done.dataLba());
    value.put("bytes", done.plaintextLength());
    if (json) {
      Json.print(spec.commandLine().getOut(), value);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "copied %s (scheme %d, %s) to medium %s at LBA %d: %d bytes, copy serial %d%n",
              done.titleId(),
              done.scheme(),
              done.scheme() == MasterCatalog.SCHEME_CERTIFICATE
                  ? "copy certificate"
                  : "converted in the target drive",
              done.mediumId(),
              done.lba(),
              done.plaintextLength(),
              done.serial());
    }
    return 0;
  }
}
