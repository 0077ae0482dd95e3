package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.endpoint.serial.SerialEndpoint;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.faults.FaultScriptException;
import dev.secdrive.emulator.firmware.DriveStatus;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.observe.CommandLog;
import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.iscsi.Chap;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
      "Run the drive emulator: drives as LUNs of one TCP endpoint (and an iSCSI portal with"
          + " --iscsi), plus an HTTP control API.",
      "",
      "Drive spec: lun=N[,profile=ID][,device-id=ID][,medium=ID]. Without --drive, one drive",
      "with the default profile (" + ProfileCatalog.DEFAULT_PROFILE + ") on LUN 0.",
      "Every drive must be enrolled first ('secdrive authority enrol'); serve never reads the",
      "authority file."
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
      names = "--iscsi",
      paramLabel = "HOST:PORT",
      description =
          "Also serve the drives as LUNs of one iSCSI target (RFC 7143, AuthMethod=None) on this"
              + " portal; port 0 picks one.")
  String iscsi;

  @Option(
      names = "--iscsi-chap-name",
      paramLabel = "NAME",
      description =
          "With --iscsi: require one-way CHAP from the initiator of this CHAP name (needs"
              + " --iscsi-chap-secret-file).")
  String iscsiChapName;

  @Option(
      names = "--iscsi-chap-secret-file",
      paramLabel = "FILE",
      description = "The initiator's CHAP secret, a file only its owner may read (one line).")
  Path iscsiChapSecretFile;

  @Option(
      names = "--iscsi-target-chap-name",
      paramLabel = "NAME",
      description =
          "With --iscsi-chap-name: the target's own CHAP name, so initiators that ask (mutual"
              + " CHAP) can authenticate the target too (needs --iscsi-target-chap-secret-file).")
  String iscsiTargetChapName;

  @Option(
      names = "--iscsi-target-chap-secret-file",
      paramLabel = "FILE",
      description =
          "The target's CHAP secret, a file only its owner may read (one line); it must differ"
              + " from the initiator's.")
  Path iscsiTargetChapSecretFile;

  @Option(
      names = "--iscsi-allow-cold-reset",
      description =
          "With --iscsi: let initiators TARGET COLD RESET, which drops every initiator's session"
              + " (refused by default; LUN and warm resets are always allowed).")
  boolean iscsiAllowColdReset;

  @Option(
      names = "--control",
      paramLabel = "HOST:PORT|none",
      defaultValue = "127.0.0.1:7141",
      description =
          "Address of the HTTP control API, or 'none' (default: ${DEFAULT-VALUE}); a loopback"
              + " address unless --control-remote.")
  String control;

  @Option(
      names = "--control-remote",
      description =
          "Let the control API listen on an address others can reach. Its token must exist"
              + " already: start once on loopback to make <media-dir>/.secdrive/control-token.")
  boolean controlRemote;

  @Option(
      names = "--timing",
      defaultValue = "fast",
      description = "fast (default, for tests) or realistic (the profile's load, seek, rates).")
  TimingMode timing;

  @Option(
      names = "--command-log",
      paramLabel = "LEVEL",
      defaultValue = "off",
      description =
          "Log a line per command (LUN, nexus, tag, operation, LBA and length, status and sense,"
              + " latency, fault) for drives whose spec names no log=LEVEL: off (default), errors"
              + " (not GOOD, or hit by a fault) or all.")
  String commandLog;

  @Option(
      names = "--faults",
      paramLabel = "FILE",
      description =
          "Arm a fault script (YAML or JSON): media errors, torn writes, power loss, disconnects,"
              + " delays, line noise; seeded, so a run replays (see README, Fault scripts).")
  Path faults;

  @Option(
      names = "--capture",
      paramLabel = "FILE.pcapng",
      description =
          "Capture every carrier's traffic (TCP, iSCSI, serial line and messages) to this new"
              + " pcapng file, for Wireshark with tools/wireshark/secdrive.lua.")
  Path capture;

  @Option(names = "--drive", paramLabel = "SPEC", description = "A drive; repeat for several.")
  List<String> drives = new ArrayList<>();

  @Option(
      names = "--serial",
      paramLabel = "DEVICE",
      description =
          "Also serve on this serial port (/dev/ttyUSB0, /dev/ttyACM0, a pty); repeatable.")
  List<String> serialPorts = new ArrayList<>();

  @Option(
      names = "--serial-loopback",
      description =
          "Serial loopback testing: make a pty pair with socat, serve on one end and print the"
              + " host's end.")
  boolean serialLoopback;

  @Option(
      names = "--line-faults",
      paramLabel = "SPEC",
      description =
          "With --serial-loopback: put a fault relay on the line, e.g."
              + " ber=1e-5,drop=1e-6,dup=1e-6,seed=42 (seeded, so a run can be replayed).")
  String lineFaults;

  @Mixin AnchorDirectory anchors;

  /** Taken only to say where it went: a running emulator never reads the authority file. */
  @Option(names = "--authority", paramLabel = "FILE", hidden = true)
  Path authority;

  @Option(
      names = "--baud",
      defaultValue = "115200",
      description = "Baud rate of the serial ports (default ${DEFAULT-VALUE}).")
  int baud;

  /** Parses {@code ber=1e-5,drop=1e-6,dup=1e-6,seed=42}; every key optional. */
  static LineNoise parseFaults(String spec) {
    double ber = 0;
    double drop = 0;
    double dup = 0;
    long seed = System.nanoTime();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new CliException(
            "--line-faults '" + spec + "': expected key=value, got '" + part + "'");
      }
      try {
        switch (kv[0].trim()) {
          case "ber" -> ber = Double.parseDouble(kv[1]);
          case "drop" -> drop = Double.parseDouble(kv[1]);
          case "dup" -> dup = Double.parseDouble(kv[1]);
          case "seed" -> seed = Long.parseLong(kv[1]);
          default ->
              throw new CliException(
                  "--line-faults '"
                      + spec
                      + "': unknown key '"
                      + kv[0]
                      + "' (known: ber, drop, dup, seed)");
        }
      } catch (NumberFormatException e) {
        throw new CliException("--line-faults '" + spec + "': '" + kv[1] + "' is not a number");
      }
    }
    try {
      return new LineNoise(ber, drop, dup, seed);
    } catch (IllegalArgumentException e) {
      throw new CliException("--line-faults '" + spec + "': " + e.getMessage());
    }
  }

  private static FaultScript faultScript(Path file) {
    try {
      return FaultScript.load(file);
    } catch (FaultScriptException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  private static CommandLog commandLog(String level) {
    try {
      return CommandLog.parse(level);
    } catch (IllegalArgumentException e) {
      throw new CliException("--command-log: " + e.getMessage());
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // shutting down
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Emulator.Builder builder =
        Emulator.builder()
            .mediaDirectory(media.directory)
            .profiles(profiles.catalog())
            .timing(timing)
            .commandLog(commandLog(commandLog))
            .faults(faults == null ? null : faultScript(faults))
            .capture(capture)
            .listen(Addresses.parse("--listen", listen));
    if (authority != null) {
      throw new CliException(
          "serve takes no --authority: a running emulator holds each drive's keys, never the"
              + " authority's signing key; enrol the drives first with 'secdrive authority enrol"
              + " --media-dir "
              + media.directory
              + " --authority "
              + authority
              + " --drive ...'");
    }
    builder.anchorDirectory(anchors.path());
    if (!control.equals("none")) {
      builder.control(Addresses.parse("--control", control)).remoteControl(controlRemote);
    } else if (controlRemote) {
      throw new CliException("--control-remote needs a control API (--control is 'none')");
    }
    for (String drive : drives) {
      builder.drive(DriveConfig.parse(drive, ProfileCatalog.DEFAULT_PROFILE));
    }
    for (String port : serialPorts) {
      builder.serial(port, baud);
    }
    if ((iscsiChapName == null) != (iscsiChapSecretFile == null)) {
      throw new CliException("--iscsi-chap-name and --iscsi-chap-secret-file go together");
    }
    if (iscsiChapName != null && iscsi == null) {
      throw new CliException("--iscsi-chap-name needs --iscsi");
    }
    if ((iscsiTargetChapName == null) != (iscsiTargetChapSecretFile == null)) {
      throw new CliException(
          "--iscsi-target-chap-name and --iscsi-target-chap-secret-file go together");
    }
    if (iscsiTargetChapName != null && iscsiChapName == null) {
      throw new CliException("--iscsi-target-chap-name needs --iscsi-chap-name");
    }
    if (iscsi != null) {
      Optional<Chap.Credentials> chap = Optional.empty();
      Optional<Chap.Credentials> targetChap = Optional.empty();
      if (iscsiChapName != null) {
        chap =
            Optional.of(
                chapCredentials(iscsiChapName, "--iscsi-chap-secret-file", iscsiChapSecretFile));
      }
      if (iscsiTargetChapName != null) {
        targetChap =
            Optional.of(
                chapCredentials(
                    iscsiTargetChapName,
                    "--iscsi-target-chap-secret-file",
                    iscsiTargetChapSecretFile));
      }
      try {
        builder.endpoint(
            new IscsiEndpoint(
                Addresses.parse("--iscsi", iscsi),
                IscsiEndpoint.DEFAULT_TARGET_NAME,
                chap,
                targetChap,
                iscsiAllowColdReset));
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
    }
    if (lineFaults != null && !serialLoopback) {
      throw new CliException("--line-faults needs --serial-loopback");
    }
    LineNoise faults = lineFaults == null ? null : parseFaults(lineFaults);
    List<AutoCloseable> rig = new ArrayList<>();
    String hostEnd = null;
    Emulator emulator;
    try {
      if (serialLoopback) {
        Path directory = Files.createTempDirectory("secdrive-serial-");
        rig.add(() -> Files.deleteIfExists(directory)); // closed last: pairs remove their links
        PtyPair device = PtyPair.create(directory, "device");
        rig.add(0, device);
        builder.serial(device.a().toString(), baud);
        hostEnd = device.b().toString();
        if (faults != null) {
          PtyPair host = PtyPair.create(directory, "host");
          rig.add(0, host);
          rig.add(0, FaultRelay.start(host.b(), device.b(), faults));
          hostEnd = host.a().toString();
        }
      }
      emulator = builder.start();
    } catch (RuntimeException e) {
      closeAll(rig);
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  emulator.close();
                  closeAll(rig);
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
    for (IscsiEndpoint portal : emulator.endpoints(IscsiEndpoint.class)) {
      out.println("secdrive: serving on " + portal.description());
    }
    for (SerialEndpoint port : emulator.endpoints(SerialEndpoint.class)) {
      out.println("secdrive: serving on " + port.description());
    }
    if (hostEnd != null) {
      out.println(
          "secdrive: serial loopback"
              + (faults != null
                  ? String.format(
                      " through a fault relay (ber=%s,drop=%s,dup=%s,seed=%d)",
                      faults.bitErrorRate(),
                      faults.dropRate(),
                      faults.duplicateRate(),
                      faults.seed())
                  : "")
              + ": hosts use serial://"
              + hostEnd
              + "?baud="
              + baud);
    }
    emulator
        .controlAddress()
        .ifPresent(a -> out.println("secdrive: control API on http://" + Addresses.format(a)));
    emulator
        .controlToken()
        .ifPresent(
            token ->
                out.println(
                    token.created()
                        ? "secdrive: control token created in "
                            + token.file()
                            + " (shown once; clients read the file): "
                            + token.value()
                        : "secdrive: control token in " + token.file()));
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

  private static Chap.Credentials chapCredentials(String name, String option, Path file) {
    String secret = SecretFileOption.read(option, file).strip();
    if (secret.isEmpty()) {
      throw new CliException(option + " " + file + " is empty");
    }
    try {
      return Chap.Credentials.of(name, secret);
    } catch (IllegalArgumentException e) {
      throw new CliException(option + ": " + e.getMessage());
    }
  }
}
