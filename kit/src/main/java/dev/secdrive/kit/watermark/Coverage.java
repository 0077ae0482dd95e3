package dev.secdrive.kit.watermark;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How much of an excerpt carries the mark that a detection found, segment by segment ({@link
 * Watermark#verify(dev.secdrive.kit.audio.Pcm, Payload, long)}). Segments are {@link
 * Watermark#SEGMENT_FRAMES} long and overlap; together they cover the excerpt from its first whole
 * frame on the block grid to its last (at most one frame of 1,024 samples at each end is left out).
 *
 * @param segments in order of their start
 */
public record Coverage(List<Segment> segments) {

  /** What a segment holds. */
  public enum State {
    /** The mark of the expected payload, at the expected alignment. */
    MARKED,
    /** Audible audio without that mark: unmarked audio, another payload or another alignment. */
    UNMARKED,
    /**
     * So little audio above the 16-bit rounding noise that the embedder writes (almost) no mark
     * there: digital silence and near-silence.
     */
    SILENT
  }

  /**
   * One stretch of the excerpt.
   *
   * @param startFrame first sample frame, from the excerpt's start
   * @param endFrame the frame after the last
   * @param state what it holds
   * @param score the mark's correlation with the segment, in standard deviations of unmarked audio
   *     (the best of the few grid offsets searched)
   */
  public record Segment(long startFrame, long endFrame, State state, double score) {

    public Segment {
      if (startFrame < 0 || endFrame <= startFrame) {
        throw new IllegalArgumentException(
            "a segment runs from frame " + startFrame + " to " + endFrame + ": empty or negative");
      }
      if (state == null) {
        throw new IllegalArgumentException("segment state is missing");
      }
    }

    /** Length in sample frames. */
    public long frames() {
      return endFrame - startFrame;
    }
  }

  public Coverage {
    if (segments == null) {
      throw new IllegalArgumentException("segments are missing");
    }
    segments = List.copyOf(segments);
    for (int i = 1; i < segments.size(); i++) {
      if (segments.get(i).startFrame() < segments.get(i - 1).startFrame()) {
        throw new IllegalArgumentException("segments are not in order of their start");
      }
    }
  }

  /** True when no segment is {@link State#UNMARKED}. */
  public boolean complete() {
    return firstUnmarked().isEmpty();
  }

  /** The first {@link State#UNMARKED} segment, if any. */
  public Optional<Segment> firstUnmarked() {
    return segments.stream().filter(s -> s.state() == State.UNMARKED).findFirst();
  }

  /** Frames in {@link State#SILENT} segments, frames where segments overlap counted once. */
  public long silentFrames() {
    return union(segments.stream().filter(s -> s.state() == State.SILENT).toList());
  }

  /** Frames covered by the segments in all, overlaps counted once. */
  public long frames() {
    return union(segments);
  }

  private static long union(List<Segment> segments) {
    List<Segment> sorted =
        segments.stream().sorted(Comparator.comparingLong(Segment::startFrame)).toList();
    long total = 0;
    long end = Long.MIN_VALUE;
    for (Segment s : sorted) {
      long from = Math.max(s.startFrame(), end);
      if (s.endFrame() > from) {
        total += s.endFrame() - from;
      }
      end = Math.max(end, s.endFrame());
    }
    return total;
  }
}
