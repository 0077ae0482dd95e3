package dev.secdrive.emulator.endpoint;

import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Per-nexus reply cache for carriers on which a host retries a command it got no answer for, with
 * the same tag (the serial line). A retried command whose tag and contents match one already
 * answered gets the same status frame again; one still executing is dropped, since its answer is
 * coming. So no command — a WRITE, a secure-area update — ever executes twice. {@link
 * CommandHandler} consults it before executing and tells it every answer.
 *
 * <p>A tag reused for different contents (a new host session) replaces the old entry. The cache
 * keeps the most recent answers up to a count and a byte budget. Not thread-safe: it lives on its
 * handler's executor.
 */
public final class ReplyCache {

  static final int MAXIMUM_ENTRIES = 256;
  static final long MAXIMUM_BYTES = 64L << 20;

  private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();
  private long bytes;
  private long hits;

  private static final class Entry {
    final long fingerprint;
    StatusFrame reply;

    Entry(long fingerprint) {
      this.fingerprint = fingerprint;
    }
  }

  /** Retried commands answered from the cache so far. */
  public long hits() {
    return hits;
  }

  /**
   * Whether {@code command} repeats one already taken on (same tag, same contents). If not, it is
   * remembered as taken on, and a different command that had its tag is forgotten.
   */
  public boolean isRetry(CommandFrame command) {
    long fingerprint = fingerprint(command);
    Entry entry = entries.get(command.tag());
    if (entry != null && entry.fingerprint == fingerprint) {
      hits++;
      return true;
    }
    if (entry != null) {
      forget(command.tag());
    }
    entries.put(command.tag(), new Entry(fingerprint));
    evict();
    return false;
  }

  /**
   * The answer to send again for a retried tag, which the caller owns; {@code null} while the first
   * arrival is still executing.
   */
  public StatusFrame replyTo(int tag) {
    Entry entry = entries.get(tag);
    return entry == null || entry.reply == null ? null : entry.reply.retainedDuplicate();
  }

  /** Keeps the answer to a command taken on; call before the answer is sent. */
  public void remember(StatusFrame status) {
    Entry entry = entries.get(status.tag());
    if (entry != null && entry.reply == null) {
      entry.reply = status.retainedDuplicate();
      bytes += status.dataIn().readableBytes();
      evict();
    }
  }

  /** Releases every cached answer: the nexus is over. */
  public void release() {
    for (Entry entry : entries.values()) {
      if (entry.reply != null) {
        entry.reply.release();
      }
    }
    entries.clear();
    bytes = 0;
  }

  private void evict() {
    Iterator<Map.Entry<Integer, Entry>> it = entries.entrySet().iterator();
    while ((entries.size() > MAXIMUM_ENTRIES || bytes > MAXIMUM_BYTES) && it.hasNext()) {
      Entry oldest = it.next().getValue();
      if (oldest.reply == null && entries.size() <= MAXIMUM_ENTRIES) {
        break; // never forget a command still executing because of the byte budget
      }
      release(oldest);
      it.remove();
    }
  }

  private void forget(int tag) {
    Entry entry = entries.remove(tag);
    if (entry != null) {
      release(entry);
    }
  }

  private void release(Entry entry) {
    if (entry.reply != null) {
      bytes -= entry.reply.dataIn().readableBytes();
      entry.reply.release();
    }
  }

  /** What identifies a command beyond its tag: LUN, CDB, data phase. */
  private static long fingerprint(CommandFrame command) {
    CRC32C crc = new CRC32C();
    crc.update(command.lun());
    crc.update(command.cdb());
    crc.update(java.nio.ByteBuffer.allocate(4).putInt((int) command.expectedDataInLength()).flip());
    crc.update(command.dataOut().nioBuffer());
    return crc.getValue() << 32 | command.dataOut().readableBytes();
  }
}
