package dev.secdrive.emulator.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Direction;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The carrier-neutral command handler over a scripted carrier: what TCP, serial and iSCSI all get
 * from it. Time is the carrier executor's frozen clock and the firmware's injected one; nothing
 * waits on the wall clock.
 */
class NexusHandlerTest {

  private static final int BLOCK = 2048;
  private static final int READ_BLOCKS = 64; // 128 KiB per READ

  @TempDir Path media;

  private final AtomicLong firmwareNanos = new AtomicLong();
  private final ScriptedCarrier carrier = new ScriptedCarrier();
  private Medium medium;
  private Firmware drive;

  /** A carrier whose writability, reading and clock the test holds in its hands. */
  static final class ScriptedCarrier implements CommandHandler.Carrier {
    final EmbeddedChannel loop = new EmbeddedChannel();
    final List<StatusFrame> written = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    final CountingAllocator allocator = new CountingAllocator();

    /** Answer bytes the carrier holds beyond which it is not writable, as a socket's high mark. */
    long highWater = Long.MAX_VALUE;

    long unsent;
    boolean reading = true;
    int drops;

    ScriptedCarrier() {
      loop.freezeTime();
    }

    @Override
    public EventExecutor executor() {
      return loop.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
      return allocator;
    }

    @Override
    public boolean isWritable() {
      return unsent < highWater;
    }

    @Override
    public void setReading(boolean reading) {
      this.reading = reading;
    }

    @Override
    public void write(StatusFrame status) {
      unsent += status.dataIn().readableBytes();
      written.add(status);
    }

    @Override
    public void flush() {}

    @Override
    public void protocolError(ProtocolErrorFrame error) {
      errors.add(error.message());
    }

    @Override
    public void drop() {
      drops++;
    }

    /** The host took everything written so far. */
    void sent() {
      unsent = 0;
    }

    /** Advances the executor's clock and runs what fell due. */
    void advance(long nanos) {
      loop.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
      loop.runScheduledPendingTasks();
    }

    List<StatusFrame> take() {
      List<StatusFrame> taken = new ArrayList<>(written);
      written.clear();
      return taken;
    }

    void releaseAll() {
      written.forEach(StatusFrame::release);
      written.clear();
      loop.finishAndReleaseAll();
    }
  }

  /** Counts the data-in bytes the firmware was given buffers for. */
  static final class CountingAllocator extends AbstractByteBufAllocator {
    long allocated;

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      allocated += initialCapacity;
      return Unpooled.buffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      allocated += initialCapacity;
      return Unpooled.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  private Target target(TimingMode timing) throws Exception {
    DriveProfile profile = ProfileCatalog.builtIn().get("mo-640");
    MediumType type = profile.defaultMedium();
    MediumStore store = MediumStore.openOrCreate(media);
    store.create(
        new MediumStore.Spec(
            "Q", type.type(), type.blockSize(), type.blockCount(), 4096, false, "", null));
    drive = new Firmware(0, profile, "DEV", timing, firmwareNanos::get);
    medium = store.open("Q");
    drive.insert(medium);
    firmwareNanos.addAndGet(TimeUnit.SECONDS.toNanos(10)); // past the spin-up
    return new Target(List.of(drive));
  }

  @AfterEach
  void close() throws Exception {
    carrier.releaseAll();
    if (medium != null) {
      medium.close();
    }
  }

  private static CommandFrame read(int tag, long lba) {
    return new CommandFrame(
        tag,
        0,
        Direction.IN,
        new Read10(lba, READ_BLOCKS).encode(),
        READ_BLOCKS * BLOCK,
        Unpooled.buffer(0));
  }

  private static CommandFrame testUnitReady(int tag) {
    return CommandFrame.dataIn(tag, 0, new TestUnitReady().encode(), 0);
  }

  /** The first command of a nexus meets its unit attention; later tests start past it. */
  private static void passUnitAttention(CommandHandler handler, ScriptedCarrier carrier) {
    handler.receive(testUnitReady(1000));
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    List<StatusFrame> answers = carrier.take();
    assertEquals(1, answers.size());
    assertEquals(ScsiStatus.CHECK_CONDITION, answers.get(0).status());
    answers.forEach(StatusFrame::release);
  }

  @Test
  void aBurstOfLargeReadsIsTakenOnOnlyAsTheAnswersLeave() throws Exception {
    CommandHandler handler = new CommandHandler(target(TimingMode.FAST), nexus(), carrier, null);
    passUnitAttention(handler, carrier);
    carrier.highWater = 256 << 10; // two answers fill the carrier
    long before = carrier.allocator.allocated;

    CommandFrame[] burst = new CommandFrame[16];
    for (int tag = 0; tag < burst.length; tag++) {
      burst[tag] = read(tag, tag * (long) READ_BLOCKS);
      handler.receive(burst[tag]);
    }

    assertEquals(2, carrier.written.size(), "executed only while the carrier could take answers");
    assertEquals(14, handler.queuedCommands());
    assertEquals(2L * READ_BLOCKS * BLOCK, carrier.allocator.allocated - before, "data read");
    assertFalse(carrier.reading, "reading paused while commands queue");

    List<StatusFrame> answers = new ArrayList<>();
    while (answers.size() < burst.length) {
      answers.addAll(carrier.take());
      carrier.sent();
      handler.writabilityChanged();
    }
    for (int tag = 0; tag < burst.length; tag++) {
      StatusFrame status = answers.get(tag);
      assertEquals(tag, status.tag(), "answered in order");
      assertEquals(ScsiStatus.GOOD, status.status());
      assertEquals(READ_BLOCKS * BLOCK, status.dataIn().readableBytes());
      status.release();
      assertEquals(0, burst[tag].refCnt(), "every command released");
    }
    assertEquals(0, handler.queuedCommands());
    assertTrue(carrier.reading, "reading resumes once the queue is empty");
  }

  @Test
  void answersWaitTheirServiceTimeOnTheInjectedClock() throws Exception {
    CommandHandler handler =
        new CommandHandler(target(TimingMode.REALISTIC), nexus(), carrier, null);
    passUnitAttention(handler, carrier);

    handler.receive(read(1, 0));
    assertEquals(0, carrier.written.size(), "a realistic READ takes drive time");
    assertEquals(1, handler.pendingAnswers());
    carrier.advance(TimeUnit.MILLISECONDS.toNanos(1));
    assertEquals(0, carrier.written.size(), "a seek alone takes longer than a millisecond");
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    List<StatusFrame> answers = carrier.take();
    assertEquals(1, answers.size());
    assertEquals(ScsiStatus.GOOD, answers.get(0).status());
    assertEquals(READ_BLOCKS * BLOCK, answers.get(0).dataIn().readableBytes());
    answers.forEach(StatusFrame::release);

    // More than the pending limit at once: the rest queue, reading stops, all are answered.
    int count = CommandHandler.MAXIMUM_PENDING + 3;
    for (int tag = 0; tag < count; tag++) {
      handler.receive(read(100 + tag, 0));
    }
    assertEquals(CommandHandler.MAXIMUM_PENDING, handler.pendingAnswers());
    assertEquals(3, handler.queuedCommands());
    assertFalse(carrier.reading);
    for (int round = 0; round < count && handler.pendingAnswers() > 0; round++) {
      carrier.advance(TimeUnit.SECONDS.toNanos(1));
    }
    answers = carrier.take();
    assertEquals(count, answers.size());
    answers.forEach(StatusFrame::release);
    assertTrue(carrier.reading);
  }

  @Test
  void aRetriedTagIsAnsweredFromTheReplyCacheWithoutExecutingTwice() throws Exception {
    ReplyCache cache = new ReplyCache();
    CommandHandler handler = new CommandHandler(target(TimingMode.FAST), nexus(), carrier, cache);

    // The nexus's first command meets the unit attention, which a command reports only once.
    handler.receive(testUnitReady(9));
    handler.receive(testUnitReady(9)); // the host heard nothing and retried
    List<StatusFrame> answers = carrier.take();
    assertEquals(2, answers.size());
    for (StatusFrame answer : answers) {
      assertEquals(9, answer.tag());
      assertEquals(ScsiStatus.CHECK_CONDITION, answer.status(), "the same answer, twice");
    }
    assertTrue(Arrays.equals(answers.get(0).sense(), answers.get(1).sense()));
    answers.forEach(StatusFrame::release);
    assertEquals(1, cache.hits());

    // Executed twice, the retry would have consumed the attention and answered GOOD; it did not,
    // and the next command is the first to find the unit ready.
    handler.receive(testUnitReady(10));
    StatusFrame next = carrier.take().get(0);
    assertEquals(ScsiStatus.GOOD, next.status());
    next.release();
    handler.disconnected();
  }

  @Test
  void aBadFrameIsAnsweredWithAProtocolErrorAndTheNexusCarriesOn() throws Exception {
    CommandHandler handler = new CommandHandler(target(TimingMode.FAST), nexus(), carrier, null);
    passUnitAttention(handler, carrier);

    handler.protocolError("bad magic 0x12345678 (expected SDCW, SDSW or SDER)");
    handler.receive(new ProtocolErrorFrame("a host has no business sending this"));
    assertEquals(2, carrier.errors.size());
    assertTrue(
        carrier.errors.get(0).startsWith("protocol error: bad magic"), carrier.errors.get(0));
    assertTrue(carrier.errors.get(1).contains("only command frames"), carrier.errors.get(1));

    // Same nexus: its unit attention stays consumed, so the next command is simply GOOD.
    handler.receive(testUnitReady(2));
    StatusFrame status = carrier.take().get(0);
    assertEquals(2, status.tag());
    assertEquals(ScsiStatus.GOOD, status.status());
    status.release();
    assertEquals(0, carrier.drops);
  }

  @Test
  void disconnectEndsTheNexusPreventAndReleasesWhatItHeld() throws Exception {
    CommandHandler handler =
        new CommandHandler(target(TimingMode.REALISTIC), nexus(), carrier, new ReplyCache());
    passUnitAttention(handler, carrier);

    handler.receive(CommandFrame.dataIn(3, 0, new PreventAllowMediumRemoval(1, 0).encode(), 0));
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    StatusFrame prevented = carrier.take().get(0);
    assertEquals(ScsiStatus.GOOD, prevented.status());
    prevented.release();
    assertThrows(DriveControlException.class, () -> drive.remove(false), "removal prevented");

    CommandFrame waiting = read(4, 0);
    handler.receive(waiting);
    assertEquals(1, handler.pendingAnswers(), "an answer waits for its drive time");

    handler.disconnected();
    assertEquals(0, handler.pendingAnswers(), "released with the nexus");
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    assertEquals(0, carrier.written.size(), "nothing is sent for a nexus that ended");
    Medium removed = drive.remove(false);
    assertNotNull(removed, "the host's PREVENT ended with its nexus");
    medium = removed;
  }

  @Test
  void aTagStillInFlightIsAbortedAndTheNewCommandAnsweredOverlapped() throws Exception {
    CommandHandler handler =
        new CommandHandler(target(TimingMode.REALISTIC), nexus(), carrier, null);
    passUnitAttention(handler, carrier);

    handler.receive(read(7, 0));
    assertEquals(1, handler.pendingAnswers(), "the READ waits for its drive time");
    handler.receive(testUnitReady(7)); // the same tag, before the READ is answered
    List<StatusFrame> answers = carrier.take();
    assertEquals(1, answers.size(), "only the overlapping command is answered");
    StatusFrame overlapped = answers.get(0);
    assertEquals(7, overlapped.tag());
    assertEquals(ScsiStatus.CHECK_CONDITION, overlapped.status());
    assertOverlapped(overlapped.sense());
    overlapped.release();
    assertEquals(0, handler.pendingAnswers(), "the READ was aborted");
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    assertEquals(0, carrier.written.size(), "an aborted command is never answered");

    // The tag is free again: the next command with it simply executes.
    handler.receive(testUnitReady(7));
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    StatusFrame next = carrier.take().get(0);
    assertEquals(ScsiStatus.GOOD, next.status());
    next.release();
  }

  @Test
  void aQueuedCommandWithTheTagIsAbortedUnexecuted() throws Exception {
    CommandHandler handler = new CommandHandler(target(TimingMode.FAST), nexus(), carrier, null);
    passUnitAttention(handler, carrier);
    carrier.highWater = 128 << 10; // one answer fills the carrier

    handler.receive(read(1, 0));
    CommandFrame queued = read(2, 0);
    handler.receive(queued);
    assertEquals(1, handler.queuedCommands());
    handler.receive(testUnitReady(2));
    assertEquals(0, handler.queuedCommands(), "the queued READ is gone");
    assertEquals(0, queued.refCnt(), "and released");
    List<StatusFrame> answers = carrier.take();
    assertEquals(List.of(1, 2), answers.stream().map(StatusFrame::tag).toList());
    assertEquals(ScsiStatus.GOOD, answers.get(0).status());
    assertOverlapped(answers.get(1).sense());
    answers.forEach(StatusFrame::release);
  }

  @Test
  void anotherNexusReusingTheTagAbortsNothing() throws Exception {
    Target target = target(TimingMode.REALISTIC);
    CommandHandler victim = new CommandHandler(target, new Nexus("victim"), carrier, null);
    ScriptedCarrier other = new ScriptedCarrier();
    try {
      CommandHandler attacker = new CommandHandler(target, new Nexus("attacker"), other, null);
      passUnitAttention(victim, carrier);
      passUnitAttention(attacker, other);

      victim.receive(read(5, 0));
      attacker.receive(testUnitReady(5)); // the victim's tag, on another nexus
      other.advance(TimeUnit.SECONDS.toNanos(1));
      StatusFrame theirs = other.take().get(0);
      assertEquals(ScsiStatus.GOOD, theirs.status(), "an ordinary command on its own nexus");
      theirs.release();
      assertEquals(1, victim.pendingAnswers(), "the victim's READ is still in flight");
      carrier.advance(TimeUnit.SECONDS.toNanos(1));
      StatusFrame mine = carrier.take().get(0);
      assertEquals(5, mine.tag());
      assertEquals(ScsiStatus.GOOD, mine.status());
      assertEquals(READ_BLOCKS * BLOCK, mine.dataIn().readableBytes());
      mine.release();
    } finally {
      other.releaseAll();
    }
  }

  @Test
  void aSerialRetryOfATagInFlightIsARetryAndADifferentCommandAnOverlap() throws Exception {
    ReplyCache cache = new ReplyCache();
    CommandHandler handler =
        new CommandHandler(target(TimingMode.REALISTIC), nexus(), carrier, cache);
    passUnitAttention(handler, carrier);

    handler.receive(read(8, 0));
    handler.receive(read(8, 0)); // the same command again: the host heard nothing and retried
    assertEquals(0, carrier.written.size());
    assertEquals(1, handler.pendingAnswers(), "the retry waits for the first answer");
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    List<StatusFrame> answers = carrier.take();
    assertEquals(1, answers.size());
    assertEquals(ScsiStatus.GOOD, answers.get(0).status());
    answers.forEach(StatusFrame::release);
    handler.receive(read(8, 0)); // a retry of an answered tag is answered from the cache
    StatusFrame again = carrier.take().get(0);
    assertEquals(ScsiStatus.GOOD, again.status());
    again.release();

    handler.receive(read(9, 0));
    handler.receive(read(9, 64)); // the tag in flight, another command: an overlap
    StatusFrame overlapped = carrier.take().get(0);
    assertEquals(9, overlapped.tag());
    assertOverlapped(overlapped.sense());
    overlapped.release();
    carrier.advance(TimeUnit.SECONDS.toNanos(1));
    assertEquals(0, carrier.written.size(), "the first READ 9 was aborted");
    handler.receive(read(9, 64)); // and the overlap answer is what a retry of it gets
    StatusFrame retried = carrier.take().get(0);
    assertOverlapped(retried.sense());
    retried.release();
    handler.disconnected(); // the nexus ends: its cached answers are released
  }

  private static void assertOverlapped(byte[] sense) {
    SenseData data = SenseData.decode(sense);
    assertEquals(SenseKey.ABORTED_COMMAND, data.key());
    assertEquals(0x4E, data.asc());
    assertEquals(0x00, data.ascq());
  }

  private static Nexus nexus() {
    return new Nexus("test");
  }
}
