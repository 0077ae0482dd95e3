package dev.secdrive.emulator.secure;

import dev.secdrive.protocol.security.Certificate;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
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

  /** Format 1: as 2 without the licensor in each license. */
  static final int FORMAT_1 = 1;

  /** The role byte of a license whose licensor is not recorded. */
  static final int NOT_RECORDED = 0;

  /**
   * The licensor that issued a license, as its certificate names it: the role (LICENSOR for a
   * PROVISION, CENTRAL_SITE for an INSTALL CONVERSION), the subject, and the Ed25519 public key.
   * The role and the key identify it; the subject is only for display, since two certificates may
   * share a subject.
   */
  public record Licensor(Certificate.Role role, String subject, byte[] ed25519PublicKey) {
    public Licensor {
      if (role == null) {
        throw new NullPointerException("role");
      }
      if (role == Certificate.Role.DRIVE) {
        throw new IllegalArgumentException("a drive does not issue licenses");
      }
      int length = subject.getBytes(StandardCharsets.UTF_8).length;
      if (length == 0 || length > 0xFF) {
        throw new IllegalArgumentException("licensor subject empty or longer than 255 bytes");
      }
      if (ed25519PublicKey.length != Certificate.KEY_LENGTH) {
        throw new IllegalArgumentException("licensor key not 32 bytes");
      }
      ed25519PublicKey = ed25519PublicKey.clone();
    }

    /** The licensor that {@code certificate} certifies. */
    public static Licensor of(Certificate certificate) {
      return new Licensor(
          certificate.role(), certificate.subject(), certificate.ed25519PublicKey());
    }

    @Override
    public byte[] ed25519PublicKey() {
      return ed25519PublicKey.clone();
    }

    /** Whether {@code other} is this licensor: the same role and key, whatever the subject. */
    public boolean sameAs(Licensor other) {
      return role == other.role && MessageDigest.isEqual(ed25519PublicKey, other.ed25519PublicKey);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Licensor l
          && role == l.role
          && subject.equals(l.subject)
          && Arrays.equals(ed25519PublicKey, l.ed25519PublicKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(role, subject, Arrays.hashCode(ed25519PublicKey));
    }

    @Override
    public String toString() {
      return subject + " (" + role + ", key " + HexFormat.of().formatHex(ed25519PublicKey) + ")";
    }
  }

  /**
   * One license: the content, the licensor that issued it (the central site for an INSTALL
   * CONVERSION; absent if not recorded, a license read from format 1), its wrapped content key, the
   * plays left (or UNLIMITED).
   */
  public record License(
      String contentId, Optional<Licensor> issuer, byte[] wrappedKey, long playsLeft) {
    public License {
      if (issuer == null) {
        throw new NullPointerException("issuer");
      }
      wrappedKey = wrappedKey.clone();
    }

    /** A license issued by {@code licensor}. */
    public License(String contentId, Licensor licensor, byte[] wrappedKey, long playsLeft) {
      this(contentId, Optional.of(licensor), wrappedKey, playsLeft);
    }

    /** A license whose licensor is not recorded (as read from format 1). */
    public License(String contentId, byte[] wrappedKey, long playsLeft) {
      this(contentId, Optional.empty(), wrappedKey, playsLeft);
    }

    /** The subject of the licensor that issued this license, empty if not recorded. */
    public String licensor() {
      return issuer.map(Licensor::subject).orElse("");
    }

    /** Whether the licensor that issued this license is known. */
    public boolean licensorRecorded() {
      return issuer.isPresent();
    }

    /** This license with {@code playsLeft} plays left, issued by the same licensor. */
    public License withPlaysLeft(long playsLeft) {
      return new License(contentId, issuer, wrappedKey, playsLeft);
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
        if (l.issuer().isPresent()) {
          Licensor licensor = l.issuer().get();
          byte[] subject = licensor.subject().getBytes(StandardCharsets.UTF_8);
          out.writeByte(subject.length);
          out.write(subject);
          out.writeByte(licensor.role().code());
          out.write(licensor.ed25519PublicKey);
        } else {
          out.writeByte(0); // empty subject
          out.writeByte(NOT_RECORDED); // and no key
        }
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
      if (!Arrays.equals(magic, MAGIC)) {
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
        Optional<Licensor> issuer = format == FORMAT_1 ? Optional.empty() : licensor(in);
        byte[] wrapped = new byte[in.get() & 0xFF];
        in.get(wrapped);
        long plays = in.getInt() & 0xFFFF_FFFFL;
        licenses.add(
            new License(new String(id, StandardCharsets.US_ASCII), issuer, wrapped, plays));
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after the license state");
      }
      return new LicenseState(version, licenses);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("license state truncated");
    }
  }

  /**
   * Whether a certificate of {@code role} can have issued a license of a secure area: a licensor
   * (PROVISION) or a central site (the copies); neither a drive nor a distributor, whose licenses
   * live in the drive (seed 002).
   */
  private static boolean issuesSecureAreaLicenses(Certificate.Role role) {
    return role == Certificate.Role.LICENSOR || role == Certificate.Role.CENTRAL_SITE;
  }

  /** A format-2 licensor: str8 subject | u8 role (0 = not recorded) | 32-byte key unless 0. */
  private static Optional<Licensor> licensor(ByteBuffer in) {
    byte[] subject = new byte[in.get() & 0xFF];
    in.get(subject);
    int code = in.get() & 0xFF;
    if (code == NOT_RECORDED) {
      if (subject.length != 0) {
        throw new IllegalArgumentException("a licensor subject without its role and key");
      }
      return Optional.empty();
    }
    Certificate.Role role =
        Arrays.stream(Certificate.Role.values())
            .filter(r -> r.code() == code && issuesSecureAreaLicenses(r))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("licensor of unknown role " + code));
    byte[] key = new byte[Certificate.KEY_LENGTH];
    in.get(key);
    return Optional.of(new Licensor(role, new String(subject, StandardCharsets.UTF_8), key));
  }
}
