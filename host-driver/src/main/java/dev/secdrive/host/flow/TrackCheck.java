package dev.secdrive.host.flow;

import dev.secdrive.host.flow.Ripper.Refusal;
import dev.secdrive.host.flow.Ripper.RefusedException;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Coverage;
import dev.secdrive.kit.watermark.Detection;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a rip learns of a track's watermark while its sectors arrive, in order (the ripper's
 * detector 103 of seed 004): {@link #full} for FULL mode and TABLE mode's first rip, {@link
 * #sampled} for SAMPLED mode. A check holds at most one chunk and one segment of audio besides what
 * it is examining, so a track of any length rips in bounded memory.
 *
 * <p>Detection ({@link Watermark#detect}) finds the payload and the track's alignment on the
 * watermark's block; verification ({@link Watermark#verify}) then checks every stretch of about a
 * second for that payload at that alignment, so a stretch of other audio spliced in, or the same
 * recording moved, is caught wherever it lies. Only {@link Coverage.State#SILENT} stretches, where
 * the embedder could write no mark, are exempt.
 *
 * <p>Not thread-safe; one check per track.
 */
abstract class TrackCheck {

  /** Re-reads sectors of the track, counted from its start, for a stretch checked late. */
  @FunctionalInterface
  interface Reread {
    byte[] sectors(long offset, int count);
  }

  /**
   * What a check found.
   *
   * @param excerpts excerpts examined (detections and verifications)
   * @param segments stretches verified to carry the payload, silence included
   * @param sectors sectors of the track examined
   * @param cpuNanos this thread's CPU time in the detector and the verifier
   * @param wallNanos wall time there
   */
  record Result(
      Payload payload, int excerpts, int segments, long sectors, long cpuNanos, long wallNanos) {}

  /** Counts over every check of one ripper. */
  static final class Meter {
    long detections;
    long cpuNanos;
  }

  static final int FRAMES_PER_SECTOR = Pcm.CD_FRAMES_PER_SECTOR;

  /**
   * The shortest excerpt verified: a segment and the frame or so before the block grid's first
   * whole frame in it.
   */
  static final int SHORTEST_VERIFIED = Watermark.SEGMENT_FRAMES + 2 * Watermark.FRAME_SIZE;

  /** {@link #refine} tries this many widths of verification's search either side. */
  private static final int REFINE_STEPS = 4;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  final Watermark watermark;
  final Ripper.Track track;
  final Reread reread;
  private final Meter meter;
  private final long block = Watermark.blockFrames();

  private Payload payload;

  /** The block position of the track's first frame, once a detection has found it. */
  private long phase = -1;

  private Coverage.Segment firstUnmarked;
  private long firstUnmarkedStart;
  private int excerpts;
  private int segments;
  private long sectors;
  private long cpu;
  private long wall;

  TrackCheck(Watermark watermark, Ripper.Track track, Meter meter, Reread reread) {
    this.watermark = watermark;
    this.track = track;
    this.meter = meter;
    this.reread = reread;
  }

  /** FULL: the whole track, chunk after chunk, each overlapping the last by a segment. */
  static TrackCheck full(Watermark watermark, Ripper.Track track, Meter meter, Reread reread) {
    return new Whole(watermark, track, meter, reread);
  }

  /** SAMPLED: only {@code ranges}, each detected on its own and verified throughout. */
  static TrackCheck sampled(
      Watermark watermark,
      Ripper.Track track,
      Meter meter,
      List<SampledRanges.Range> ranges,
      Reread reread) {
    return new Sampled(watermark, track, meter, ranges, reread);
  }

  /** The next {@code chunk} of the track, whole sectors, from sector {@code offset}. */
  abstract void accept(long offset, byte[] chunk);

  /**
   * The verdict, once every sector has been accepted.
   *
   * @throws RefusedException UNMARKED if no mark was found, SUBSTITUTED if a stretch lacks it, and
   *     NO_COPY as soon as the payload forbids copying
   */
  abstract Result finish();

  /** {@link Ripper#refusesRange}: one sampled range of a track aligned from its first frame. */
  static boolean refuses(Watermark watermark, Pcm excerpt, long offset, Payload expected) {
    Optional<Detection> found = watermark.detect(excerpt);
    if (found.isEmpty() || !found.get().payload().equals(expected)) {
      return true;
    }
    long start = Math.floorMod(offset * FRAMES_PER_SECTOR, Watermark.blockFrames());
    return !near(found.get().offsetFrames(), start)
        || !watermark
            .verify(excerpt, expected, Math.floorMod(-start, Watermark.blockFrames()))
            .complete();
  }

  // ---------------------------------------------------------------- shared steps

  static Pcm pcm(byte[] bytes) {
    return Pcm.fromLittleEndian(bytes, Pcm.CD_SAMPLE_RATE, Pcm.CD_CHANNELS);
  }

  Payload payload() {
    return payload;
  }

  /** Runs the detector on the excerpt at sector {@code at}; adopts the first payload it finds. */
  Optional<Detection> detect(long at, Pcm excerpt) {
    Optional<Detection> found = detectOnly(excerpt);
    if (found.isPresent() && payload == null) {
      payload = found.get().payload();
      requireCopyAllowed(track, payload);
      phase = refine(at, excerpt, found.get().offsetFrames() - at * FRAMES_PER_SECTOR);
    }
    return found;
  }

  /**
   * The track's block position, from a first detection's {@code estimate}: detection places the
   * grid to within a few of its search steps (measured: 99% within 100 frames, the worst of 300
   * within 176), verification searches two steps either side of what it is given, so the position
   * is refined once, by the verification score of the detected excerpt at steps of that width.
   */
  private long refine(long at, Pcm whole, long estimate) {
    if (whole.frames() < SHORTEST_VERIFIED) {
      return Math.floorMod(estimate, block);
    }
    // the detector's shortest excerpt (4 s) is enough to place the grid; a whole chunk costs twice
    Pcm excerpt = whole.slice(0, Math.min(whole.frames(), watermark.minimumExcerptFrames()));
    long best = estimate;
    double bestScore = Double.NEGATIVE_INFINITY;
    long width = 2L * Watermark.SEARCH_STEP;
    for (int k = -REFINE_STEPS; k <= REFINE_STEPS; k++) {
      long candidate = estimate + k * width;
      long grid = Math.floorMod(-(candidate + at * FRAMES_PER_SECTOR), block);
      Coverage c = timed(() -> watermark.verify(excerpt, payload, grid));
      double score = c.segments().stream().mapToDouble(Coverage.Segment::score).sum();
      if (score > bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return Math.floorMod(best, block);
  }

  /** Whether a detection in the excerpt at sector {@code at} has the track's alignment. */
  boolean aligned(long at, Detection d) {
    return near(d.offsetFrames(), phase + at * FRAMES_PER_SECTOR);
  }

  /**
   * Two block positions that agree to within what a detection can be off by ({@link #refine}):
   * eight search steps, 5.8 ms. A smaller shift of the audio is left to verification, which
   * searches two steps either side of the track's position and refuses what it does not find.
   */
  static boolean near(long a, long b) {
    long block = Watermark.blockFrames();
    long distance = Math.floorMod(a - b, block);
    return Math.min(distance, block - distance) <= ALIGNMENT_TOLERANCE;
  }

  /** {@link #near}'s tolerance, in sample frames. */
  static final long ALIGNMENT_TOLERANCE = 8L * Watermark.SEARCH_STEP;

  /** Verifies the excerpt at sector {@code at} against the payload and alignment found. */
  void verify(long at, Pcm excerpt) {
    if (excerpt.frames() < SHORTEST_VERIFIED) {
      return; // only a track shorter than a segment: its detection has failed already
    }
    long grid = Math.floorMod(-(phase + at * FRAMES_PER_SECTOR), block);
    Coverage c = timed(() -> watermark.verify(excerpt, payload, grid));
    excerpts++;
    segments += c.segments().size();
    if (firstUnmarked == null && c.firstUnmarked().isPresent()) {
      firstUnmarked = c.firstUnmarked().get();
      firstUnmarkedStart = at * FRAMES_PER_SECTOR;
    }
  }

  void examined(long count) {
    sectors += count;
  }

  /** Refuses what the evidence gathered says is not a whole marked track. */
  Result verdict(int draws) {
    if (payload == null) {
      throw new RefusedException(
          Refusal.UNMARKED,
          track.number(),
          "track "
              + track.number()
              + " carries no watermark ("
              + draws
              + " excerpt"
              + (draws == 1 ? "" : "s")
              + " examined): a mark is required to rip it");
    }
    if (firstUnmarked != null) {
      long from = firstUnmarkedStart + firstUnmarked.startFrame();
      long to = firstUnmarkedStart + firstUnmarked.endFrame();
      Optional<Payload> other = otherPayloadFrom(from);
      if (other.isPresent() && other.get().copyControl() == CopyControl.NO_MORE_COPIES) {
        throw new RefusedException(
            Refusal.NO_COPY,
            track.number(),
            "track "
                + track.number()
                + " is marked no more copies around "
                + seconds(from)
                + "-"
                + seconds(to)
                + " s (content "
                + other.get().contentId()
                + "), though the rest is "
                + describe(payload)
                + ": it may not be ripped");
      }
      if (other.isPresent()) {
        throw new RefusedException(
            Refusal.SUBSTITUTED,
            track.number(),
            "track "
                + track.number()
                + " carries two payloads ("
                + describe(payload)
                + ", and "
                + describe(other.get())
                + " around "
                + seconds(from)
                + "-"
                + seconds(to)
                + " s): a spliced track is not ripped");
      }
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " is partly unmarked: no watermark of "
              + describe(payload)
              + " in "
              + seconds(firstUnmarkedStart + firstUnmarked.startFrame())
              + "-"
              + seconds(firstUnmarkedStart + firstUnmarked.endFrame())
              + " s though the rest carries it; a substituted or edited track is not ripped");
    }
    return new Result(payload, excerpts, segments, sectors, cpu, wall);
  }

  /** A range read once and checked only later, with the SHA-256 of what was read the first time. */
  record Later(SampledRanges.Range range, byte[] digest) {}

  /**
   * The range's sectors read again, as they were the first time (that is what the WAV holds).
   *
   * @throws RefusedException SUBSTITUTED if the disc now reads otherwise
   */
  byte[] again(Later later) {
    SampledRanges.Range r = later.range();
    byte[] bytes = reread.sectors(r.offset(), r.sectors());
    if (!java.security.MessageDigest.isEqual(Ripper.sha256(bytes), later.digest())) {
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " reads otherwise the second time at "
              + range(r.offset(), r.sectors())
              + ": the disc changed during the rip");
    }
    return bytes;
  }

  /**
   * Another payload, if the detector finds one where the track stopped verifying at frame {@code
   * from}: in the shortest excerpt from there on, and half an excerpt further (a stretch that does
   * not verify is where a substitution starts), so the refusal can say what it carries.
   */
  private Optional<Payload> otherPayloadFrom(long from) {
    int window = (int) Math.min(track.sectors(), windowSectors(watermark));
    long first = from / FRAMES_PER_SECTOR;
    for (long start : new long[] {first, first + window / 2}) {
      long at = Math.max(0, Math.min(track.sectors() - window, start));
      Optional<Payload> found =
          detectOnly(pcm(reread.sectors(at, window)))
              .map(Detection::payload)
              .filter(p -> !p.equals(payload));
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private Optional<Detection> detectOnly(Pcm excerpt) {
    Optional<Detection> found = timed(() -> watermark.detect(excerpt));
    meter.detections++;
    excerpts++;
    return found;
  }

  /** Sectors in the detector's shortest excerpt. */
  static int windowSectors(Watermark watermark) {
    return (watermark.minimumExcerptFrames() + FRAMES_PER_SECTOR - 1) / FRAMES_PER_SECTOR;
  }

  /** Refuses a second payload or another alignment found in the excerpt at sector {@code at}. */
  void requireSame(long at, int count, Detection d) {
    if (!d.payload().equals(payload)) {
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " carries two payloads ("
              + describe(payload)
              + ", and "
              + describe(d.payload())
              + " in "
              + range(at, count)
              + "): a spliced track is not ripped");
    }
    if (!aligned(at, d)) {
      throw new RefusedException(
          Refusal.SUBSTITUTED,
          track.number(),
          "track "
              + track.number()
              + " is rearranged: the watermark in "
              + range(at, count)
              + " is not where the rest of the track puts it; an edited track is not ripped");
    }
  }

  private <T> T timed(Supplier<T> work) {
    long t0 = THREADS.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    T result = work.get();
    wall += System.nanoTime() - w0;
    long spent = THREADS.getCurrentThreadCpuTime() - t0;
    cpu += spent;
    meter.cpuNanos += spent;
    return result;
  }

  static void requireCopyAllowed(Ripper.Track track, Payload payload) {
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

  static String describe(Payload p) {
    return p.copyControl().name().toLowerCase(Locale.ROOT).replace('_', ' ')
        + ", content "
        + p.contentId();
  }

  private static String seconds(long frames) {
    return String.format(Locale.ROOT, "%.2f", frames / (double) Pcm.CD_SAMPLE_RATE);
  }

  static String range(long at, int count) {
    return seconds(at * FRAMES_PER_SECTOR) + "-" + seconds((at + count) * FRAMES_PER_SECTOR) + " s";
  }

  // ---------------------------------------------------------------- FULL

  /**
   * The whole track. Chunks are detected until one yields the payload; from then on each chunk is
   * verified, starting a segment's length before it so that no stretch hides in a seam. Chunks that
   * came before the first detection are read again at the end and verified too.
   */
  private static final class Whole extends TrackCheck {
    private final int overlapSectors;
    private final List<Later> early = new ArrayList<>();
    private byte[] tail = new byte[0];
    private long tailOffset;

    Whole(Watermark watermark, Ripper.Track track, Meter meter, Reread reread) {
      super(watermark, track, meter, reread);
      this.overlapSectors = (SHORTEST_VERIFIED + FRAMES_PER_SECTOR - 1) / FRAMES_PER_SECTOR;
    }

    @Override
    void accept(long offset, byte[] chunk) {
      byte[] bytes = new byte[tail.length + chunk.length];
      System.arraycopy(tail, 0, bytes, 0, tail.length);
      System.arraycopy(chunk, 0, bytes, tail.length, chunk.length);
      long at = tail.length == 0 ? offset : tailOffset;
      int count = bytes.length / Ripper.SECTOR_BYTES;
      Pcm excerpt = pcm(bytes);
      examined(chunk.length / Ripper.SECTOR_BYTES);
      if (payload() == null && detect(at, excerpt).isEmpty()) {
        early.add(new Later(new SampledRanges.Range(at, count), Ripper.sha256(bytes)));
      } else {
        verify(at, excerpt);
      }
      int keep = Math.min(count, overlapSectors) * Ripper.SECTOR_BYTES;
      tail = Arrays.copyOfRange(bytes, bytes.length - keep, bytes.length);
      tailOffset = at + count - keep / Ripper.SECTOR_BYTES;
    }

    @Override
    Result finish() {
      if (payload() != null) {
        for (Later l : early) {
          verify(l.range().offset(), pcm(again(l)));
        }
      }
      return verdict(early.size() + (payload() == null ? 0 : 1));
    }
  }

  // ---------------------------------------------------------------- SAMPLED

  /**
   * Claims 8-13: the drawn ranges, each gathered from the chunks it spans, detected on its own,
   * required to carry the same payload at the same alignment as the others, and verified
   * throughout. A range the detector finds nothing in is verified at the end against what the
   * others found (it may be quiet); if none finds anything, the rest of the track is searched
   * before it is called unmarked.
   */
  private static final class Sampled extends TrackCheck {
    /** A drawn range and, once its first sector has arrived, its bytes. */
    private static final class Gathering {
      final SampledRanges.Range range;
      byte[] bytes;

      Gathering(SampledRanges.Range range) {
        this.range = range;
      }

      long end() {
        return range.offset() + range.sectors();
      }
    }

    private final List<Gathering> pending = new ArrayList<>();
    private final List<Later> missed = new ArrayList<>();
    private final int draws;

    Sampled(
        Watermark watermark,
        Ripper.Track track,
        Meter meter,
        List<SampledRanges.Range> ranges,
        Reread reread) {
      super(watermark, track, meter, reread);
      this.draws = ranges.size();
      ranges.stream()
          .sorted(Comparator.comparingLong(SampledRanges.Range::offset))
          .map(Gathering::new)
          .forEach(pending::add);
    }

    @Override
    void accept(long offset, byte[] chunk) {
      long end = offset + chunk.length / Ripper.SECTOR_BYTES;
      for (Iterator<Gathering> it = pending.iterator(); it.hasNext(); ) {
        Gathering g = it.next();
        long from = Math.max(offset, g.range.offset());
        long to = Math.min(end, g.end());
        if (from >= to) {
          continue;
        }
        if (g.bytes == null) {
          g.bytes = new byte[g.range.sectors() * Ripper.SECTOR_BYTES];
        }
        System.arraycopy(
            chunk,
            (int) (from - offset) * Ripper.SECTOR_BYTES,
            g.bytes,
            (int) (from - g.range.offset()) * Ripper.SECTOR_BYTES,
            (int) (to - from) * Ripper.SECTOR_BYTES);
        if (g.end() <= end) {
          examine(g.range, g.bytes);
          it.remove();
        }
      }
    }

    private void examine(SampledRanges.Range r, byte[] bytes) {
      Pcm excerpt = pcm(bytes);
      examined(r.sectors());
      Optional<Detection> found = detect(r.offset(), excerpt);
      if (found.isEmpty()) {
        missed.add(new Later(r, Ripper.sha256(bytes)));
        return;
      }
      requireSame(r.offset(), r.sectors(), found.get());
      verify(r.offset(), excerpt);
    }

    @Override
    Result finish() {
      if (!pending.isEmpty()) {
        throw new IllegalStateException("ranges left unread: " + pending);
      }
      // No range drawn decoded (they may all lie in a quiet passage): before the track is called
      // unmarked, the rest of it is searched, chunk by chunk, until the mark is found.
      for (long s = 0; payload() == null && s < track.sectors(); s += Ripper.READ_SECTORS) {
        int n = (int) Math.min(Ripper.READ_SECTORS, track.sectors() - s);
        detect(s, pcm(reread.sectors(s, n)));
      }
      if (payload() != null) {
        for (Later l : missed) {
          verify(l.range().offset(), pcm(again(l)));
        }
      }
      return verdict(draws);
    }
  }
}
