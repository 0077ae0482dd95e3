package dev.secdrive.center.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BatcherTest {

  /** Runs what it was given only when the test says so. */
  static final class StepExecutor implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  final StepExecutor executor = new StepExecutor();
  final List<List<Integer>> batches = new ArrayList<>();

  /** A batcher whose work records each batch and answers each request with {@code answer}. */
  Batcher<Integer, String> batcher(int maxBatch, Consumer<Batcher.Slot<Integer, String>> answer) {
    return new Batcher<>(
        maxBatch,
        1,
        executor,
        batch -> {
          batches.add(batch.stream().map(Batcher.Slot::request).toList());
          batch.forEach(answer);
        });
  }

  @Test
  void theRequestsWaitingAtOnceRunAsOneBatchInTheirOrder() throws Exception {
    Batcher<Integer, String> batcher = batcher(16, s -> s.answer("answer " + s.request()));
    CompletableFuture<String> one = batcher.offer(1);
    CompletableFuture<String> two = batcher.offer(2);
    CompletableFuture<String> three = batcher.offer(3);
    assertEquals(1, executor.tasks.size(), "one drain for the three");
    assertFalse(one.isDone());
    executor.runAll();
    assertEquals(List.of(List.of(1, 2, 3)), batches);
    assertEquals("answer 1", one.get());
    assertEquals("answer 2", two.get());
    assertEquals("answer 3", three.get());
  }

  @Test
  void noCallerLearnsItsOutcomeBeforeTheWorkHasReturned() {
    List<CompletableFuture<String>> futures = new ArrayList<>();
    List<Boolean> doneDuringWork = new ArrayList<>();
    Batcher<Integer, String> batcher =
        new Batcher<>(
            16,
            1,
            executor,
            batch -> {
              batch.get(0).answer("yes");
              batch.get(1).refuse(new IllegalArgumentException("no"));
              // The commit would come here: neither caller may have its outcome yet.
              futures.forEach(f -> doneDuringWork.add(f.isDone()));
            });
    futures.add(batcher.offer(1));
    futures.add(batcher.offer(2));
    executor.runAll();
    assertEquals(List.of(false, false), doneDuringWork);
    assertEquals("yes", futures.get(0).join());
    assertTrue(futures.get(1).isCompletedExceptionally());
  }

  @Test
  void aRequestArrivingDuringABatchRunsInTheNextOne() throws Exception {
    List<CompletableFuture<String>> late = new ArrayList<>();
    Batcher<Integer, String>[] self = new Batcher[1];
    self[0] =
        batcher(
            16,
            s -> {
              if (s.request() == 1) {
                late.add(self[0].offer(4));
                late.add(self[0].offer(5));
              }
              s.answer("answer " + s.request());
            });
    CompletableFuture<String> first = self[0].offer(1);
    self[0].offer(2);
    executor.runAll();
    assertEquals(List.of(List.of(1, 2), List.of(4, 5)), batches);
    assertEquals("answer 1", first.get());
    assertEquals("answer 5", late.get(1).get());
    // The second batch ran in the same drain: no second task was queued.
    assertTrue(executor.tasks.isEmpty());
  }

  @Test
  void upToMaxRunningBatchesRunAtOnceAndTheRestWaitsForTheFirstToEnd() {
    Batcher<Integer, String> batcher =
        new Batcher<>(
            16,
            2,
            executor,
            batch -> {
              batches.add(batch.stream().map(Batcher.Slot::request).toList());
              batch.forEach(s -> s.answer(""));
            });
    batcher.offer(1);
    batcher.offer(2);
    batcher.offer(3);
    assertEquals(2, executor.tasks.size(), "two drains, each takes what waits when it starts");
    executor.tasks.poll().run();
    assertEquals(List.of(List.of(1, 2, 3)), batches);
    executor.tasks.poll().run(); // nothing waits any more: it ends
    batcher.offer(4);
    assertEquals(1, executor.tasks.size(), "both drains ended: a new one starts");
    executor.runAll();
    assertEquals(List.of(List.of(1, 2, 3), List.of(4)), batches);
  }

  @Test
  void aBatchHoldsAtMostMaxBatchRequests() {
    Batcher<Integer, String> batcher = batcher(2, s -> s.answer(""));
    for (int i = 1; i <= 5; i++) {
      batcher.offer(i);
    }
    executor.runAll();
    assertEquals(List.of(List.of(1, 2), List.of(3, 4), List.of(5)), batches);
  }

  @Test
  void aRefusalConcernsItsOwnRequestOnly() throws Exception {
    IllegalStateException refusal = new IllegalStateException("request 2 is refused");
    Batcher<Integer, String> batcher =
        batcher(
            16,
            s -> {
              if (s.request() == 2) {
                s.refuse(refusal);
              } else {
                s.answer("answer " + s.request());
              }
            });
    CompletableFuture<String> one = batcher.offer(1);
    CompletableFuture<String> two = batcher.offer(2);
    CompletableFuture<String> three = batcher.offer(3);
    executor.runAll();
    assertEquals("answer 1", one.get());
    assertSame(refusal, assertThrows(ExecutionException.class, two::get).getCause());
    assertEquals("answer 3", three.get());
  }

  @Test
  void aFailedBatchFailsEveryRequestInItAndTheNextBatchRunsAnyway() throws Exception {
    StoreException down = new StoreException("cannot issue: the database is down", null);
    List<CompletableFuture<String>> next = new ArrayList<>();
    Batcher<Integer, String>[] self = new Batcher[1];
    self[0] =
        new Batcher<>(
            16,
            1,
            executor,
            batch -> {
              if (batch.get(0).request() == 1) {
                next.add(self[0].offer(3));
                batch.get(0).answer("not seen: the batch failed");
                throw down;
              }
              batch.forEach(s -> s.answer("answer " + s.request()));
            });
    CompletableFuture<String> one = self[0].offer(1);
    CompletableFuture<String> two = self[0].offer(2);
    executor.runAll();
    assertSame(down, assertThrows(ExecutionException.class, one::get).getCause());
    assertSame(down, assertThrows(ExecutionException.class, two::get).getCause());
    assertEquals("answer 3", next.get(0).get());
  }

  @Test
  void aRequestLeftWithoutAnOutcomeFailsAndAnOutcomeIsDecidedOnce() {
    Batcher<Integer, String> batcher =
        batcher(
            16,
            s -> {
              if (s.request() == 1) {
                s.answer("one");
                assertThrows(IllegalStateException.class, () -> s.answer("again"));
                assertThrows(
                    IllegalStateException.class, () -> s.refuse(new RuntimeException("late")));
              }
            });
    CompletableFuture<String> one = batcher.offer(1);
    CompletableFuture<String> two = batcher.offer(2);
    executor.runAll();
    assertEquals("one", one.join());
    ExecutionException left = assertThrows(ExecutionException.class, two::get);
    assertTrue(left.getCause().getMessage().contains("without an outcome"), left.getMessage());
  }

  @Test
  void submitThrowsTheRefusalItselfAndAnExecutorThatRefusesFailsTheWaiting() {
    IllegalArgumentException refusal = new IllegalArgumentException("refused");
    Batcher<Integer, String> inline =
        new Batcher<>(4, 1, Runnable::run, b -> b.get(0).refuse(refusal));
    assertSame(refusal, assertThrows(IllegalArgumentException.class, () -> inline.submit(1)));
    Batcher<Integer, String> inlineOk =
        new Batcher<>(4, 1, Runnable::run, b -> b.forEach(s -> s.answer("ok " + s.request())));
    assertEquals("ok 7", inlineOk.submit(7));

    Batcher<Integer, String> closed =
        new Batcher<>(
            4,
            1,
            task -> {
              throw new RejectedExecutionException("closed");
            },
            b -> b.forEach(s -> s.answer("")));
    RejectedExecutionException e =
        assertThrows(RejectedExecutionException.class, () -> closed.submit(1));
    assertEquals("closed", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Batcher<>(0, 1, executor, b -> {}));
  }
}
