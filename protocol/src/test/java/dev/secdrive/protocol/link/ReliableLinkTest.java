package dev.secdrive.protocol.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.link.LineSimulator.End;
import dev.secdrive.protocol.link.LineSimulator.Faults;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Two links over a simulated 115200-baud line (see {@link LineSimulator}): deterministic, on a
 * manual clock, so an hour of line time takes a second.
 */
class ReliableLinkTest {

  private static final long BAUD = 115_200;
  private static final int MAX_MESSAGE = 9 << 20;
  private static final ReliableLink.Config CONFIG =
      ReliableLink.Config.forBaudRate(BAUD, MAX_MESSAGE);

  private static byte[] randomMessage(SplittableRandom random, int length) {
    byte[] message = new byte[length];
    random.nextBytes(message);
    return message;
  }

  /** A message that names itself: side, sequence number, then random bytes. */
  private static byte[] taggedMessage(SplittableRandom random, int side, int sequence, int length) {
    byte[] message = randomMessage(random, Math.max(8, length));
    ByteBuffer.wrap(message).putInt(side).putInt(sequence);
    return message;
  }

  private static int sequenceOf(byte[] message) {
    return ByteBuffer.wrap(message).getInt(4);
  }

  private static void assertSameMessagesInOrder(List<byte[]> sent, List<byte[]> delivered) {
    assertEquals(sent.size(), delivered.size(), "messages delivered");
    for (int i = 0; i < sent.size(); i++) {
      if (!Arrays.equals(sent.get(i), delivered.get(i))) {
        throw new AssertionError(
            "message "
                + i
                + " differs: sent "
                + sent.get(i).length
                + " bytes, delivered "
                + delivered.get(i).length);
      }
    }
  }

  /** Same messages, each exactly once, in any order; returns how many arrived out of order. */
  private static int assertSameMessagesOnce(List<byte[]> sent, List<byte[]> delivered) {
    Map<java.nio.ByteBuffer, Integer> index = new HashMap<>();
    for (int i = 0; i < sent.size(); i++) {
      index.put(ByteBuffer.wrap(sent.get(i)), i);
    }
    assertEquals(sent.size(), index.size(), "test premise: distinct messages");
    Set<Integer> seen = new HashSet<>();
    int outOfOrder = 0;
    int last = -1;
    for (byte[] message : delivered) {
      Integer i = index.get(ByteBuffer.wrap(message));
      if (i == null) {
        throw new AssertionError(
            "delivered a message that was never sent (" + message.length + " bytes)");
      }
      assertTrue(seen.add(i), () -> "message " + i + " delivered twice");
      if (i < last) {
        outOfOrder++;
      }
      last = Math.max(last, i);
    }
    assertEquals(sent.size(), seen.size(), "messages delivered");
    return outOfOrder;
  }

  @Test
  void cleanLineDeliversEverythingOnceInOrderWithoutRetransmission() throws Exception {
    LineSimulator line = new LineSimulator(CONFIG, BAUD, Faults.none(), Faults.none());
    SplittableRandom random = new SplittableRandom(1);
    List<byte[]> fromA = new ArrayList<>();
    List<byte[]> fromB = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < 200; i++) {
      fromA.add(randomMessage(random, random.nextInt(1, 70_001)));
      fromB.add(randomMessage(random, random.nextInt(1, 70_001)));
      bytes += fromA.get(i).length;
    }
    // Everything is queued at once: the last message waits many give-up times for its turn.
    fromA.forEach(line.a.link::send);
    fromB.forEach(line.b.link::send);

    line.runUntil(
        () -> line.a.link.idle() && line.b.link.idle(), 3600, "clean line, 200 messages each way");

    assertSameMessagesInOrder(fromA, line.b.delivered);
    assertSameMessagesInOrder(fromB, line.a.delivered);
    for (End end : List.of(line.a, line.b)) {
      ReliableLink.Stats stats = end.link.stats();
      assertEquals(200, stats.messagesSent(), end.name);
      assertEquals(200, stats.messagesDelivered(), end.name);
      assertEquals(0, stats.chunksRetransmitted(), end.name);
      assertEquals(0, stats.duplicateChunks(), end.name);
      assertEquals(0, stats.corruptFrames(), end.name);
      assertEquals(0, stats.messagesAbandoned(), end.name);
    }
    // Sanity of the simulation: about the line rate, both ways at once (full duplex).
    double seconds = line.seconds();
    double efficiency = bytes * 10.0 / BAUD / seconds;
    assertTrue(efficiency > 0.85 && efficiency <= 1.0, "line efficiency " + efficiency);
  }

  /** The give-up time is for a message on the line, not for one waiting its turn. */
  @Test
  void aMessageQueuedLongerThanTheGiveUpTimeIsStillSent() throws Exception {
    LineSimulator line = new LineSimulator(CONFIG, BAUD, Faults.none(), Faults.none());
    SplittableRandom random = new SplittableRandom(9);
    // 80 chunks: longer on the line than twice the give-up time, and far more than the window.
    byte[] large = randomMessage(random, 80 * ReliableLink.Config.DEFAULT_CHUNK_SIZE);
    byte[] small = randomMessage(random, 10);
    assertTrue(large.length * 10L * 1_000_000_000L / BAUD > 2 * CONFIG.giveUpNanos());
    line.a.link.send(large);
    line.a.link.send(small);
    line.runUntil(() -> line.a.link.idle(), 600, "two messages");
    assertSameMessagesInOrder(List.of(large, small), line.b.delivered);
    assertEquals(0, line.a.link.stats().messagesAbandoned());
  }

  @Test
  void noisyLineDeliversEveryMessageOnceAndIntact() throws Exception {
    Faults aToB = new Faults(101, 1e-5, 1e-5, 1e-5);
    Faults bToA = new Faults(202, 1e-5, 1e-5, 1e-5);
    LineSimulator line = new LineSimulator(CONFIG, BAUD, aToB, bToA);
    SplittableRandom random = new SplittableRandom(2);
    List<byte[]> fromA = new ArrayList<>();
    List<byte[]> fromB = new ArrayList<>();
    long total = 0;
    while (total < 8 << 20) {
      fromA.add(randomMessage(random, random.nextInt(64 << 10, 96 << 10)));
      fromB.add(randomMessage(random, random.nextInt(64 << 10, 96 << 10)));
      total += fromA.get(fromA.size() - 1).length;
    }
    fromA.forEach(line.a.link::send);
    fromB.forEach(line.b.link::send);

    line.runUntil(
        () -> line.a.link.idle() && line.b.link.idle(), 4 * 3600, "noisy line, 8 MiB each way");

    int reorderedAtB = assertSameMessagesOnce(fromA, line.b.delivered);
    int reorderedAtA = assertSameMessagesOnce(fromB, line.a.delivered);
    assertTrue(aToB.flippedBits > 0 && aToB.droppedBytes > 0 && aToB.duplicatedBytes > 0);
    for (End end : List.of(line.a, line.b)) {
      ReliableLink.Stats stats = end.link.stats();
      List<byte[]> sent = end == line.a ? fromA : fromB;
      assertEquals(sent.size(), stats.messagesSent(), end.name);
      assertEquals(end.peer == line.a ? fromA.size() : fromB.size(), stats.messagesDelivered());
      assertEquals(stats.messagesDelivered(), end.delivered.size(), end.name);
      assertTrue(stats.chunksRetransmitted() > 0, end.name + " retransmitted");
      assertTrue(stats.corruptFrames() > 0, end.name + " saw corrupt frames");
      assertEquals(0, stats.messagesAbandoned(), end.name);
    }
    System.out.printf(
        "noisy line: %.0f s of line time, reordered deliveries %d/%d%n  %s%n  %s%n",
        line.seconds(), reorderedAtA, reorderedAtB, line.a, line.b);
  }

  @Test
  void lostAcknowledgementsCauseRetransmissionButNotRedelivery() throws Exception {
    AtomicBoolean ackBlackout = new AtomicBoolean();
    Faults bToA = Faults.none().cutWhen(t -> ackBlackout.get());
    LineSimulator line = new LineSimulator(CONFIG, BAUD, Faults.none(), bToA);
    SplittableRandom random = new SplittableRandom(3);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(randomMessage(random, 5000));
    }
    messages.forEach(line.a.link::send);

    ackBlackout.set(true);
    double blackout = CONFIG.giveUpNanos() / 1e9 / 2;
    line.runFor(blackout);
    ackBlackout.set(false);
    assertTrue(bToA.cutBytes > 0, "acknowledgements were lost");
    int deliveredDuringBlackout = line.b.delivered.size();
    assertTrue(deliveredDuringBlackout > 0, "some messages completed while their acks were lost");

    line.runUntil(() -> line.a.link.idle() && line.b.link.idle(), 600, "after the blackout");

    assertSameMessagesInOrder(messages, line.b.delivered);
    ReliableLink.Stats sender = line.a.link.stats();
    ReliableLink.Stats receiver = line.b.link.stats();
    assertTrue(sender.chunksRetransmitted() > 0, "retransmitted: " + sender);
    assertTrue(receiver.duplicateChunks() > 0, "duplicates acknowledged again: " + receiver);
    assertEquals(12, receiver.messagesDelivered());
    assertEquals(0, sender.messagesAbandoned());
    int chunksPerMessage = (5000 + CONFIG.chunkSize() - 1) / CONFIG.chunkSize();
    assertEquals(
        12 * chunksPerMessage,
        sender.chunksSent(),
        "each chunk sent once, then only retransmitted");
  }

  @Test
  void aCutLongerThanTheGiveUpTimeAbandonsTheMessageAndTheLinkCarriesOn() throws Exception {
    AtomicBoolean cut = new AtomicBoolean();
    LineSimulator line =
        new LineSimulator(
            CONFIG,
            BAUD,
            Faults.none().cutWhen(t -> cut.get()),
            Faults.none().cutWhen(t -> cut.get()));
    SplittableRandom random = new SplittableRandom(4);
    byte[] lost = randomMessage(random, 10_000); // three chunks
    line.a.link.send(lost);
    line.runFor(0.5); // the first chunk gets through
    cut.set(true);
    assertEquals(0, line.a.link.stats().messagesAbandoned());
    line.runUntil(() -> line.a.link.stats().messagesAbandoned() > 0, 60, "give up");
    // The give-up time runs from the last acknowledgement, which came before the cut.
    double gaveUpAfter = line.seconds() - 0.5;
    double giveUp = CONFIG.giveUpNanos() / 1e9;
    assertTrue(
        gaveUpAfter >= giveUp - 0.5 && gaveUpAfter <= giveUp + 1,
        "gave up " + gaveUpAfter + " s into the cut; give-up time " + giveUp + " s");
    line.runFor(2);
    cut.set(false);

    List<byte[]> later = List.of(randomMessage(random, 9000), randomMessage(random, 1));
    later.forEach(line.a.link::send);
    byte[] reply = randomMessage(random, 3000);
    line.b.link.send(reply);
    line.runUntil(() -> line.a.link.idle() && line.b.link.idle(), 60, "after the cut");

    assertSameMessagesInOrder(later, line.b.delivered);
    assertSameMessagesInOrder(List.of(reply), line.a.delivered);
    assertEquals(1, line.a.link.stats().messagesAbandoned());
    assertEquals(0, line.b.link.stats().messagesAbandoned());
    assertEquals(2, line.b.link.stats().messagesDelivered());
  }

  @Test
  void aRestartedPeerGetsNewMessagesAndNothingTwice() throws Exception {
    LineSimulator line = new LineSimulator(CONFIG, BAUD, Faults.none(), Faults.none());
    SplittableRandom random = new SplittableRandom(5);
    List<byte[]> beforeFromA = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] m = taggedMessage(random, 0xA, i, random.nextInt(1, 20_000));
      beforeFromA.add(m);
      line.a.link.send(m);
      line.b.link.send(taggedMessage(random, 0xB, i, random.nextInt(1, 20_000)));
    }
    line.runUntil(() -> line.a.delivered.size() >= 10, 600, "first messages");
    List<byte[]> oldB = line.b.delivered;
    int deliveredToOldB = oldB.size();
    assertTrue(deliveredToOldB < 30, "restart happens mid-stream");

    List<byte[]> newB = line.b.restart();
    List<byte[]> fromA = new ArrayList<>();
    List<byte[]> fromNewB = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fromA.add(taggedMessage(random, 0xA, 100 + i, random.nextInt(1, 20_000)));
      fromNewB.add(taggedMessage(random, 0xC, 1000 + i, random.nextInt(1, 20_000)));
    }
    fromA.forEach(line.a.link::send);
    fromNewB.forEach(line.b.link::send);
    int aDeliveredBefore = line.a.delivered.size();

    line.runUntil(() -> line.a.link.idle() && line.b.link.idle(), 3600, "after the restart");

    // The new instance: every message sent after the restart, each once, and no message twice.
    Set<Integer> atNewB = new HashSet<>();
    for (byte[] m : newB) {
      assertTrue(
          atNewB.add(sequenceOf(m)), "delivered twice to the new instance: " + sequenceOf(m));
    }
    for (byte[] m : fromA) {
      long copies = newB.stream().filter(d -> Arrays.equals(d, m)).count();
      assertEquals(1, copies, "message " + sequenceOf(m) + " from A after the restart");
    }
    // A: everything the new instance sent, each once, and nothing from either instance twice.
    List<byte[]> afterRestartAtA =
        line.a.delivered.subList(aDeliveredBefore, line.a.delivered.size());
    List<byte[]> fromNewBAtA =
        afterRestartAtA.stream().filter(m -> ByteBuffer.wrap(m).getInt(0) == 0xC).toList();
    assertSameMessagesInOrder(fromNewB, fromNewBAtA);
    Set<String> atA = new HashSet<>();
    for (byte[] m : line.a.delivered) {
      String key = Integer.toHexString(ByteBuffer.wrap(m).getInt(0)) + "/" + sequenceOf(m);
      assertTrue(atA.add(key), "delivered twice to A: " + key);
    }
    assertEquals(0, line.a.link.stats().messagesAbandoned());

    // Messages in flight at the restart may be lost (partly delivered to the old instance) or,
    // if the old instance's acknowledgements were lost with it, delivered to both.
    Set<Integer> atOldB = new HashSet<>();
    oldB.forEach(m -> atOldB.add(sequenceOf(m)));
    int lost = 0;
    int both = 0;
    for (byte[] m : beforeFromA) {
      boolean old = atOldB.contains(sequenceOf(m));
      boolean fresh = atNewB.contains(sequenceOf(m));
      lost += !old && !fresh ? 1 : 0;
      both += old && fresh ? 1 : 0;
    }
    System.out.printf(
        "restart: %d of A's 30 earlier messages reached the old B, %d lost, %d delivered to both%n",
        deliveredToOldB, lost, both);
  }

  /**
   * The receiver must not drop a half-received message while its sender still retries it: the
   * sender's give-up time runs from the last acknowledgement it got, which is later than the last
   * chunk the receiver got. If the receiver dropped the message first, it would acknowledge the
   * remaining chunks as parts of a new message that can never complete, and the sender, with every
   * chunk acknowledged, would count the message as delivered.
   */
  @Test
  void aMessageStillRetriedByTheSenderIsNotDroppedByTheReceiver() throws Exception {
    long second = 1_000_000_000L;
    ReliableLink.Config config = new ReliableLink.Config(16, 16, 1000, second, 10 * second);
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    List<byte[]> delivered = new ArrayList<>();
    ReliableLink sender = new ReliableLink(config, clock::get, m -> {});
    ReliableLink receiver = new ReliableLink(config, clock::get, delivered::add);
    byte[] message = randomMessage(new SplittableRandom(8), 32); // two chunks
    sender.send(message);

    byte[] chunk0 = sender.takeOutput(0);
    sender.takeOutput(0); // chunk 1: lost
    receiver.receive(chunk0, 0, chunk0.length);
    byte[] ack0 = receiver.takeOutput(0);
    clock.set(second * 4 / 10); // the acknowledgement queued behind other traffic
    sender.receive(ack0, 0, ack0.length);

    // Every retransmission of chunk 1 is lost, until one just inside the sender's give-up time.
    byte[] lastTry = null;
    for (long t = second / 10; t <= 10_300_000_000L; t += second / 10) {
      clock.set(t);
      byte[] out = sender.takeOutput(0);
      if (out != null) {
        lastTry = out;
      }
      assertEquals(null, receiver.takeOutput(0)); // the receiver's own housekeeping runs too
    }
    assertEquals(0, sender.stats().messagesAbandoned(), "the sender has not given up");
    assertTrue(lastTry != null && sender.stats().chunksRetransmitted() >= 9);
    receiver.receive(lastTry, 0, lastTry.length);

    assertEquals(1, delivered.size(), "the message completes");
    assertArrayEquals(message, delivered.get(0));
    byte[] ack1 = receiver.takeOutput(0);
    sender.receive(ack1, 0, ack1.length);
    assertTrue(sender.idle());
  }

  @Test
  void sendRejectsEmptyAndOverlongMessages() {
    ReliableLink.Config config = new ReliableLink.Config(64, 4, 1000, 1_000_000, 10_000_000);
    ReliableLink link = new ReliableLink(config, System::nanoTime, m -> {});
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> link.send(new byte[0]));
    assertTrue(empty.getMessage().contains("0 bytes"), empty.getMessage());
    assertTrue(empty.getMessage().contains("1..1000"), empty.getMessage());
    IllegalArgumentException overlong =
        assertThrows(IllegalArgumentException.class, () -> link.send(new byte[1001]));
    assertTrue(overlong.getMessage().contains("1001 bytes"), overlong.getMessage());
    assertTrue(overlong.getMessage().contains("1..1000"), overlong.getMessage());
    link.send(new byte[1000]);
    link.send(new byte[1]);
    assertEquals(2, link.stats().messagesSent(), "rejected messages are not counted");
  }

  @Test
  void configRejectsChunkSizesAndLengthsTheWireCannotCarry() {
    assertThrows(IllegalArgumentException.class, () -> new ReliableLink.Config(15, 1, 100, 1, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new ReliableLink.Config(0x10000, 1, 100, 1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReliableLink.Config(16, 1, 16 * 0xFFFF + 1, 1, 1));
    new ReliableLink.Config(16, 1, 16 * 0xFFFF, 1, 1);
    ReliableLink.Config slow = ReliableLink.Config.forBaudRate(9600, MAX_MESSAGE);
    // A chunk each way at 9600 baud; the timeout must exceed it.
    long chunkFrame = ReliableLink.Config.DEFAULT_CHUNK_SIZE + 64L;
    assertTrue(slow.retransmitNanos() > 2 * chunkFrame * 10L * 1_000_000_000L / 9600);
    assertTrue(slow.giveUpNanos() > slow.retransmitNanos());
  }

  @Test
  void aDuplicatedChunkOfACompletedMessageIsAcknowledgedNotDelivered() throws Exception {
    // Capture a chunk off the line and replay it after the message was delivered.
    List<byte[]> delivered = new ArrayList<>();
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    ReliableLink sender = new ReliableLink(CONFIG, clock::get, m -> {});
    ReliableLink receiver = new ReliableLink(CONFIG, clock::get, delivered::add);
    byte[] message = randomMessage(new SplittableRandom(6), 100);
    sender.send(message);
    byte[] chunk = sender.takeOutput(0);
    receiver.receive(chunk, 0, chunk.length);
    receiver.receive(chunk, 0, chunk.length);
    assertEquals(1, delivered.size());
    assertArrayEquals(message, delivered.get(0));
    byte[] ack1 = receiver.takeOutput(0);
    byte[] ack2 = receiver.takeOutput(0);
    assertTrue(ack1 != null && ack2 != null, "both copies acknowledged");
    assertEquals(
        LinkCodec.decode(ack1, 0, ack1.length - 1), LinkCodec.decode(ack2, 0, ack2.length - 1));
    assertEquals(1, receiver.stats().duplicateChunks());
    sender.receive(ack1, 0, ack1.length);
    sender.receive(ack2, 0, ack2.length);
    assertTrue(sender.idle());
    assertEquals(null, sender.takeOutput(0));
  }

  /** What a device holds answers back on: bytes sent and not yet acknowledged or given up. */
  @Test
  void queuedBytesCountWhatIsNeitherAcknowledgedNorAbandoned() throws Exception {
    long second = 1_000_000_000L;
    ReliableLink.Config config = new ReliableLink.Config(16, 16, 1000, second, 10 * second);
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    ReliableLink sender = new ReliableLink(config, clock::get, m -> {});
    ReliableLink receiver = new ReliableLink(config, clock::get, m -> {});
    SplittableRandom random = new SplittableRandom(9);
    sender.send(randomMessage(random, 10)); // one chunk
    int cancelled = sender.send(randomMessage(random, 40));
    int lost = sender.send(randomMessage(random, 20));
    assertEquals(70, sender.queuedBytes());

    byte[] chunk = sender.takeOutput(0);
    receiver.receive(chunk, 0, chunk.length);
    byte[] ack = receiver.takeOutput(0);
    sender.receive(ack, 0, ack.length);
    assertEquals(60, sender.queuedBytes(), "the first message is acknowledged");

    assertTrue(sender.cancel(cancelled));
    assertEquals(20, sender.queuedBytes(), "a cancelled message is not waited for");

    while (sender.takeOutput(0) != null) {
      // the last message's chunks go out and are lost
    }
    clock.set(11 * second);
    sender.takeOutput(0);
    assertEquals(ReliableLink.Delivery.ABANDONED, sender.delivery(lost));
    assertEquals(0, sender.queuedBytes(), "an abandoned message is not waited for");
  }
}
