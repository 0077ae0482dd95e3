package dev.secdrive.host.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where a drive is: {@code tcp://host[:port][/lun][?timeout=DURATION]}. The port defaults to
 * {@value #DEFAULT_PORT}, the LUN to 0, the command timeout to 30 s; a duration is a number with
 * {@code ms}, {@code s} or {@code m}.
 *
 * @param host host name or address
 * @param port TCP port
 * @param lun logical unit, 0..255
 * @param timeout how long a command may take before {@link CommandTimeoutException}
 */
public record DriveUri(String scheme, String host, int port, int lun, Duration timeout) {

  public static final int DEFAULT_PORT = 7140;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

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
    if (!scheme.equals("tcp")) {
      throw invalid(text, "unsupported scheme '" + scheme + "' (supported: tcp)");
    }
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
      String digits = path.substring(1);
      if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > 255) {
        throw invalid(text, "LUN '" + digits + "' is not a number in 0..255");
      }
      lun = Integer.parseInt(digits);
    }
    if (uri.getFragment() != null) {
      throw invalid(text, "fragments are not supported");
    }
    Duration timeout = DEFAULT_TIMEOUT;
    if (uri.getQuery() != null) {
      for (String parameter : uri.getQuery().split("&")) {
        int eq = parameter.indexOf('=');
        String key = eq < 0 ? parameter : parameter.substring(0, eq);
        String value = eq < 0 ? "" : parameter.substring(eq + 1);
        if (!key.equals("timeout")) {
          throw invalid(text, "unknown parameter '" + key + "' (known: timeout)");
        }
        timeout = duration(text, value);
      }
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // URI.getHost() keeps an IPv6 literal's brackets
    }
    return new DriveUri(scheme, host, port, lun, timeout);
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

  /** The URI without the timeout, e.g. {@code tcp://127.0.0.1:7140/0}. */
  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port + "/" + lun;
  }
}
