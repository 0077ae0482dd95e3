package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.DriveStatus;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.profiles.ProfileCatalog;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secdrive serve}: runs the emulator until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the drive emulator: drives as LUNs of one TCP endpoint, plus an HTTP control API.",
      "",
      "Drive spec: lun=N[,profile=ID][,device-id=ID][,medium=ID]. Without --drive, one drive",
      "with the default profile (" + ProfileCatalog.DEFAULT_PROFILE + ") on LUN 0."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin MediaDirectory media;
  @Mixin Profiles profiles;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7140",
      description = "Address hosts connect to (default: ${DEFAULT-VALUE}; port 0 picks one).")
  String listen;

  @Option(
      names = "--control",
      paramLabel = "HOST:PORT|none",
      defaultValue = "127.0.0.1:7141",
      description = "Address of the HTTP control API, or 'none' (default: ${DEFAULT-VALUE}).")
  String control;

  @Option(
      names = "--timing",
      defaultValue = "fast",
      description = "fast (default, for tests) or realistic (the profile's load, seek, rates).")
  TimingMode timing;

  @Option(names = "--drive", paramLabel = "SPEC", description = "A drive; repeat for several.")
  List<String> drives = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Emulator.Builder builder =
        Emulator.builder()
            .mediaDirectory(media.directory)
            .profiles(profiles.catalog())
            .timing(timing)
            .listen(Addresses.parse("--listen", listen));
    if (!control.equals("none")) {
      builder.control(Addresses.parse("--control", control));
    }
    for (String drive : drives) {
      builder.drive(DriveConfig.parse(drive, ProfileCatalog.DEFAULT_PROFILE));
    }
    Emulator emulator = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  emulator.close();
                  stopped.countDown();
                },
                "secdrive-shutdown"));
    for (DriveStatus drive : emulator.status()) {
      out.printf(
          "secdrive: drive %d: %s, device ID %s, medium %s%n",
          drive.lun(),
          drive.profile(),
          drive.deviceId(),
          drive.mediumId() == null ? "none" : drive.mediumId());
    }
    emulator
        .controlAddress()
        .ifPresent(a -> out.println("secdrive: control API on http://" + Addresses.format(a)));
    out.println(
        "secdrive: serving on tcp://"
            + Addresses.format(emulator.address())
            + " with "
            + timing.name().toLowerCase()
            + " timing (Ctrl-C stops)");
    out.flush();
    stopped.await();
    return 0;
  }
}
