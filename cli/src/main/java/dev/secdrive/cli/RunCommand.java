package dev.secdrive.cli;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.Runner;
import dev.secdrive.kit.files.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive run}: the execution path of a copied title (FIG. 6, FIG. 10). A certificate copy
 * is checked (authority, site signature, title, this medium's ID), then both schemes play through
 * the drive with the title's key from the medium's secure area, which never reaches the host.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run a copied title through the drive, after verifying its copy certificate (scheme 1)."
            + " Writes the plaintext to --out, or prints its length and SHA-256.")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI", description = "The drive holding the copy.")
  String uri;

  @Option(names = "--title", required = true, paramLabel = "ID", description = "Title ID.")
  String title;

  @Option(
      names = "--lba",
      defaultValue = "0",
      paramLabel = "N",
      description = "Where the copy starts (default: ${DEFAULT-VALUE}).")
  long lba;

  @Option(
      names = "--authority-key",
      paramLabel = "HEX",
      description = "The licensing authority's public key (scheme 1; or --center).")
  String authorityKey;

  @Option(
      names = "--center",
      paramLabel = "URL",
      description = "Central site to learn the authority's public key from (scheme 1).")
  String center;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the plaintext to FILE.")
  Path file;

  @Option(names = "--progress", description = "Show a progress bar even when not interactive.")
  boolean progress;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    byte[] authority = authority();
    Runner.Ran ran;
    if (file != null) {
      // Into a temporary file renamed at the end: a refused run leaves no torn plaintext.
      ran = AtomicFiles.replace(file, out -> run(authority, out));
    } else {
      ran = run(authority, OutputStream.nullOutputStream());
    }
    String sha = HexFormat.of().formatHex(ran.sha256());
    if (json) {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("titleId", ran.titleId());
      value.put("scheme", ran.scheme());
      value.put("bytes", ran.bytes());
      value.put("sha256", sha);
      if (file != null) {
        value.put("file", file.toString());
      }
      Json.print(spec.commandLine().getOut(), value);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "ran %s (scheme %d): %d bytes%s, SHA-256 %s%n",
              ran.titleId(), ran.scheme(), ran.bytes(), file != null ? " to " + file : "", sha);
    }
    return 0;
  }

  private byte[] authority() {
    if (authorityKey != null && center != null) {
      throw new CliException("give --authority-key or --center, not both");
    }
    if (authorityKey != null) {
      return AuthorityKeys.parse("--authority-key", authorityKey);
    }
    if (center != null) {
      return new CenterClient(center).center().authorityPublicKey();
    }
    return null;
  }

  private Runner.Ran run(byte[] authority, OutputStream out) {
    try (Drive drive = Drive.open(uri);
        ProgressDisplay bar =
            ProgressDisplay.open(spec.commandLine().getErr(), "run", progress, json)) {
      return Runner.run(drive, title, lba, authority, out, bar.listener());
    } catch (UncheckedIOException e) {
      throw new CliException("cannot write " + file + ": " + e.getCause().getMessage(), e);
    }
  }
}
