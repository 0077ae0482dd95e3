package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.AuthenticationException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The secure area at rest: the license state sealed with AES-256-GCM under KDF(Km, "secure-area"),
 * zero padded to the medium type's secure-area size. Format in {@code package-info.java}.
 */
public final class SecureArea {

  static final byte[] MAGIC = "SDSA".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT = 1;
  static final int HEADER_LENGTH = MAGIC.length + 1 + 4;

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

  /** The state read from a secure area, and what the area looked like. */
  public record Contents(Condition condition, LicenseState state) {
    public boolean readable() {
      return condition == Condition.SEALED;
    }
  }

  /**
   * Seals {@code state} into an area of {@code size} bytes.
   *
   * @return null if it does not fit
   */
  public static byte[] seal(byte[] mediumKey, String mediumId, LicenseState state, int size) {
    byte[] plaintext = state.encode();
    int sealedLength = Crypto.LAYER_OVERHEAD + plaintext.length;
    if (HEADER_LENGTH + sealedLength > size) {
      return null;
    }
    byte[] header =
        ByteBuffer.allocate(HEADER_LENGTH)
            .put(MAGIC)
            .put((byte) FORMAT)
            .putInt(sealedLength)
            .array();
    byte[] sealed = Crypto.layerSeal(key(mediumKey), aad(header, mediumId), plaintext);
    byte[] area = new byte[size];
    System.arraycopy(header, 0, area, 0, HEADER_LENGTH);
    System.arraycopy(sealed, 0, area, HEADER_LENGTH, sealed.length);
    return area;
  }

  /** Opens an area read from a medium. */
  public static Contents open(byte[] mediumKey, String mediumId, byte[] area) {
    if (Arrays.equals(area, new byte[area.length])) {
      return new Contents(Condition.BLANK, LicenseState.empty());
    }
    try {
      if (area.length < HEADER_LENGTH
          || !Arrays.equals(Arrays.copyOf(area, MAGIC.length), MAGIC)
          || area[MAGIC.length] != FORMAT) {
        return new Contents(Condition.UNREADABLE, LicenseState.empty());
      }
      int length = ByteBuffer.wrap(area, MAGIC.length + 1, 4).getInt();
      if (length < Crypto.LAYER_OVERHEAD || length > area.length - HEADER_LENGTH) {
        return new Contents(Condition.UNREADABLE, LicenseState.empty());
      }
      byte[] header = Arrays.copyOf(area, HEADER_LENGTH);
      byte[] plaintext =
          Crypto.layerOpen(
              key(mediumKey),
              aad(header, mediumId),
              Arrays.copyOfRange(area, HEADER_LENGTH, HEADER_LENGTH + length));
      return new Contents(Condition.SEALED, LicenseState.decode(plaintext));
    } catch (AuthenticationException | IllegalArgumentException e) {
      return new Contents(Condition.UNREADABLE, LicenseState.empty());
    }
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
