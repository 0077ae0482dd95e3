package dev.secdrive.protocol.link;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One end of a reliable message link over a lossy byte line. A message (one protocol frame) is cut
 * into chunks; each chunk is sent, acknowledged and, if its acknowledgement does not come within
 * the retransmission timeout, sent again on its own — so a long transfer survives noise that would
 * corrupt nearly every whole frame. The receiver acknowledges every chunk it gets, reassembles, and
 * delivers each message exactly once, remembering recently completed messages so that a
 * retransmitted chunk of one is acknowledged again but not delivered twice.
 *
 * <p>No I/O and no threads: feed received line bytes to {@link #receive}, take bytes to write from
 * {@link #takeOutput}; {@code dev.secdrive.kit.serial.LineRunner} does both over a real line.
 * Thread-safe.
 */
public final class ReliableLink {

  /** Tunables; {@link #forBaudRate} derives them from the line speed. */
  public record Config(
      int chunkSize, int window, int maximumMessageLength, long retransmitNanos, long giveUpNanos) {

    public static final int DEFAULT_CHUNK_SIZE = 2048;

    public Config {
      if (chunkSize < 16 || chunkSize > 0xFFFF) {
        throw new IllegalArgumentException("chunk size out of range: " + chunkSize);
      }
      if (window < 1 || maximumMessageLength < 1 || retransmitNanos <= 0 || giveUpNanos <= 0) {
        throw new IllegalArgumentException("link configuration out of range");
      }
      if ((long) maximumMessageLength > (long) chunkSize * 0xFFFF) {
        throw new IllegalArgumentException("messages that long need more than 65535 chunks");
      }
    }

    /**
     * A configuration for a line of {@code baud} (0: unpaced, as a pseudo-terminal): the
     * retransmission timeout covers a chunk each way at line rate (an acknowledgement may queue
     * behind a chunk going the other way) plus scheduling slack.
     */
    public static Config forBaudRate(long baud, int maximumMessageLength) {
      long chunkNanos = baud <= 0 ? 0 : (DEFAULT_CHUNK_SIZE + 64) * 10L * 1_000_000_000L / baud;
      long retransmit = Math.max(250_000_000L, 3 * chunkNanos + 100_000_000L);
      return new Config(
          DEFAULT_CHUNK_SIZE,
          64,
          maximumMessageLength,
          retransmit,
          Math.max(5_000_000_000L, 8 * retransmit));
    }
  }

  /** Counters for reports and tests. */
  public record Stats(
      long messagesSent,
      long messagesDelivered,
      long chunksSent,
      long chunksRetransmitted,
      long duplicateChunks,
      long corruptFrames,
      long messagesAbandoned) {}

  private static final int REMEMBERED_MESSAGES = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Config config;
  private final LongSupplier clock;
  private final Consumer<byte[]> deliver;
  private final int session = RANDOM.nextInt();
  private final LinkCodec.StreamDecoder decoder;

  // Sending side.
  private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
  private final ArrayDeque<LinkFrame.Ack> acks = new ArrayDeque<>();
  private int nextMessageId;
  private int inFlight;
  private long transmissions;
  private long queuedBytes;

  // Receiving side, for the current peer session.
  private int peerSession;
  private boolean peerKnown;
  private final Map<Integer, Incoming> incoming = new HashMap<>();
  private final Map<Integer, Long> delivered = recent();
  private final Map<Integer, Boolean> abandoned = recent();
  private final LinkedHashMap<Integer, Boolean> completed =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
          return size() > REMEMBERED_MESSAGES;
        }
      };

  private long messagesSent;
  private long messagesDelivered;
  private long chunksSent;
  private long chunksRetransmitted;
  private long duplicateChunks;
  private long messagesAbandoned;

  /**
   * @param deliver receives each complete message once, on the thread that called {@link #receive}
   */
  public ReliableLink(Config config, LongSupplier nanoClock, Consumer<byte[]> deliver) {
    this.config = config;
    this.clock = nanoClock;
    this.deliver = deliver;
    this.decoder = new LinkCodec.StreamDecoder(LinkFrame.Data.HEADER_LENGTH + config.chunkSize());
  }

  public Config config() {
    return config;
  }

  /** What became of a message sent on this link. */
  public enum Delivery {
    /** Queued, or some chunks not yet acknowledged. */
    PENDING,
    /** Every chunk acknowledged: the peer has the message. */
    DELIVERED,
    /** Given up after no progress for the give-up time, or cancelled. */
    ABANDONED,
    /** Not a recent message of this link. */
    UNKNOWN
  }

  /**
   * Queues a message for sending.
   *
   * @return its message ID, for {@link #delivery} and {@link #cancel}
   */
  public synchronized int send(byte[] message) {
    if (message.length == 0 || message.length > config.maximumMessageLength()) {
      throw new IllegalArgumentException(
          "message of " + message.length + " bytes outside 1.." + config.maximumMessageLength());
    }
    int id = nextMessageId++;
    outgoing.add(new Outgoing(id, message, config.chunkSize(), clock.getAsLong()));
    queuedBytes += message.length;
    messagesSent++;
    notifyAll();
    return id;
  }

  /** What became of message {@code id}. */
  public synchronized Delivery delivery(int id) {
    if (delivered.containsKey(id)) {
      return Delivery.DELIVERED;
    }
    if (abandoned.containsKey(id)) {
      return Delivery.ABANDONED;
    }
    for (Outgoing message : outgoing) {
      if (message.id == id) {
        return Delivery.PENDING;
      }
    }
    return Delivery.UNKNOWN;
  }

  /** When message {@code id} was fully acknowledged (clock nanos), or empty. */
  public synchronized java.util.OptionalLong deliveredAt(int id) {
    Long at = delivered.get(id);
    return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
  }

  /** Stops sending message {@code id} (its sender gave up on it); returns whether it was queued. */
  public synchronized boolean cancel(int id) {
    for (Iterator<Outgoing> it = outgoing.iterator(); it.hasNext(); ) {
      Outgoing message = it.next();
      if (message.id == id) {
        it.remove();
        forgetInFlight(message);
        queuedBytes -= message.bytes.length;
        abandoned.put(id, Boolean.TRUE);
        notifyAll();
        return true;
      }
    }
    return false;
  }

  private void forgetInFlight(Outgoing message) {
    for (int i = 0; i < message.nextUnsent; i++) {
      if (!message.acked.get(i)) {
        inFlight--;
      }
    }
  }

  /** Feeds bytes read from the line. Complete messages are delivered before this returns. */
  public void receive(byte[] bytes, int offset, int length) {
    List<byte[]> complete = new ArrayList<>(1);
    synchronized (this) {
      decoder.feed(bytes, offset, length, frame -> handle(frame, complete));
      if (!acks.isEmpty()) {
        notifyAll();
      }
    }
    complete.forEach(deliver);
  }

  private void handle(LinkFrame frame, List<byte[]> complete) {
    if (frame instanceof LinkFrame.Ack ack) {
      if (ack.session() == session) {
        acknowledged(ack.messageId(), ack.chunkIndex());
      }
      return;
    }
    LinkFrame.Data data = (LinkFrame.Data) frame;
    if (!peerKnown || data.session() != peerSession) {
      // A new peer (or the peer restarted): what we half-received from the old one is void.
      peerKnown = true;
      peerSession = data.session();
      incoming.clear();
      completed.clear();
    }
    int chunks = chunks(data.totalLength(), config.chunkSize());
    if (data.totalLength() < 1
        || data.totalLength() > config.maximumMessageLength()
        || data.chunkIndex() >= chunks
        || data.bytes().length != chunkLength(data.totalLength(), data.chunkIndex())) {
      return; // a frame that passed the CRC but makes no sense: ignore, the sender will retry
    }
    if (completed.containsKey(data.messageId())) {
      duplicateChunks++;
      acks.add(new LinkFrame.Ack(data.session(), data.messageId(), data.chunkIndex()));
      return;
    }
    Incoming message =
        incoming.computeIfAbsent(data.messageId(), id -> new Incoming(data.totalLength(), chunks));
    if (message.buffer.length != data.totalLength()) {
      return;
    }
    acks.add(new LinkFrame.Ack(data.session(), data.messageId(), data.chunkIndex()));
    message.lastActivity = clock.getAsLong();
    if (message.received.get(data.chunkIndex())) {
      duplicateChunks++;
      return;
    }
    message.received.set(data.chunkIndex());
    System.arraycopy(
        data.bytes(),
        0,
        message.buffer,
        data.chunkIndex() * config.chunkSize(),
        data.bytes().length);
    if (message.received.cardinality() == chunks) {
      incoming.remove(data.messageId());
      completed.put(data.messageId(), Boolean.TRUE);
      messagesDelivered++;
      complete.add(message.buffer);
    }
  }

  private void acknowledged(int messageId, int chunkIndex) {
    for (Iterator<Outgoing> it = outgoing.iterator(); it.hasNext(); ) {
      Outgoing message = it.next();
      if (message.id != messageId) {
        continue;
      }
      // An acknowledgement for a chunk not yet sent cannot be ours: ignore it.
      if (chunkIndex < message.nextUnsent && !message.acked.get(chunkIndex)) {
        message.acked.set(chunkIndex);
        long now = clock.getAsLong();
        message.lastProgress = now;
        inFlight--;
        markLostBefore(message.sequence[chunkIndex], now);
        if (message.acked.cardinality() == message.chunks) {
          it.remove();
          queuedBytes -= message.bytes.length;
          delivered.put(message.id, now);
        }
        notifyAll(); // the window has room again
      }
      return;
    }
  }

  /**
   * Fast retransmission: a line delivers in order, so when a chunk is acknowledged, every chunk
   * still unacknowledged that went out before it was lost (or its acknowledgement was). Those are
   * due at once instead of after the retransmission timeout, which keeps a noisy line's window from
   * filling with chunks that wait out their timers.
   */
  private void markLostBefore(long sequence, long now) {
    for (Outgoing message : outgoing) {
      for (int i = message.acked.nextClearBit(0);
          i < message.nextUnsent;
          i = message.acked.nextClearBit(i + 1)) {
        if (message.sequence[i] < sequence) {
          message.sentAt[i] = now - config.retransmitNanos();
        }
      }
    }
  }

  /**
   * Waits up to {@code timeoutNanos} for the next bytes to put on the line: an acknowledgement, a
   * chunk whose retransmission is due, or a new chunk within the window.
   *
   * @return an encoded link frame, or {@code null} if nothing became due in time
   */
  public synchronized byte[] takeOutput(long timeoutNanos) throws InterruptedException {
    long deadline = clock.getAsLong() + timeoutNanos;
    while (true) {
      long now = clock.getAsLong();
      byte[] frame = nextOutput(now);
      if (frame != null) {
        return frame;
      }
      long wait = Math.min(deadline - now, nanosUntilRetransmit(now));
      if (wait <= 0) {
        return null;
      }
      wait(Math.max(1, wait / 1_000_000));
    }
  }

  private byte[] nextOutput(long now) {
    LinkFrame.Ack ack = acks.poll();
    if (ack != null) {
      return LinkCodec.encode(ack);
    }
    abandonStalled(now);
    for (Outgoing message : outgoing) {
      for (int i = message.acked.nextClearBit(0);
          i < message.nextUnsent;
          i = message.acked.nextClearBit(i + 1)) {
        if (now - message.sentAt[i] >= config.retransmitNanos()) {
          message.sentAt[i] = now;
          message.sequence[i] = ++transmissions;
          chunksRetransmitted++;
          return LinkCodec.encode(chunk(message, i));
        }
      }
    }
    if (inFlight < config.window()) {
      for (Outgoing message : outgoing) {
        if (message.nextUnsent < message.chunks) {
          int i = message.nextUnsent++;
          if (i == 0) {
            // The give-up time runs from the first chunk, not from send(): a message may queue
            // behind others for much longer than that.
            message.lastProgress = now;
          }
          message.sentAt[i] = now;
          message.sequence[i] = ++transmissions;
          inFlight++;
          chunksSent++;
          return LinkCodec.encode(chunk(message, i));
        }
      }
    }
    return null;
  }

  /** Drops messages that made no progress for the give-up time: the peer is gone or the line. */
  private void abandonStalled(long now) {
    for (Iterator<Outgoing> it = outgoing.iterator(); it.hasNext(); ) {
      Outgoing message = it.next();
      if (message.nextUnsent > 0 && now - message.lastProgress > config.giveUpNanos()) {
        forgetInFlight(message);
        it.remove();
        queuedBytes -= message.bytes.length;
        abandoned.put(message.id, Boolean.TRUE);
        messagesAbandoned++;
      }
    }
    for (Iterator<Incoming> it = incoming.values().iterator(); it.hasNext(); ) {
      if ((now - it.next().lastActivity) / 2 > config.giveUpNanos()) {
        it.remove();
      }
    }
  }

  private long nanosUntilRetransmit(long now) {
    long next = Long.MAX_VALUE;
    for (Outgoing message : outgoing) {
      for (int i = message.acked.nextClearBit(0);
          i < message.nextUnsent;
          i = message.acked.nextClearBit(i + 1)) {
        next = Math.min(next, message.sentAt[i] + config.retransmitNanos() - now);
      }
      if (message.nextUnsent > 0) {
        next = Math.min(next, message.lastProgress + config.giveUpNanos() - now + 1);
      }
    }
    return Math.max(0, next);
  }

  private LinkFrame.Data chunk(Outgoing message, int index) {
    int from = index * config.chunkSize();
    int length = Math.min(config.chunkSize(), message.bytes.length - from);
    return new LinkFrame.Data(
        session,
        message.id,
        message.bytes.length,
        index,
        java.util.Arrays.copyOfRange(message.bytes, from, from + length));
  }

  /**
   * Bytes of messages sent and not yet acknowledged or abandoned: what a sender that must not queue
   * without bound (a device answering READs) holds back on.
   */
  public synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** Whether every queued message has been acknowledged (or abandoned). */
  public synchronized boolean idle() {
    return outgoing.isEmpty() && acks.isEmpty();
  }

  public synchronized Stats stats() {
    return new Stats(
        messagesSent,
        messagesDelivered,
        chunksSent,
        chunksRetransmitted,
        duplicateChunks,
        decoder.corrupt(),
        messagesAbandoned);
  }

  private static <V> Map<Integer, V> recent() {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, V> eldest) {
        return size() > REMEMBERED_MESSAGES;
      }
    };
  }

  private static int chunks(int totalLength, int chunkSize) {
    return (int) (((long) totalLength + chunkSize - 1) / chunkSize);
  }

  private int chunkLength(int totalLength, int index) {
    return Math.min(config.chunkSize(), totalLength - index * config.chunkSize());
  }

  private static final class Outgoing {
    final int id;
    final byte[] bytes;
    final int chunks;
    final BitSet acked;
    final long[] sentAt;
    final long[] sequence;
    int nextUnsent;
    long lastProgress;

    Outgoing(int id, byte[] bytes, int chunkSize, long now) {
      this.id = id;
      this.bytes = bytes;
      this.chunks = chunks(bytes.length, chunkSize);
      this.acked = new BitSet(chunks);
      this.sentAt = new long[chunks];
      this.sequence = new long[chunks];
      this.lastProgress = now;
    }
  }

  private static final class Incoming {
    final byte[] buffer;
    final BitSet received;
    long lastActivity;

    Incoming(int totalLength, int chunks) {
      this.buffer = new byte[totalLength];
      this.received = new BitSet(chunks);
    }
  }
}
