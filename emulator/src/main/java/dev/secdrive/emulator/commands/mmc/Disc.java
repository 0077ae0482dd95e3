package dev.secdrive.emulator.commands.mmc;

import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.CdAudioDisc.TocTrack;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.QSubChannel;
import java.util.List;
import java.util.Optional;

/**
 * The disc in the drive as the CD commands see it: a CD-DA disc's TOC from its {@code disc.json},
 * or for a pressed CD-ROM one data track (control 4h) over the whole medium. LBA 0 is the start of
 * track 1; the lead-out follows the last track.
 */
record Disc(Medium medium, Optional<String> mcn, List<TocTrack> tracks, long leadOutLba) {

  /** A CD-ROM's single track: data, digital copy permitted (the usual control for CD-ROM). */
  private static final int CONTROL_DATA_TRACK =
      CdAudioDisc.CONTROL_DATA | CdAudioDisc.CONTROL_COPY_PERMITTED;

  static Disc of(Medium medium) {
    if (CdAudioDisc.isAudio(medium)) {
      CdAudioDisc disc = CdAudioDisc.of(medium);
      return new Disc(medium, disc.mcn(), disc.tracks(), disc.leadOutLba());
    }
    long sectors = medium.blockCount();
    return new Disc(
        medium,
        Optional.empty(),
        List.of(new TocTrack(1, Optional.empty(), CONTROL_DATA_TRACK, 0, sectors)),
        sectors);
  }

  int firstTrack() {
    return tracks.get(0).number();
  }

  int lastTrack() {
    return tracks.get(tracks.size() - 1).number();
  }

  TocTrack last() {
    return tracks.get(tracks.size() - 1);
  }

  Optional<TocTrack> track(int number) {
    return number >= 1 && number <= tracks.size()
        ? Optional.of(tracks.get(number - 1))
        : Optional.empty();
  }

  /** The track holding {@code lba}, which must be inside the program area. */
  TocTrack trackAt(long lba) {
    for (TocTrack track : tracks) {
      if (track.contains(lba)) {
        return track;
      }
    }
    throw new IllegalArgumentException("LBA " + lba + " is outside the program area");
  }

  /**
   * The Q sub-channel of sector {@code lba} as the disc carries it (IEC 60908 17.5): mode 1, the
   * position, in most sectors; mode 2, the catalog number, in sectors whose LBA ends in 98 when the
   * disc has one; mode 3, the track's ISRC, in those ending in 99 when the track has one. The
   * standard asks for each in at least one of every 100 sectors; fixed places keep reads
   * reproducible.
   */
  QSubChannel q(long lba) {
    TocTrack track = trackAt(lba);
    int aframe = Msf.fromLba(lba).frame();
    if (mcn.isPresent() && lba % 100 == 98) {
      return QSubChannel.catalog(track.control(), mcn.get(), aframe);
    }
    if (track.isrc().isPresent() && lba % 100 == 99) {
      return QSubChannel.isrc(track.control(), track.isrc().get(), aframe);
    }
    return QSubChannel.position(track.control(), track.number(), 1, lba - track.startLba(), lba);
  }
}
