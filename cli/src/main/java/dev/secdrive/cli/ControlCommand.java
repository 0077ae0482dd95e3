package dev.secdrive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.control.ControlToken;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.faults.FaultScriptException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive control URL ...}: what a person does to a running emulator's drives, with the
 * control token of the emulator's media directory.
 */
@Command(
    name = "control",
    mixinStandardHelpOptions = true,
    description = {
      "Act on a running emulator: insert, remove, write-protect media, inject faults, clear",
      "reservations, set a drive's command log, read the metrics.",
      "",
      "Every request carries the emulator's control token, read from --token-file or else from",
      "<media-dir>/.secdrive/control-token (the emulator makes it on its first start)."
    },
    subcommands = {
      ControlCommand.Status.class,
      ControlCommand.Insert.class,
      ControlCommand.Remove.class,
      ControlCommand.WriteProtect.class,
      ControlCommand.FaultsCmd.class,
      ControlCommand.ClearReservations.class,
      ControlCommand.LogCmd.class,
      ControlCommand.CaptureCmd.class,
      ControlCommand.PanelCmd.class,
      ControlCommand.MetricsCmd.class
    })
final class ControlCommand {

  @Parameters(
      index = "0",
      paramLabel = "URL",
      description = "Control API, e.g. http://127.0.0.1:7141")
  String url;

  @Option(
      names = "--lun",
      defaultValue = "0",
      description = "The drive (default 0).",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  int lun;

  @Option(
      names = "--media-dir",
      paramLabel = "DIR",
      defaultValue = "${env:SECDRIVE_MEDIA_DIR:-secdrive-media}",
      description =
          "The emulator's media directory, whose control token is used (default:"
              + " $SECDRIVE_MEDIA_DIR or ./secdrive-media).",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  Path mediaDirectory;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "The control token (default: <media-dir>/.secdrive/control-token).",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  Path tokenFile;

  private String token() {
    Path file = tokenFile != null ? tokenFile : ControlToken.defaultFile(mediaDirectory);
    try {
      return ControlToken.load(file).value();
    } catch (UncheckedIOException e) {
      throw new CliException(
          e.getCause().getMessage()
              + (tokenFile == null ? " (give --media-dir or --token-file)" : ""),
          e);
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  JsonNode call(String method, String path, Object body) {
    try {
      return Json.MAPPER.readTree(send(method, path, body));
    } catch (IOException e) {
      throw new CliException("control API at " + url + " answered no JSON: " + e.getMessage(), e);
    }
  }

  /** Sends one request; the body of its 200 answer, as text. */
  String send(String method, String path, Object body) {
    URI base;
    try {
      base = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw new CliException("invalid control URL '" + url + "': " + e.getReason());
    }
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new CliException("invalid control URL '" + url + "': expected http://host:port");
    }
    String token = token();
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token);
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(
                method, HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
      }
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        String error;
        try {
          error = Json.MAPPER.readTree(response.body()).path("error").asText(null);
        } catch (IOException notJson) {
          error = null;
        }
        throw new CliException(error != null ? error : "HTTP " + response.statusCode());
      }
      return response.body();
    } catch (ConnectException e) {
      throw new CliException("cannot reach the control API at " + url + ": connection refused", e);
    } catch (IOException e) {
      throw new CliException("control API at " + url + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", e);
    }
  }

  abstract static class Sub implements Callable<Integer> {
    @ParentCommand ControlCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    int show(JsonNode status) {
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, status);
      } else if (status.isArray()) {
        status.forEach(s -> out.println(line(s)));
      } else {
        out.println(line(status));
      }
      return 0;
    }

    static String line(JsonNode s) {
      return String.format(
          "drive %d (%s, device ID %s): %s, medium %s%s%s",
          s.path("lun").asInt(),
          s.path("profile").asText(),
          s.path("deviceId").asText(),
          s.path("state").asText(),
          s.path("mediumId").isNull() ? "none" : s.path("mediumId").asText(),
          s.path("writeProtected").asBoolean() ? ", write-protected" : "",
          s.path("removalPrevented").asBoolean() ? ", removal prevented" : "");
    }
  }

  @Command(name = "status", description = "Show every drive (or --lun N).")
  static final class Status extends Sub {
    @Override
    public Integer call() {
      return show(parent.call("GET", "/drives", null));
    }
  }

  @Command(name = "insert", description = "Put a medium from the media directory into the drive.")
  static final class Insert extends Sub {
    @Parameters(paramLabel = "MEDIUM", description = "Medium ID.")
    String medium;

    @Override
    public Integer call() {
      return show(
          parent.call("POST", "/drives/" + parent.lun + "/insert", Map.of("medium", medium)));
    }
  }

  @Command(
      name = "remove",
      description = "Take the medium out (as a person pressing eject and pulling it).")
  static final class Remove extends Sub {
    @Option(names = "--force", description = "Even if a host prevents removal.")
    boolean force;

    @Override
    public Integer call() {
      return show(parent.call("POST", "/drives/" + parent.lun + "/remove", Map.of("force", force)));
    }
  }

  @Command(name = "write-protect", description = "Set the medium's write-protect tab: on or off.")
  static final class WriteProtect extends Sub {
    @Parameters(paramLabel = "on|off")
    String state;

    @Override
    public Integer call() {
      boolean enabled =
          switch (state) {
            case "on" -> true;
            case "off" -> false;
            default ->
                throw new CliException("write-protect takes 'on' or 'off', not '" + state + "'");
          };
      return show(
          parent.call(
              "POST", "/drives/" + parent.lun + "/write-protect", Map.of("enabled", enabled)));
    }
  }

  @Command(
      name = "clear-reservations",
      description = {
        "End every reservation of the drive: RESERVE(6) and persistent ones, registrations too.",
        "For a host that died holding one; the hosts concerned hear RESERVATIONS PREEMPTED."
      })
  static final class ClearReservations extends Sub {
    @Override
    public Integer call() {
      return show(parent.call("POST", "/drives/" + parent.lun + "/reservations/clear", Map.of()));
    }
  }

  @Command(
      name = "faults",
      description = {
        "Inject media errors on LBAs, or clear them; arm a fault script (--script FILE) for every",
        "drive, or disarm it (--disarm)."
      })
  static final class FaultsCmd extends Sub {
    @Option(
        names = "--script",
        paramLabel = "FILE",
        description = "A fault script (YAML or JSON) to arm instead of the one armed now.")
    Path script;

    @Option(names = "--disarm", description = "Disarm the fault script.")
    boolean disarm;

    @Option(names = "--read-error", paramLabel = "LBA", description = "LBA that fails to read.")
    List<Long> readErrors = new ArrayList<>();

    @Option(names = "--write-error", paramLabel = "LBA", description = "LBA that fails to write.")
    List<Long> writeErrors = new ArrayList<>();

    @Option(names = "--clear", description = "Remove all injected faults.")
    boolean clear;

    @Override
    public Integer call() {
      if (script != null || disarm) {
        return script();
      }
      String path = "/drives/" + parent.lun + "/faults";
      if (clear) {
        parent.call("DELETE", path, null);
      }
      JsonNode result;
      if (!readErrors.isEmpty() || !writeErrors.isEmpty()) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("readErrors", readErrors);
        body.put("writeErrors", writeErrors);
        result = parent.call("POST", path, body);
      } else {
        result = parent.call("GET", path, null);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, result);
      } else {
        out.println("read errors:  " + result.path("readErrors"));
        out.println("write errors: " + result.path("writeErrors"));
      }
      return 0;
    }

    private int script() {
      if (script != null && disarm) {
        throw new CliException("--script and --disarm do not go together");
      }
      JsonNode result;
      if (disarm) {
        result = parent.call("DELETE", "/faults", null);
      } else {
        FaultScript parsed;
        try {
          parsed = FaultScript.load(script); // checked here first, to name the file and line
        } catch (FaultScriptException e) {
          throw new CliException(e.getMessage(), e);
        }
        result = parent.call("PUT", "/faults", parsed.source());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, result);
      } else {
        JsonNode armed = result.path("script");
        out.println(
            "fault script: "
                + armed.path("faults").size()
                + " faults, seed "
                + armed.path("seed").asLong());
      }
      return 0;
    }
  }

  @Command(
      name = "log",
      description = {
        "Show or set which of the drive's commands are logged, a line each, in the emulator's log:",
        "off, errors (not GOOD, or hit by a fault) or all."
      })
  static final class LogCmd extends Sub {
    @Parameters(arity = "0..1", paramLabel = "off|errors|all")
    String level;

    @Override
    public Integer call() {
      String path = "/drives/" + parent.lun + "/log";
      JsonNode result =
          level == null
              ? parent.call("GET", path, null)
              : parent.call("POST", path, Map.of("level", level));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, result);
      } else {
        out.println("drive " + parent.lun + ": command log " + result.path("level").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "capture",
      description = {
        "Show the capture being written; 'start NAME' captures every carrier's traffic to",
        "<media-dir>/.captures/NAME.pcapng, 'stop' ends it."
      })
  static final class CaptureCmd extends Sub {
    @Parameters(arity = "0..2", paramLabel = "start NAME | stop")
    List<String> action = new ArrayList<>();

    @Override
    public Integer call() {
      JsonNode result;
      if (action.isEmpty()) {
        result = parent.call("GET", "/capture", null);
      } else if (action.get(0).equals("start") && action.size() == 2) {
        result = parent.call("POST", "/capture", Map.of("name", action.get(1)));
      } else if (action.get(0).equals("stop") && action.size() == 1) {
        result = parent.call("DELETE", "/capture", null);
      } else {
        throw new CliException("capture takes 'start NAME', 'stop' or nothing, not " + action);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Json.print(out, result);
      } else if (result.path("file").isNull()) {
        out.println("no capture");
      } else {
        out.println(
            (result.path("capturing").asBoolean() ? "capturing to " : "captured ")
                + result.path("file").asText()
                + ": "
                + result.path("packets").asLong()
                + " packets");
      }
      return 0;
    }
  }

  @Command(
      name = "panel",
      description = {
        "Print the front panel's address, with the control token in its fragment: open it in a",
        "browser to watch the drives and act on them. The fragment stays in the browser."
      })
  static final class PanelCmd extends Sub {
    @Override
    public Integer call() {
      String base =
          parent.url.endsWith("/") ? parent.url.substring(0, parent.url.length() - 1) : parent.url;
      parent.call("GET", "/drives", null); // the token works here, so it will in the page
      spec.commandLine().getOut().println(base + "/panel#token=" + parent.token());
      return 0;
    }
  }

  @Command(
      name = "metrics",
      description =
          "Print every meter (commands, bytes, errors by sense, latency) in the Prometheus text"
              + " format.")
  static final class MetricsCmd extends Sub {
    @Override
    public Integer call() {
      spec.commandLine().getOut().print(parent.send("GET", "/metrics", null));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
