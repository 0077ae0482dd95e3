package dev.secdrive.emulator.media;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A pressed CD-DA disc (Red Book, IEC 60908): audio sectors of 2,352 bytes (588 stereo frames of
 * 16-bit little-endian PCM, 1/75 s), addressed by LBA from 0 at the start of track 1's index 1,
 * which is MSF 00:02:00 after the 2-second (150-sector) pregap; a TOC of up to 99 tracks with their
 * start addresses and control nibbles, an ISRC per track (ISO 3901) and a media catalog number.
 *
 * <p>On disk a CD-DA medium is a medium of type {@value #TYPE}: {@code medium.json} (2,352-byte
 * blocks, pressed, no secure area), {@code user.img} (the sectors in LBA order, track after track,
 * each track padded with silence to a whole sector), and {@code disc.json}, the TOC:
 *
 * <pre>{@code
 * {"format": 1, "mcn": "0123456789012",
 *  "tracks": [{"number": 1, "isrc": "USSD12600001", "control": 0, "startLba": 0, "sectors": 750}],
 *  "leadOutLba": 750}
 * }</pre>
 *
 * The tracks are numbered from 1 without gaps and lie back to back from LBA 0; the lead-out starts
 * where the last track ends, at the medium's block count.
 */
public final class CdAudioDisc {

  /** The medium type of CD-DA discs, as the drive profiles name it. */
  public static final String TYPE = "cd-da";

  /** Bytes of one audio sector: 588 frames x 2 channels x 2 bytes. */
  public static final int SECTOR_BYTES = 2352;

  /** Stereo sample frames per sector. */
  public static final int FRAMES_PER_SECTOR = 588;

  /** Sectors (CD frames) per second. */
  public static final int SECTORS_PER_SECOND = 75;

  /** The pregap before track 1: LBA 0 is MSF 00:02:00. */
  public static final int PREGAP_SECTORS = 150;

  /** The most tracks a disc can hold. */
  public static final int MAXIMUM_TRACKS = 99;

  /** The most sectors a pressed disc holds here: 80 minutes, as the drive profile's cd-da type. */
  public static final long MAXIMUM_SECTORS = 80L * 60 * SECTORS_PER_SECOND;

  /** Control nibble of a two-channel audio track, no pre-emphasis, digital copy prohibited. */
  public static final int CONTROL_AUDIO = 0x0;

  /** Control nibble bit: digital copy permitted. */
  public static final int CONTROL_COPY_PERMITTED = 0x2;

  /** Control nibble bit: a data track. */
  public static final int CONTROL_DATA = 0x4;

  static final String DISC_FILE = "disc.json";
  static final int FORMAT = 1;

  /** ISRC (ISO 3901): country (2 letters), registrant (3 alphanumerics), year (2), number (5). */
  public static final Pattern ISRC = Pattern.compile("[A-Z]{2}[A-Z0-9]{3}[0-9]{7}");

  /** Media catalog number: 13 decimal digits (UPC/EAN). */
  public static final Pattern MCN = Pattern.compile("[0-9]{13}");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  /**
   * A track to press.
   *
   * @param isrc its ISRC, 12 characters (ISO 3901, without dashes), or empty
   * @param pcmLittleEndian 16-bit 44.1 kHz stereo PCM, little-endian (L lo, L hi, R lo, R hi);
   *     padded with silence to a whole sector
   */
  public record Track(Optional<String> isrc, byte[] pcmLittleEndian) {
    public Track {
      Objects.requireNonNull(isrc, "isrc");
      Objects.requireNonNull(pcmLittleEndian, "pcmLittleEndian");
      isrc.ifPresent(CdAudioDisc::checkIsrc);
      if (pcmLittleEndian.length == 0 || pcmLittleEndian.length % 4 != 0) {
        throw new IllegalArgumentException(
            "track PCM must be whole 16-bit stereo frames (a multiple of 4 bytes, not empty), got "
                + pcmLittleEndian.length
                + " bytes");
      }
    }

    /** Sectors the track takes on the disc. */
    public long sectors() {
      return (pcmLittleEndian.length + SECTOR_BYTES - 1) / SECTOR_BYTES;
    }
  }

  /**
   * One track of the disc's TOC.
   *
   * @param number 1-99
   * @param isrc its ISRC, or empty
   * @param control the control nibble (Q sub-channel CONTROL field): {@link #CONTROL_AUDIO}, with
   *     {@link #CONTROL_COPY_PERMITTED}; {@link #CONTROL_DATA} for a data track
   * @param startLba the LBA of its index 1
   * @param sectors its length in sectors
   */
  public record TocTrack(
      int number, Optional<String> isrc, int control, long startLba, long sectors) {
    public TocTrack {
      Objects.requireNonNull(isrc, "isrc");
      if (number < 1 || number > MAXIMUM_TRACKS) {
        throw new IllegalArgumentException("track number " + number + " is not 1-99");
      }
      isrc.ifPresent(CdAudioDisc::checkIsrc);
      if (control < 0 || control > 0xF) {
        throw new IllegalArgumentException("control nibble " + control + " is not 0-15");
      }
      if (startLba < 0 || sectors < 1) {
        throw new IllegalArgumentException(
            "track " + number + ": start " + startLba + ", " + sectors + " sectors");
      }
    }

    /** The first LBA after the track. */
    public long endLba() {
      return startLba + sectors;
    }

    public boolean audio() {
      return (control & CONTROL_DATA) == 0;
    }

    public boolean contains(long lba) {
      return lba >= startLba && lba < endLba();
    }
  }

  /** {@code disc.json}; absent values are null. */
  record DiscFile(int format, String mcn, List<TrackEntry> tracks, long leadOutLba) {}

  record TrackEntry(int number, String isrc, int control, long startLba, long sectors) {}

  private final String mediumId;
  private final Optional<String> mcn;
  private final List<TocTrack> tracks;
  private final long leadOutLba;

  private CdAudioDisc(
      String mediumId, Optional<String> mcn, List<TocTrack> tracks, long leadOutLba) {
    this.mediumId = mediumId;
    this.mcn = mcn;
    this.tracks = List.copyOf(tracks);
    this.leadOutLba = leadOutLba;
  }

  /**
   * Presses a disc into the media directory {@code mediaDir} (created if missing): the tracks back
   * to back from LBA 0, each padded with silence to a whole sector. The medium appears whole or not
   * at all.
   *
   * @throws MediumException if {@code id} is taken or invalid, or the tracks do not fit a disc
   * @throws IllegalArgumentException for a malformed MCN, no tracks, or more than 99
   */
  public static void press(
      Path mediaDir, String id, String label, Optional<String> mcn, List<Track> tracks) {
    Objects.requireNonNull(mcn, "mcn");
    mcn.ifPresent(CdAudioDisc::checkMcn);
    if (tracks.isEmpty() || tracks.size() > MAXIMUM_TRACKS) {
      throw new IllegalArgumentException(
          "a CD-DA disc has 1-99 tracks, " + tracks.size() + " given");
    }
    List<TrackEntry> entries = new ArrayList<>();
    long lba = 0;
    for (int i = 0; i < tracks.size(); i++) {
      Track track = tracks.get(i);
      entries.add(
          new TrackEntry(i + 1, track.isrc().orElse(null), CONTROL_AUDIO, lba, track.sectors()));
      lba += track.sectors();
    }
    if (lba > MAXIMUM_SECTORS) {
      throw new MediumException(
          "the tracks take "
              + lba
              + " sectors ("
              + lba / SECTORS_PER_SECOND
              + " s); a disc holds "
              + MAXIMUM_SECTORS
              + " (80 minutes)");
    }
    MediumStore store = MediumStore.openOrCreate(mediaDir);
    if (id != null && store.exists(id)) {
      throw new MediumException("medium " + id + " already exists in " + mediaDir);
    }
    byte[] disc;
    try {
      disc = JSON.writeValueAsBytes(new DiscFile(FORMAT, mcn.orElse(null), entries, lba));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Path image = null;
    try {
      image = Files.createTempFile(mediaDir, ".cdda-", ".pcm");
      try (OutputStream out = Files.newOutputStream(image)) {
        for (Track track : tracks) {
          out.write(track.pcmLittleEndian());
          out.write(
              new byte[(int) (track.sectors() * SECTOR_BYTES - track.pcmLittleEndian().length)]);
        }
      }
      store.create(
          new MediumStore.Spec(id, TYPE, SECTOR_BYTES, lba, 0, true, label, image),
          Map.of(DISC_FILE, disc));
    } catch (IOException e) {
      throw new MediumException("cannot press disc " + id + " in " + mediaDir + ": " + e, e);
    } finally {
      if (image != null) {
        try {
          Files.deleteIfExists(image);
        } catch (IOException ignored) {
          // a leftover starts with '.' and is never taken for a medium
        }
      }
    }
  }

  /** Whether {@code medium} is a CD-DA disc. */
  public static boolean isAudio(Medium medium) {
    return TYPE.equals(medium.metadata().type());
  }

  /**
   * The disc of a CD-DA medium, read from its {@code disc.json} and checked against its geometry.
   *
   * @throws MediumException if the medium is not CD-DA, or its TOC is missing or corrupt
   */
  public static CdAudioDisc of(Medium medium) {
    if (!isAudio(medium)) {
      throw new MediumException(
          "medium " + medium.id() + " is " + medium.metadata().type() + ", not a CD-DA disc");
    }
    Path file = medium.directory().resolve(DISC_FILE);
    DiscFile disc;
    try {
      disc = JSON.readValue(Files.readAllBytes(file), DiscFile.class);
    } catch (NoSuchFileException e) {
      throw new MediumException("CD-DA medium " + medium.id() + ": " + file + " is missing", e);
    } catch (JacksonException e) {
      throw new MediumException(
          "CD-DA medium " + medium.id() + ": " + file + " is corrupt: " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new MediumException("cannot read " + file + ": " + e, e);
    }
    try {
      return check(medium, disc);
    } catch (IllegalArgumentException e) {
      throw new MediumException(
          "CD-DA medium " + medium.id() + ": " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  private static CdAudioDisc check(Medium medium, DiscFile disc) {
    if (disc.format() != FORMAT) {
      throw new IllegalArgumentException("unsupported format " + disc.format());
    }
    if (medium.blockSize() != SECTOR_BYTES || !medium.metadata().pressed()) {
      throw new IllegalArgumentException("a CD-DA medium is pressed with 2,352-byte sectors");
    }
    Optional<String> mcn = Optional.ofNullable(disc.mcn());
    mcn.ifPresent(CdAudioDisc::checkMcn);
    if (disc.tracks() == null || disc.tracks().isEmpty() || disc.tracks().size() > 99) {
      throw new IllegalArgumentException("a disc has 1-99 tracks");
    }
    List<TocTrack> tracks = new ArrayList<>();
    long next = 0;
    for (TrackEntry entry : disc.tracks()) {
      TocTrack track =
          new TocTrack(
              entry.number(),
              Optional.ofNullable(entry.isrc()),
              entry.control(),
              entry.startLba(),
              entry.sectors());
      if (track.number() != tracks.size() + 1 || track.startLba() != next) {
        throw new IllegalArgumentException(
            "track "
                + track.number()
                + " at LBA "
                + track.startLba()
                + ": tracks are numbered from 1 and lie back to back from LBA 0");
      }
      tracks.add(track);
      next = track.endLba();
    }
    if (disc.leadOutLba() != next || next != medium.blockCount()) {
      throw new IllegalArgumentException(
          "lead-out at LBA "
              + disc.leadOutLba()
              + ", the tracks end at "
              + next
              + ", the medium has "
              + medium.blockCount()
              + " sectors");
    }
    return new CdAudioDisc(medium.id(), mcn, tracks, next);
  }

  public String mediumId() {
    return mediumId;
  }

  /** The media catalog number, 13 digits, if the disc has one. */
  public Optional<String> mcn() {
    return mcn;
  }

  /** The tracks in order, numbered from 1. */
  public List<TocTrack> tracks() {
    return tracks;
  }

  public int firstTrack() {
    return 1;
  }

  public int lastTrack() {
    return tracks.size();
  }

  /** The track with that number, if there is one. */
  public Optional<TocTrack> track(int number) {
    return number >= 1 && number <= tracks.size()
        ? Optional.of(tracks.get(number - 1))
        : Optional.empty();
  }

  /** The track holding sector {@code lba}; empty in the lead-out or beyond. */
  public Optional<TocTrack> trackAt(long lba) {
    for (TocTrack track : tracks) {
      if (track.contains(lba)) {
        return Optional.of(track);
      }
    }
    return Optional.empty();
  }

  /** The LBA where the lead-out starts: the number of audio sectors. */
  public long leadOutLba() {
    return leadOutLba;
  }

  static String checkIsrc(String isrc) {
    if (isrc == null || !ISRC.matcher(isrc).matches()) {
      throw new IllegalArgumentException(
          "ISRC '"
              + isrc
              + "' is not 12 characters CCXXXYYNNNNN (ISO 3901: country, registrant, year,"
              + " designation; upper case, no dashes)");
    }
    return isrc;
  }

  static String checkMcn(String mcn) {
    if (mcn == null || !MCN.matcher(mcn).matches()) {
      throw new IllegalArgumentException(
          "media catalog number '" + mcn + "' is not 13 decimal digits");
    }
    return mcn;
  }

  @Override
  public String toString() {
    return "CdAudioDisc["
        + mediumId
        + ", "
        + tracks.size()
        + " tracks, lead-out "
        + leadOutLba
        + "]";
  }
}
