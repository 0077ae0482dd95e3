package dev.secdrive.kit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {

  @Test
  void tasksRunWhenTheClockReachesThemInDeadlineOrder() {
    ManualScheduler time = new ManualScheduler();
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("b@" + time.nanoTime()), 200, TimeUnit.MILLISECONDS);
    time.schedule(() -> ran.add("a@" + time.nanoTime()), 100, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> never = time.schedule(() -> ran.add("c"), 150, TimeUnit.MILLISECONDS);
    never.cancel(false);
    time.advance(Duration.ofMillis(99));
    assertEquals(List.of(), ran);
    assertEquals(2, time.pending());
    time.advance(Duration.ofMillis(101));
    assertEquals(List.of("a@100000000", "b@200000000"), ran);
    assertEquals(200_000_000L, time.nanoTime());
    assertEquals(0, time.pending());
  }

  @Test
  void aTaskScheduledByATaskRunsInTheSameAdvanceWhenDue() {
    ManualScheduler time = new ManualScheduler();
    List<Long> ran = new ArrayList<>();
    time.schedule(
        () -> time.schedule(() -> ran.add(time.nanoTime()), 5, TimeUnit.NANOSECONDS),
        10,
        TimeUnit.NANOSECONDS);
    time.advance(Duration.ofNanos(15));
    assertEquals(List.of(15L), ran);
    ScheduledFuture<?> later = time.schedule(() -> {}, 1, TimeUnit.SECONDS);
    assertEquals(1000, later.getDelay(TimeUnit.MILLISECONDS));
    assertFalse(later.isDone());
    time.advance(Duration.ofSeconds(1));
    assertTrue(later.isDone());
  }
}
