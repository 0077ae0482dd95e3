package dev.secdrive.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Options every subcommand on one drive has ({@code secdrive client ...}, {@code secdrive license
 * ...}): the drive's URI, {@code --json}, and the output streams.
 */
abstract class DriveSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "URI",
      description = "The drive: tcp://host[:port][/lun][?timeout=30s]")
  String uri;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  void print(Object value, String text) {
    if (json) {
      Json.print(out(), value);
    } else {
      out().println(text);
    }
  }
}
