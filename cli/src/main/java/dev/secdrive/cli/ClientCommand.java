package dev.secdrive.cli;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.ContentMove;
import dev.secdrive.host.flow.DistributorClient;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.UseConditions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code secdrive client}: the client of the content move (seed 002), a host with its drive dealing
 * with a distributor — register, download, license, update, play, copy certificate, move out, move
 * in, and the drive's client status.
 */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    description =
        "The content move (seed 002): register a drive with a distributor, download, license,"
            + " play, copy and move contents.",
    subcommands = {
      ClientCommand.Register.class,
      ClientCommand.Download.class,
      ClientCommand.License.class,
      ClientCommand.Update.class,
      ClientCommand.Play.class,
      ClientCommand.Certificate.class,
      ClientCommand.MoveOut.class,
      ClientCommand.MoveIn.class,
      ClientCommand.Status.class
    })
final class ClientCommand {

  private static final HexFormat HEX = HexFormat.of();

  /** A subcommand on the client's drive. */
  abstract static class Sub extends DriveSubcommand {
    <T> T onDrive(Function<Drive, T> action) {
      try (Drive drive = Drive.open(uri)) {
        return action.apply(drive);
      }
    }
  }

  /** A subcommand that talks to a distributor as the user. */
  abstract static class UserSub extends Sub {
    @Option(
        names = "--distributor",
        required = true,
        paramLabel = "URL",
        description = "The distributor's URL, e.g. http://127.0.0.1:7160.")
    String distributor;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "The user ID.")
    String user;

    @Option(
        names = "--password-file",
        required = true,
        paramLabel = "FILE",
        description = "File holding the user's password (its first line).")
    Path passwordFile;

    @Option(
        names = "--authority-key",
        paramLabel = "HEX",
        description =
            "The licensing authority's public key: refuse a distributor it did not certify"
                + " (the drive checks every record against its authority in any case).")
    String authorityKey;

    DistributorClient client() {
      String password;
      List<String> lines = SecretFileOption.read("--password-file", passwordFile).lines().toList();
      password = lines.isEmpty() ? "" : lines.get(0);
      if (password.isEmpty()) {
        throw new CliException("--password-file " + passwordFile + " holds no password");
      }
      DistributorClient client = new DistributorClient(distributor);
      if (authorityKey != null) {
        client = client.pinnedTo(AuthorityKeys.parse("--authority-key", authorityKey));
      }
      return client.asUser(user, password);
    }
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description =
          "S1-S4: preregister the drive with the distributor as the user's client and hand it the"
              + " service data (REGISTER CLIENT).")
  static final class Register extends UserSub {
    @Override
    public Integer call() {
      DistributorClient distributor = client();
      ContentMove.Registered r = onDrive(d -> ContentMove.register(d, distributor));
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("distributor", r.distributor());
      value.put("clientId", r.clientId());
      value.put("leafId", r.leafId());
      value.put("deviceId", r.deviceId());
      value.put("treeDepth", r.treeDepth());
      print(
          value,
          String.format(
              "drive %s is client %s of %s (leaf %d of a depth-%d key tree)",
              r.deviceId(), r.clientId(), r.distributor(), r.leafId(), r.treeDepth()));
      return 0;
    }
  }

  @Command(
      name = "download",
      mixinStandardHelpOptions = true,
      description =
          "S21-S25: download a content package (encrypted, with the current EKB) for the drive's"
              + " client into --out.")
  static final class Download extends UserSub {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Package file.")
    Path file;

    @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
    boolean progress;

    @Override
    public Integer call() {
      DistributorClient distributor = client();
      String clientId = onDrive(d -> registered(d).clientId());
      ContentMove.Downloaded done;
      try (ProgressDisplay bar = ProgressDisplay.open(err(), "download", progress, json)) {
        done = ContentMove.download(distributor, contentId, clientId, file, bar.listener());
      }
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", done.contentId());
      value.put("licenseId", done.licenseId());
      value.put("distributor", done.distributor());
      value.put("file", file.toString());
      value.put("bytes", done.bytes());
      print(
          value,
          String.format(
              "downloaded %s (license %s of %s) for %s: %d bytes to %s",
              done.contentId(),
              done.licenseId(),
              done.distributor(),
              clientId,
              done.bytes(),
              file));
      return 0;
    }
  }

  @Command(
      name = "license",
      mixinStandardHelpOptions = true,
      description = "S61-S66: buy a license of a content for the drive and install it.")
  static final class License extends UserSub {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Override
    public Integer call() {
      DistributorClient distributor = client();
      ContentMove.Licensed done = onDrive(d -> ContentMove.license(d, distributor, contentId));
      printLicensed(this, "licensed", done);
      return 0;
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "S91-S97: renew the drive's license of a content on an offer and install it.")
  static final class Update extends UserSub {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(names = "--offer", required = true, paramLabel = "ID", description = "Offer ID.")
    String offer;

    @Override
    public Integer call() {
      DistributorClient distributor = client();
      ContentMove.Licensed done =
          onDrive(d -> ContentMove.update(d, distributor, contentId, offer));
      printLicensed(this, "updated", done);
      return 0;
    }
  }

  private static void printLicensed(Sub sub, String verb, ContentMove.Licensed done) {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("contentId", done.contentId());
    value.put("licenseId", done.licenseId());
    value.put("serial", HEX.formatHex(done.serial()));
    value.put("conditions", conditions(done.installed().conditions()));
    value.put("billedCents", done.billedCents());
    sub.print(
        value,
        String.format(
            "%s %s (license %s, serial %s): %s; billed %s",
            verb,
            done.contentId(),
            done.licenseId(),
            HEX.formatHex(done.serial()),
            conditionsText(done.installed().conditions()),
            cents(done.billedCents())));
  }

  @Command(
      name = "play",
      mixinStandardHelpOptions = true,
      description =
          "S41-S50: play a content package at --lba of the loaded medium (written there from"
              + " --package first if it is not there), decrypted by the drive.")
  static final class Play extends Sub {
    @Option(
        names = "--package",
        paramLabel = "FILE",
        description = "The downloaded package, written at --lba unless it is there already.")
    Path packageFile;

    @Option(names = "--lba", required = true, paramLabel = "N", description = "Package LBA.")
    long lba;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the plaintext to FILE.")
    Path file;

    @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
    boolean progress;

    @Override
    public Integer call() throws IOException {
      ContentMove.Played played;
      if (file != null) {
        played = AtomicFiles.replace(file, this::play);
      } else {
        played = play(OutputStream.nullOutputStream());
      }
      String sha = HEX.formatHex(played.sha256());
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", played.contentId());
      value.put("lba", played.lba());
      value.put("written", played.written());
      value.put("bytes", played.bytes());
      value.put("sha256", sha);
      if (file != null) {
        value.put("file", file.toString());
      }
      print(
          value,
          String.format(
              "%s%d bytes of %s%s (SHA-256 %s)",
              played.written() ? "wrote the package at LBA " + played.lba() + "; " : "",
              played.bytes(),
              played.contentId(),
              file != null ? " to " + file : "",
              sha));
      return 0;
    }

    private ContentMove.Played play(OutputStream out) {
      try (Drive drive = Drive.open(uri);
          ProgressDisplay bar = ProgressDisplay.open(err(), "play", progress, json)) {
        return ContentMove.play(drive, packageFile, lba, out, bar.listener());
      } catch (UncheckedIOException e) {
        throw new CliException("cannot write " + file + ": " + e.getCause().getMessage(), e);
      }
    }
  }

  @Command(
      name = "certificate",
      mixinStandardHelpOptions = true,
      description =
          "S111-S115: get a contents copy certificate of the drive's license for another client of"
              + " the user, and store it in the drive.")
  static final class Certificate extends UserSub {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "CLIENT",
        description = "The destination client ID (e.g. leaf-130).")
    String destination;

    @Override
    public Integer call() {
      DistributorClient distributor = client();
      ContentMove.Certified done =
          onDrive(d -> ContentMove.certificate(d, distributor, contentId, destination));
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", done.contentId());
      value.put("serial", HEX.formatHex(done.serial()));
      value.put("destinationClientId", done.destinationClientId());
      value.put("destinationLeafId", done.destinationLeafId());
      value.put("billedCents", done.billedCents());
      print(
          value,
          String.format(
              "the drive holds copy certificate %s of %s for %s (leaf %d); billed %s",
              HEX.formatHex(done.serial()),
              done.contentId(),
              done.destinationClientId(),
              done.destinationLeafId(),
              cents(done.billedCents())));
      return 0;
    }
  }

  @Command(
      name = "move-out",
      mixinStandardHelpOptions = true,
      description =
          "S151-S153: write the package at --lba of the loaded medium (unless it is there) and"
              + " MOVE OUT the held certificate: the drive writes the move record after it.")
  static final class MoveOut extends Sub {
    @Option(names = "--content-id", required = true, paramLabel = "ID", description = "Content ID.")
    String contentId;

    @Option(names = "--package", paramLabel = "FILE", description = "The package file.")
    Path packageFile;

    @Option(names = "--lba", required = true, paramLabel = "N", description = "Package LBA.")
    long lba;

    @Override
    public Integer call() {
      ContentMove.MovedOut done = onDrive(d -> ContentMove.moveOut(d, packageFile, lba, contentId));
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", done.contentId());
      value.put("serial", HEX.formatHex(done.serial()));
      value.put("lba", done.lba());
      value.put("moveRecordLba", done.moveRecordLba());
      print(
          value,
          String.format(
              "moved %s out: package at LBA %d, move record at LBA %d; certificate %s given up",
              done.contentId(), done.lba(), done.moveRecordLba(), HEX.formatHex(done.serial())));
      return 0;
    }
  }

  @Command(
      name = "move-in",
      mixinStandardHelpOptions = true,
      description =
          "S161-S173: MOVE IN the package and move record at --lba of the loaded medium: the drive"
              + " checks the certificate and installs the license it carries.")
  static final class MoveIn extends Sub {
    @Option(names = "--lba", required = true, paramLabel = "N", description = "Package LBA.")
    long lba;

    @Override
    public Integer call() {
      ContentMove.MovedIn done = onDrive(d -> ContentMove.moveIn(d, lba));
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("contentId", done.contentId());
      value.put("licenseId", done.licenseId());
      value.put("issuer", done.issuer());
      value.put("lba", done.lba());
      print(
          value,
          String.format(
              "moved %s in from LBA %d: license %s of %s installed",
              done.contentId(), done.lba(), done.licenseId(), done.issuer()));
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "CLIENT STATUS: the drive's client, its licenses as they stand, held certificates and"
              + " used serials (never a key).")
  static final class Status extends Sub {
    @Override
    public Integer call() {
      ClientStatus status = onDrive(ContentMove::status);
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("registered", status.registered());
        status
            .client()
            .ifPresent(
                c -> {
                  value.put("distributor", c.distributor());
                  value.put("clientId", c.clientId());
                  value.put("leafId", c.leafId());
                  value.put("treeDepth", c.depth());
                  value.put("publicKey", HEX.formatHex(c.publicKey()));
                });
        value.put(
            "licenses",
            status.licenses().stream()
                .map(
                    e -> {
                      Map<String, Object> l = new LinkedHashMap<>();
                      l.put("licenseId", e.licenseId());
                      l.put("contentId", e.contentId());
                      l.put("issuer", e.issuer());
                      l.put("serial", HEX.formatHex(e.serial()));
                      l.put("conditions", conditions(e.conditions()));
                      return l;
                    })
                .toList());
        value.put(
            "certificates",
            status.certificates().stream()
                .map(
                    c -> {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("serial", HEX.formatHex(c.serial()));
                      m.put("contentId", c.contentId());
                      m.put("destinationLeafId", c.destinationLeafId());
                      return m;
                    })
                .toList());
        value.put("usedSerials", status.usedSerials());
        Json.print(out(), value);
        return 0;
      }
      if (status.client().isEmpty()) {
        out().println("not a registered client");
        return 0;
      }
      ClientStatus.Client c = status.client().get();
      out()
          .printf(
              "client %s of %s, leaf %d (depth %d); %d license(s), %d held certificate(s), %d"
                  + " used serial(s)%n",
              c.clientId(),
              c.distributor(),
              c.leafId(),
              c.depth(),
              status.licenses().size(),
              status.certificates().size(),
              status.usedSerials());
      for (ClientStatus.LicenseEntry e : status.licenses()) {
        out()
            .printf(
                "  license %-20s %-20s by %s: %s%n",
                e.licenseId(), e.contentId(), e.issuer(), conditionsText(e.conditions()));
      }
      for (ClientStatus.HeldCertificate h : status.certificates()) {
        out()
            .printf(
                "  certificate %s of %s for leaf %d%n",
                HEX.formatHex(h.serial()), h.contentId(), h.destinationLeafId());
      }
      return 0;
    }
  }

  // ---------------------------------------------------------------- helpers

  private static ClientStatus.Client registered(Drive drive) {
    return ContentMove.status(drive)
        .client()
        .orElseThrow(
            () ->
                new CliException(
                    "the drive "
                        + drive.uri()
                        + " is not a registered client: 'secdrive client register' first"));
  }

  static Map<String, Object> conditions(UseConditions c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("notBefore", Instant.ofEpochSecond(c.notBefore()).toString());
    m.put(
        "notAfter",
        c.notAfter() == UseConditions.NO_END
            ? null
            : Instant.ofEpochSecond(c.notAfter()).toString());
    m.put("plays", c.unlimitedPlays() ? null : c.plays());
    m.put("copyCertificates", c.copyCertificates());
    m.put("removableCopies", c.removableCopies());
    return m;
  }

  static String conditionsText(UseConditions c) {
    return String.format(
        "%s, %s, %d copy certificate(s), %d removable cop%s",
        c.unlimitedPlays() ? "unlimited plays" : c.plays() + " play(s) left",
        c.notAfter() == UseConditions.NO_END
            ? "no end"
            : "until " + Instant.ofEpochSecond(c.notAfter()),
        c.copyCertificates(),
        c.removableCopies(),
        c.removableCopies() == 1 ? "y" : "ies");
  }

  static String cents(long cents) {
    return cents == 0 ? "nothing" : String.format("%d.%02d", cents / 100, cents % 100);
  }
}
