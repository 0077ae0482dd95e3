package dev.secdrive.emulator.endpoint.serial;

import dev.secdrive.emulator.capture.Captures;
import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.endpoint.ReplyCache;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.kit.capture.PcapngWriter;
import dev.secdrive.kit.serial.Line;
import dev.secdrive.kit.serial.LineNoiseStream;
import dev.secdrive.kit.serial.LineRunner;
import dev.secdrive.kit.serial.SerialPortLine;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.link.ReliableLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drive target served on a serial port. The link layer runs on the port; each message it delivers
 * is one frame, decoded once and handed to the shared {@link CommandHandler} (with a reply cache),
 * and each answer goes back as one message. The serial port is one I_T nexus for as long as the
 * endpoint runs: a host that closes and reopens its end is still the same initiator on the same
 * wire, so retried commands find their answers.
 *
 * <p>A frame that does not parse is answered with a protocol error and the nexus carries on: the
 * link already delimits frames, so a bad one says nothing about the next.
 */
public final class SerialEndpoint implements Endpoint {

  /** Answers queued on the link beyond which the handler takes on no more commands. */
  static final long HIGH_WATER_BYTES = 1 << 20;

  /** Queued answers below which it takes commands on again. */
  static final long LOW_WATER_BYTES = 256 << 10;

  private static final Logger log = LoggerFactory.getLogger(SerialEndpoint.class);

  private final String device;
  private final int baud;
  private final Boolean paced;
  private EventExecutor executor;
  private ReliableLink link;
  private CommandHandler commands;
  private LineRunner runner;
  private volatile boolean blocked;
  private final Noise toHostNoise = new Noise(true);
  private final Noise fromHostNoise = new Noise(false);
  private Target target;

  /**
   * Serves on {@code device} at {@code baud}, paced to the baud rate with realistic timing.
   *
   * @param device the port, e.g. {@code /dev/ttyUSB0}
   */
  public SerialEndpoint(String device, int baud) {
    this(device, baud, null);
  }

  /**
   * @param paced hold output to the baud rate (a pty would go faster); {@code null}: with realistic
   *     timing only
   */
  public SerialEndpoint(String device, int baud, Boolean paced) {
    this.device = device;
    this.baud = baud;
    this.paced = paced;
  }

  /** Opens the port. @throws UncheckedIOException naming the port and the problem */
  @Override
  public void start(Target target, Context context) {
    SerialPortLine line;
    try {
      line = SerialPortLine.open(device, baud);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    start(target, context, line);
  }

  /** Serves on an already open line: the port, or a test's line. */
  void start(Target target, Context context, Line line) {
    if (runner != null) {
      throw new IllegalStateException("already serving on " + description());
    }
    this.target = target;
    int maximumFrame = Frame.maximumFrameLength(context.maximumDataLength());
    executor = new DefaultEventExecutor(new DefaultThreadFactory("secdrive-serial", true));
    link =
        new ReliableLink(
            ReliableLink.Config.forBaudRate(baud, maximumFrame), System::nanoTime, this::fromHost);
    commands =
        new CommandHandler(
            target,
            new Nexus("serial:" + device, "serial:" + device),
            new ToHost(),
            new ReplyCache(),
            context.answerDelays());
    boolean pace = paced != null ? paced : context.timing() == TimingMode.REALISTIC;
    runner =
        new LineRunner(
            "secdrive-serial " + device,
            line,
            this::fromLine,
            this::toLine,
            baud,
            pace,
            e -> log.error("serial port {} failed: {}", device, e.getMessage()));
  }

  public String device() {
    return device;
  }

  @Override
  public String description() {
    return "serial port " + device + " at " + baud + " baud";
  }

  /** The link's counters: retransmissions, corrupt frames dropped, and so on. */
  public ReliableLink.Stats stats() {
    return link.stats();
  }

  /**
   * Whether the host has acknowledged every answer. Until then the link retransmits, and a host
   * that opens the line meanwhile may be handed an answer meant for the one before it.
   */
  public boolean idle() {
    return link.idle();
  }

  /** Bytes read from the line, on the runner's reader thread. */
  private void fromLine(byte[] bytes, int offset, int length) {
    byte[] heard = fromHostNoise.apply(bytes, offset, length);
    if (heard == null) {
      capture(true, true, bytes, offset, length, null);
      link.receive(bytes, offset, length); // acknowledgements in here may unblock answers
    } else {
      capture(true, true, heard, 0, fromHostNoise.length, null);
      link.receive(heard, 0, fromHostNoise.length);
    }
    checkWritable();
  }

  /** The next bytes for the line, on the runner's writer thread. */
  private byte[] toLine(long timeoutNanos) throws InterruptedException {
    byte[] output = link.takeOutput(timeoutNanos);
    checkWritable(); // an abandoned message unblocks answers without any read
    if (output != null) {
      capture(true, false, output, 0, output.length, null);
      byte[] sent = toHostNoise.apply(output, 0, output.length);
      if (sent != null) {
        return Arrays.copyOf(sent, toHostNoise.length);
      }
    }
    return output;
  }

  /**
   * Writes bytes to the capture, if one is on: the line's bytes ({@code line}, LINKTYPE_USER1) as
   * the emulator reads and writes them, or a link-layer message, one secdrive frame.
   */
  private void capture(
      boolean line, boolean inbound, byte[] bytes, int offset, int length, String comment) {
    Captures.Session session = target == null ? null : target.captures().session();
    if (session == null) {
      return;
    }
    int iface =
        line
            ? session.iface(
                "serial:" + device + " line",
                PcapngWriter.LINKTYPE_USER1,
                "serial link frames: COBS(payload, CRC-32C), 00")
            : session.iface(
                "serial:" + device,
                PcapngWriter.LINKTYPE_USER0,
                "secdrive frames, one per link-layer message");
    session.packet(iface, inbound, ByteBuffer.wrap(bytes, offset, length), comment);
  }

  /** Bits flipped, bytes dropped and duplicated so far by a fault script's line noise. */
  public long noiseFaults() {
    return toHostNoise.faults() + fromHostNoise.faults();
  }

  /**
   * A fault script's noise on one direction of this port, drawn from a stream the script's seed
   * seeds; used from that direction's thread only. A new script starts a new stream.
   */
  private final class Noise {
    private final boolean toHost;
    private FaultScript script;
    private LineNoiseStream stream;
    private byte[] out = new byte[0];
    private volatile long before;

    /** The length of the last {@link #apply} output. */
    int length;

    Noise(boolean toHost) {
      this.toHost = toHost;
    }

    /** {@code bytes} as the line delivers them, in {@link #out}; null if the line is clean. */
    byte[] apply(byte[] bytes, int offset, int count) {
      FaultScript current = target == null ? FaultScript.none() : target.faultScript();
      if (current != script) {
        arm(current);
      }
      if (stream == null) {
        return null;
      }
      if (out.length < 2 * count) {
        out = new byte[2 * count];
      }
      byte[] in = offset == 0 ? bytes : Arrays.copyOfRange(bytes, offset, offset + count);
      length = stream.apply(in, count, out);
      return out;
    }

    long faults() {
      LineNoiseStream s = stream;
      return before + (s == null ? 0 : s.bitsFlipped() + s.bytesDropped() + s.bytesDuplicated());
    }

    private void arm(FaultScript current) {
      if (stream != null) {
        before += stream.bitsFlipped() + stream.bytesDropped() + stream.bytesDuplicated();
      }
      script = current;
      stream = null;
      List<FaultScript.Fault> faults = current.faults();
      for (int i = 0; i < faults.size(); i++) {
        if (faults.get(i) instanceof FaultScript.LineNoiseOn noise
            && (noise.port() == null || noise.port().equals(device))
            && (toHost ? noise.toHost() : noise.fromHost())) {
          long seed = current.random(i, toHost ? -2 : -3).nextLong();
          stream = new LineNoiseStream(noise.noise(), seed);
          log.warn(
              "serial port {}: line noise {} the host armed: {} (fault {} of the script, seed {})",
              device,
              toHost ? "to" : "from",
              noise.noise(),
              i,
              current.seed());
          return;
        }
      }
    }
  }

  /** A message from the host: one frame, decoded here and only here. */
  private void fromHost(byte[] message) {
    capture(false, true, message, 0, message.length, null);
    ByteBuf body = Unpooled.wrappedBuffer(message);
    Frame frame;
    try {
      frame = FrameCodec.decode(body);
    } catch (ProtocolException e) {
      onExecutor(() -> commands.protocolError(e.getMessage()), null);
      return;
    } finally {
      body.release(); // the frame holds its own retained slice
    }
    onExecutor(() -> commands.receive(frame), frame);
  }

  private void onExecutor(Runnable task, Frame owned) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      ReferenceCountUtil.release(owned); // closing
    }
  }

  private void checkWritable() {
    if (blocked && link.queuedBytes() < LOW_WATER_BYTES) {
      blocked = false;
      onExecutor(commands::writabilityChanged, null);
    }
  }

  @Override
  public void close() {
    if (runner == null) {
      return;
    }
    runner.close();
    try {
      executor.submit(commands::disconnected).syncUninterruptibly();
    } catch (RejectedExecutionException e) {
      // already stopped
    }
    executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The serial carrier: answers go out as link messages, each frame whole. */
  private final class ToHost implements CommandHandler.Carrier {

    /** The link message carrying the latest answer for each recent tag. */
    private final Map<Integer, Integer> answers =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
            return size() > 1024;
          }
        };

    @Override
    public EventExecutor executor() {
      return executor;
    }

    @Override
    public ByteBufAllocator alloc() {
      return ByteBufAllocator.DEFAULT;
    }

    @Override
    public boolean isWritable() {
      if (link.queuedBytes() < HIGH_WATER_BYTES) {
        return true;
      }
      blocked = true;
      // Looked at again after raising the flag, so an acknowledgement that came in between is not
      // missed by checkWritable.
      if (link.queuedBytes() < HIGH_WATER_BYTES) {
        blocked = false;
        return true;
      }
      return false;
    }

    /**
     * Never stops: the acknowledgements that drain the queued answers come in on the same line. The
     * line rate bounds what comes in, and queued commands are decoded frames, not answers.
     */
    @Override
    public void setReading(boolean reading) {}

    @Override
    public void write(StatusFrame status) {
      int tag = status.tag();
      Integer previous = answers.get(tag);
      if (previous != null && link.delivery(previous) == ReliableLink.Delivery.PENDING) {
        status.release(); // the cache answered a retry while the first answer is still on the line
        return;
      }
      answers.put(tag, link.send(captured(encode(status))));
    }

    @Override
    public void annotate(String comment) {
      capture(false, false, new byte[0], 0, 0, comment);
    }

    private byte[] captured(byte[] message) {
      capture(false, false, message, 0, message.length, null);
      return message;
    }

    @Override
    public void flush() {}

    @Override
    public void protocolError(ProtocolErrorFrame error) {
      link.send(captured(encode(error)));
    }

    /** A power loss stops the whole emulator, which closes this endpoint. */
    @Override
    public void drop() {}

    private byte[] encode(Frame frame) {
      try {
        ByteBuf encoded = Unpooled.buffer(FrameCodec.bodyLength(frame));
        FrameCodec.writeHeader(frame, encoded);
        ByteBuf data = FrameCodec.data(frame);
        if (data != null) {
          encoded.writeBytes(data, data.readerIndex(), data.readableBytes());
        }
        return ByteBufUtil.getBytes(encoded);
      } finally {
        ReferenceCountUtil.release(frame);
      }
    }
  }
}
