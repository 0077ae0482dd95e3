package dev.secdrive.profiles;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One emulated drive model.
 *
 * @param id identifier of the profile, e.g. {@code mo-640}; equals the name of its file less {@code
 *     .json}
 * @param description one line for people
 * @param inquiry what the drive reports in its INQUIRY data
 * @param media the medium types the drive accepts, at least one, with unique type ids; the first is
 *     the default
 * @param secureAreaBytes size of the drive's secure area in bytes
 * @param timing how fast the drive is
 * @param writeProtectSupported whether the drive honours a medium's write-protect switch
 * @param commandSets the command sets the drive has, one per standard ({@code spc}, {@code sbc},
 *     {@code mmc}, {@code security}); the emulator builds the drive's command table from them
 * @param commands the SCSI commands the drive implements, by standard name (e.g. {@code
 *     "READ(10)"}): which of its command sets' commands this model has
 */
public record DriveProfile(
    String id,
    String description,
    Identity inquiry,
    List<MediumType> media,
    int secureAreaBytes,
    Timing timing,
    boolean writeProtectSupported,
    List<String> commandSets,
    List<String> commands) {

  /** Peripheral device type 05h, an MMC-6 drive: its media name their MMC profile. */
  public static final int MULTIMEDIA_DEVICE = 5;

  public DriveProfile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(inquiry, "inquiry");
    Objects.requireNonNull(timing, "timing");
    media = List.copyOf(Objects.requireNonNull(media, "media"));
    commandSets = List.copyOf(Objects.requireNonNull(commandSets, "commandSets"));
    commands = List.copyOf(Objects.requireNonNull(commands, "commands"));
    if (media.isEmpty()) {
      throw new IllegalArgumentException("profile '" + id + "' has no media");
    }
    Set<String> types = new HashSet<>();
    for (MediumType m : media) {
      if (!types.add(m.type())) {
        throw new IllegalArgumentException(
            "profile '" + id + "' lists medium type '" + m.type() + "' twice");
      }
      boolean multimedia = inquiry.peripheralDeviceType() == MULTIMEDIA_DEVICE;
      if (multimedia != (m.mmcProfile() != null)) {
        throw new IllegalArgumentException(
            "profile '"
                + id
                + "': medium type '"
                + m.type()
                + (multimedia
                    ? "' needs an mmcProfile: the drive is a multimedia device (type 5)"
                    : "' has an mmcProfile, but only a multimedia device (type 5) reports one"));
      }
    }
    if (secureAreaBytes < 0) {
      throw new IllegalArgumentException(
          "secureAreaBytes must be at least 0, was " + secureAreaBytes);
    }
  }

  /** The medium a drive of this model gets when none is named: the first of {@link #media()}. */
  public MediumType defaultMedium() {
    return media.get(0);
  }

  /** The medium type with the given id, if this drive accepts it. */
  public Optional<MediumType> medium(String type) {
    return media.stream().filter(m -> m.type().equals(type)).findFirst();
  }

  /** Whether this drive accepts media of the given type id. */
  public boolean accepts(String mediumType) {
    return medium(mediumType).isPresent();
  }

  /** Whether this drive implements the SCSI command of that standard name, e.g. "WRITE(10)". */
  public boolean supports(String commandName) {
    return commands.contains(commandName);
  }
}
