package dev.secdrive.emulator;

import dev.secdrive.emulator.observe.CommandLog;
import java.util.regex.Pattern;

/**
 * One drive of an emulator.
 *
 * @param lun the logical unit it answers on, 0..255
 * @param profile the drive profile's ID, e.g. {@code mo-640}
 * @param deviceId the device ID (VPD 80h); null derives a stable one from the media directory
 * @param medium the medium to insert at start, or null
 * @param commandLog which of its commands are logged, or null for the emulator's default
 */
public record DriveConfig(
    int lun, String profile, String deviceId, String medium, CommandLog commandLog) {

  /** Device IDs: 1-32 letters, digits, '.', '_' or '-'. */
  public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  /** A drive logged at the emulator's default level. */
  public DriveConfig(int lun, String profile, String deviceId, String medium) {
    this(lun, profile, deviceId, medium, null);
  }

  public DriveConfig {
    if (lun < 0 || lun > 255) {
      throw new IllegalArgumentException("LUN " + lun + " outside 0..255");
    }
    if (profile == null || profile.isEmpty()) {
      throw new IllegalArgumentException("drive on LUN " + lun + " has no profile");
    }
    if (deviceId != null && !DEVICE_ID.matcher(deviceId).matches()) {
      throw new IllegalArgumentException(
          "invalid device ID '"
              + deviceId
              + "': use 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  /**
   * Parses {@code lun=0,profile=mo-640,device-id=X,medium=Y,log=errors}; every key but {@code lun}
   * optional.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static DriveConfig parse(String spec, String defaultProfile) {
    Integer lun = null;
    String profile = defaultProfile;
    String deviceId = null;
    String medium = null;
    CommandLog commandLog = null;
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "bad drive spec '" + spec + "': expected key=value pairs, got '" + part + "'");
      }
      String key = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      switch (key) {
        case "lun" -> {
          try {
            lun = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "bad drive spec '" + spec + "': lun '" + value + "' is not a number");
          }
        }
        case "profile" -> profile = value;
        case "device-id" -> deviceId = value;
        case "medium" -> medium = value;
        case "log" -> {
          try {
            commandLog = CommandLog.parse(value);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad drive spec '" + spec + "': " + e.getMessage());
          }
        }
        default ->
            throw new IllegalArgumentException(
                "bad drive spec '"
                    + spec
                    + "': unknown key '"
                    + key
                    + "' (known: lun, profile, device-id, medium, log)");
      }
    }
    if (lun == null) {
      throw new IllegalArgumentException("bad drive spec '" + spec + "': lun is required");
    }
    return new DriveConfig(lun, profile, deviceId, medium, commandLog);
  }
}
