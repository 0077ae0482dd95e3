package dev.secdrive.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records the leaks Netty's {@link ResourceLeakDetector} reports, so that tests can fail on them
 * instead of leaving a log line nobody reads.
 *
 * <p>{@link #install()} replaces Netty's leak detector factory. Netty creates the {@code ByteBuf}
 * leak detector once, when the buffer classes are initialised, so {@code install()} must run before
 * that: {@link LeakRecordingSessionListener} calls it when the JUnit launcher session opens.
 *
 * <p>Netty reports a leak only when a tracked buffer has been garbage-collected without being
 * released, and only during a later allocation that is itself tracked; {@link #assertNoLeaks()}
 * provokes both. At the default level ({@code simple}) Netty tracks about one allocation in 128;
 * run with {@code -Pleak} (paranoid) to track them all.
 */
public final class LeakRecorder {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private static final int GC_ROUNDS = 3;
  private static final int ALLOCATIONS_PER_ROUND = 1_000;
  private static final long SETTLE_MILLIS = 20;

  private LeakRecorder() {}

  /** Makes every leak detector Netty creates from now on record its leaks here. Idempotent. */
  public static void install() {
    if (INSTALLED.compareAndSet(false, true)) {
      ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }
  }

  /**
   * Whether Netty's {@code ByteBuf} leak detector is a recording one, i.e. {@link #install()} ran
   * before the buffer classes were initialised. Initialises them if they were not yet.
   */
  public static boolean isRecordingByteBufLeaks() {
    try {
      Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
      Field field = abstractByteBuf.getDeclaredField("leakDetector");
      field.setAccessible(true);
      return field.get(null) instanceof RecordingDetector;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot inspect Netty's ByteBuf leak detector", e);
    }
  }

  /** The leaks recorded so far, oldest first; a copy. */
  public static List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  /** Forgets the leaks recorded so far. */
  public static void clear() {
    LEAKS.clear();
  }

  /**
   * Collects garbage and allocates, so that Netty reports buffers that were dropped without being
   * released, then fails if any leak has been recorded. Does not clear the record: call {@link
   * #clear()} after handling the failure.
   *
   * @throws AssertionError listing every recorded leak
   */
  public static void assertNoLeaks() {
    for (int round = 0; round < GC_ROUNDS && LEAKS.isEmpty(); round++) {
      System.gc();
      sleep(SETTLE_MILLIS); // the reference handler thread enqueues cleared references
      for (int i = 0; i < ALLOCATIONS_PER_ROUND; i++) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(1024);
        buffer.release();
      }
    }
    List<String> leaks = leaks();
    if (!leaks.isEmpty()) {
      StringBuilder message =
          new StringBuilder().append(leaks.size()).append(" Netty resource leak(s) recorded:");
      for (int i = 0; i < leaks.size(); i++) {
        message.append(System.lineSeparator()).append('#').append(i + 1).append(' ');
        message.append(leaks.get(i));
      }
      throw new AssertionError(message.toString());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {

    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

    RecordingDetector(Class<?> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    /** Report even when Netty's logger has ERROR disabled: the record is what the tests read. */
    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add(
          resourceType + ".release() was not called before it was garbage-collected." + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add(
          resourceType
              + ".release() was not called before it was garbage-collected"
              + " (no access records; enable advanced leak detection to see them).");
      super.reportUntracedLeak(resourceType);
    }
  }
}
