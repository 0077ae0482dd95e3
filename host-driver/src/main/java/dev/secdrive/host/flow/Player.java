package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.TitleHeader;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * FIG. 6: plays a title. OPEN PLAYBACK makes the drive decrypt the title's data blocks for this
 * connection; the host READs them as plaintext and never sees the content key.
 */
public final class Player {

  /** Bytes per READ. */
  static final int READ_CHUNK = 128 * 1024;

  /** READs in flight at once. */
  static final int READS_IN_FLIGHT = 8;

  private Player() {}

  /** What a play returned: the plaintext's length and SHA-256. */
  public record Played(String contentId, long bytes, byte[] sha256) {}

  /**
   * Plays title {@code contentId} whose header is at {@code headerLba} into {@code out} (exactly
   * the plaintext length the header states), consuming one play of a limited license.
   *
   * @throws FlowException if no header of that content is at {@code headerLba}
   * @throws dev.secdrive.host.api.ScsiException when the drive refuses (no license, exhausted, ...)
   */
  public static Played play(
      Drive drive, String contentId, long headerLba, OutputStream out, Progress progress) {
    Capacity capacity = drive.capacity();
    int blockSize = capacity.blockSize();
    if (headerLba < 0 || headerLba > capacity.lastLba()) {
      throw new FlowException(
          "header LBA "
              + headerLba
              + " is outside the medium (last LBA "
              + capacity.lastLba()
              + ")");
    }
    TitleHeader header;
    try {
      header = TitleHeader.decode(drive.read(headerLba, 1));
    } catch (ParameterException e) {
      throw new FlowException("LBA " + headerLba + " holds no title header: " + e.getMessage());
    }
    if (!header.contentId().equals(contentId)) {
      throw new FlowException(
          "LBA "
              + headerLba
              + " holds the title of content '"
              + header.contentId()
              + "', not '"
              + contentId
              + "'");
    }
    long dataBlocks = header.dataBlocks(blockSize);
    if (headerLba + dataBlocks > capacity.lastLba()) {
      throw new FlowException(
          "the title at LBA " + headerLba + " claims more blocks than the medium has");
    }
    MessageDigest sha256 = sha256();
    drive.secure().openPlayback(contentId, headerLba);
    readOpened(
        drive,
        header.plaintextLength(),
        headerLba + 1,
        dataBlocks,
        blockSize,
        out,
        sha256,
        progress);
    return new Played(contentId, header.plaintextLength(), sha256.digest());
  }

  /**
   * Plays the content package at {@code packageLba} (seed 002, S41-S49) into {@code out}: OPEN
   * CONTENT, then READs of its data blocks, which the drive decrypts, then CLOSE PLAYBACK.
   *
   * @throws FlowException if no package header is at {@code packageLba}
   * @throws dev.secdrive.host.api.ScsiException when the drive refuses (no license, expired,
   *     revoked, ...)
   */
  public static Played playContent(
      Drive drive, long packageLba, OutputStream out, Progress progress) {
    Capacity capacity = drive.capacity();
    int blockSize = capacity.blockSize();
    ContentPackage.Header header = packageHeader(drive, packageLba);
    long first = header.dataLba(packageLba, blockSize);
    long dataBlocks = header.dataBlocks(blockSize);
    if (first + dataBlocks > capacity.lastLba() + 1) {
      throw new FlowException(
          "the package at LBA " + packageLba + " claims more blocks than the medium has");
    }
    MessageDigest sha256 = sha256();
    drive.secure().openContent(packageLba);
    readOpened(
        drive, header.plaintextLength(), first, dataBlocks, blockSize, out, sha256, progress);
    return new Played(header.contentId(), header.plaintextLength(), sha256.digest());
  }

  /** The content package header at {@code packageLba} of the loaded medium. */
  public static ContentPackage.Header packageHeader(Drive drive, long packageLba) {
    Capacity capacity = drive.capacity();
    int blockSize = capacity.blockSize();
    if (packageLba < 0 || packageLba > capacity.lastLba()) {
      throw new FlowException("package LBA " + packageLba + " is outside the medium");
    }
    try {
      byte[] first = drive.read(packageLba, 1);
      long length = ContentPackage.Header.declaredLength(first);
      long blocks = (length + blockSize - 1) / blockSize;
      if (packageLba + blocks > capacity.lastLba() + 1) {
        throw new FlowException("the package header at LBA " + packageLba + " runs off the medium");
      }
      return ContentPackage.Header.decode(
          blocks == 1 ? first : drive.read(packageLba, (int) blocks));
    } catch (ParameterException e) {
      throw new FlowException(
          "LBA " + packageLba + " holds no content package header: " + e.getMessage());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads what an OPEN PLAYBACK or OPEN CONTENT opened, then closes it. */
  private static void readOpened(
      Drive drive,
      long total,
      long first,
      long blocks,
      int blockSize,
      OutputStream out,
      MessageDigest sha256,
      Progress progress) {
    boolean failed = true;
    try {
      readData(drive, total, blocks, first, blockSize, out, sha256, progress);
      failed = false;
    } finally {
      try {
        drive.secure().closePlayback();
      } catch (DriveException e) {
        if (!failed) {
          throw e;
        }
        // reporting the first failure; the connection's end closes playback anyway
      }
    }
  }

  private static void readData(
      Drive drive,
      long total,
      long blocks,
      long firstLba,
      int blockSize,
      OutputStream out,
      MessageDigest sha256,
      Progress progress) {
    int chunk = Math.max(1, READ_CHUNK / blockSize);
    Pipeline<ByteBuf> reads = new Pipeline<>(READS_IN_FLIGHT);
    long issued = 0;
    long written = 0;
    progress.update(0, total);
    try {
      while (written < total) {
        while (issued < blocks && reads.hasRoom()) {
          int count = (int) Math.min(chunk, blocks - issued);
          reads.add(drive.readBuffer(firstLba + issued, count, blockSize));
          issued += count;
        }
        ByteBuf data = reads.next();
        try {
          // The last block is padding beyond the plaintext length.
          int n = (int) Math.min(data.readableBytes(), total - written);
          byte[] bytes = new byte[n];
          data.getBytes(data.readerIndex(), bytes);
          sha256.update(bytes);
          out.write(bytes);
          written += n;
        } finally {
          data.release();
        }
        progress.update(written, total);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      reads.drainQuietly(ByteBuf::release);
    }
  }
}
