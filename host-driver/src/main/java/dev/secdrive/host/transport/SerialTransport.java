package dev.secdrive.host.transport;

import dev.secdrive.host.api.CommandTimeoutException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.kit.serial.Line;
import dev.secdrive.kit.serial.LineRunner;
import dev.secdrive.kit.serial.SerialPortLine;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.link.ReliableLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The serial carrier: the same frames as TCP, as messages of the link layer, on a serial port or a
 * USB CDC-ACM device. The link retransmits lost chunks; if a command still gets no answer (the line
 * was cut long enough for a side to give a message up), this transport sends the command again with
 * the same tag, and the device answers it from its reply cache instead of executing it twice. Tags
 * start at a random value so that a reopened port does not reuse a recent tag.
 */
public final class SerialTransport implements Transport {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(SerialTransport.class);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final String TIMER_THREAD = "secdrive-host-timer ";

  private final String target;
  private final LongSupplier clock;
  private final LineRunner runner;
  private final ReliableLink link;
  private final long baud;
  private final long giveUpNanos;
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger tags = new AtomicInteger(RANDOM.nextInt());
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService timeouts;
  private volatile String closedReason;

  private static final class Pending {
    final CompletableFuture<StatusFrame> future = new CompletableFuture<>();
    final byte[] frame;
    final long expectedDataIn;
    final String description;
    final Duration timeout;
    volatile ScheduledFuture<?> timeoutTask;
    volatile int messageId;

    Pending(byte[] frame, long expectedDataIn, String description, Duration timeout) {
      this.frame = frame;
      this.expectedDataIn = expectedDataIn;
      this.description = description;
      this.timeout = timeout;
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return Math.min(duration.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  private SerialTransport(
      String device,
      Line line,
      int baud,
      boolean paced,
      LongSupplier clock,
      ScheduledExecutorService timeouts) {
    this.clock = clock;
    this.target = "serial://" + device;
    this.baud = baud;
    this.link =
        new ReliableLink(
            ReliableLink.Config.forBaudRate(
                baud, Frame.maximumFrameLength(Frame.DEFAULT_MAXIMUM_DATA_LENGTH)),
            clock,
            this::received);
    this.giveUpNanos = link.config().giveUpNanos();
    this.runner =
        new LineRunner(
            "secdrive-host " + device,
            line,
            link::receive,
            link::takeOutput,
            baud,
            paced,
            e -> fail("serial port " + device + " failed: " + e.getMessage()));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, TIMER_THREAD + device);
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleWithFixedDelay(this::checkTimers, CHECK_NANOS, CHECK_NANOS, TimeUnit.NANOSECONDS);
    this.timeouts = timeouts != null ? timeouts : timer;
  }

  /**
   * Opens a serial port.
   *
   * @throws TransportException naming the port and the problem: missing, busy, not a tty, an
   *     unsupported baud rate
   */
  public static SerialTransport open(String device, int baud, boolean paced) {
    return open(device, baud, paced, null);
  }

  /**
   * Opens a serial port; command timeouts run on {@code timeouts} (a test's manual scheduler), or
   * on the transport's own timer when it is null.
   */
  public static SerialTransport open(
      String device, int baud, boolean paced, ScheduledExecutorService timeouts) {
    try {
      return new SerialTransport(
          device, SerialPortLine.open(device, baud), baud, paced, System::nanoTime, timeouts);
    } catch (IOException e) {
      throw new TransportException(e.getMessage(), e);
    }
  }

  /** A transport on a line that is already open: a port, or a test's scripted line. */
  static SerialTransport over(String device, Line line, int baud, boolean paced) {
    return over(device, line, baud, paced, System::nanoTime, null);
  }

  /**
   * As {@link #over(String, Line, int, boolean)}, with the clock that retries and the link's timers
   * read and the scheduler command timeouts run on, so a test can advance them instead of waiting.
   */
  static SerialTransport over(
      String device,
      Line line,
      int baud,
      boolean paced,
      LongSupplier nanoClock,
      ScheduledExecutorService timeouts) {
    return new SerialTransport(device, line, baud, paced, nanoClock, timeouts);
  }

  @Override
  public CompletableFuture<StatusFrame> submit(
      int lun,
      byte[] cdb,
      long expectedDataIn,
      ByteBuf dataOut,
      String description,
      Duration timeout) {
    int tag = nextTag();
    CommandFrame command =
        dataOut == null
            ? CommandFrame.dataIn(tag, lun, cdb, expectedDataIn)
            : CommandFrame.dataOut(tag, lun, cdb, dataOut);
    byte[] bytes;
    try {
      ByteBuf encoded = Unpooled.buffer(FrameCodec.bodyLength(command));
      FrameCodec.writeHeader(command, encoded);
      encoded.writeBytes(
          command.dataOut(), command.dataOut().readerIndex(), command.dataOut().readableBytes());
      bytes = encoded.array();
    } finally {
      command.release();
    }
    Pending waiting = new Pending(bytes, expectedDataIn, description, timeout);
    pending.put(tag, waiting);
    // Checked after the put, so a close() racing with this submit cannot strand the command.
    String closed = closedReason;
    if (closed != null) {
      if (pending.remove(tag, waiting)) {
        waiting.future.completeExceptionally(
            new TransportException(closed + " (" + description + " not sent)"));
      }
      return waiting.future;
    }
    try {
      waiting.timeoutTask =
          timeouts.schedule(
              () -> timeOut(tag, waiting), saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return waiting.future; // closed meanwhile: close() fails every pending command
    }
    waiting.messageId = link.send(waiting.frame);
    return waiting.future;
  }

  private void timeOut(int tag, Pending waiting) {
    if (pending.remove(tag, waiting)) {
      link.cancel(waiting.messageId);
      waiting.future.completeExceptionally(
          new CommandTimeoutException(waiting.description, waiting.timeout, target));
    }
  }

  /**
   * Sends again — with the same tag, which the device's reply cache keeps exactly-once — a command
   * whose message the link gave up, or whose answer is overdue by the give-up time plus twice the
   * line time of the answer, once the command was delivered.
   */
  private void checkTimers() {
    long now = clock.getAsLong();
    pending.forEach(
        (tag, waiting) -> {
          boolean resend =
              switch (link.delivery(waiting.messageId)) {
                case ABANDONED -> true;
                case DELIVERED ->
                    now - link.deliveredAt(waiting.messageId).orElse(now)
                        > giveUpNanos + 2 * lineNanos(waiting.expectedDataIn);
                case PENDING, UNKNOWN -> false;
              };
          if (resend && pending.get(tag) == waiting) {
            waiting.messageId = link.send(waiting.frame);
          }
        });
  }

  /** How long {@code bytes} take at the line rate, 8N1, with framing slack. */
  private long lineNanos(long bytes) {
    return baud <= 0 ? 0 : (bytes + bytes / 64 + 256) * 10L * 1_000_000_000L / baud;
  }

  private void received(byte[] message) {
    Frame frame;
    ByteBuf body = Unpooled.wrappedBuffer(message);
    try {
      frame = FrameCodec.decode(body);
    } catch (ProtocolException e) {
      fail("protocol error from device: " + e.getMessage());
      return;
    } finally {
      body.release(); // the frame holds its own retained slice
    }
    if (frame instanceof StatusFrame status) {
      Pending waiting = pending.remove(status.tag());
      if (waiting != null && waiting.timeoutTask != null) {
        waiting.timeoutTask.cancel(false);
      }
      if (waiting == null || !waiting.future.complete(status)) {
        status.release(); // a late or repeated answer
      }
    } else if (frame instanceof ProtocolErrorFrame error) {
      failPending("device reported: " + error.message());
    } else {
      // Someone else's frame left on a shared line, not an answer to us: drop it.
      ((CommandFrame) frame).release();
      log.warn("{}: dropped a command frame that arrived from the device side", target);
    }
  }

  private void fail(String reason) {
    if (closedReason == null) {
      closedReason = reason;
    }
    failPending(reason);
  }

  private void failPending(String reason) {
    for (Integer tag : pending.keySet()) {
      Pending waiting = pending.remove(tag);
      if (waiting != null) {
        waiting.future.completeExceptionally(
            new TransportException(reason + " (" + waiting.description + " did not complete)"));
      }
    }
  }

  private int nextTag() {
    int tag;
    do {
      tag = tags.getAndIncrement();
    } while (pending.containsKey(tag));
    return tag;
  }

  /** The link's counters: retransmissions, corrupt frames dropped, and so on. */
  public ReliableLink.Stats stats() {
    return link.stats();
  }

  @Override
  public String target() {
    return target;
  }

  @Override
  public boolean isOpen() {
    return closedReason == null;
  }

  @Override
  public boolean isIoThread() {
    return runner.isReaderThread() || Thread.currentThread().getName().startsWith(TIMER_THREAD);
  }

  @Override
  public void close() {
    fail("serial port " + target + " closed by the host");
    timer.shutdownNow();
    runner.close();
  }
}
