package dev.secdrive.host.flow;

import dev.secdrive.host.api.CdAudio;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Detection;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackDescriptor;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.security.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
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
 *   <li>{@link Mode#FULL}: detection over the whole track, window after window; every window must
 *       carry the same payload, so a partly substituted track is refused.
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
 * must carry a mark; an excerpt quieter than {@link #SILENCE_DBFS} is silence, which carries none
 * and is not asked to. {@link #detections()} counts the detector's runs, so a caller (and the
 * tests) can see that a repeat rip in TABLE mode runs none.
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
   */
  public record Settings(
      Mode mode, Path table, double sampling, int rangeSectors, int designatedSectors) {

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
      return new Settings(mode, table, DEFAULT_SAMPLING, 0, DEFAULT_DESIGNATED);
    }

    public Settings withSampling(double p, int sectors) {
      return new Settings(mode, table, p, sectors, designatedSectors);
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
   * @param rangesExamined excerpts the detector ran on (0 for a TABLE verification)
   * @param sectorsExamined sectors of audio those excerpts held
   * @param detectionCpuNanos CPU time of this thread in the detector
   * @param detectionNanos wall time in the detector (with the collector's work it causes)
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
      long sectorsExamined,
      long detectionCpuNanos,
      long detectionNanos,
      long ripNanos) {}

  static final int SECTOR_BYTES = Pcm.CD_SECTOR_BYTES;
  static final int FRAMES_PER_SECTOR = Pcm.CD_FRAMES_PER_SECTOR;
  static final int SECTORS_PER_SECOND = 75;

  /** Sectors a READ CD asks for at once: about 1.4 MB, so the bar moves. */
  private static final int READ_SECTORS = 600;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * An excerpt whose RMS level is below this (dBFS) is silence, which carries no inaudible mark: it
   * is not required to carry one (the gaps and fade-outs of a real track). A stretch of audio so
   * quiet is no content worth substituting.
   */
  public static final double SILENCE_DBFS = -50;

  private final Drive drive;
  private final Watermark watermark;
  private final Settings settings;
  private final RandomGenerator random;
  private final int windowSectors;
  private long detections;
  private long detectionCpuNanos;

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
    this.windowSectors =
        (watermark.minimumExcerptFrames() + FRAMES_PER_SECTOR - 1) / FRAMES_PER_SECTOR;
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

  /** The sectors of the detector's shortest excerpt: FULL mode's window, SAMPLED's least range. */
  public int windowSectors() {
    return windowSectors;
  }

  public Settings settings() {
    return settings;
  }

  /** How many excerpts the detector has examined, over every rip of this ripper. */
  public long detections() {
    return detections;
  }

  /** CPU time this ripper's threads spent in the detector, over every rip. */
  public long detectionCpuNanos() {
    return detectionCpuNanos;
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

  /** Rips {@code numbers} (all audio tracks if empty) into {@code directory}, in order. */
  public List<Ripped> rip(List<Integer> numbers, Path directory, Progress progress) {
    List<Track> all = tracks();
    List<Track> chosen = new ArrayList<>();
    if (numbers.isEmpty()) {
      all.stream().filter(Track::audio).forEach(chosen::add);
    } else {
      for (int n : numbers) {
        chosen.add(
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
                                + ")")));
      }
    }
    long total = chosen.stream().mapToLong(Track::sectors).sum() * SECTOR_BYTES;
    long[] done = {0};
    List<Ripped> out = new ArrayList<>();
    for (Track track : chosen) {
      long before = done[0];
      out.add(
          rip(
              track,
              directory,
              (d, t) -> {
                done[0] = before + d;
                progress.update(done[0], total);
              }));
      done[0] = before + track.sectors() * SECTOR_BYTES;
    }
    return out;
  }

  /** Rips one track into {@code directory}/trackNN.wav. */
  public Ripped rip(Track track, Path directory, Progress progress) {
    long started = System.nanoTime();
    if (!track.audio()) {
      throw new RefusedException(
          Refusal.NOT_AUDIO, track.number(), "track " + track.number() + " is a data track");
    }
    CdAudio cd = drive.cdAudio();
    Optional<String> isrc = cd.isrc(track.number());
    byte[] bytes = read(cd, track, progress);
    Pcm pcm = Pcm.fromLittleEndian(bytes, Pcm.CD_SAMPLE_RATE, Pcm.CD_CHANNELS);
    long cpu = 0;
    long wall = 0;
    int ranges;
    long examined;
    Payload payload;
    Verification verification;
    switch (settings.mode()) {
      case FULL -> {
        Checked c = detectWindows(track, pcm);
        payload = c.payload;
        ranges = c.ranges;
        examined = c.sectors;
        cpu = c.cpuNanos;
        wall = c.wallNanos;
        verification = Verification.DETECTED;
      }
      case SAMPLED -> {
        Checked c = detectSampled(track, pcm);
        payload = c.payload;
        ranges = c.ranges;
        examined = c.sectors;
        cpu = c.cpuNanos;
        wall = c.wallNanos;
        verification = Verification.SAMPLED;
      }
      case TABLE -> {
        RipTable table = RipTable.load(settings.table());
        String deviceId = drive.deviceId();
        String mediumId = drive.mediumId();
        RipTable.Key key = RipTable.Key.of(deviceId, isrc, mediumId, track.number());
        Optional<RipTable.Entry> entry = table.find(key);
        if (entry.isPresent()) {
          TrackRecord record = verifyFromTable(track, entry.get(), bytes);
          payload = new Payload(CopyControl.fromCode(record.copyControl()), record.contentId());
          ranges = 0;
          examined = 0;
          verification = Verification.TABLE;
        } else {
          Checked c = detectWindows(track, pcm);
          payload = c.payload;
          ranges = c.ranges;
          examined = c.sectors;
          cpu = c.cpuNanos;
          wall = c.wallNanos;
          requireCopyAllowed(track, payload);
          register(track, payload, table);
          verification = Verification.REGISTERED;
        }
      }
      default -> throw new IllegalStateException(settings.mode().toString());
    }
    requireCopyAllowed(track, payload);
    Path wav = directory.resolve(String.format(Locale.ROOT, "track%02d.wav", track.number()));
    try {
      Files.createDirectories(directory);
      Wav.write(wav, pcm);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + wav + ": " + e, e);
    }
    return new Ripped(
        track.number(),
        isrc,
        track.sectors(),
        wav,
        payload,
        verification,
        ranges,
        examined,
        cpu,
        wall,
        System.nanoTime() - started);
  }

  // ---------------------------------------------------------------- reading

  private static byte[] read(CdAudio cd, Track track, Progress progress) {
    byte[] out = new byte[Math.toIntExact(track.sectors() * SECTOR_BYTES)];
    for (long s = 0; s < track.sectors(); s += READ_SECTORS) {
      int n = (int) Math.min(READ_SECTORS, track.sectors() - s);
      byte[] chunk;
      try {
        chunk = cd.readCd(track.startLba() + s, n);
      } catch (ScsiException e) {
        if (e.is(
                dev.secdrive.protocol.sense.SenseKey.ILLEGAL_REQUEST,
                dev.secdrive.protocol.sense.AdditionalSense.INVALID_FIELD_IN_CDB)
            || e.sense().asc() == 0x64) {
          throw new RefusedException(
              Refusal.NOT_AUDIO,
              track.number(),
              e.reason(),
              "track " + track.number() + " does not read as CD-DA: " + e.getMessage(),
              e);
        }
        throw e;
      }
      System.arraycopy(chunk, 0, out, (int) (s * SECTOR_BYTES), chunk.length);
      progress.update((s + n) * SECTOR_BYTES, out.length);
    }
    return out;
  }

  // ---------------------------------------------------------------- detection

  private record Checked(
      Payload payload, int ranges, long sectors, long cpuNanos, long wallNanos) {}

  /**
   * FULL: windows of the detector's shortest excerpt, back to back; the last one ends the track.
   */
  private Checked detectWindows(Track track, Pcm pcm) {
    List<SampledRanges.Range> windows = new ArrayList<>();
    long n = track.sectors();
    if (n <= windowSectors) {
      windows.add(new SampledRanges.Range(0, (int) n));
    } else {
      for (long s = 0; s < n; s += windowSectors) {
        long start = Math.min(s, n - windowSectors);
        windows.add(new SampledRanges.Range(start, windowSectors));
      }
    }
    return examine(track, pcm, windows);
  }

  /** SAMPLED: the ranges of claims 9-10, drawn fresh. */
  private Checked detectSampled(Track track, Pcm pcm) {
    List<SampledRanges.Range> ranges =
        SampledRanges.draw(
            track.sectors(),
            settings.rangeSectors(),
            SampledRanges.threshold(settings.sampling()),
            random);
    return examine(track, pcm, ranges);
  }

  private Checked examine(Track track, Pcm pcm, List<SampledRanges.Range> ranges) {
    Payload payload = null;
    SampledRanges.Range firstMissing = null;
    SampledRanges.Range firstOther = null;
    Payload other = null;
    long sectors = 0;
    long cpu = 0;
    long wall = 0;
    for (SampledRanges.Range r : ranges) {
      Pcm excerpt =
          pcm.slice(
              (int) (r.offset() * FRAMES_PER_SECTOR),
              (int) ((r.offset() + r.sectors()) * FRAMES_PER_SECTOR));
      if (silent(excerpt)) {
        continue;
      }
      long t0 = THREADS.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      Optional<Detection> found = watermark.detect(excerpt);
      wall += System.nanoTime() - w0;
      long spent = THREADS.getCurrentThreadCpuTime() - t0;
      cpu += spent;
      detectionCpuNanos += spent;
      detections++;
      sectors += r.sectors();
      if (found.isEmpty()) {
        if (firstMissing == null) {
          firstMissing = r;
        }
      } else if (payload == null) {
        payload = found.get().payload();
      } else if (!payload.equals(found.get().payload()) && firstOther == null) {
        firstOther = r;
        other = found.get().payload();
      }
    }
    if (payload == null) {
      throw new RefusedException(
          Refusal.UNMARKED,
          track.number(),
          "track "
              + track.number()
              + " carries no watermark ("
              + ranges.size()
              + " excerpt"
              + (ranges.size() == 1 ? "" : "s")
              + " examined): a mark is required to rip it");
    }
    if (firstMissing != null) {
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " is partly unmarked: no watermark in "
              + at(firstMissing)
              + " though the rest carries one; a substituted or edited track is not ripped");
    }
    if (firstOther != null) {
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " carries two payloads ("
              + describe(payload)
              + ", and "
              + describe(other)
              + " in "
              + at(firstOther)
              + "): a spliced track is not ripped");
    }
    return new Checked(payload, ranges.size(), sectors, cpu, wall);
  }

  static boolean silent(Pcm excerpt) {
    short[] s = excerpt.samples();
    double sum = 0;
    for (short v : s) {
      sum += (double) v * v;
    }
    double rms = Math.sqrt(sum / Math.max(1, s.length)) / 32768.0;
    return 20 * Math.log10(Math.max(rms, 1e-12)) < SILENCE_DBFS;
  }

  private static String at(SampledRanges.Range r) {
    return String.format(
        Locale.ROOT,
        "%.2f-%.2f s",
        r.offset() / (double) SECTORS_PER_SECOND,
        (r.offset() + r.sectors()) / (double) SECTORS_PER_SECOND);
  }

  static String describe(Payload p) {
    return p.copyControl().name().toLowerCase(Locale.ROOT).replace('_', ' ')
        + ", content "
        + p.contentId();
  }

  private static void requireCopyAllowed(Track track, Payload payload) {
    if (payload.copyControl() == CopyControl.NO_MORE_COPIES) {
      throw new RefusedException(
          Refusal.NO_COPY,
          track.number(),
          "track "
              + track.number()
              + " is marked no more copies (content "
              + payload.contentId()
              + "): it may not be ripped");
    }
  }

  // ---------------------------------------------------------------- the table (embodiment 1)

  private void register(Track track, Payload payload, RipTable table) {
    byte[] record;
    try {
      drive
          .secure()
          .registerTrack(
              new RegisterTrack(
                  track.number(),
                  (int) Math.min(settings.designatedSectors(), track.sectors()),
                  payload.copyControl().code(),
                  payload.contentId()));
      record = drive.secure().trackRecord();
    } catch (ScsiException e) {
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          e.reason(),
          "the drive did not register track " + track.number() + ": " + e.getMessage(),
          e);
    }
    try {
      table.with(TrackRecord.decode(record)).save(settings.table());
    } catch (dev.secdrive.protocol.security.ParameterException e) {
      throw new FlowException("the drive sent an unreadable track record: " + e.getMessage(), e);
    }
  }

  private TrackRecord verifyFromTable(Track track, RipTable.Entry entry, byte[] bytes) {
    TrackRecord record;
    try {
      record = entry.decoded(settings.table());
    } catch (FlowException e) {
      throw new RefusedException(
          Refusal.TABLE_RECORD, track.number(), Optional.empty(), e.getMessage(), e);
    }
    try {
      drive.secure().verifyTrack(track.number(), record);
    } catch (ScsiException e) {
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          e.reason(),
          "the table's record for track "
              + track.number()
              + " ("
              + entry.key()
              + ") is refused by the drive: "
              + e.reason().map(Reason::text).orElse(e.getMessage())
              + ". The table file "
              + settings.table()
              + " was edited or copied, or this is another disc; rip with --mode full to check"
              + " the watermark instead",
          e);
    }
    if (!Bytes.constantTimeEquals(sha256(bytes), record.trackDigest())) {
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          "track "
              + track.number()
              + " differs from the recording registered in "
              + settings.table()
              + " outside the sectors the drive checked: an edited disc; rip with --mode full to"
              + " check the watermark");
    }
    return record;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
