package dev.secdrive.cli;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.StandardInquiryData;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code secdrive drive URI ...}: send commands to a drive through the host driver. */
@Command(
    name = "drive",
    mixinStandardHelpOptions = true,
    description = "Send commands to a drive, e.g. secdrive drive tcp://127.0.0.1:7140/0 inquiry",
    subcommands = {
      DriveCommand.InquiryCmd.class,
      DriveCommand.CapacityCmd.class,
      DriveCommand.MediumIdCmd.class,
      DriveCommand.DeviceIdCmd.class,
      DriveCommand.TurCmd.class,
      DriveCommand.ReadCmd.class,
      DriveCommand.WriteCmd.class,
      DriveCommand.LoadCmd.class,
      DriveCommand.EjectCmd.class,
      DriveCommand.PreventCmd.class,
      DriveCommand.AllowCmd.class,
      DriveCommand.LunsCmd.class,
      DriveCommand.SenseCmd.class,
      DriveCommand.EventsCmd.class,
      DriveCommand.CommandsCmd.class
    })
final class DriveCommand {

  @Parameters(
      index = "0",
      paramLabel = "URI",
      description =
          "tcp://host[:port][/lun][?timeout=30s], serial:///dev/ttyX[?baud=N], or"
              + " iscsi://host[:port]/TARGET-NAME/LUN[?chap_name=N&chap_secret_file=F]")
  String uri;

  <T> T withDrive(Function<Drive, T> action) {
    try (Drive drive = Drive.open(uri)) {
      return action.apply(drive);
    }
  }

  /** Runs one command that returns nothing on the drive. */
  void run(java.util.function.Consumer<Drive> action) {
    try (Drive drive = Drive.open(uri)) {
      action.accept(drive);
    }
  }

  /** Base of the subcommands: the parent's URI, an output stream, {@code --json}. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand DriveCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** Prints {@code value} as JSON, or {@code text} for people. */
    void print(Object value, String text) {
      if (json) {
        Json.print(out(), value);
      } else {
        out().println(text);
      }
    }
  }

  @Command(name = "inquiry", description = "INQUIRY: identity, VPD pages, device identification.")
  static final class InquiryCmd extends Sub {
    @Override
    public Integer call() {
      return parent.withDrive(
          drive -> {
            StandardInquiryData inquiry = drive.inquiry();
            List<Integer> pages = drive.vpdPages();
            String deviceId = drive.deviceId();
            DeviceIdentification ids = drive.deviceIdentification();
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("inquiry", inquiry);
            all.put("vpdPages", pages);
            all.put("deviceId", deviceId);
            all.put("designators", ids.designators().stream().map(d -> d.text()).toList());
            print(
                all,
                String.format(
                    "vendor:       %s%nproduct:      %s%nrevision:     %s%n"
                        + "device type:  %02Xh%s%ndevice ID:    %s%nVPD pages:    %s%n"
                        + "designators:  %s",
                    inquiry.vendor(),
                    inquiry.product(),
                    inquiry.revision(),
                    inquiry.peripheralDeviceType(),
                    inquiry.removable() ? " (removable)" : "",
                    deviceId,
                    pages.stream().map(p -> String.format("%02Xh", p)).toList(),
                    ids.designators().stream().map(d -> d.text()).toList()));
            return 0;
          });
    }
  }

  @Command(name = "capacity", description = "READ CAPACITY: blocks and block size.")
  static final class CapacityCmd extends Sub {
    @Override
    public Integer call() {
      Capacity c = parent.withDrive(Drive::capacity);
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("lastLba", c.lastLba());
      value.put("blockSize", c.blockSize());
      value.put("blocks", c.blocks());
      value.put("bytes", c.bytes());
      print(
          value,
          String.format(
              "%d blocks of %d bytes (last LBA %d), %s",
              c.blocks(), c.blockSize(), c.lastLba(), Units.bytes(c.bytes())));
      return 0;
    }
  }

  @Command(name = "medium-id", description = "READ MEDIA SERIAL NUMBER: the medium ID.")
  static final class MediumIdCmd extends Sub {
    @Override
    public Integer call() {
      String id = parent.withDrive(Drive::mediumId);
      print(Map.of("mediumId", id), id);
      return 0;
    }
  }

  @Command(
      name = "device-id",
      description =
          "The drive's device ID (unit serial number, VPD 80h), as the label on the drive shows it.")
  static final class DeviceIdCmd extends Sub {
    @Option(names = "--plain", description = "Print only the ID.")
    boolean plain;

    @Override
    public Integer call() {
      parent.run(
          drive -> {
            String id = drive.deviceId();
            if (json || plain) {
              print(Map.of("deviceId", id), id);
            } else {
              out().print(Label.drive(drive.inquiry(), id));
              out().flush(); // print does not flush an autoflush PrintWriter
            }
          });
      return 0;
    }
  }

  @Command(name = "tur", description = "TEST UNIT READY; exits 1 with the sense when not ready.")
  static final class TurCmd extends Sub {
    @Override
    public Integer call() {
      parent.run(Drive::testUnitReady);
      print(Map.of("ready", true), "ready");
      return 0;
    }
  }

  @Command(name = "read", description = "Read blocks; hex dump, or raw bytes to --out.")
  static final class ReadCmd extends Sub {
    @Option(names = "--lba", required = true, description = "First block.")
    long lba;

    @Option(names = "--blocks", defaultValue = "1", description = "Number of blocks (default 1).")
    int blocks;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the bytes to FILE.")
    Path file;

    @Override
    public Integer call() throws IOException {
      byte[] data = parent.withDrive(drive -> drive.read(lba, blocks));
      if (file != null) {
        Files.write(file, data);
        print(
            Map.of("bytes", data.length, "file", file.toString()),
            data.length + " bytes to " + file);
      } else if (json) {
        Json.print(out(), Map.of("lba", lba, "blocks", blocks, "hex", ByteBufUtil.hexDump(data)));
      } else {
        out().print(ByteBufUtil.prettyHexDump(io.netty.buffer.Unpooled.wrappedBuffer(data)));
        out().println();
      }
      return 0;
    }
  }

  @Command(name = "write", description = "Write blocks from a file, a text, or a fill byte.")
  static final class WriteCmd extends Sub {
    @Option(names = "--lba", required = true, description = "First block.")
    long lba;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(
          names = "--in",
          paramLabel = "FILE",
          description = "Bytes from FILE, zero-padded to whole blocks.")
      Path file;

      @Option(names = "--text", description = "UTF-8 text, zero-padded to whole blocks.")
      String text;

      @Option(
          names = "--fill",
          paramLabel = "BYTE",
          description = "Fill --blocks blocks with BYTE (e.g. 0xA5).")
      String fill;
    }

    @Option(names = "--blocks", defaultValue = "1", description = "Blocks to fill with --fill.")
    int blocks;

    @Override
    public Integer call() {
      int written =
          parent.withDrive(
              drive -> {
                int blockSize = drive.capacity().blockSize();
                byte[] data = payload(blockSize);
                drive.write(lba, data);
                return data.length / blockSize;
              });
      print(Map.of("lba", lba, "blocks", written), "wrote " + written + " block(s) at LBA " + lba);
      return 0;
    }

    private byte[] payload(int blockSize) {
      byte[] raw;
      if (source.fill != null) {
        int value;
        try {
          value = Integer.decode(source.fill);
        } catch (NumberFormatException e) {
          throw new CliException("--fill '" + source.fill + "' is not a byte value");
        }
        if (value < 0 || value > 255) {
          throw new CliException("--fill '" + source.fill + "' is not a byte value (0..255)");
        }
        raw = new byte[Math.multiplyExact(blocks, blockSize)];
        java.util.Arrays.fill(raw, (byte) value);
        return raw;
      }
      if (source.file != null) {
        try {
          raw = Files.readAllBytes(source.file);
        } catch (NoSuchFileException e) {
          throw new CliException("input file " + source.file + " does not exist");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        raw = source.text.getBytes(StandardCharsets.UTF_8);
      }
      if (raw.length == 0) {
        throw new CliException("nothing to write: the input is empty");
      }
      int padded = (raw.length + blockSize - 1) / blockSize * blockSize;
      return java.util.Arrays.copyOf(raw, padded);
    }
  }

  @Command(name = "load", description = "START STOP UNIT: load the medium.")
  static final class LoadCmd extends Sub {
    @Override
    public Integer call() {
      parent.run(Drive::load);
      print(Map.of("loaded", true), "loaded");
      return 0;
    }
  }

  @Command(name = "eject", description = "START STOP UNIT: eject the medium.")
  static final class EjectCmd extends Sub {
    @Override
    public Integer call() {
      parent.run(Drive::eject);
      print(Map.of("ejected", true), "ejected");
      return 0;
    }
  }

  @Command(
      name = "prevent",
      description =
          "PREVENT MEDIUM REMOVAL (lasts while the connection does, so only as long as this command).")
  static final class PreventCmd extends Sub {
    @Override
    public Integer call() {
      parent.run(Drive::preventRemoval);
      print(
          Map.of("prevented", true), "removal prevented, and allowed again as this command ended");
      return 0;
    }
  }

  @Command(name = "allow", description = "ALLOW MEDIUM REMOVAL.")
  static final class AllowCmd extends Sub {
    @Override
    public Integer call() {
      parent.run(Drive::allowRemoval);
      print(Map.of("prevented", false), "removal allowed");
      return 0;
    }
  }

  @Command(name = "luns", description = "REPORT LUNS.")
  static final class LunsCmd extends Sub {
    @Override
    public Integer call() {
      List<Integer> luns = parent.withDrive(Drive::reportLuns);
      print(Map.of("luns", luns), luns.toString());
      return 0;
    }
  }

  @Command(name = "sense", description = "REQUEST SENSE.")
  static final class SenseCmd extends Sub {
    @Override
    public Integer call() {
      var sense = parent.withDrive(Drive::requestSense);
      print(sense, sense.describe());
      return 0;
    }
  }

  @Command(name = "events", description = "GET EVENT STATUS NOTIFICATION (media class).")
  static final class EventsCmd extends Sub {
    @Override
    public Integer call() {
      var event = parent.withDrive(Drive::mediaEvent);
      print(
          event,
          String.format(
              "event %s, medium %s, tray %s",
              event.event(),
              event.mediumPresent() ? "present" : "absent",
              event.trayOpen() ? "open" : "closed"));
      return 0;
    }
  }

  @Command(name = "commands", description = "REPORT SUPPORTED OPERATION CODES.")
  static final class CommandsCmd extends Sub {
    @Override
    public Integer call() {
      List<Opcode> commands = parent.withDrive(Drive::supportedCommands);
      print(
          commands.stream().map(Opcode::text).toList(),
          String.join("\n", commands.stream().map(Opcode::text).toList()));
      return 0;
    }
  }
}
