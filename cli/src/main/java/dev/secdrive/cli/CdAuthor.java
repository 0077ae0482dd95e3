package dev.secdrive.cli;

import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Authoring of a CD-DA disc with watermarked tracks (seed 004; {@code secdrive cdda author}, the
 * demo, the tests and the rip benchmark): each track's audio is marked with its payload on the way
 * and the disc is pressed whole, or not at all.
 */
final class CdAuthor {

  /**
   * One track to press.
   *
   * @param audio 16-bit 44.1 kHz stereo
   * @param payload the mark to embed, or empty for an unmarked track
   */
  record TrackSpec(Pcm audio, Optional<String> isrc, Optional<Payload> payload) {}

  private CdAuthor() {}

  /** Marks the tracks and presses the disc; returns the tracks as pressed (marked). */
  static List<Pcm> press(
      Path mediaDir,
      String id,
      String label,
      Optional<String> mcn,
      Watermark watermark,
      List<TrackSpec> tracks) {
    List<CdAudioDisc.Track> pressed = new ArrayList<>();
    List<Pcm> marked = new ArrayList<>();
    for (TrackSpec t : tracks) {
      if (!t.audio().isCdAudio()) {
        throw new CliException("CD audio needs 16-bit 44,100 Hz stereo, got " + t.audio());
      }
      Pcm pcm = t.payload().map(p -> watermark.embed(t.audio(), p)).orElse(t.audio());
      marked.add(pcm);
      pressed.add(new CdAudioDisc.Track(t.isrc(), pcm.toLittleEndian()));
    }
    CdAudioDisc.press(mediaDir, id, label, mcn, pressed);
    return marked;
  }

  /**
   * An ISRC as users write it, CC-XXX-YY-NNNNN or CCXXXYYNNNNN, in the 12 characters the disc
   * carries.
   */
  static String isrc(String text) {
    String s = text.replace("-", "").toUpperCase(Locale.ROOT);
    if (!CdAudioDisc.ISRC.matcher(s).matches()) {
      throw new CliException(
          "ISRC '"
              + text
              + "' is not CC-XXX-YY-NNNNN (country, registrant, year, designation; ISO 3901)");
    }
    return s;
  }
}
