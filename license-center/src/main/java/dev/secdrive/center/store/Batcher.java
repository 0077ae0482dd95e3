package dev.secdrive.center.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Group commit: the requests waiting at a moment run together as one batch, so that a batch pays
 * one transaction (one WAL flush, one set of round trips) for all of them. A request that arrives
 * while the batches allowed at once run waits for the next one; there is no timer and no lingering
 * for company, so a lone request runs at once. Batches run on the {@link Executor} given, at most
 * {@code maxRunning} at a time: while one waits for the database, the next can be at it, which
 * matters where the round trips of one batch, not the database's work, set the pace.
 *
 * <p>The {@link Work} decides each request's outcome ({@link Slot#answer} or {@link Slot#refuse})
 * and commits; the callers learn their outcomes only when it has returned, so an answer is never
 * seen before its batch is committed. If the work throws, every request of the batch fails with
 * that exception: a refusal, decided before anything is written, concerns its own request only,
 * while a failure of the database fails the batch it rolled back.
 *
 * @param <Q> a request
 * @param <A> its answer
 */
public final class Batcher<Q, A> {

  /** One batch's work: an outcome for every slot, then the commit. */
  @FunctionalInterface
  public interface Work<Q, A> {
    void run(List<Slot<Q, A>> batch);
  }

  /** A request in a batch and its outcome. */
  public static final class Slot<Q, A> {
    private final Q request;
    private final CompletableFuture<A> future = new CompletableFuture<>();
    private A answer;
    private RuntimeException refusal;
    private boolean decided;

    private Slot(Q request) {
      this.request = request;
    }

    public Q request() {
      return request;
    }

    /** Whether {@link #answer} or {@link #refuse} has been called. */
    public boolean decided() {
      return decided;
    }

    public void answer(A answer) {
      decide();
      this.answer = answer;
    }

    /** Refuses this request: its caller gets {@code refusal}, the others are not concerned. */
    public void refuse(RuntimeException refusal) {
      decide();
      this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    private void decide() {
      if (decided) {
        throw new IllegalStateException("the outcome of " + request + " is decided already");
      }
      decided = true;
    }

    private void complete() {
      if (refusal != null) {
        future.completeExceptionally(refusal);
      } else if (decided) {
        future.complete(answer);
      } else {
        future.completeExceptionally(
            new IllegalStateException("the batch left " + request + " without an outcome"));
      }
    }
  }

  private final int maxBatch;
  private final int maxRunning;
  private final Executor executor;
  private final Work<Q, A> work;
  private final ArrayDeque<Slot<Q, A>> waiting = new ArrayDeque<>();
  private int running;

  /**
   * @param maxBatch the most requests in one batch; more wait for the next
   * @param maxRunning the most batches running at once ({@code executor} needs as many threads)
   * @param executor runs the batches
   */
  public Batcher(int maxBatch, int maxRunning, Executor executor, Work<Q, A> work) {
    if (maxBatch < 1 || maxRunning < 1) {
      throw new IllegalArgumentException(
          "maxBatch and maxRunning must be at least 1, got " + maxBatch + " and " + maxRunning);
    }
    this.maxBatch = maxBatch;
    this.maxRunning = maxRunning;
    this.executor = Objects.requireNonNull(executor, "executor");
    this.work = Objects.requireNonNull(work, "work");
  }

  /** Queues {@code request}; the future completes when its batch has run. */
  public CompletableFuture<A> offer(Q request) {
    Slot<Q, A> slot = new Slot<>(request);
    boolean start;
    synchronized (waiting) {
      waiting.add(slot);
      start = running < maxRunning;
      if (start) {
        running++;
      }
    }
    if (start) {
      try {
        executor.execute(this::drain);
      } catch (RuntimeException e) {
        failWaiting(e);
      }
    }
    return slot.future;
  }

  /**
   * Runs {@code request} in the next batch and waits for it.
   *
   * @return its answer
   * @throws RuntimeException its refusal, or the failure of its batch, as thrown
   */
  public A submit(Q request) {
    try {
      return offer(request).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Runs batches until no request waits. */
  private void drain() {
    while (true) {
      List<Slot<Q, A>> batch = new ArrayList<>();
      synchronized (waiting) {
        while (batch.size() < maxBatch && !waiting.isEmpty()) {
          batch.add(waiting.poll());
        }
        if (batch.isEmpty()) {
          running--;
          return;
        }
      }
      run(batch);
    }
  }

  private void run(List<Slot<Q, A>> batch) {
    try {
      work.run(List.copyOf(batch));
    } catch (RuntimeException | Error e) {
      for (Slot<Q, A> slot : batch) {
        slot.future.completeExceptionally(e);
      }
      if (e instanceof Error err) {
        failWaiting(err);
        throw err;
      }
      return;
    }
    for (Slot<Q, A> slot : batch) {
      slot.complete();
    }
  }

  /** The executor refused a drain or an error ended one: whoever waits fails. */
  private void failWaiting(Throwable cause) {
    List<Slot<Q, A>> failed;
    synchronized (waiting) {
      failed = new ArrayList<>(waiting);
      waiting.clear();
      running--;
    }
    for (Slot<Q, A> slot : failed) {
      slot.future.completeExceptionally(cause);
    }
  }
}
