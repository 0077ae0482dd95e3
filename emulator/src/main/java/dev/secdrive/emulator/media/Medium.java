package dev.secdrive.emulator.media;

import dev.secdrive.kit.files.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** The secure area's bytes. Only firmware operations may call this; no command returns them. */
  public synchronized byte[] readSecureArea() throws IOException {
    return Files.readAllBytes(directory.resolve(SECURE_AREA_FILE));
  }

  /** Replaces the secure area atomically: after a crash it holds the old or the new bytes. */
  public void writeSecureArea(byte[] content) throws IOException {
    writeSecureArea(content, WriteSteps.NONE);
  }

  /**
   * As {@link #writeSecureArea(byte[])}, reporting the steps of the atomic replacement so that a
   * power loss can be injected between any two of them.
   */
  public synchronized void writeSecureArea(byte[] content, WriteSteps steps) throws IOException {
    if (content.length != metadata.secureAreaBytes()) {
      throw new IllegalArgumentException(
          "secure area of medium "
              + id()
              + " is "
              + metadata.secureAreaBytes()
              + " bytes, got "
              + content.length);
    }
    AtomicFiles.replace(directory.resolve(SECURE_AREA_FILE), content, steps);
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
