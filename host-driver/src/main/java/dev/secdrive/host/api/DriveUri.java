package dev.secdrive.host.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where a drive is:
 *
 * <ul>
 *   <li>{@code tcp://host[:port][/lun][?timeout=DURATION]} — port {@value #DEFAULT_PORT} and LUN 0
 *       by default;
 *   <li>{@code serial:///dev/ttyUSB0[?baud=N][&lun=N][&pace=true][&timeout=DURATION]} — baud
 *       {@value #DEFAULT_BAUD}; {@code pace=true} holds output to the baud rate, for lines that do
 *       not (a pseudo-terminal).
 * </ul>
 *
 * The command timeout defaults to 30 s; a duration is a number with {@code ms}, {@code s} or {@code
 * m}.
 *
 * @param scheme {@code tcp} or {@code serial}
 * @param host host name or address (tcp)
 * @param port TCP port (tcp)
 * @param device the serial device path (serial)
 * @param baud the line rate in bits per second (serial)
 * @param paced whether the host paces its output to {@code baud} (serial)
 * @param lun logical unit, 0..255
 * @param timeout how long a command may take before {@link CommandTimeoutException}
 */
public record DriveUri(
    String scheme,
    String host,
    int port,
    String device,
    int baud,
    boolean paced,
    int lun,
    Duration timeout) {

  public static final int DEFAULT_PORT = 7140;
  public static final int DEFAULT_BAUD = 115200;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** A TCP drive URI. */
  public DriveUri(String scheme, String host, int port, int lun, Duration timeout) {
    this(scheme, host, port, null, 0, false, lun, timeout);
  }

  public boolean isSerial() {
    return "serial".equals(scheme);
  }

  /**
   * Parses a drive URI.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static DriveUri parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid(text, e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw invalid(text, "no scheme; expected tcp://host:port/lun");
    }
    if (uri.getFragment() != null) {
      throw invalid(text, "fragments are not supported");
    }
    return switch (scheme) {
      case "tcp" -> parseTcp(text, uri);
      case "serial" -> parseSerial(text, uri);
      default ->
          throw invalid(text, "unsupported scheme '" + scheme + "' (supported: tcp, serial)");
    };
  }

  private static DriveUri parseSerial(String text, URI uri) {
    if (uri.isOpaque() || (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty())) {
      throw invalid(text, "expected serial:///dev/ttyX (a device path, no host)");
    }
    String device = uri.getPath();
    if (device == null || device.length() < 2) {
      throw invalid(text, "no device path; expected serial:///dev/ttyX");
    }
    int baud = DEFAULT_BAUD;
    int lun = 0;
    boolean paced = false;
    Duration timeout = DEFAULT_TIMEOUT;
    for (String[] parameter : parameters(uri)) {
      switch (parameter[0]) {
        case "baud" -> {
          if (!parameter[1].matches("\\d{3,7}")) {
            throw invalid(text, "baud '" + parameter[1] + "' is not a number of bits per second");
          }
          baud = Integer.parseInt(parameter[1]);
        }
        case "lun" -> lun = lun(text, parameter[1]);
        case "pace" -> {
          if (!parameter[1].equals("true") && !parameter[1].equals("false")) {
            throw invalid(text, "pace '" + parameter[1] + "' is not true or false");
          }
          paced = Boolean.parseBoolean(parameter[1]);
        }
        case "timeout" -> timeout = duration(text, parameter[1]);
        default ->
            throw invalid(
                text, "unknown parameter '" + parameter[0] + "' (known: baud, lun, pace, timeout)");
      }
    }
    return new DriveUri("serial", null, 0, device, baud, paced, lun, timeout);
  }

  private static java.util.List<String[]> parameters(URI uri) {
    java.util.List<String[]> out = new java.util.ArrayList<>();
    if (uri.getQuery() != null) {
      for (String parameter : uri.getQuery().split("&")) {
        int eq = parameter.indexOf('=');
        out.add(
            new String[] {
              eq < 0 ? parameter : parameter.substring(0, eq),
              eq < 0 ? "" : parameter.substring(eq + 1)
            });
      }
    }
    return out;
  }

  private static int lun(String text, String digits) {
    if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > 255) {
      throw invalid(text, "LUN '" + digits + "' is not a number in 0..255");
    }
    return Integer.parseInt(digits);
  }

  private static DriveUri parseTcp(String text, URI uri) {
    if (uri.getHost() == null) {
      throw invalid(
          text,
          uri.getRawAuthority() == null
              ? "no host; expected tcp://host:port/lun"
              : "bad host or port '" + uri.getRawAuthority() + "'");
    }
    if (uri.getUserInfo() != null) {
      throw invalid(text, "user information is not supported");
    }
    int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
    if (port < 1 || port > 65535) {
      throw invalid(text, "port " + port + " outside 1..65535");
    }
    int lun = 0;
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      lun = lun(text, path.substring(1));
    }
    Duration timeout = DEFAULT_TIMEOUT;
    for (String[] parameter : parameters(uri)) {
      if (!parameter[0].equals("timeout")) {
        throw invalid(text, "unknown parameter '" + parameter[0] + "' (known: timeout)");
      }
      timeout = duration(text, parameter[1]);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // URI.getHost() keeps an IPv6 literal's brackets
    }
    return new DriveUri("tcp", host, port, lun, timeout);
  }

  private static Duration duration(String text, String value) {
    var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)").matcher(value);
    if (!m.matches()) {
      throw invalid(text, "timeout '" + value + "' is not a duration like 500ms, 30s or 2m");
    }
    long amount = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    if (d.isZero()) {
      throw invalid(text, "timeout must be positive");
    }
    return d;
  }

  private static IllegalArgumentException invalid(String text, String reason) {
    return new IllegalArgumentException("invalid drive URI '" + text + "': " + reason);
  }

  /**
   * The URI without the timeout, e.g. {@code tcp://127.0.0.1:7140/0} or {@code
   * serial:///dev/ttyUSB0?baud=115200&lun=0}.
   */
  @Override
  public String toString() {
    if (isSerial()) {
      return "serial://" + device + "?baud=" + baud + "&lun=" + lun + (paced ? "&pace=true" : "");
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port + "/" + lun;
  }
}
