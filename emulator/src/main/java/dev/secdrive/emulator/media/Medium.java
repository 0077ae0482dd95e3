package dev.secdrive.emulator.media;

import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.SecretFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An open medium: its metadata, its user area as a positional file channel, and its secure area.
 * The user-area image is locked while open so that two emulators cannot load the same medium.
 * Thread-safe: positional reads and writes do not share a file position, and metadata changes are
 * serialised on this object.
 */
public final class Medium implements Closeable {

  static final String METADATA_FILE = "medium.json";
  static final String USER_AREA_FILE = "user.img";
  static final String SECURE_AREA_FILE = "secure.bin";

  /** After the secure area in {@code secure.bin}: "SDWC", then the u64 write counter. */
  static final byte[] COUNTER_MAGIC = {'S', 'D', 'W', 'C'};

  static final int COUNTER_TRAILER_LENGTH = COUNTER_MAGIC.length + 8;

  private final Path directory;
  private final FileChannel userArea;
  private final FileLock lock;
  private final MediumStore store;
  private volatile MediumMetadata metadata;

  Medium(
      MediumStore store,
      Path directory,
      MediumMetadata metadata,
      FileChannel userArea,
      FileLock lock) {
    this.store = store;
    this.directory = directory;
    this.metadata = metadata;
    this.userArea = userArea;
    this.lock = lock;
  }

  public MediumMetadata metadata() {
    return metadata;
  }

  public String id() {
    return metadata.id();
  }

  public int blockSize() {
    return metadata.blockSize();
  }

  public long blockCount() {
    return metadata.blockCount();
  }

  /**
   * The medium's directory, for the files a medium type adds (a CD-DA disc's {@code disc.json}).
   */
  Path directory() {
    return directory;
  }

  /**
   * Reads {@code dst.remaining()} bytes of the user area starting at block {@code lba} into {@code
   * dst}. Unwritten regions of the sparse image read as zeros.
   */
  public void read(long lba, ByteBuffer dst) throws IOException {
    long position = lba * metadata.blockSize();
    while (dst.hasRemaining()) {
      int n = userArea.read(dst, position);
      if (n < 0) {
        throw new IOException("medium " + id() + ": user area image shorter than its capacity");
      }
      position += n;
    }
  }

  /** Writes {@code src} to the user area starting at block {@code lba}. */
  public void write(long lba, ByteBuffer src) throws IOException {
    long position = lba * metadata.blockSize();
    while (src.hasRemaining()) {
      position += userArea.write(src, position);
    }
  }

  /** Makes every completed write durable (SYNCHRONIZE CACHE). */
  public void force() throws IOException {
    userArea.force(false);
  }

  /** Sets the write-protect tab; persisted in the metadata. */
  public synchronized void setWriteProtected(boolean writeProtected) {
    if (metadata.pressed()) {
      throw new MediumException(
          "medium " + id() + " is pressed (read-only); it has no write-protect tab");
    }
    MediumMetadata updated = metadata.withWriteProtected(writeProtected);
    store.writeMetadata(directory, updated);
    metadata = updated;
  }

  /**
   * What {@code secure.bin} holds: the secure area, and the medium's secure-area write counter.
   *
   * @param area exactly the medium type's secure-area size
   * @param writeCounter how many times the secure area has been written
   */
  public record SecureAreaImage(byte[] area, long writeCounter, long anchoredCounter) {

    /** Whether the counter is behind the one anchored outside the media directory. */
    public boolean behindItsAnchor() {
      return writeCounter < anchoredCounter;
    }
  }

  /** The secure area's bytes. Only firmware operations may call this; no command returns them. */
  public byte[] readSecureArea() throws IOException {
    return readSecureAreaImage().area();
  }

  /**
   * The medium's secure-area write counter, as eMMC's RPMB keeps one: raised by every write of the
   * secure area, never lowered, and kept when the area is damaged ({@link #eraseSecureArea}). The
   * drive reads it; nothing sets it.
   */
  public long secureAreaWriteCounter() throws IOException {
    return readSecureAreaImage().writeCounter();
  }

  /**
   * The secure area and its write counter, read together from one file, so that they always belong
   * to each other.
   */
  public synchronized SecureAreaImage readSecureAreaImage() throws IOException {
    Path file = directory.resolve(SECURE_AREA_FILE);
    byte[] bytes = Files.readAllBytes(file);
    int size = metadata.secureAreaBytes();
    long anchored = anchoredCounter();
    if (bytes.length == size) {
      // written before media kept a counter, or never
      return new SecureAreaImage(bytes, 0, anchored);
    }
    if (bytes.length != size + COUNTER_TRAILER_LENGTH
        || !Arrays.equals(bytes, size, size + COUNTER_MAGIC.length, COUNTER_MAGIC, 0, 4)) {
      throw new IOException(
          "medium " + id() + ": secure area " + file + " is corrupt (" + bytes.length + " bytes)");
    }
    long counter = ByteBuffer.wrap(bytes, size + COUNTER_MAGIC.length, 8).getLong();
    if (counter < 0) {
      throw new IOException(
          "medium " + id() + ": secure area " + file + " has a corrupt write counter");
    }
    return new SecureAreaImage(Arrays.copyOf(bytes, size), counter, anchored);
  }

  /**
   * The write counter anchored outside the media directory ({@link MediumStore#anchoringCounters});
   * -1 if there is none.
   */
  private long anchoredCounter() throws IOException {
    Path anchor = store.counterAnchor(id());
    if (anchor == null || !Files.exists(anchor)) {
      return -1;
    }
    byte[] bytes = SecretFiles.read(anchor);
    if (bytes.length != COUNTER_TRAILER_LENGTH
        || !Arrays.equals(bytes, 0, COUNTER_MAGIC.length, COUNTER_MAGIC, 0, 4)) {
      throw new IOException("medium " + id() + ": counter anchor " + anchor + " is corrupt");
    }
    return ByteBuffer.wrap(bytes, COUNTER_MAGIC.length, 8).getLong();
  }

  /**
   * Raises the anchored counter to {@code counter}, after the write that reached it: a crash
   * between the two leaves the anchor behind the medium, never ahead.
   */
  private void anchorCounter(long counter) throws IOException {
    Path anchor = store.counterAnchor(id());
    if (anchor == null || anchoredCounter() >= counter) {
      return;
    }
    SecretFiles.createDirectories(anchor.getParent());
    AtomicFiles.replaceSecret(
        anchor,
        ByteBuffer.allocate(COUNTER_TRAILER_LENGTH).put(COUNTER_MAGIC).putLong(counter).array());
  }

  /**
   * Replaces the secure area atomically: after a crash it holds the old or the new bytes.
   *
   * @return the write counter after this write
   */
  public long writeSecureArea(byte[] content) throws IOException {
    return writeSecureArea(content, WriteSteps.NONE);
  }

  /**
   * As {@link #writeSecureArea(byte[])}, reporting the steps of the atomic replacement so that a
   * power loss can be injected between any two of them. The area and its raised write counter are
   * one file, replaced together.
   *
   * @return the write counter after this write
   */
  public synchronized long writeSecureArea(byte[] content, WriteSteps steps) throws IOException {
    checkSecureAreaSize(content);
    long next = Math.addExact(secureAreaWriteCounter(), 1);
    AtomicFiles.replace(directory.resolve(SECURE_AREA_FILE), withCounter(content, next), steps);
    anchorCounter(next);
    return next;
  }

  /**
   * Destroys the secure area's data, as damage would: all zero. Not a write: the write counter
   * stays as it is, as a damaged medium's counter does.
   */
  public synchronized void eraseSecureArea() throws IOException {
    long counter = secureAreaWriteCounter();
    byte[] zero = new byte[metadata.secureAreaBytes()];
    AtomicFiles.replace(
        directory.resolve(SECURE_AREA_FILE), counter == 0 ? zero : withCounter(zero, counter));
  }

  private void checkSecureAreaSize(byte[] content) {
    if (content.length != metadata.secureAreaBytes()) {
      throw new IllegalArgumentException(
          "secure area of medium "
              + id()
              + " is "
              + metadata.secureAreaBytes()
              + " bytes, got "
              + content.length);
    }
  }

  /** {@code secure.bin}: the area, then "SDWC" and the u64 write counter. */
  private static byte[] withCounter(byte[] area, long counter) {
    return ByteBuffer.allocate(area.length + COUNTER_TRAILER_LENGTH)
        .put(area)
        .put(COUNTER_MAGIC)
        .putLong(counter)
        .array();
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      userArea.close();
    }
  }

  @Override
  public String toString() {
    return "Medium[" + id() + ", " + metadata.type() + "]";
  }
}
