package dev.secdrive.kit.testing;

import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler and nanosecond clock that move only when a test says so, for testing timeouts and
 * delays without waiting on the wall clock (Netty's {@code EmbeddedChannel.advanceTimeBy}, Milo's
 * test schedulers). {@link #advance} runs the tasks that fall due, in deadline order, on the
 * calling thread; {@link #nanoTime} fits wherever a {@code LongSupplier} clock is injected.
 *
 * <p>One-shot tasks only: the periodic methods are refused.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  private final PriorityQueue<Task<?>> tasks = new PriorityQueue<>();
  private long now;
  private long sequence;
  private boolean shutdown;

  /** The clock, in nanoseconds; starts at 0. */
  public synchronized long nanoTime() {
    return now;
  }

  /** Moves the clock on by {@code duration}, running each task that falls due at its time. */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task<?> due;
      synchronized (this) {
        due = tasks.peek();
        if (due == null || due.deadline - target > 0) {
          now = target;
          return;
        }
        tasks.poll();
        now = due.deadline;
      }
      due.run();
    }
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.isCancelled()).count();
  }

  /**
   * Waits until at least {@code count} tasks are pending: for a task another thread is about to
   * schedule, such as a deadline set once a server has read a request. A liveness wait, not a
   * margin: {@code bound} only ends a test whose task never comes.
   *
   * @throws AssertionError if {@code bound} passes first
   */
  public synchronized void awaitPending(int count, Duration bound) throws InterruptedException {
    long end = System.nanoTime() + bound.toNanos();
    while (pending() < count) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "waited " + bound + " for " + count + " pending tasks, " + pending() + " came");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(new Task<>(Executors.callable(command), unit.toNanos(delay)));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, unit.toNanos(delay)));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("ManualScheduler runs one-shot tasks only");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("ManualScheduler runs one-shot tasks only");
  }

  /** Runs {@code command} at the next {@link #advance}, as a task due now. */
  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  private synchronized <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    tasks.add(task);
    notifyAll();
    return task;
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = List.copyOf(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isShutdown();
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final long deadline;
    final long order;

    Task(Callable<V> callable, long delayNanos) {
      super(callable);
      synchronized (ManualScheduler.this) {
        this.deadline = now + Math.max(0, Math.min(delayNanos, Long.MAX_VALUE / 4));
        this.order = sequence++;
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      synchronized (ManualScheduler.this) {
        tasks.remove(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(deadline - nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (other instanceof Task<?> task) {
        int c = Long.compare(deadline, task.deadline);
        return c != 0 ? c : Long.compare(order, task.order);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
