package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Drive;
import dev.secdrive.kit.testing.ExternalTool;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture of every carrier, read back by tshark (Debian's package) with secdrive's Lua dissector:
 * the known exchange's fields come out of Wireshark's own SCSI dissector, over TCP, over iSCSI, and
 * over a serial line's messages and link frames, and the fault that fired is a comment on its
 * packet. The capture is started and stopped through the control API.
 */
class CaptureIT {

  private static final Path DISSECTOR = Path.of("..", "tools", "wireshark", "secdrive.lua");
  private static final int BLOCK = 2048;

  @TempDir Path media;
  @TempDir Path ptys;

  private static Path tshark() {
    return ExternalTool.onPath("tshark")
        .describedAs("tshark", "apt-get install -y tshark")
        .require();
  }

  /** tshark's {@code fields} of every packet of {@code capture} that {@code filter} admits. */
  private List<String> fields(Path capture, List<String> decodeAs, String filter, String... fields)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                tshark().toString(),
                "-r",
                capture.toString(),
                "-X",
                "lua_script:" + DISSECTOR.toAbsolutePath(),
                "-T",
                "fields",
                "-E",
                "separator=|",
                "-Y",
                filter));
    for (String rule : decodeAs) {
      command.addAll(List.of("-d", rule));
    }
    for (String field : fields) {
      command.addAll(List.of("-e", field));
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("HOME", media.toString()); // no user's Wireshark profile
    Process process = builder.redirectErrorStream(false).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "tshark ends");
    assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + err + out);
    assertTrue(!err.contains("Lua: Error"), err);
    return out.lines().toList();
  }

  @Test
  void tsharkReadsTheExchangeOfEveryCarrierThroughWiresharksScsiDissector() throws Exception {
    tshark(); // fails, naming the package, before anything starts
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "CAP-MO", "mo-640", null);
    IscsiEndpoint portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    byte[] data = new byte[2 * BLOCK];
    Arrays.fill(data, (byte) 0x5A);
    try (PtyPair pair = PtyPair.create(ptys, "cap");
        Emulator emulator =
            Rig.builder(media)
                .profiles(Rig.PROFILES)
                .timing(TimingMode.FAST)
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .endpoint(portal)
                .serial(pair.a().toString(), 921600)
                .control(new InetSocketAddress("127.0.0.1", 0))
                .drive(new DriveConfig(0, "mo-640", "CAP-0", "CAP-MO"))
                .start()) {
      String control = "http://" + Addresses.format(emulator.controlAddress().orElseThrow());
      Cli started =
          Cli.run("control", control, "--media-dir", media.toString(), "capture", "start", "run-1");
      assertEquals(0, started.exit(), started::toString);
      Path capture = media.resolve(".captures").resolve("run-1.pcapng");
      assertTrue(
          started.out().startsWith("capturing to " + capture.toAbsolutePath()), started::toString);

      emulator
          .target()
          .arm(
              FaultScript.parse(
                  "t", "faults:\n  - media-error: {lba: 77}\n".getBytes(StandardCharsets.UTF_8)));
      String tcp = "tcp://" + Addresses.format(emulator.address()) + "/0";
      try (Drive drive = Drive.open(tcp)) {
        drive.write(40, data);
        assertArrayEquals(data, drive.read(40, 2));
        DriveIT.assertSense(
            SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR, () -> drive.read(77, 1));
      }
      try (Drive drive = Drive.open(Rig.iscsiUri(portal, 0))) {
        assertArrayEquals(data, drive.read(40, 2));
        DriveIT.assertSense(
            SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR, () -> drive.read(77, 1));
      }
      try (Drive drive = Drive.open("serial://" + pair.b() + "?baud=921600")) {
        assertArrayEquals(data, drive.read(40, 2));
      }
      Cli stopped = Cli.run("control", control, "--media-dir", media.toString(), "capture", "stop");
      assertTrue(
          stopped.out().startsWith("captured " + capture.toAbsolutePath()), stopped::toString);

      int tcpPort = emulator.address().getPort();
      int iscsiPort = portal.address().getPort();
      List<String> decode = List.of("tcp.port==" + iscsiPort + ",iscsi");

      // TCP: the secdrive frames, and the SCSI dissector's reading of their CDBs and status.
      List<String> tcpReads =
          fields(
              capture,
              decode,
              "secdrive.kind == \"command\" && scsi_sbc.opcode == 0x28",
              "frame.interface_name",
              "secdrive.lun",
              "scsi_sbc.rdwr10.lba",
              "scsi_sbc.rdwr10.xferlen");
      assertTrue(
          tcpReads.stream()
              .anyMatch(
                  l ->
                      l.startsWith("tcp://127.0.0.1:" + tcpPort + " from /127.0.0.1:")
                          && l.endsWith("|0|40|2")),
          "READ(10) 40+2: " + tcpReads);
      assertTrue(tcpReads.stream().anyMatch(l -> l.endsWith("|0|77|1")), tcpReads.toString());
      List<String> checks =
          fields(
              capture,
              decode,
              "secdrive.kind == \"status\" && secdrive.status == 0x02",
              "frame.interface_name",
              "iscsi.scsiresponse.status",
              "scsi.sns.key",
              "scsi.sns.info",
              "scsi.sns.ascascq");
      assertTrue(
          checks.stream()
              .anyMatch(l -> l.startsWith("tcp://") && l.endsWith("|0x02|0x03|0x0000004d|0x1100")),
          "MEDIUM ERROR, UNRECOVERED READ ERROR at LBA 77, as the SCSI dissector reads it: "
              + checks);
      List<String> comments =
          fields(capture, decode, "frame.comment", "frame.interface_name", "frame.comment");
      for (String carrier : List.of("tcp://", "iscsi://")) {
        assertTrue(
            comments.stream()
                .anyMatch(
                    c ->
                        c.startsWith(carrier) && c.contains("|secdrive fault: read-error lba=77 ")),
            "the fault marks its point of the exchange on " + carrier + ": " + comments);
      }

      // iSCSI: Wireshark's own iSCSI dissector, no help needed.
      List<String> iscsiReads =
          fields(
              capture,
              decode,
              "iscsi.opcode == 0x01 && scsi_sbc.opcode == 0x28",
              "frame.interface_name",
              "scsi_sbc.rdwr10.lba");
      assertTrue(
          iscsiReads.contains("iscsi://127.0.0.1:" + iscsiPort + "|40"), iscsiReads.toString());

      // Serial: the link-layer messages are secdrive frames; the line carries COBS link frames.
      List<String> serialReads =
          fields(
              capture,
              decode,
              "secdrive && scsi_sbc.opcode == 0x28 && frame.interface_name contains \"serial\"",
              "frame.interface_name",
              "scsi_sbc.rdwr10.lba");
      assertTrue(serialReads.contains("serial:" + pair.a() + "|40"), serialReads.toString());
      List<String> link =
          fields(
              capture, decode, "secdrive_link.type", "frame.interface_name", "secdrive_link.type");
      assertTrue(
          link.stream()
              .anyMatch(l -> l.startsWith("serial:" + pair.a() + " line|") && l.contains("1")),
          link.toString());
      assertTrue(link.stream().anyMatch(l -> l.contains("2")), "acknowledgements too: " + link);
    }
  }
}
