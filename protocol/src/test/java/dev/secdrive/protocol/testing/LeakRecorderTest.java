package dev.secdrive.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Proves that {@link LeakRecorder} is installed in time and turns a leaked buffer into a failure.
 */
class LeakRecorderTest {

  /** GC and allocation rounds before giving up; each round is one {@code assertNoLeaks()}. */
  private static final int ATTEMPTS = 50;

  @Test
  void sessionListenerIsRegistered() {
    boolean registered =
        ServiceLoader.load(LauncherSessionListener.class).stream()
            .anyMatch(p -> p.type() == LeakRecordingSessionListener.class);
    assertTrue(registered, "META-INF/services does not name LeakRecordingSessionListener");
  }

  @Test
  void installedBeforeNettyCreatedItsBufferLeakDetector() {
    assertTrue(
        LeakRecorder.isRecordingByteBufLeaks(),
        "AbstractByteBuf.leakDetector is not a recording detector: the session listener did not run"
            + " before the first ByteBuf was created");
    assertEquals(
        "RecordingFactory",
        ResourceLeakDetectorFactory.instance().getClass().getSimpleName(),
        "leak detector factory");
    LeakRecorder.install(); // idempotent: a second call changes nothing
    assertTrue(LeakRecorder.isRecordingByteBufLeaks());
  }

  @Test
  void aLeakedBufferFailsAssertNoLeaks() {
    Level previous = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(Level.PARANOID);
    // A unique hint: Netty reports identical leak records only once per detector.
    String hint = "deliberate leak " + UUID.randomUUID();
    try {
      leak(hint);
      AssertionError failure = null;
      for (int attempt = 0; attempt < ATTEMPTS && failure == null; attempt++) {
        try {
          LeakRecorder.assertNoLeaks();
        } catch (AssertionError e) {
          if (e.getMessage().contains(hint)) {
            failure = e;
          }
        }
      }
      if (failure == null) {
        fail("the leaked buffer was not reported after " + ATTEMPTS + " GC and allocation rounds");
      }
      assertTrue(
          failure.getMessage().contains("Netty resource leak(s) recorded"), failure.getMessage());
      assertTrue(
          failure.getMessage().contains("ByteBuf.release() was not called"), failure.getMessage());
      List<String> leaks = LeakRecorder.leaks();
      assertTrue(leaks.stream().anyMatch(l -> l.contains(hint)), "leaks() lists it");
      assertThrowsUntilCleared();
    } finally {
      ResourceLeakDetector.setLevel(previous);
      LeakRecorder.clear();
    }
    assertEquals(List.of(), LeakRecorder.leaks());
    assertDoesNotThrow(LeakRecorder::assertNoLeaks);
  }

  /** assertNoLeaks() does not forget: it keeps failing until clear(). */
  private static void assertThrowsUntilCleared() {
    AssertionError again = null;
    try {
      LeakRecorder.assertNoLeaks();
    } catch (AssertionError e) {
      again = e;
    }
    assertInstanceOf(AssertionError.class, again, "assertNoLeaks() passed with a recorded leak");
  }

  /** Allocates a tracked pooled buffer and drops the only reference without releasing it. */
  private static void leak(String hint) {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
    buffer.writeLong(42);
    buffer.touch(hint);
  }

  @Test
  void leaksReturnsACopy() {
    List<String> leaks = LeakRecorder.leaks();
    try {
      leaks.add("x");
      fail("leaks() is modifiable");
    } catch (UnsupportedOperationException expected) {
      assertEquals(LeakRecorder.leaks().contains("x"), false);
    }
  }
}
