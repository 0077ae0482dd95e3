package dev.secdrive.host.api;

import dev.secdrive.kit.files.SecretFiles;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.iscsi.Lun;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a drive is:
 *
 * <ul>
 *   <li>{@code tcp://host[:port][/lun][?timeout=DURATION]} — port {@value #DEFAULT_PORT} and LUN 0
 *       by default;
 *   <li>{@code serial:///dev/ttyUSB0[?baud=N][&lun=N][&pace=true][&timeout=DURATION]} — baud
 *       {@value #DEFAULT_BAUD}; {@code pace=true} holds output to the baud rate, for lines that do
 *       not (a pseudo-terminal);
 *   <li>{@code iscsi://host[:port]/TARGET-NAME/LUN[?chap_name=N&chap_secret_file=F
 *       [&target_chap_name=T&target_chap_secret_file=G][&digest=crc32c|none][&timeout=DURATION]]} —
 *       an iSCSI target (RFC 7143), port {@value #DEFAULT_ISCSI_PORT} by default; the target name
 *       is an {@code iqn.}, {@code eui.} or {@code naa.} name (RFC 3720 section 3.2.6.3), the LUN
 *       0..16383. {@code chap_name} with {@code chap_secret_file} (a file only its owner may read)
 *       or {@code chap_secret} logs in with one-way CHAP; {@code target_chap_name} with {@code
 *       target_chap_secret_file} or {@code target_chap_secret} asks the target to authenticate too
 *       (mutual CHAP). {@code digest} is what the initiator offers for the header and data digests:
 *       {@code crc32c} insists on CRC32C, {@code none} on none; without it it offers {@code
 *       None,CRC32C} and takes the target's choice.
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
 * @param iscsi the target name, credentials and digests (iscsi), or null
 */
public record DriveUri(
    String scheme,
    String host,
    int port,
    String device,
    int baud,
    boolean paced,
    int lun,
    Duration timeout,
    Iscsi iscsi) {

  public static final int DEFAULT_PORT = 7140;
  public static final int DEFAULT_ISCSI_PORT = 3260;
  public static final int DEFAULT_BAUD = 115200;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** A TCP drive URI. */
  public DriveUri(String scheme, String host, int port, int lun, Duration timeout) {
    this(scheme, host, port, null, 0, false, lun, timeout, null);
  }

  /** A TCP or serial drive URI. */
  public DriveUri(
      String scheme,
      String host,
      int port,
      String device,
      int baud,
      boolean paced,
      int lun,
      Duration timeout) {
    this(scheme, host, port, device, baud, paced, lun, timeout, null);
  }

  public boolean isSerial() {
    return "serial".equals(scheme);
  }

  public boolean isIscsi() {
    return "iscsi".equals(scheme);
  }

  /** What the initiator offers for HeaderDigest and DataDigest (RFC 7143 section 13.1). */
  public enum Digest {
    /** {@code None,CRC32C}: the target chooses. */
    EITHER("None,CRC32C"),
    CRC32C("CRC32C"),
    NONE("None");

    private final String offer;

    Digest(String offer) {
      this.offer = offer;
    }

    /** The list value offered, e.g. {@code None,CRC32C}. */
    public String offer() {
      return offer;
    }
  }

  /**
   * The iSCSI part of an {@code iscsi://} URI.
   *
   * @param targetName the target's iSCSI name
   * @param chap the initiator's CHAP name and secret, if it logs in with CHAP
   * @param targetChap the name and secret the target must answer with (mutual CHAP), if asked
   * @param digest what the initiator offers for the digests
   */
  public record Iscsi(
      String targetName,
      Optional<Chap.Credentials> chap,
      Optional<Chap.Credentials> targetChap,
      Digest digest) {
    public Iscsi {
      java.util.Objects.requireNonNull(targetName, "targetName");
      java.util.Objects.requireNonNull(chap, "chap");
      java.util.Objects.requireNonNull(targetChap, "targetChap");
      java.util.Objects.requireNonNull(digest, "digest");
      if (targetChap.isPresent() && chap.isEmpty()) {
        throw new IllegalArgumentException("mutual CHAP needs the initiator's CHAP name too");
      }
    }

    @Override
    public String toString() {
      return "Iscsi["
          + targetName
          + chap.map(c -> ", chap_name=" + c.name()).orElse("")
          + targetChap.map(c -> ", target_chap_name=" + c.name()).orElse("")
          + ", digest="
          + digest
          + "]";
    }
  }

  /** The longest iSCSI name, in bytes (RFC 3720 section 3.2.6.1). */
  public static final int MAXIMUM_ISCSI_NAME_LENGTH = 223;

  // RFC 3720 section 3.2.6.3: "iqn." date "." reversed domain [":" anything], after stringprep
  // (lowercase ASCII letters, digits, '-', '.', ':'); "eui." 16 hex digits; "naa." 16 or 32 (RFC
  // 3980). Names are compared after normalisation, so upper case in an iqn. name is refused.
  private static final Pattern IQN =
      Pattern.compile(
          "iqn\\.\\d{4}-(0[1-9]|1[0-2])\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?"
              + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[a-z0-9.:-]*)?");
  private static final Pattern EUI = Pattern.compile("eui\\.[0-9A-F]{16}");
  private static final Pattern NAA = Pattern.compile("naa\\.([0-9A-F]{16}|[0-9A-F]{32})");
  private static final Pattern SECRET_VALUE =
      Pattern.compile("((?:^|[?&])(?:target_)?chap_secret=)[^&#]+");

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
    if (scheme.equals("iscsi")) {
      return parseIscsi(text, uri);
    }
    if (uri.getFragment() != null) {
      throw invalid(text, "fragments are not supported");
    }
    return switch (scheme) {
      case "tcp" -> parseTcp(text, uri);
      case "serial" -> parseSerial(text, uri);
      default ->
          throw invalid(
              text, "unsupported scheme '" + scheme + "' (supported: tcp, serial, iscsi)");
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

  private static DriveUri parseIscsi(String text, URI uri) {
    String host = host(text, uri, "iscsi://host:port/iqn.YYYY-MM.domain:name/lun");
    int port = uri.getPort() < 0 ? DEFAULT_ISCSI_PORT : uri.getPort();
    if (port < 1 || port > 65535) {
      throw invalid(text, "port " + port + " outside 1..65535");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    int slash = path.lastIndexOf('/');
    if (path.length() <= 1 || slash <= 0) {
      throw invalid(
          text,
          path.length() <= 1
              ? "no target name; expected iscsi://host:port/iqn.YYYY-MM.domain:name/lun"
              : "no LUN after the target name; expected iscsi://host:port/TARGET-NAME/lun");
    }
    String targetName = path.substring(1, slash);
    String lunText = path.substring(slash + 1);
    checkIscsiName(text, targetName);
    if (!lunText.matches("\\d{1,5}") || Integer.parseInt(lunText) > Lun.MAXIMUM) {
      throw invalid(text, "LUN '" + lunText + "' is not a number in 0.." + Lun.MAXIMUM);
    }
    int lun = Integer.parseInt(lunText);
    Duration timeout = DEFAULT_TIMEOUT;
    Digest digest = Digest.EITHER;
    String chapName = null;
    String targetChapName = null;
    byte[] chapSecret = null;
    byte[] targetChapSecret = null;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String[] parameter : parameters(uri)) {
      String name = parameter[0];
      String value = parameter[1];
      if (!seen.add(name)) {
        throw invalid(text, "parameter '" + name + "' given twice");
      }
      switch (name) {
        case "timeout" -> timeout = duration(text, value);
        case "digest" ->
            digest =
                switch (value) {
                  case "crc32c" -> Digest.CRC32C;
                  case "none" -> Digest.NONE;
                  default -> throw invalid(text, "digest '" + value + "' is not crc32c or none");
                };
        case "chap_name" -> chapName = chapName(text, name, value);
        case "target_chap_name" -> targetChapName = chapName(text, name, value);
        case "chap_secret", "chap_secret_file" ->
            chapSecret = secret(text, chapSecret, "chap_secret", name, value);
        case "target_chap_secret", "target_chap_secret_file" ->
            targetChapSecret = secret(text, targetChapSecret, "target_chap_secret", name, value);
        default ->
            throw invalid(
                text,
                "unknown parameter '"
                    + name
                    + "' (known: chap_name, chap_secret_file, chap_secret, target_chap_name,"
                    + " target_chap_secret_file, target_chap_secret, digest, timeout)");
      }
    }
    if ((chapName == null) != (chapSecret == null)) {
      throw invalid(
          text,
          chapName == null
              ? "a CHAP secret without chap_name"
              : "chap_name without chap_secret_file or chap_secret");
    }
    if ((targetChapName == null) != (targetChapSecret == null)) {
      throw invalid(
          text,
          targetChapName == null
              ? "a target CHAP secret without target_chap_name"
              : "target_chap_name without target_chap_secret_file or target_chap_secret");
    }
    if (targetChapName != null && chapName == null) {
      throw invalid(text, "mutual CHAP (target_chap_name) needs chap_name and its secret too");
    }
    if (chapSecret != null
        && targetChapSecret != null
        && java.security.MessageDigest.isEqual(chapSecret, targetChapSecret)) {
      throw invalid(
          text, "the initiator's and the target's CHAP secrets are the same (RFC 7143 12.1.3)");
    }
    Optional<Chap.Credentials> chap =
        chapName == null
            ? Optional.empty()
            : Optional.of(new Chap.Credentials(chapName, chapSecret));
    Optional<Chap.Credentials> targetChap =
        targetChapName == null
            ? Optional.empty()
            : Optional.of(new Chap.Credentials(targetChapName, targetChapSecret));
    return new DriveUri(
        "iscsi",
        host,
        port,
        null,
        0,
        false,
        lun,
        timeout,
        new Iscsi(targetName, chap, targetChap, digest));
  }

  /**
   * Checks an iSCSI name's form.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static void checkIscsiName(String text, String name) {
    if (name.isEmpty()) {
      throw invalid(text, "no target name; expected iqn.YYYY-MM.domain[:name], eui. or naa.");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAXIMUM_ISCSI_NAME_LENGTH) {
      throw invalid(text, "target name longer than " + MAXIMUM_ISCSI_NAME_LENGTH + " bytes");
    }
    boolean ok =
        name.startsWith("iqn.")
            ? IQN.matcher(name).matches()
            : name.startsWith("eui.")
                ? EUI.matcher(name).matches()
                : name.startsWith("naa.") && NAA.matcher(name).matches();
    if (!ok) {
      String expected =
          name.startsWith("eui.")
              ? "eui. and 16 upper-case hex digits"
              : name.startsWith("naa.")
                  ? "naa. and 16 or 32 upper-case hex digits"
                  : "iqn.YYYY-MM.reversed.domain[:name] in lower case (RFC 3720 3.2.6.3)";
      throw invalid(text, "target name '" + name + "' is not an iSCSI name: expected " + expected);
    }
  }

  private static String chapName(String text, String parameter, String value) {
    if (value.isEmpty() || value.length() > 255 || value.indexOf('\0') >= 0) {
      throw invalid(text, parameter + " is empty, longer than 255 characters or holds a NUL");
    }
    return value;
  }

  /** A secret from the query, or from an owner-only file; never in a message. */
  private static byte[] secret(
      String text, byte[] already, String kind, String parameter, String value) {
    if (already != null) {
      throw invalid(text, kind + " and " + kind + "_file are given together");
    }
    byte[] secret;
    if (parameter.endsWith("_file")) {
      if (value.isEmpty()) {
        throw invalid(text, parameter + " names no file");
      }
      Path file = Path.of(value);
      try {
        secret = SecretFiles.read(file);
      } catch (java.nio.file.NoSuchFileException e) {
        throw invalid(text, parameter + " " + file + " does not exist");
      } catch (IOException e) {
        // The message of SecretFiles names the file and its modes, never its content.
        throw invalid(text, parameter + " " + file + ": " + e.getMessage());
      }
      String stripped = new String(secret, StandardCharsets.UTF_8).strip();
      java.util.Arrays.fill(secret, (byte) 0);
      secret = stripped.getBytes(StandardCharsets.UTF_8);
      if (secret.length == 0) {
        throw invalid(text, parameter + " " + file + " is empty");
      }
    } else {
      secret = value.getBytes(StandardCharsets.UTF_8);
      if (secret.length == 0) {
        throw invalid(text, parameter + " is empty");
      }
    }
    return secret;
  }

  private static String host(String text, URI uri, String expected) {
    if (uri.getHost() == null) {
      throw invalid(
          text,
          uri.getRawAuthority() == null
              ? "no host; expected " + expected
              : "bad host or port '" + uri.getRawAuthority() + "'");
    }
    if (uri.getUserInfo() != null) {
      throw invalid(text, "user information is not supported");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // URI.getHost() keeps an IPv6 literal's brackets
    }
    return host;
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
    return new IllegalArgumentException("invalid drive URI '" + redacted(text) + "': " + reason);
  }

  /** {@code text} with the values of {@code chap_secret} and {@code target_chap_secret} hidden. */
  static String redacted(String text) {
    return SECRET_VALUE.matcher(text).replaceAll("$1***");
  }

  /**
   * The URI without the timeout, credentials or digests, e.g. {@code tcp://127.0.0.1:7140/0} or
   * {@code serial:///dev/ttyUSB0?baud=115200&lun=0}.
   */
  @Override
  public String toString() {
    if (isIscsi()) {
      String h = host.contains(":") ? "[" + host + "]" : host;
      return "iscsi://" + h + ":" + port + "/" + iscsi.targetName() + "/" + lun;
    }
    if (isSerial()) {
      return "serial://" + device + "?baud=" + baud + "&lun=" + lun + (paced ? "&pace=true" : "");
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + port + "/" + lun;
  }
}
