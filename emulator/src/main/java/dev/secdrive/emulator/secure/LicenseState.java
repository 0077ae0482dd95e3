package dev.secdrive.emulator.secure;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The license state of one medium: its license version and its licenses, content keys wrapped with
 * AES-KWP under KDF(Km, "content-key"). This is the plaintext that the secure area seals at rest
 * and that the innermost layer of a backup blob holds. Format in {@code package-info.java}.
 */
public record LicenseState(long version, List<License> licenses) {

  static final byte[] MAGIC = "SDLS".getBytes(StandardCharsets.US_ASCII);

  /** The format written; format 1 (without the licensor) is still read. */
  static final int FORMAT = 2;

  /** Format 1: as 2 without the licensor subject in each license. */
  static final int FORMAT_1 = 1;

  /**
   * One license: the content, the certificate subject of the licensor that issued it (the central
   * site for an INSTALL CONVERSION; empty if not recorded, a license read from format 1), its
   * wrapped content key, the plays left (or UNLIMITED).
   */
  public record License(String contentId, String licensor, byte[] wrappedKey, long playsLeft) {
    public License {
      if (licensor == null) {
        throw new NullPointerException("licensor");
      }
      if (licensor.getBytes(StandardCharsets.UTF_8).length > 0xFF) {
        throw new IllegalArgumentException("licensor subject longer than 255 bytes");
      }
      wrappedKey = wrappedKey.clone();
    }

    /** A license whose licensor is not recorded (as read from format 1). */
    public License(String contentId, byte[] wrappedKey, long playsLeft) {
      this(contentId, "", wrappedKey, playsLeft);
    }

    /** Whether the licensor that issued this license is known. */
    public boolean licensorRecorded() {
      return !licensor.isEmpty();
    }

    /** This license with {@code playsLeft} plays left, issued by the same licensor. */
    public License withPlaysLeft(long playsLeft) {
      return new License(contentId, licensor, wrappedKey, playsLeft);
    }

    @Override
    public byte[] wrappedKey() {
      return wrappedKey.clone();
    }

    public boolean unlimited() {
      return playsLeft == dev.secdrive.protocol.security.LicenseStatus.UNLIMITED;
    }
  }

  public LicenseState {
    licenses = List.copyOf(licenses);
  }

  public static LicenseState empty() {
    return new LicenseState(0, List.of());
  }

  public boolean isEmpty() {
    return licenses.isEmpty();
  }

  public Optional<License> find(String contentId) {
    return licenses.stream().filter(l -> l.contentId().equals(contentId)).findFirst();
  }

  /**
   * This state with {@code license} added (replacing one for the same content) at {@code version}.
   */
  public LicenseState with(License license, long newVersion) {
    List<License> updated = new ArrayList<>();
    for (License l : licenses) {
      if (!l.contentId().equals(license.contentId())) {
        updated.add(l);
      }
    }
    updated.add(license);
    return new LicenseState(newVersion, updated);
  }

  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      out.writeByte(FORMAT);
      out.writeInt((int) version);
      out.writeShort(licenses.size());
      for (License l : licenses) {
        byte[] id = l.contentId().getBytes(StandardCharsets.US_ASCII);
        out.writeByte(id.length);
        out.write(id);
        byte[] licensor = l.licensor().getBytes(StandardCharsets.UTF_8);
        out.writeByte(licensor.length);
        out.write(licensor);
        out.writeByte(l.wrappedKey.length);
        out.write(l.wrappedKey);
        out.writeInt((int) l.playsLeft());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @throws IllegalArgumentException if {@code bytes} is not a license state
   */
  public static LicenseState decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException("not a license state");
      }
      int format = in.get() & 0xFF;
      if (format != FORMAT && format != FORMAT_1) {
        throw new IllegalArgumentException("license state of unknown format " + format);
      }
      long version = in.getInt() & 0xFFFF_FFFFL;
      int count = in.getShort() & 0xFFFF;
      List<License> licenses = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] id = new byte[in.get() & 0xFF];
        in.get(id);
        byte[] licensor = new byte[format == FORMAT_1 ? 0 : in.get() & 0xFF];
        in.get(licensor);
        byte[] wrapped = new byte[in.get() & 0xFF];
        in.get(wrapped);
        long plays = in.getInt() & 0xFFFF_FFFFL;
        licenses.add(
            new License(
                new String(id, StandardCharsets.US_ASCII),
                new String(licensor, StandardCharsets.UTF_8),
                wrapped,
                plays));
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after the license state");
      }
      return new LicenseState(version, licenses);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("license state truncated");
    }
  }
}
