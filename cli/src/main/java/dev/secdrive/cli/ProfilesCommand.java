package dev.secdrive.cli;

import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secdrive profiles}: the drive models and the media they take. */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = "List drive profiles and their medium types.")
final class ProfilesCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin Profiles profiles;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    var list = profiles.catalog().profiles();
    if (json) {
      Json.print(out, list);
      return 0;
    }
    for (DriveProfile p : list) {
      out.printf(
          "%-12s %s%n             %s %s %s, device type %02Xh%s%n",
          p.id(),
          p.description(),
          p.inquiry().vendor(),
          p.inquiry().product(),
          p.inquiry().revision(),
          p.inquiry().peripheralDeviceType(),
          p.inquiry().removable() ? ", removable" : "");
      for (MediumType m : p.media()) {
        out.printf(
            "             medium %-12s %4d-byte blocks x %d = %s%s%n",
            m.type(),
            m.blockSize(),
            m.blockCount(),
            Units.bytes(m.capacityBytes()),
            m.pressed() ? ", pressed" : "");
      }
    }
    return 0;
  }
}
