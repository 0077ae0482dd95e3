package dev.secdrive.emulator.capture;

import dev.secdrive.kit.capture.PcapngWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's capture switch: off, or one pcapng file being written. Every endpoint asks it, at
 * each frame, whether a capture is on; when one is, the endpoint's interface is added to the file
 * the first time it has a packet.
 */
public final class Captures {

  private static final Logger log = LoggerFactory.getLogger(Captures.class);

  private volatile Session session;

  /** The capture being written, or null. */
  public Session session() {
    return session;
  }

  /**
   * Starts writing {@code file} (which must not exist), ending a capture already being written.
   *
   * @throws UncheckedIOException if it cannot be created
   */
  public synchronized Session start(Path file) {
    Session started =
        new Session(this, file, PcapngWriter.create(file, Captures::micros, "secdrive"));
    stop();
    session = started;
    log.info("capturing to {}", file);
    return started;
  }

  /** Ends the capture being written, if any; returns it, or null. */
  public synchronized Session stop() {
    Session ended = session;
    session = null;
    if (ended != null) {
      ended.writer.close();
      log.info("capture {} ended: {} packets", ended.file, ended.writer.packets());
    }
    return ended;
  }

  /** Ends {@code failed} if it is still the capture being written. */
  private synchronized void ended(Session failed) {
    if (session == failed) {
      session = null;
      failed.writer.close();
    }
  }

  private static long micros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /** One capture file and its interfaces, by endpoint. */
  public static final class Session {
    private final Path file;
    private final PcapngWriter writer;
    private final Map<String, Integer> interfaces = new HashMap<>();
    private final Captures owner;

    private Session(Captures owner, Path file, PcapngWriter writer) {
      this.owner = owner;
      this.file = file;
      this.writer = writer;
    }

    public Path file() {
      return file;
    }

    public long packets() {
      return writer.packets();
    }

    /**
     * The interface of {@code name} with {@code linkType}, added on first use; -1 if the capture
     * has failed or ended (its packets are then dropped).
     */
    public synchronized int iface(String name, int linkType, String description) {
      Integer known = interfaces.get(name + " " + linkType);
      if (known != null) {
        return known;
      }
      try {
        int added = writer.addInterface(linkType, name, description);
        interfaces.put(name + " " + linkType, added);
        return added;
      } catch (UncheckedIOException e) {
        failed(e);
        return -1;
      }
    }

    /** Writes one packet; a capture that fails to write ends, and serving goes on. */
    public void packet(int iface, boolean inbound, ByteBuffer data, String comment) {
      if (iface < 0) {
        return;
      }
      try {
        writer.packet(iface, inbound, data, comment);
      } catch (UncheckedIOException e) {
        failed(e);
      }
    }

    private void failed(UncheckedIOException e) {
      if (owner.session == this) {
        log.error("capture {} failed and ends: {}", file, e.getMessage());
        owner.ended(this);
      }
    }
  }
}
