package dev.secdrive.kit.http;

import java.util.Objects;

/**
 * An answer that stays open: Server-Sent Events ({@code text/event-stream}, WHATWG HTML 9.2). A
 * {@link JsonServer.Handler} returns one; the server sends the headers, then subscribes a {@link
 * Sink} to the {@link Publisher}, and unsubscribes it when the client goes. A stream holds no
 * thread; a client that does not take its events as fast as they come is closed rather than
 * buffered for, and may reconnect. A server holds at most {@link JsonServer.Builder#maxStreams}
 * streams at once (503 beyond).
 */
public final class EventStream {

  /** Where a stream's events go; callable from any thread. */
  @FunctionalInterface
  public interface Sink {
    /**
     * Sends one event.
     *
     * @param event its name, or null for the default {@code message}
     * @param data its data, one line (a newline in it would end the event)
     * @return false if the client is gone (the sink may be dropped)
     */
    boolean send(String event, String data);
  }

  /** Ends a subscription. */
  @FunctionalInterface
  public interface Subscription {
    void cancel();
  }

  /** What the events come from. */
  @FunctionalInterface
  public interface Publisher {
    /** Starts sending events to {@code sink}; the first may go at once. */
    Subscription subscribe(Sink sink);
  }

  private final Publisher publisher;

  public EventStream(Publisher publisher) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
  }

  public Publisher publisher() {
    return publisher;
  }

  /**
   * One event as the stream carries it; a newline or carriage return in {@code data} is refused.
   */
  static String format(String event, String data) {
    if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("an event's data is one line");
    }
    return (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
  }
}
