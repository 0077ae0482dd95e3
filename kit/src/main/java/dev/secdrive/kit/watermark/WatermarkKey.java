package dev.secdrive.kit.watermark;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The secret that places a watermark: 32 random bytes from which the bin pairs, the sync pattern,
 * the scrambling and the interleaving are derived (HKDF-SHA-256, one label each). Without it a mark
 * can be neither found nor written; a detector with another key sees unmarked audio. On disk: 64
 * lower-case hexadecimal digits and a newline in an owner-only file, refused when others may read
 * or write it.
 */
public final class WatermarkKey {

  /** The key's length in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private WatermarkKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A fresh key from the system's CSPRNG. */
  public static WatermarkKey generate() {
    return new WatermarkKey(Bytes.random(LENGTH));
  }

  /** The key {@code bytes} hold, copied. */
  public static WatermarkKey of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "a watermark key has " + LENGTH + " bytes, not " + bytes.length);
    }
    return new WatermarkKey(bytes.clone());
  }

  /**
   * The key in {@code file}.
   *
   * @throws IOException if it is missing, others may read or write it (LooseSecretFileException),
   *     or it is not 64 hexadecimal digits
   */
  public static WatermarkKey read(Path file) throws IOException {
    String text = new String(SecretFiles.read(file), StandardCharsets.US_ASCII).strip();
    try {
      return new WatermarkKey(HexKeys.parse("watermark key", text, LENGTH));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the key to {@code file}, owner-only; refuses to replace an existing file, since a key
   * overwritten is every mark made with it lost.
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists
   */
  public void write(Path file) throws IOException {
    AtomicFiles.createSecret(
        file, (HexKeys.format(bytes) + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** Key material for {@code label}: HKDF-SHA-256 of the key, {@code length} bytes. */
  byte[] derive(String label, int length) {
    return Hkdf.sha256(
        new byte[0],
        bytes,
        ("secdrive watermark v1 " + label).getBytes(StandardCharsets.US_ASCII),
        length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WatermarkKey k && Bytes.constantTimeEquals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 0; // no hint of the key in a hash table
  }

  /** Never the key. */
  @Override
  public String toString() {
    return "WatermarkKey[secret]";
  }
}
