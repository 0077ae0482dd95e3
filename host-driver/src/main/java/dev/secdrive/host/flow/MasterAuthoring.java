package dev.secdrive.host.flow;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.TitleHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Builds the user-area image of a pressed master (PROTOCOL.md "Master catalog"): the catalog at LBA
 * 0, padded to whole blocks, then each title's plaintext encrypted with AES-256-CTR under its
 * master key (Kd for scheme 1, Ka for scheme 2) with a fresh random nonce, each title starting on a
 * block boundary and its last block zero padded before encryption.
 */
public final class MasterAuthoring {

  private static final int CHUNK = 1 << 20;

  private MasterAuthoring() {}

  /**
   * One title to press: {@code length} bytes of plaintext read from {@code content}, encrypted
   * under {@code key} (the 32-byte key the central site returned when the title was registered).
   */
  public record Title(
      String titleId, String name, int scheme, byte[] key, long length, InputStream content) {
    public Title {
      if (key.length != Crypto.KEY_LENGTH) {
        throw new FlowException(
            "the key of title " + titleId + " has " + key.length + " bytes, not 32");
      }
      if (length < 0) {
        throw new FlowException("title " + titleId + " has a negative length");
      }
      key = key.clone();
    }
  }

  /**
   * Writes the image of a master with {@code titles} to {@code image} (replaced atomically) for a
   * medium of {@code blockSize}-byte blocks, and returns its catalog.
   *
   * @throws FlowException for a bad title ID, name or scheme, a title listed twice, or a content
   *     that ends early or runs long
   */
  public static MasterCatalog author(
      List<Title> titles, int blockSize, Path image, Progress progress) {
    if (titles.isEmpty()) {
      throw new FlowException("a master needs at least one title");
    }
    List<MasterCatalog.Entry> entries = new ArrayList<>();
    List<byte[]> nonces = new ArrayList<>();
    long total = 0;
    // The catalog's length depends on neither the LBAs nor the digests (fixed width), so lay it
    // out once with zeros to learn how many blocks it takes, then place the titles after it; the
    // digests are known once the titles are written, and the catalog is written over its blocks.
    byte[] unknownDigest = new byte[MasterCatalog.DIGEST_LENGTH];
    for (Title t : titles) {
      byte[] nonce = Bytes.random(TitleHeader.NONCE_LENGTH);
      nonces.add(nonce);
      entries.add(entry(t, 0, nonce, unknownDigest));
      total += t.length();
    }
    long catalogBlocks = blocks(catalog(entries).encode().length, blockSize);
    long lba = catalogBlocks;
    for (int i = 0; i < titles.size(); i++) {
      Title t = titles.get(i);
      entries.set(i, entry(t, lba, nonces.get(i), unknownDigest));
      lba += blocks(t.length(), blockSize);
    }

    Path dir = image.toAbsolutePath().getParent();
    MasterCatalog catalog;
    try {
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + image.getFileName() + "-", ".tmp");
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          OutputStream out = Channels.newOutputStream(channel);
          out.write(new byte[(int) catalogBlocks * blockSize]);
          long done = 0;
          progress.update(0, total);
          for (int i = 0; i < titles.size(); i++) {
            Mac digest = Titles.digest(titles.get(i).key());
            done =
                encrypt(
                    titles.get(i), nonces.get(i), blockSize, out, digest, done, total, progress);
            MasterCatalog.Entry e = entries.get(i);
            entries.set(i, entry(titles.get(i), e.firstLba(), e.nonce(), digest.doFinal()));
          }
          catalog = catalog(entries);
          channel.write(ByteBuffer.wrap(catalog.encode()), 0);
          channel.force(true);
        }
        Files.move(temp, image, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return catalog;
  }

  private static MasterCatalog.Entry entry(Title t, long lba, byte[] nonce, byte[] sha256) {
    try {
      return new MasterCatalog.Entry(
          t.titleId(), t.name(), t.scheme(), lba, t.length(), nonce, sha256);
    } catch (IllegalArgumentException e) {
      throw new FlowException("title '" + t.titleId() + "': " + e.getMessage());
    }
  }

  private static MasterCatalog catalog(List<MasterCatalog.Entry> entries) {
    try {
      return new MasterCatalog(entries);
    } catch (IllegalArgumentException e) {
      throw new FlowException("master catalog: " + e.getMessage());
    }
  }

  private static long encrypt(
      Title t,
      byte[] nonce,
      int blockSize,
      OutputStream out,
      Mac digest,
      long done,
      long total,
      Progress progress)
      throws IOException {
    Cipher cipher = Titles.cipher(t.key(), nonce, 0);
    int chunk = CHUNK / blockSize * blockSize;
    long left = t.length();
    byte[] buffer = new byte[chunk];
    while (left > 0) {
      int n = (int) Math.min(chunk, left);
      int got = t.content().readNBytes(buffer, 0, n);
      if (got < n) {
        throw new FlowException(
            "the content of title "
                + t.titleId()
                + " ended after "
                + (t.length() - left + got)
                + " of "
                + t.length()
                + " bytes");
      }
      digest.update(buffer, 0, n);
      // PROTOCOL.md "Titles": the last block is zero-padded before encryption.
      int padded = (int) blocks(n, blockSize) * blockSize;
      Arrays.fill(buffer, n, padded, (byte) 0);
      try {
        cipher.update(buffer, 0, padded, buffer, 0);
      } catch (ShortBufferException e) {
        throw new IllegalStateException(e);
      }
      out.write(buffer, 0, padded);
      left -= n;
      done += n;
      progress.update(done, total);
    }
    if (t.content().read() >= 0) {
      throw new FlowException(
          "the content of title " + t.titleId() + " is longer than " + t.length() + " bytes");
    }
    return done;
  }

  static long blocks(long bytes, int blockSize) {
    return (bytes + blockSize - 1) / blockSize;
  }
}
