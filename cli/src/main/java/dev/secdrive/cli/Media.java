package dev.secdrive.cli;

import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import java.nio.file.Path;

/** Makes media of the types the drive profiles define. */
final class Media {

  private Media() {}

  /**
   * Creates a medium of {@code type}: geometry from the medium type, secure-area size from the
   * first profile (by ID) that takes it.
   *
   * @param id the medium ID, or null for a fresh one
   * @param content a file to record into the user area, or null; required for pressed types
   */
  static MediumMetadata create(
      MediumStore store,
      ProfileCatalog catalog,
      String type,
      String id,
      String label,
      Path content) {
    MediumType mediumType =
        catalog
            .mediumType(type)
            .orElseThrow(
                () ->
                    new CliException(
                        "unknown medium type '"
                            + type
                            + "' (known: "
                            + String.join(
                                ", ",
                                catalog.profiles().stream()
                                    .flatMap(p -> p.media().stream())
                                    .map(MediumType::type)
                                    .distinct()
                                    .sorted()
                                    .toList())
                            + ")"));
    if (mediumType.type().equals(CdAudioDisc.TYPE)) {
      // A CD-DA disc needs its TOC (disc.json) next to the audio: tracks, ISRCs, catalog number.
      throw new CliException(
          "medium type "
              + type
              + " is a pressed audio disc with a table of contents: make it with 'secdrive cdda"
              + " author --media-dir D --id ID --track a.wav ...'");
    }
    if (mediumType.pressed() && content == null) {
      throw new CliException(
          "medium type " + type + " is pressed (read-only): give its content with --content FILE");
    }
    DriveProfile profile =
        catalog.profiles().stream().filter(p -> p.accepts(type)).findFirst().orElseThrow();
    return store.create(
        new MediumStore.Spec(
            id,
            mediumType.type(),
            mediumType.blockSize(),
            mediumType.blockCount(),
            profile.secureAreaBytes(),
            mediumType.pressed(),
            label,
            content));
  }
}
