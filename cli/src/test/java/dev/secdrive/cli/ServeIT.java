package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secdrive.emulator.control.ControlToken;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.host.api.Drive;
import dev.secdrive.kit.testing.ExternalTool;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive serve} as a separate process, as users run it: drives as LUNs, the control API,
 * data surviving kill -9, and start-up errors.
 */
class ServeIT {

  private static final Pattern SERVING = Pattern.compile("serving on (tcp://\\S+) ");
  private static final Pattern CONTROL = Pattern.compile("control API on (http://\\S+)");

  @TempDir Path media;
  @TempDir Path anchors;
  @TempDir Path keys;

  /**
   * A running {@code secdrive serve}, the addresses it printed, the lines up to them, and the lines
   * after them as a thread reads them on.
   */
  record Server(
      Process process,
      String tcp,
      String control,
      List<String> lines,
      Thread reader,
      List<String> later)
      implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
      process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C would: the shutdown hook closes the emulator and any socat it runs. */
    void stop() throws InterruptedException {
      process.destroy();
      assertTrue(process.waitFor(10, TimeUnit.SECONDS), "serve stops on SIGTERM");
    }

    /** Stops the server, then everything it printed after its addresses. */
    List<String> stopAndReadTheRest() throws InterruptedException {
      stop();
      reader.join(TimeUnit.SECONDS.toMillis(30)); // the pipe ends with the process
      synchronized (later) {
        return List.copyOf(later);
      }
    }
  }

  /** {@code secdrive serve} in a process of its own, its anchors in this test's directory. */
  Server serve(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of(javaBinary(), "-jar", jar().toString(), "serve"));
    command.addAll(List.of(args));
    command.addAll(List.of("--anchor-dir", anchors.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // were an --anchor-dir forgotten, the default store would still not be the user's
    builder.environment().put("XDG_STATE_HOME", anchors.toString());
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String tcp = null;
    String control = null;
    for (String line; (line = out.readLine()) != null; ) {
      lines.add(line);
      Matcher c = CONTROL.matcher(line);
      if (c.find()) {
        control = c.group(1);
      }
      Matcher s = SERVING.matcher(line);
      if (s.find()) {
        tcp = s.group(1);
        break;
      }
    }
    List<String> later = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  later.add(line);
                }
              } catch (IOException closed) {
                // the process is gone
              }
            },
            "serve-output");
    reader.setDaemon(true);
    reader.start();
    return new Server(process, tcp, control, lines, reader, later);
  }

  /** {@code secdrive serve} in-process, for its refusals, with this test's anchors. */
  Cli serveInProcess(String... args) {
    List<String> command = new ArrayList<>(List.of("serve"));
    command.addAll(List.of(args));
    command.addAll(List.of("--anchor-dir", anchors.toString()));
    return Cli.run(command.toArray(String[]::new));
  }

  /** A development authority for this test, created on first use. */
  Path authorityFile() {
    Path file = keys.resolve("authority.json");
    if (!Files.exists(file)) {
      assertEquals(0, Cli.run("authority", "init", "--file", file.toString()).exit());
    }
    return file;
  }

  /** {@code secdrive authority enrol} of {@code drives} (serve's specs) in this media directory. */
  void enrol(String... drives) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "authority",
                "enrol",
                "--media-dir",
                media.toString(),
                "--authority",
                authorityFile().toString(),
                "--anchor-dir",
                anchors.toString()));
    for (String drive : drives) {
      command.addAll(List.of("--drive", drive));
    }
    Cli enrolled = Cli.run(command.toArray(String[]::new));
    assertEquals(0, enrolled.exit(), enrolled::toString);
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static Path jar() {
    Path jar = Path.of("target", "secdrive.jar");
    assertTrue(
        Files.exists(jar), "the shaded jar is built in the package phase: " + jar.toAbsolutePath());
    return jar;
  }

  @Test
  void servesSeveralDrivesAndKeepsDataAcrossKill9() throws Exception {
    assertEquals(
        0, Cli.run("media", "create", "--media-dir", media.toString(), "--id", "DISC-A").exit());
    assertEquals(
        0,
        Cli.run(
                "media",
                "create",
                "--media-dir",
                media.toString(),
                "--id",
                "DISC-B",
                "--type",
                "dvd-ram-4.7")
            .exit());
    byte[] data = DriveIT.bytes(8 * 2048, 11);
    enrol("lun=0,device-id=SERVE-0", "lun=1,device-id=SERVE-1", "lun=0");
    try (Server server =
        serve(
            "--media-dir", media.toString(),
            "--listen", "127.0.0.1:0",
            "--control", "127.0.0.1:0",
            "--drive", "lun=0,profile=mo-640,device-id=SERVE-0,medium=DISC-A",
            "--drive", "lun=1,profile=dvd-ram,device-id=SERVE-1")) {
      assertTrue(server.tcp() != null && server.control() != null, server.lines()::toString);
      assertTrue(
          server.lines().get(0).contains("drive 0: mo-640, device ID SERVE-0, medium DISC-A"),
          server.lines()::toString);
      try (Drive lun0 = Drive.open(server.tcp() + "/0");
          Drive lun1 = Drive.open(server.tcp() + "/1")) {
        assertEquals(List.of(0, 1), lun0.reportLuns());
        assertEquals("SERVE-1", lun1.deviceId());
        lun0.write(40, data);
        assertEquals(
            0,
            Cli.run(
                    "control",
                    server.control(),
                    "--media-dir",
                    media.toString(),
                    "--lun",
                    "1",
                    "insert",
                    "DISC-B")
                .exit());
        DriveIT.assertSense(
            dev.secdrive.protocol.sense.SenseKey.UNIT_ATTENTION,
            dev.secdrive.protocol.sense.AdditionalSense.MEDIUM_MAY_HAVE_CHANGED,
            lun1::testUnitReady);
        assertEquals("DISC-B", lun1.mediumId());
      }
    }
    // Killed with SIGKILL above; a new process finds the data.
    try (Server again =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,medium=DISC-A")) {
      try (Drive drive = Drive.open(again.tcp() + "/0")) {
        assertArrayEquals(data, drive.read(40, 8));
      }
    }
  }

  /** {@code name{labels} value} lines of a Prometheus scrape, by series. */
  static Map<String, Double> series(String scrape) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : scrape.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return series;
  }

  /** The sum of the series whose text contains every one of {@code parts}. */
  static double sum(Map<String, Double> series, String... parts) {
    return series.entrySet().stream()
        .filter(e -> Arrays.stream(parts).allMatch(e.getKey()::contains))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  @Test
  void commandsAreLoggedPerDriveAndCountedPerDriveAndEndpoint() throws Exception {
    assertEquals(
        0, Cli.run("media", "create", "--media-dir", media.toString(), "--id", "DISC-A").exit());
    enrol("lun=0", "lun=1");
    // A marker no line of the log may show: data bytes never reach it.
    byte[] data = new byte[8 * 2048];
    byte[] marker = "DATA-MARKER-7f3a".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + marker.length <= data.length; i += marker.length) {
      System.arraycopy(marker, 0, data, i, marker.length);
    }
    try (Server server =
        serve(
            "--media-dir", media.toString(),
            "--listen", "127.0.0.1:0",
            "--control", "127.0.0.1:0",
            "--iscsi", "127.0.0.1:0",
            "--command-log", "errors",
            "--capture", keys.resolve("serve.pcapng").toString(),
            "--drive", "lun=0,medium=DISC-A,log=all",
            "--drive", "lun=1")) {
      assertTrue(server.tcp() != null && server.control() != null, server.lines()::toString);
      Matcher portal =
          server.lines().stream()
              .map(Pattern.compile("serving on ((iscsi://127\\.0\\.0\\.1:\\d+)/\\S+)$")::matcher)
              .filter(Matcher::find)
              .findFirst()
              .orElseThrow();
      String iscsi = portal.group(2);
      String control = server.control();
      String tcp = server.tcp();
      try (Drive lun0 = Drive.open(tcp + "/0");
          Drive lun1 = Drive.open(tcp + "/1")) {
        lun0.write(40, data);
        assertArrayEquals(data, lun0.read(40, 8));
        Cli fault =
            Cli.run(
                "control",
                control,
                "--media-dir",
                media.toString(),
                "faults",
                "--read-error",
                "43");
        assertEquals(0, fault.exit(), fault::toString);
        DriveIT.assertSense(
            SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR, () -> lun0.read(40, 8));
        DriveIT.assertSense(
            SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT, lun1::testUnitReady);
      }
      try (Drive overIscsi = Drive.open(portal.group(1) + "/0")) {
        assertArrayEquals(Arrays.copyOf(data, 2 * 2048), overIscsi.read(40, 2));
      }
      Cli level = Cli.run("control", control, "--media-dir", media.toString(), "--lun", "1", "log");
      assertEquals("drive 1: command log errors", level.out().trim(), level::toString);

      Cli scrape = Cli.run("control", control, "--media-dir", media.toString(), "metrics");
      assertEquals(0, scrape.exit(), scrape::toString);
      Map<String, Double> metrics = series(scrape.out());
      String overTcp = "endpoint=\"" + tcp + "\",lun=\"0\"";
      assertEquals(
          1,
          sum(metrics, "secdrive_commands_total{", overTcp, "opcode=\"READ(", "CHECK_CONDITION"),
          scrape.out());
      assertTrue(sum(metrics, "secdrive_commands_total{", overTcp, "opcode=\"READ(", "GOOD") >= 1);
      assertTrue(sum(metrics, "secdrive_commands_total{", overTcp, "opcode=\"WRITE(") >= 1);
      assertEquals(
          1, sum(metrics, "secdrive_command_errors_total{asc=\"11/00\"", overTcp, "MEDIUM_ERROR"));
      assertTrue(
          sum(metrics, "secdrive_command_errors_total{asc=\"3A/00\"", "lun=\"1\"", "NOT_READY")
              >= 1,
          scrape.out());
      assertTrue(
          sum(metrics, "secdrive_data_bytes_total{direction=\"in\"", overTcp) >= data.length);
      assertTrue(
          sum(metrics, "secdrive_data_bytes_total{direction=\"out\"", overTcp) >= data.length);
      assertEquals(
          sum(metrics, "secdrive_commands_total{", overTcp),
          sum(metrics, "secdrive_command_seconds_count{", overTcp),
          "every command answered is timed");
      assertTrue(sum(metrics, "secdrive_faults_total{kind=\"read-error\",lun=\"0\"}") >= 1);
      assertTrue(
          sum(metrics, "secdrive_commands_total{endpoint=\"" + iscsi + "\",lun=\"0\"") >= 1,
          "the iSCSI endpoint counts apart: " + scrape.out());
      assertEquals(
          1,
          sum(
              metrics,
              "http_server_requests_seconds_count{method=\"POST\",route=\"/drives/{}/faults\"",
              "server=\"secdrive-control\",status=\"200\""));

      String log = String.join("\n", server.stopAndReadTheRest());
      List<String> lines = log.lines().filter(l -> l.contains("lun=")).toList();
      assertTrue(
          lines.stream()
              .anyMatch(
                  l ->
                      l.contains("lun=0 endpoint=" + tcp)
                          && l.contains("status=CHECK_CONDITION sense=03/11/00")
                          && l.contains("fault=\"read-error lba=43\"")
                          && l.contains(" lba=40 blocks=8 ")),
          log);
      assertTrue(
          lines.stream()
              .anyMatch(l -> l.contains("lun=0 endpoint=" + tcp) && l.contains("status=GOOD")),
          "lun 0 logs every command: " + log);
      assertTrue(
          lines.stream().anyMatch(l -> l.contains("lun=1 ") && l.contains("sense=02/3A/00")), log);
      assertFalse(
          lines.stream().anyMatch(l -> l.contains("lun=1 ") && l.contains("status=GOOD")),
          "lun 1 logs errors only: " + log);
      assertTrue(lines.stream().anyMatch(l -> l.contains("lun=0 endpoint=" + iscsi)), log);
      assertTrue(log.contains("server=secdrive-control method=GET route=/metrics status=200"), log);
      assertTrue(log.contains("route=/drives/{}/log status=200"), log);
      String token = ControlToken.load(ControlToken.defaultFile(media)).value();
      assertFalse(log.contains(token), "the control token is never logged");
      assertFalse(log.contains("DATA-MARKER"), "data bytes are never logged");
      byte[] capture = Files.readAllBytes(keys.resolve("serve.pcapng"));
      assertEquals(
          0x0A0D0D0A,
          java.nio.ByteBuffer.wrap(capture).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0),
          "pcapng");
      assertTrue(
          new String(capture, StandardCharsets.ISO_8859_1).contains("DATA-MARKER-7f3a"),
          "the capture holds what crossed the wire, the data too, closed whole at SIGTERM");
    }
  }

  @Test
  void startUpErrorsNameTheProblem() throws Exception {
    enrol("lun=0", "lun=0,device-id=OTHER-DRIVE");
    Cli profile =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,profile=zip-100");
    assertEquals(1, profile.exit());
    assertTrue(
        profile
            .err()
            .contains(
                "unknown drive profile 'zip-100' (known: cdda, cdrom, dvd-ram, floppy-1.44, mo-230, mo-640)"),
        profile::toString);

    Cli missing =
        serveInProcess(
            "--media-dir", media.resolve("absent").toString(), "--listen", "127.0.0.1:0");
    assertTrue(
        missing.err().contains("media directory " + media.resolve("absent") + " does not exist"),
        missing::toString);

    Cli spec = serveInProcess("--media-dir", media.toString(), "--drive", "lun=0,color=blue");
    assertTrue(
        spec.err().contains("unknown key 'color' (known: lun, profile, device-id, medium, log)"),
        spec::toString);

    Path script = keys.resolve("faults.yaml");
    Files.writeString(script, "faults:\n  - media-error: {lun: 7, lba: 1}\n");
    Cli noDrive =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--faults",
            script.toString());
    assertEquals(1, noDrive.exit(), noDrive::toString);
    assertTrue(
        noDrive.err().contains("$.faults[0].media-error.lun: no drive on LUN 7 (drives: [0])"),
        noDrive::toString);
    Cli noFile =
        serveInProcess(
            "--media-dir", media.toString(), "--faults", keys.resolve("none.yaml").toString());
    assertTrue(
        noFile.err().contains("fault script " + keys.resolve("none.yaml") + " does not exist"),
        noFile::toString);

    Cli medium =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,medium=GHOST");
    assertTrue(medium.err().contains("no medium GHOST in " + media), medium::toString);

    Cli.run("media", "create", "--media-dir", media.toString(), "--id", "SHORT");
    try (var image =
        java.nio.channels.FileChannel.open(
            media.resolve("SHORT/user.img"), java.nio.file.StandardOpenOption.WRITE)) {
      image.truncate(4096);
    }
    Cli corrupt =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,medium=SHORT");
    assertTrue(
        corrupt.err().contains("is 4096 bytes, expected 635600896 (corrupt or truncated image)"),
        corrupt::toString);

    try (Server first =
        serve("--media-dir", media.toString(), "--listen", "127.0.0.1:0", "--control", "none")) {
      String busyPort = first.tcp().substring(first.tcp().lastIndexOf(':') + 1);
      Cli busy =
          serveInProcess(
              "--media-dir",
              media.toString(),
              "--listen",
              "127.0.0.1:" + busyPort,
              "--control",
              "none",
              "--drive",
              "lun=0,device-id=OTHER-DRIVE");
      assertEquals(1, busy.exit());
      assertTrue(busy.err().contains("cannot listen on 127.0.0.1"), busy::toString);
      assertTrue(busy.err().contains("Address already in use"), busy::toString);
      // The same drive cannot run twice on one media directory: it would share its counter.
      Cli twice =
          serveInProcess(
              "--media-dir", media.toString(), "--listen", "127.0.0.1:0", "--control", "none");
      assertEquals(1, twice.exit());
      assertTrue(twice.err().contains("is already running in another emulator"), twice::toString);
    }
  }

  /**
   * A running emulator holds each drive's keys, never the authority's signing key: serve starts and
   * runs the license flows with the authority file gone and an unreadable file where the default
   * one would be.
   */
  @Test
  void serveRunsOnTheDrivesKeysAloneAndNeverOpensTheAuthorityFile() throws Exception {
    assertEquals(
        0, Cli.run("media", "create", "--media-dir", media.toString(), "--id", "KEYS-MO").exit());
    enrol("lun=0,device-id=KEYS-ONLY");
    Path credential = keys.resolve("studio.json");
    Cli licensor =
        Cli.run(
            "authority",
            "licensor",
            "--authority",
            authorityFile().toString(),
            "--name",
            "Studio",
            "--out",
            credential.toString());
    assertEquals(0, licensor.exit(), licensor::toString);
    Files.delete(authorityFile());
    Path defaultFile = media.resolve(".secdrive").resolve("authority.json");
    Files.writeString(defaultFile, "not an authority");
    Files.setPosixFilePermissions(
        defaultFile, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
    byte[] title = DriveIT.bytes(20_000, 13);
    Path in = Files.write(keys.resolve("title.bin"), title);
    Path out = keys.resolve("played.bin");
    try (Server server =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--drive",
            "lun=0,device-id=KEYS-ONLY,medium=KEYS-MO")) {
      assertTrue(server.tcp() != null, server.lines()::toString);
      String uri = server.tcp() + "/0";
      Cli provision =
          Cli.run(
              "license",
              "provision",
              uri,
              "--credential",
              credential.toString(),
              "--content-id",
              "T-1",
              "--in",
              in.toString(),
              "--lba",
              "100");
      assertEquals(0, provision.exit(), provision::toString);
      Cli play =
          Cli.run(
              "license",
              "play",
              uri,
              "--content-id",
              "T-1",
              "--lba",
              "100",
              "--out",
              out.toString());
      assertEquals(0, play.exit(), play::toString);
      assertArrayEquals(title, Files.readAllBytes(out));
    }
  }

  @Test
  void theControlApiTakesOnlyItsTokenAndStaysOnLoopbackUnlessAsked() throws Exception {
    enrol("lun=0");
    Path file = media.resolve(".secdrive").resolve("control-token");
    Cli open =
        serveInProcess(
            "--media-dir", media.toString(), "--listen", "127.0.0.1:0", "--control", "0.0.0.0:0");
    assertEquals(1, open.exit());
    assertTrue(open.err().contains("which is not a loopback address"), open::toString);
    assertTrue(open.err().contains("--control-remote"), open::toString);
    Cli noToken =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "0.0.0.0:0",
            "--control-remote");
    assertEquals(1, noToken.exit());
    assertTrue(noToken.err().contains("secdrive: no control token at " + file), noToken::toString);
    assertFalse(Files.exists(file), "a remote start makes no token");

    String value;
    try (Server first =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0")) {
      value = Files.readString(file).strip();
      assertTrue(
          first
              .lines()
              .contains(
                  "secdrive: control token created in "
                      + file
                      + " (shown once; clients read the file): "
                      + value),
          first.lines()::toString);
      Cli status = Cli.run("control", first.control(), "--media-dir", media.toString(), "status");
      assertEquals(0, status.exit(), status::toString);
      assertTrue(status.out().contains("drive 0 (mo-640"), status::toString);
    }
    try (Server remote =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "0.0.0.0:0",
            "--control-remote")) {
      assertTrue(
          remote.lines().contains("secdrive: control token in " + file), remote.lines()::toString);
      assertTrue(remote.lines().stream().noneMatch(l -> l.contains(value)), "shown only once");
      String port = remote.control().substring(remote.control().lastIndexOf(':') + 1);
      Cli status =
          Cli.run("control", "http://127.0.0.1:" + port, "--token-file", file.toString(), "status");
      assertEquals(0, status.exit(), status::toString);
    }
  }

  @Test
  void servesAnIscsiPortalBesideTcpAndPrintsItsBoundAddress() throws Exception {
    enrol("lun=0");
    try (Server server =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--iscsi",
            "127.0.0.1:0",
            "--drive",
            "lun=0")) {
      String line =
          server.lines().stream().filter(l -> l.contains("iscsi://")).findFirst().orElseThrow();
      Matcher m =
          Pattern.compile("serving on (iscsi://127\\.0\\.0\\.1:(\\d+)/(iqn\\S+))$").matcher(line);
      assertTrue(m.find(), line);
      assertTrue(Integer.parseInt(m.group(2)) > 0, line);
      assertEquals(IscsiEndpoint.DEFAULT_TARGET_NAME, m.group(3));
      ExternalTool inq =
          ExternalTool.onPath("iscsi-inq")
              .describedAs("iscsi-inq", "apt-get install -y libiscsi-bin");
      assumeTrue(inq.find().isPresent(), inq::missingMessage);
      Process process =
          new ProcessBuilder(inq.require().toString(), m.group(1) + "/0")
              .redirectErrorStream(true)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, process.waitFor(), out);
      assertTrue(out.contains("SECDRIVE"), out);
    }
    Path secret = keys.resolve("chap-secret");
    Files.writeString(secret, "host-secret-16by\n");
    Files.setPosixFilePermissions(
        secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    try (Server server =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--iscsi",
            "127.0.0.1:0",
            "--iscsi-chap-name",
            "secdrive-host",
            "--iscsi-chap-secret-file",
            secret.toString(),
            "--drive",
            "lun=0")) {
      String line =
          server.lines().stream().filter(l -> l.contains("iscsi://")).findFirst().orElseThrow();
      Matcher m = Pattern.compile("serving on iscsi://(\\S+)$").matcher(line);
      assertTrue(m.find(), line);
      for (String user : List.of("secdrive-host%host-secret-16by@", "")) {
        Process process =
            new ProcessBuilder(
                    ExternalTool.onPath("iscsi-inq").require().toString(),
                    "iscsi://" + user + m.group(1) + "/0")
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertEquals(!user.isEmpty(), exit == 0, out);
        assertEquals(!user.isEmpty(), out.contains("SECDRIVE"), out);
      }
    }
    Path targetSecret = keys.resolve("target-chap-secret");
    Files.writeString(targetSecret, "target-secret-16\n");
    Files.setPosixFilePermissions(
        targetSecret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    try (Server server =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--iscsi",
            "127.0.0.1:0",
            "--iscsi-chap-name",
            "secdrive-host",
            "--iscsi-chap-secret-file",
            secret.toString(),
            "--iscsi-target-chap-name",
            "secdrive-tgt",
            "--iscsi-target-chap-secret-file",
            targetSecret.toString(),
            "--drive",
            "lun=0")) {
      String line =
          server.lines().stream().filter(l -> l.contains("iscsi://")).findFirst().orElseThrow();
      Matcher m = Pattern.compile("serving on iscsi://(\\S+)$").matcher(line);
      assertTrue(m.find(), line);
      // Mutual CHAP: the initiator checks the target's answer against the secret it expects.
      for (String expected : List.of("target-secret-16", "target-secret-17")) {
        Process process =
            new ProcessBuilder(
                    ExternalTool.onPath("iscsi-inq").require().toString(),
                    "iscsi://secdrive-host%host-secret-16by@"
                        + m.group(1)
                        + "/0?target_user=secdrive-tgt&target_password="
                        + expected)
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean right = expected.equals("target-secret-16");
        assertEquals(right, process.waitFor() == 0, out);
        assertEquals(right, out.contains("SECDRIVE"), out);
      }
      assertFalse(String.join("\n", server.lines()).contains("secret-16"), "no secret is logged");
    }
    Cli targetAlone =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--iscsi",
            "127.0.0.1:0",
            "--iscsi-target-chap-name",
            "t",
            "--iscsi-target-chap-secret-file",
            targetSecret.toString());
    assertEquals(
        "secdrive: --iscsi-target-chap-name needs --iscsi-chap-name", targetAlone.err().trim());
    Cli sameSecret =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--iscsi",
            "127.0.0.1:0",
            "--iscsi-chap-name",
            "h",
            "--iscsi-chap-secret-file",
            secret.toString(),
            "--iscsi-target-chap-name",
            "t",
            "--iscsi-target-chap-secret-file",
            secret.toString());
    assertEquals(1, sameSecret.exit());
    assertTrue(sameSecret.err().contains("must differ"), sameSecret::toString);
    Files.setPosixFilePermissions(
        secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Cli loose =
        serveInProcess(
            "--media-dir",
            media.toString(),
            "--iscsi",
            "127.0.0.1:0",
            "--iscsi-chap-name",
            "h",
            "--iscsi-chap-secret-file",
            secret.toString());
    assertEquals(1, loose.exit());
    assertTrue(loose.err().contains("--iscsi-chap-secret-file"), loose::toString);
    Cli alone = serveInProcess("--media-dir", media.toString(), "--iscsi-chap-name", "h");
    assertEquals(
        "secdrive: --iscsi-chap-name and --iscsi-chap-secret-file go together", alone.err().trim());
    Cli bad = serveInProcess("--media-dir", media.toString(), "--iscsi", "nowhere");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--iscsi"), bad::toString);
  }

  @Test
  void serialLoopbackThroughAFaultRelay() throws Exception {
    enrol("lun=0");
    assertEquals(
        0, Cli.run("media", "create", "--media-dir", media.toString(), "--id", "LOOP").exit());
    try (Server server =
        serve(
            "--media-dir",
            media.toString(),
            "--listen",
            "127.0.0.1:0",
            "--control",
            "none",
            "--serial-loopback",
            "--line-faults",
            "ber=1e-5,drop=1e-6,dup=1e-6,seed=11",
            "--baud",
            "921600",
            "--drive",
            "lun=0,medium=LOOP")) {
      String line =
          server.lines().stream()
              .filter(l -> l.contains("serial loopback"))
              .findFirst()
              .orElseThrow();
      Matcher m = Pattern.compile("hosts use (serial://\\S+)").matcher(line);
      assertTrue(m.find(), line);
      byte[] data = DriveIT.bytes(1 << 20, 12);
      try (Drive drive = Drive.open(m.group(1))) {
        assertEquals("LOOP", drive.mediumId());
        drive.write(0, data);
        assertArrayEquals(data, drive.read(0, (1 << 20) / 2048));
      }
      server.stop();
      Path rig =
          Path.of(m.group(1).substring("serial://".length(), m.group(1).indexOf('?'))).getParent();
      assertTrue(!Files.exists(rig), "the loopback rig is removed on exit: " + rig);
    }
    Cli bad =
        serveInProcess(
            "--media-dir", media.toString(), "--serial-loopback", "--line-faults", "ber=2");
    assertEquals(1, bad.exit());
    assertTrue(
        bad.err().contains("--line-faults 'ber=2': bit error rate must be in [0, 1], not 2.0"),
        bad::toString);
    Cli alone = serveInProcess("--media-dir", media.toString(), "--line-faults", "ber=1e-5");
    assertEquals("secdrive: --line-faults needs --serial-loopback", alone.err().trim());
  }

  @Test
  void demoWalksTheWholeStory() throws Exception {
    Process demo =
        new ProcessBuilder(
                javaBinary(), "-jar", jar().toString(), "demo", "--anchor-dir", anchors.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(demo.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, demo.exitValue(), output);
    assertTrue(output.contains("wrote and read back 8192 bytes: identical"), output);
    try (var listed = Files.list(anchors)) {
      // one drive for the license flows, three for the software copy, two for the content move,
      // one for the ripping
      assertEquals(
          7, listed.filter(p -> p.toString().endsWith(".anchor")).count(), "anchors in " + anchors);
    }
    // The ripping: registered on the first rip, verified from the table without detection on
    // the repeat, an edited record and a spliced track refused.
    assertTrue(
        output.contains("    track 1 (ZZSDA2600001): registered, copy free, content 1;"), output);
    assertTrue(output.contains("    track 2 (ZZSDA2600002): table, copy once, content 2;"), output);
    assertTrue(output.contains("    0 detections\n"), output);
    assertTrue(
        output.contains(
            "    refused: the track record fails its MAC: altered, or not made by this"),
        output);
    // 5.0-6.5 s were spliced; the stretch is located to within the detector's window, which the
    // demo's random watermark key moves (4.90-6.20 s in one run, from 5 s in others)
    assertTrue(
        output.matches(
            "(?s).*\n    refused: track 1 is partly unmarked: no watermark of copy free, content 3"
                + " in [4-6]\\.\\d\\d-[5-7]\\.\\d\\d s .*"),
        output);
    assertTrue(
        output.contains("NOT READY: MEDIUM NOT PRESENT (02/3A/00) on TEST UNIT READY"), output);
    assertTrue(output.contains("ready (other connections get 06/28/00 once, SPC-4 5.14)"), output);
    assertFalse(
        output.contains(
            "UNIT ATTENTION: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (06/28/00)"),
        output);
    // The license flows: provision, play, backup, damage (play refused), restore, play again.
    assertTrue(
        java.util.regex.Pattern.compile(
                "\n    title demo-title-1: 262\\.1 kB encrypted at LBA 1000-1129; license for 3"
                    + " plays installed on medium \\S+\n")
            .matcher(output)
            .find(),
        output);
    assertTrue(
        java.util.regex.Pattern.compile(
                "\n    a plain READ of the title returns ciphertext: [0-9a-f]{32}\\.\\.\\.\n")
            .matcher(output)
            .find(),
        output);
    String played =
        "    262148 bytes of plaintext, identical to the title: \"Chapter 0: licensed content of"
            + " the secdr...\"\n";
    assertTrue(
        output.contains(played + "    license status: version 2, demo-title-1: 2 plays left\n"),
        output);
    assertTrue(
        java.util.regex.Pattern.compile(
                "\n    \\d+-byte backup blob written by the drive at LBA 1145\n"
                    + "    license status: version 2, demo-title-1: 2 plays left\n")
            .matcher(output)
            .find(),
        output);
    assertTrue(
        output.contains(
            "    secure area erased\n"
                + "    play refused: ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT"
                + " PRESENT (05/6F/01): no license for this content on this medium on SECURITY"
                + " PROTOCOL OUT OPEN PLAYBACK\n"),
        output);
    assertTrue(
        output.contains(
            "the drive decrypts the backup and rewrites the secure area\n"
                + "    license status: version 2, demo-title-1: 2 plays left\n"),
        output);
    assertTrue(
        output.contains(
            "play again\n" + played + "    license status: version 3, demo-title-1: 1 play left\n"),
        output);
    // The software copy: both embodiments run, both clones are refused.
    assertTrue(output.contains("262148 bytes, identical to the title on the master"), output);
    assertTrue(output.contains("204807 bytes, identical to the title on the master"), output);
    assertTrue(
        output.contains(
            "scheme 1 clone: the copy certificate is for medium DEMO-MO-1 but this medium is"
                + " DEMO-MO-2"),
        output);
    assertTrue(
        output.contains("scheme 2 clone: ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE"),
        output);
    // The content move: played on A, moved on the disc, played on B, the record refused again.
    assertTrue(
        output.contains(
            "package written at LBA 100; 262148 bytes of plaintext, identical to the song; 2"
                + " play(s) left"),
        output);
    assertTrue(
        output.contains("license lic-demo-song of Distributor A installed on client B"), output);
    assertTrue(
        output.contains("    262148 bytes of plaintext, identical to the song; 2 play(s) left"),
        output);
    assertTrue(
        output.contains("move-in (S161-S173): S162-S173 MOVE IN at LBA 100: the drive refused:"),
        output);
    assertTrue(output.contains("client B: 1 license, 2 used serials"), output);
  }
}
