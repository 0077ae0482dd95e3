package dev.secdrive.host.flow;

import dev.secdrive.host.api.DriveException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * At most {@code depth} commands in flight, completed in the order they were issued: the host side
 * of the design's "backpressure instead of unbounded queues".
 */
final class Pipeline<T> {

  private final int depth;
  private final ArrayDeque<CompletableFuture<T>> inFlight = new ArrayDeque<>();

  Pipeline(int depth) {
    this.depth = depth;
  }

  /** Whether another command may be issued without waiting. */
  boolean hasRoom() {
    return inFlight.size() < depth;
  }

  boolean isEmpty() {
    return inFlight.isEmpty();
  }

  void add(CompletableFuture<T> command) {
    inFlight.add(command);
  }

  /** Waits for the oldest command and returns its result. */
  T next() {
    return join(inFlight.remove());
  }

  /** Waits for every command still in flight, so none outlives a failure unobserved. */
  void drainQuietly(java.util.function.Consumer<T> release) {
    while (!inFlight.isEmpty()) {
      try {
        T value = join(inFlight.remove());
        release.accept(value);
      } catch (RuntimeException ignored) {
        // the first failure is the one reported
      }
    }
  }

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new DriveException(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriveException("interrupted while waiting for the drive", e);
    }
  }
}
