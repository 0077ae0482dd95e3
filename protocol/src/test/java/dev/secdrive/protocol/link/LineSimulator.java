package dev.secdrive.protocol.link;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * Two {@link ReliableLink}s joined by a simulated full-duplex serial line, run in the test thread
 * on a manual clock. Each direction sends one frame at a time and is busy for the frame's time on
 * the wire (8N1: 10 bits a byte); the frame arrives, after the line's faults, when it has been sent
 * plus a small latency. When nothing can happen the clock jumps to the next arrival, the end of a
 * transmission, or {@link #IDLE_STEP_NANOS} ahead, so retransmission timers fire.
 */
final class LineSimulator {

  static final long START_NANOS = 1_000_000_000L;
  static final long IDLE_STEP_NANOS = 10_000_000L;
  static final long LATENCY_NANOS = 2_000_000L;

  final AtomicLong clock = new AtomicLong(START_NANOS);
  final long baud;
  final End a;
  final End b;

  LineSimulator(ReliableLink.Config config, long baud, Faults aToB, Faults bToA) {
    this.baud = baud;
    this.a = new End("A", config, aToB);
    this.b = new End("B", config, bToA);
    a.peer = b;
    b.peer = a;
  }

  long now() {
    return clock.get();
  }

  double seconds() {
    return (clock.get() - START_NANOS) / 1e9;
  }

  long transferNanos(int bytes) {
    return bytes * 10L * 1_000_000_000L / baud;
  }

  private record Transit(long arrival, byte[] bytes) {}

  /** One side: its link, what it delivered, and the direction of the line it sends on. */
  final class End {
    final String name;
    final ReliableLink.Config config;
    final Faults faults;
    ReliableLink link;
    List<byte[]> delivered;
    End peer;
    long lineFreeAt;
    long framesSent;
    long bytesSent;
    private final ArrayDeque<Transit> toPeer = new ArrayDeque<>();

    End(String name, ReliableLink.Config config, Faults faults) {
      this.name = name;
      this.config = config;
      this.faults = faults;
      restart();
    }

    /** Replaces the link with a fresh one (a new session), as a restarted process would. */
    List<byte[]> restart() {
      List<byte[]> list = new ArrayList<>();
      link = new ReliableLink(config, clock::get, list::add);
      delivered = list;
      return list;
    }

    @Override
    public String toString() {
      return name + " " + link.stats() + " idle=" + link.idle() + " faults=" + faults;
    }
  }

  /** Runs one step; returns whether anything happened without advancing the clock. */
  boolean step() throws InterruptedException {
    long now = clock.get();
    boolean progress = false;
    for (End e : List.of(a, b)) {
      while (!e.toPeer.isEmpty() && e.toPeer.peek().arrival() <= now) {
        byte[] bytes = e.toPeer.poll().bytes();
        e.peer.link.receive(bytes, 0, bytes.length);
        progress = true;
      }
    }
    for (End e : List.of(a, b)) {
      if (e.lineFreeAt <= now) {
        byte[] frame = e.link.takeOutput(0);
        if (frame != null) {
          e.framesSent++;
          e.bytesSent += frame.length;
          byte[] onLine = e.faults.apply(frame, now);
          e.lineFreeAt = now + transferNanos(frame.length);
          e.toPeer.add(new Transit(e.lineFreeAt + LATENCY_NANOS, onLine));
          progress = true;
        }
      }
    }
    if (!progress) {
      long next = now + IDLE_STEP_NANOS;
      for (End e : List.of(a, b)) {
        if (e.lineFreeAt > now) {
          next = Math.min(next, e.lineFreeAt);
        }
        if (!e.toPeer.isEmpty()) {
          next = Math.min(next, e.toPeer.peek().arrival());
        }
      }
      clock.set(next);
    }
    return progress;
  }

  /** Steps until {@code done}; fails if that takes more than {@code maxSeconds} of line time. */
  void runUntil(BooleanSupplier done, double maxSeconds, String what) throws InterruptedException {
    long limit = clock.get() + (long) (maxSeconds * 1e9);
    while (!done.getAsBoolean()) {
      if (clock.get() > limit) {
        throw new AssertionError(
            what + ": not done after " + maxSeconds + " s of line time\n  " + a + "\n  " + b);
      }
      step();
    }
  }

  /** Steps for {@code seconds} of line time. */
  void runFor(double seconds) throws InterruptedException {
    long until = clock.get() + (long) (seconds * 1e9);
    while (clock.get() < until) {
      step();
    }
  }

  /**
   * What a direction of the line does to bytes: independent bit errors, byte drops and byte
   * duplicates at given rates (drawn as geometric gaps, so rates of 1e-5 cost nothing per byte),
   * and cuts, during which everything sent is lost.
   */
  static final class Faults {
    private final SplittableRandom random;
    private final double bitErrorRate;
    private final double dropRate;
    private final double duplicateRate;
    private LongPredicate cut = t -> false;
    private long bitsToNextFlip;
    private long bytesToNextDrop;
    private long bytesToNextDuplicate;
    long flippedBits;
    long droppedBytes;
    long duplicatedBytes;
    long cutBytes;

    Faults(long seed, double bitErrorRate, double dropRate, double duplicateRate) {
      this.random = new SplittableRandom(seed);
      this.bitErrorRate = bitErrorRate;
      this.dropRate = dropRate;
      this.duplicateRate = duplicateRate;
      this.bitsToNextFlip = gap(bitErrorRate);
      this.bytesToNextDrop = gap(dropRate);
      this.bytesToNextDuplicate = gap(duplicateRate);
    }

    static Faults none() {
      return new Faults(0, 0, 0, 0);
    }

    /** Drops everything sent while {@code cut} holds for the send time. */
    Faults cutWhen(LongPredicate cut) {
      this.cut = cut;
      return this;
    }

    /** Events are independent with probability {@code p}: the gap before the next is geometric. */
    private long gap(double p) {
      if (p <= 0) {
        return Long.MAX_VALUE / 2;
      }
      return (long) Math.floor(Math.log1p(-random.nextDouble()) / Math.log1p(-p));
    }

    byte[] apply(byte[] in, long now) {
      if (cut.test(now)) {
        cutBytes += in.length;
        return new byte[0];
      }
      if (bitErrorRate <= 0 && dropRate <= 0 && duplicateRate <= 0) {
        return in;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 8);
      for (byte original : in) {
        int b = original;
        while (bitsToNextFlip < 8) {
          b ^= 1 << bitsToNextFlip;
          flippedBits++;
          bitsToNextFlip += 1 + gap(bitErrorRate);
        }
        bitsToNextFlip -= 8;
        if (bytesToNextDrop-- == 0) {
          bytesToNextDrop = gap(dropRate);
          droppedBytes++;
          continue;
        }
        out.write(b);
        if (bytesToNextDuplicate-- == 0) {
          bytesToNextDuplicate = gap(duplicateRate);
          duplicatedBytes++;
          out.write(b);
        }
      }
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return "[flipped bits "
          + flippedBits
          + ", dropped "
          + droppedBytes
          + ", duplicated "
          + duplicatedBytes
          + ", cut "
          + cutBytes
          + "]";
    }
  }
}
