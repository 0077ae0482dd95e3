package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.AuthenticationException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The secure area at rest: the license state sealed with AES-256-GCM under KDF(Km, "secure-area"),
 * zero padded to the medium type's secure-area size. Format 2 binds, in its authenticated header,
 * the medium's secure-area write counter after the write that stored it, and the drive that
 * committed it with that drive's counter; format 1, written before, is still read. Formats in
 * {@code package-info.java}.
 */
public final class SecureArea {

  static final byte[] MAGIC = "SDSA".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT = 2;
  static final int FORMAT_1 = 1;

  /** Magic, format and the u32 sealed length of format 1. */
  static final int FORMAT_1_HEADER_LENGTH = MAGIC.length + 1 + 4;

  private SecureArea() {}

  /** What a secure area held when it was read. */
  public enum Condition {
    /** All zero: never written, or erased. */
    BLANK,
    /** Sealed under this medium's key and intact. */
    SEALED,
    /** Not zero, but does not authenticate (damaged, or copied from another medium). */
    UNREADABLE
  }

  /**
   * What a format 2 area binds besides the license state.
   *
   * @param mediumWrites the medium's secure-area write counter after the write that stored it
   * @param deviceId the drive that committed it
   * @param driveCounter that drive's monotonic counter when it committed it
   */
  public record Commit(long mediumWrites, String deviceId, long driveCounter) {
    public Commit {
      if (mediumWrites < 0 || driveCounter < 0) {
        throw new IllegalArgumentException("negative counter");
      }
      int length = deviceId.getBytes(StandardCharsets.US_ASCII).length;
      if (length == 0 || length > 0xFF) {
        throw new IllegalArgumentException("device ID empty or longer than 255 bytes");
      }
    }
  }

  /**
   * The state read from a secure area, and what the area looked like.
   *
   * @param commit what a format 2 area binds; null for a blank, unreadable or format 1 area
   */
  public record Contents(Condition condition, LicenseState state, Commit commit) {
    public boolean readable() {
      return condition == Condition.SEALED;
    }
  }

  /**
   * Seals {@code state} into an area of {@code size} bytes, format 2.
   *
   * @return null if it does not fit
   */
  public static byte[] seal(
      byte[] mediumKey, String mediumId, LicenseState state, Commit commit, int size) {
    byte[] deviceId = commit.deviceId().getBytes(StandardCharsets.US_ASCII);
    byte[] plaintext = state.encode();
    int sealedLength = Crypto.LAYER_OVERHEAD + plaintext.length;
    int headerLength = MAGIC.length + 1 + 8 + 1 + deviceId.length + 8 + 4;
    if (headerLength + sealedLength > size) {
      return null;
    }
    byte[] header =
        ByteBuffer.allocate(headerLength)
            .put(MAGIC)
            .put((byte) FORMAT)
            .putLong(commit.mediumWrites())
            .put((byte) deviceId.length)
            .put(deviceId)
            .putLong(commit.driveCounter())
            .putInt(sealedLength)
            .array();
    return area(header, Crypto.layerSeal(key(mediumKey), aad(header, mediumId), plaintext), size);
  }

  /** Seals {@code state} in format 1 (for tests of media written before format 2). */
  static byte[] sealFormat1(byte[] mediumKey, String mediumId, LicenseState state, int size) {
    byte[] plaintext = state.encode();
    int sealedLength = Crypto.LAYER_OVERHEAD + plaintext.length;
    byte[] header =
        ByteBuffer.allocate(FORMAT_1_HEADER_LENGTH)
            .put(MAGIC)
            .put((byte) FORMAT_1)
            .putInt(sealedLength)
            .array();
    return area(header, Crypto.layerSeal(key(mediumKey), aad(header, mediumId), plaintext), size);
  }

  private static byte[] area(byte[] header, byte[] sealed, int size) {
    byte[] area = new byte[size];
    System.arraycopy(header, 0, area, 0, header.length);
    System.arraycopy(sealed, 0, area, header.length, sealed.length);
    return area;
  }

  /** Opens an area read from a medium. */
  public static Contents open(byte[] mediumKey, String mediumId, byte[] area) {
    if (Arrays.equals(area, new byte[area.length])) {
      return new Contents(Condition.BLANK, LicenseState.empty(), null);
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(area);
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      int format = in.get();
      if (!Arrays.equals(magic, MAGIC) || format != FORMAT && format != FORMAT_1) {
        return unreadable();
      }
      Commit commit = null;
      if (format == FORMAT) {
        long mediumWrites = in.getLong();
        byte[] deviceId = new byte[Byte.toUnsignedInt(in.get())];
        in.get(deviceId);
        commit =
            new Commit(mediumWrites, new String(deviceId, StandardCharsets.US_ASCII), in.getLong());
      }
      int length = in.getInt();
      int headerLength = in.position();
      if (length < Crypto.LAYER_OVERHEAD || length > area.length - headerLength) {
        return unreadable();
      }
      byte[] header = Arrays.copyOf(area, headerLength);
      byte[] plaintext =
          Crypto.layerOpen(
              key(mediumKey),
              aad(header, mediumId),
              Arrays.copyOfRange(area, headerLength, headerLength + length));
      return new Contents(Condition.SEALED, LicenseState.decode(plaintext), commit);
    } catch (AuthenticationException | IllegalArgumentException | BufferUnderflowException e) {
      return unreadable();
    }
  }

  /**
   * The sealed layer of {@code area} (nonce, ciphertext, tag), without the clear header and the
   * zero padding, for tests that look for those bytes elsewhere; empty for an area without a
   * header.
   */
  public static byte[] sealedLayer(byte[] area) {
    try {
      ByteBuffer in = ByteBuffer.wrap(area);
      in.position(MAGIC.length);
      int format = in.get();
      if (format == FORMAT) {
        in.getLong(); // medium write
        int deviceId = Byte.toUnsignedInt(in.get());
        in.position(in.position() + deviceId + 8); // device ID, drive counter
      } else if (format != FORMAT_1) {
        return new byte[0];
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        return new byte[0];
      }
      return Arrays.copyOfRange(area, in.position(), in.position() + length);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return new byte[0];
    }
  }

  private static Contents unreadable() {
    return new Contents(Condition.UNREADABLE, LicenseState.empty(), null);
  }

  private static byte[] key(byte[] mediumKey) {
    return Crypto.kdf(mediumKey, dev.secdrive.protocol.security.KeyLabels.SECURE_AREA, new byte[0]);
  }

  private static byte[] aad(byte[] header, String mediumId) {
    byte[] id = mediumId.getBytes(StandardCharsets.US_ASCII);
    byte[] aad = Arrays.copyOf(header, header.length + 1 + id.length);
    aad[header.length] = (byte) id.length;
    System.arraycopy(id, 0, aad, header.length + 1, id.length);
    return aad;
  }
}
