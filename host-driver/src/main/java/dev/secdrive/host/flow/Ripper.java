package dev.secdrive.host.flow;

import dev.secdrive.host.api.CdAudio;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackDescriptor;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The ripper of seed 004 (the digital information system's ripper 104 with its watermark detector
 * 103 and validity checker 102; PROTOCOL.md "Verification table"): reads audio tracks off a CD-DA
 * drive with READ CD, checks each for the watermark and its copy control, and writes WAV files.
 *
 * <ul>
 *   <li>{@link Mode#FULL}: detection finds the payload and the track's alignment on the mark, and
 *       verification checks every stretch of about a second of the whole track for it, so a partly
 *       substituted, spliced or rearranged track is refused ({@link TrackCheck}).
 *   <li>{@link Mode#TABLE} (embodiment 1, claims 1-7, FIG. 2): the first rip of a track detects as
 *       FULL does (S4-S6) and has the drive register it (S7-S9) in the table file; a later rip
 *       looks it up by ISRC (S2-S3), has the drive verify the record against the disc (VERIFY
 *       TRACK, S10-S12) and skips detection (S13). The ripper also compares the SHA-256 of the
 *       sectors it read with the record's track digest, at the cost of a hash.
 *   <li>{@link Mode#SAMPLED} (embodiment 2, claims 8-13, FIG. 4-6): detection only on ranges of
 *       {@link Settings#rangeSectors} sectors at CSPRNG addresses, each examined when its random
 *       value passes the threshold of claim 10 ({@link SampledRanges}); fresh positions every rip.
 * </ul>
 *
 * <p>Copy control: COPY_FREE and COPY_ONCE rip (a rip of the pressed disc is the one generation
 * COPY_ONCE permits; the WAV files keep the mark as it is); NO_MORE_COPIES is refused. Every track
 * must carry a mark; only a stretch too quiet for the embedder to have written one (digital silence
 * and the like) is exempt. {@link #detections()} counts the detector's runs, so a caller (and the
 * tests) can see that a repeat rip in TABLE mode runs none.
 *
 * <p>A track streams from the drive through the check, a SHA-256 and the WAV writer in chunks, so
 * memory does not grow with the track. The WAV files of one {@link #rip(List, Path, Progress)} go
 * to a staging directory beside the output and are moved into place only when every track passed: a
 * refused rip leaves no file behind, and an existing file is replaced only when the settings say
 * so.
 *
 * <p>Not thread-safe; one ripper per drive connection.
 */
public final class Ripper {

  /** How a rip checks a track. */
  public enum Mode {
    FULL,
    TABLE,
    SAMPLED
  }

  /** How a ripped track was found valid. */
  public enum Verification {
    /** Detected in the whole track (FULL). */
    DETECTED,
    /** Detected in the whole track and registered in the table (TABLE, first rip). */
    REGISTERED,
    /** Verified by the drive from the table, without detection (TABLE, later rips). */
    TABLE,
    /** Detected in sampled ranges (SAMPLED). */
    SAMPLED
  }

  /** Why a rip was refused. */
  public enum Refusal {
    /** The medium is not an audio CD, or the track is a data track. */
    NOT_AUDIO,
    /** The mark's copy control permits no copy. */
    NO_COPY,
    /** No mark where one is required. */
    UNMARKED,
    /** Part of the track carries no mark, or another payload. */
    SUBSTITUTED,
    /** The drive refused the table's record, or the track differs from it. */
    TABLE_RECORD
  }

  /** A rip refused: why, which track, and the message says what to do. */
  public static final class RefusedException extends FlowException {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;
    private final int track;
    private final transient Optional<Reason> driveReason;

    RefusedException(Refusal refusal, int track, String message) {
      this(refusal, track, Optional.empty(), message, null);
    }

    RefusedException(
        Refusal refusal, int track, Optional<Reason> reason, String message, Throwable cause) {
      super(message, cause);
      this.refusal = refusal;
      this.track = track;
      this.driveReason = reason;
    }

    public Refusal refusal() {
      return refusal;
    }

    /** The track refused, 0 for the whole disc. */
    public int track() {
      return track;
    }

    /** The drive's reason, for a refusal of VERIFY TRACK or REGISTER TRACK. */
    public Optional<Reason> driveReason() {
      return driveReason;
    }
  }

  /**
   * @param mode how to check the tracks
   * @param table the table file (TABLE mode)
   * @param sampling the probability p that a sampled range is examined (SAMPLED mode)
   * @param rangeSectors the length of a sampled range, at least the detector's shortest excerpt
   * @param designatedSectors how many sectors the drive designates in a record (claim 4)
   * @param overwrite whether a rip replaces WAV files already in the output directory
   */
  public record Settings(
      Mode mode,
      Path table,
      double sampling,
      int rangeSectors,
      int designatedSectors,
      boolean overwrite) {

    public static final double DEFAULT_SAMPLING = 0.25;
    public static final int DEFAULT_DESIGNATED = 16;

    public Settings {
      Objects.requireNonNull(mode, "mode");
      if (mode == Mode.TABLE) {
        Objects.requireNonNull(table, "table");
      }
      SampledRanges.threshold(sampling);
      if (designatedSectors < 1 || designatedSectors > TrackRecord.MAX_DESIGNATED) {
        throw new IllegalArgumentException(
            "designated sectors "
                + designatedSectors
                + " outside 1.."
                + TrackRecord.MAX_DESIGNATED);
      }
    }

    public static Settings of(Mode mode, Path table) {
      return new Settings(mode, table, DEFAULT_SAMPLING, 0, DEFAULT_DESIGNATED, false);
    }

    public Settings withSampling(double p, int sectors) {
      return new Settings(mode, table, p, sectors, designatedSectors, overwrite);
    }

    public Settings withOverwrite(boolean replace) {
      return new Settings(mode, table, sampling, rangeSectors, designatedSectors, replace);
    }
  }

  /** A track of the disc's TOC. */
  public record Track(int number, int control, long startLba, long sectors) {
    public boolean audio() {
      return (control & 0x4) == 0;
    }

    public double seconds() {
      return sectors / (double) SECTORS_PER_SECOND;
    }
  }

  /**
   * A ripped track.
   *
   * @param wav the file written
   * @param payload the payload detected, or the one the table's record holds
   * @param rangesExamined excerpts the detector and the verifier ran on (0 for a TABLE
   *     verification)
   * @param segmentsVerified stretches of about a second verified to carry the payload
   * @param sectorsExamined sectors of audio those excerpts held
   * @param detectionCpuNanos CPU time of this thread in the detector and the verifier
   * @param detectionNanos wall time there (with the collector's work it causes)
   * @param ripNanos wall time of the whole rip of the track, reads and writing included
   */
  public record Ripped(
      int track,
      Optional<String> isrc,
      long sectors,
      Path wav,
      Payload payload,
      Verification verification,
      int rangesExamined,
      int segmentsVerified,
      long sectorsExamined,
      long detectionCpuNanos,
      long detectionNanos,
      long ripNanos) {}

  static final int SECTOR_BYTES = Pcm.CD_SECTOR_BYTES;
  static final int FRAMES_PER_SECTOR = Pcm.CD_FRAMES_PER_SECTOR;
  static final int SECTORS_PER_SECOND = 75;

  /** Sectors a READ CD asks for at once: 8 s, about 1.4 MB, so the bar moves. */
  static final int READ_SECTORS = 600;

  private final Drive drive;
  private final Watermark watermark;
  private final Settings settings;
  private final RandomGenerator random;
  private final int windowSectors;
  private final TrackCheck.Meter meter = new TrackCheck.Meter();

  /** A ripper drawing sampled positions from a {@link SecureRandom}. */
  public Ripper(Drive drive, Watermark watermark, Settings settings) {
    this(drive, watermark, settings, new SecureRandom());
  }

  /**
   * A ripper drawing sampled positions from {@code random}: a seeded one for tests and the
   * benchmark, never for a rip that means it.
   */
  public Ripper(Drive drive, Watermark watermark, Settings settings, RandomGenerator random) {
    this.drive = drive;
    this.watermark = watermark;
    this.random = random;
    this.windowSectors = TrackCheck.windowSectors(watermark);
    if (settings.mode() == Mode.SAMPLED && settings.rangeSectors() == 0) {
      settings = settings.withSampling(settings.sampling(), windowSectors);
    }
    if (settings.mode() == Mode.SAMPLED && settings.rangeSectors() < windowSectors) {
      throw new IllegalArgumentException(
          "a sampled range of "
              + settings.rangeSectors()
              + " sectors is shorter than the "
              + windowSectors
              + " sectors ("
              + String.format(Locale.ROOT, "%.2f", windowSectors / 75.0)
              + " s) the detector needs");
    }
    this.settings = settings;
  }

  /** The sectors of the detector's shortest excerpt: SAMPLED's least range. */
  public int windowSectors() {
    return windowSectors;
  }

  public Settings settings() {
    return settings;
  }

  /** How many excerpts the detector has examined, over every rip of this ripper. */
  public long detections() {
    return meter.detections;
  }

  /** CPU time this ripper's threads spent in the detector and the verifier, over every rip. */
  public long detectionCpuNanos() {
    return meter.cpuNanos;
  }

  /**
   * The disc's tracks, from READ TOC.
   *
   * @throws RefusedException (NOT_AUDIO) if the drive has no audio CD
   */
  public List<Track> tracks() {
    settle();
    Toc toc;
    try {
      toc = drive.cdAudio().readToc();
    } catch (ScsiException e) {
      throw new RefusedException(
          Refusal.NOT_AUDIO,
          0,
          e.reason(),
          "the medium in " + drive.uri() + " is not an audio CD: " + e.getMessage(),
          e);
    }
    List<Track> tracks = new ArrayList<>();
    List<TrackDescriptor> d = toc.descriptors();
    for (int i = 0; i + 1 < d.size(); i++) {
      TrackDescriptor t = d.get(i);
      if (t.trackNumber() == TrackDescriptor.LEAD_OUT) {
        break;
      }
      long start = t.lba(false);
      long end = d.get(i + 1).lba(false);
      tracks.add(new Track(t.trackNumber(), t.control(), start, end - start));
    }
    if (tracks.stream().noneMatch(Track::audio)) {
      throw new RefusedException(
          Refusal.NOT_AUDIO, 0, "the disc in " + drive.uri() + " has no audio track");
    }
    return List.copyOf(tracks);
  }

  /** Takes the unit attentions a medium change leaves on this connection. */
  private void settle() {
    for (int attempt = 0; attempt < 4; attempt++) {
      try {
        drive.testUnitReady();
        return;
      } catch (ScsiException e) {
        if (!e.isUnitAttention()) {
          return; // not ready: READ TOC says so
        }
      }
    }
  }

  /**
   * Rips {@code numbers} (all audio tracks if empty) into {@code directory}/trackNN.wav, in order:
   * all of them or, when one is refused, none.
   *
   * @throws FlowException before reading anything if a file to write exists and the settings do not
   *     allow replacing it
   */
  public List<Ripped> rip(List<Integer> numbers, Path directory, Progress progress) {
    List<Track> chosen = choose(numbers);
    List<Path> targets = new ArrayList<>();
    for (Track track : chosen) {
      targets.add(directory.resolve(String.format(Locale.ROOT, "track%02d.wav", track.number())));
    }
    Staging.requireFree(targets, settings.overwrite());
    try (Staging staging = Staging.in(directory)) {
      long total = chosen.stream().mapToLong(Track::sectors).sum() * SECTOR_BYTES;
      List<Ripped> out = new ArrayList<>();
      long before = 0;
      for (Track track : chosen) {
        long base = before;
        Path target = targets.get(out.size());
        Ripped r = rip(track, staging.file(target), (d, t) -> progress.update(base + d, total));
        out.add(
            new Ripped(
                r.track(),
                r.isrc(),
                r.sectors(),
                target,
                r.payload(),
                r.verification(),
                r.rangesExamined(),
                r.segmentsVerified(),
                r.sectorsExamined(),
                r.detectionCpuNanos(),
                r.detectionNanos(),
                r.ripNanos()));
        before += track.sectors() * SECTOR_BYTES;
      }
      staging.publish(targets, settings.overwrite());
      return out;
    }
  }

  private List<Track> choose(List<Integer> numbers) {
    List<Track> all = tracks();
    if (numbers.isEmpty()) {
      return all.stream().filter(Track::audio).toList();
    }
    List<Track> chosen = new ArrayList<>();
    for (int n : numbers) {
      Track track =
          all.stream()
              .filter(t -> t.number() == n)
              .findFirst()
              .orElseThrow(
                  () ->
                      new FlowException(
                          "the disc has no track "
                              + n
                              + " (tracks "
                              + all.get(0).number()
                              + "-"
                              + all.get(all.size() - 1).number()
                              + ")"));
      if (!track.audio()) {
        throw new RefusedException(Refusal.NOT_AUDIO, n, "track " + n + " is a data track");
      }
      chosen.add(track);
    }
    return chosen;
  }

  /** Rips one track into {@code wav}. */
  private Ripped rip(Track track, Path wav, Progress progress) {
    long started = System.nanoTime();
    CdAudio cd = drive.cdAudio();
    Optional<String> isrc = cd.isrc(track.number());
    TrackCheck.Reread reread = (offset, count) -> read(cd, track, offset, count);
    TrackCheck check;
    Verification verification;
    Optional<TrackRecord> fromTable = Optional.empty();
    TrackTable table = settings.mode() == Mode.TABLE ? new TrackTable(drive, settings) : null;
    switch (settings.mode()) {
      case FULL -> {
        check = TrackCheck.full(watermark, track, meter, reread);
        verification = Verification.DETECTED;
      }
      case SAMPLED -> {
        List<SampledRanges.Range> ranges =
            SampledRanges.draw(
                track.sectors(),
                settings.rangeSectors(),
                SampledRanges.threshold(settings.sampling()),
                random);
        check = TrackCheck.sampled(watermark, track, meter, ranges, reread);
        verification = Verification.SAMPLED;
      }
      case TABLE -> {
        fromTable = table.verified(track, isrc);
        check = fromTable.isPresent() ? null : TrackCheck.full(watermark, track, meter, reread);
        verification = fromTable.isPresent() ? Verification.TABLE : Verification.REGISTERED;
      }
      default -> throw new IllegalStateException(settings.mode().toString());
    }
    byte[] digest = stream(cd, track, wav, check, progress);
    Payload payload;
    TrackCheck.Result result;
    if (fromTable.isPresent()) {
      TrackRecord record = fromTable.get();
      table.requireSameTrack(track, record, digest);
      payload = new Payload(CopyControl.fromCode(record.copyControl()), record.contentId());
      result = new TrackCheck.Result(payload, 0, 0, 0, 0, 0);
    } else {
      result = check.finish();
      payload = result.payload();
      if (table != null) {
        table.register(track, payload);
      }
    }
    TrackCheck.requireCopyAllowed(track, payload);
    return new Ripped(
        track.number(),
        isrc,
        track.sectors(),
        wav,
        payload,
        verification,
        result.excerpts(),
        result.segments(),
        result.sectors(),
        result.cpuNanos(),
        result.wallNanos(),
        System.nanoTime() - started);
  }

  /**
   * Whether SAMPLED mode refuses a range of a track marked with {@code expected} from its first
   * frame, the range being {@code excerpt} from sector {@code offset}: no mark found, another
   * payload or alignment, or a stretch that does not verify. The benchmark measures the chance of
   * missing a substituted stretch with it.
   */
  public static boolean refusesRange(
      Watermark watermark, Pcm excerpt, long offset, Payload expected) {
    return TrackCheck.refuses(watermark, excerpt, offset, expected);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Streams the track from the drive into {@code wav}, through {@code check} when there is one, and
   * returns the SHA-256 of its sectors.
   */
  private static byte[] stream(
      CdAudio cd, Track track, Path wav, TrackCheck check, Progress progress) {
    MessageDigest sha = sha256();
    long total = track.sectors() * SECTOR_BYTES;
    try (Wav.Writer out = Wav.Writer.open(wav, Pcm.CD_SAMPLE_RATE, Pcm.CD_CHANNELS)) {
      for (long s = 0; s < track.sectors(); s += READ_SECTORS) {
        int n = (int) Math.min(READ_SECTORS, track.sectors() - s);
        byte[] chunk = read(cd, track, s, n);
        sha.update(chunk);
        out.write(chunk, 0, chunk.length);
        if (check != null) {
          check.accept(s, chunk);
        }
        progress.update((s + n) * SECTOR_BYTES, total);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + wav + ": " + e, e);
    }
    return sha.digest();
  }

  /** {@code count} sectors of {@code track} from its sector {@code offset}. */
  private static byte[] read(CdAudio cd, Track track, long offset, int count) {
    try {
      return cd.readCd(track.startLba() + offset, count);
    } catch (ScsiException e) {
      if (e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB)
          || e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.ILLEGAL_MODE_FOR_THIS_TRACK)) {
        throw new RefusedException(
            Refusal.NOT_AUDIO,
            track.number(),
            e.reason(),
            "track " + track.number() + " does not read as CD-DA: " + e.getMessage(),
            e);
      }
      throw e;
    }
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
