package dev.secdrive.protocol.security;

import dev.secdrive.protocol.BigEndian;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * A license backup (PROTOCOL.md "Backup blobs"): a clear header naming the medium, license version,
 * exporting drive's counter and binding, then AES-256-GCM layers that only a drive can open. The
 * header is the AAD of every layer, so none of it can be changed unnoticed.
 *
 * @param mediumWrites the medium's secure-area write counter when the captured state was current:
 *     the blob restores only while the medium is still at that write
 * @param counter the exporting drive's monotonic counter at export
 * @param deviceId the drive the blob is bound to (bindings 1-3); empty for {@link Binding#MEDIUM}
 * @param ephemeralPublicKey 32 bytes for {@link Binding#SEALED}; empty otherwise
 * @param layers the nested layers, outermost first on the wire
 */
public record BackupBlob(
    Binding binding,
    String mediumId,
    long licenseVersion,
    long mediumWrites,
    long counter,
    String deviceId,
    byte[] ephemeralPublicKey,
    byte[] layers) {

  /** No blob is longer: secure areas are far smaller. */
  public static final int MAXIMUM_LENGTH = 1 << 20;

  public static final int VERSION = 2;
  private static final String MAGIC = "SDLB";
  private static final int FIXED_PREFIX = 9; // magic, version, binding, reserved, medium ID length

  public BackupBlob {
    if (binding == null) {
      throw new NullPointerException("binding");
    }
    Fields.checkId("medium ID", mediumId, 255);
    BigEndian.checkUnsigned("licenseVersion", licenseVersion, 32);

    if (binding == Binding.MEDIUM) {
      if (!deviceId.isEmpty()) {
        throw new IllegalArgumentException("a medium-bound blob names no device");
      }
    } else {
      Fields.checkId("device ID", deviceId, 255);
    }
    ephemeralPublicKey =
        Fields.checkLength(
                "ephemeral public key",
                ephemeralPublicKey,
                binding == Binding.SEALED ? Certificate.KEY_LENGTH : 0)
            .clone();
    layers = Fields.checkMax("layers", layers, MAXIMUM_LENGTH).clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] layers() {
    return layers.clone();
  }

  public BackupBlob withLayers(byte[] layers) {
    return new BackupBlob(
        binding,
        mediumId,
        licenseVersion,
        mediumWrites,
        counter,
        deviceId,
        ephemeralPublicKey,
        layers);
  }

  /** The header: every byte up to and including the layer length; the AAD of every layer. */
  public byte[] aad() {
    return header(layers.length);
  }

  private byte[] header(int layerLength) {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .u8(binding.code())
        .u16(0)
        .str8(mediumId)
        .u32(licenseVersion)
        .u64(mediumWrites)
        .u64(counter)
        .str8(deviceId)
        .raw(ephemeralPublicKey)
        .u32(layerLength)
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(aad()).raw(layers).toByteArray();
  }

  public static BackupBlob decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "backup blob");
    BackupBlob blob = readHeaderAndLayers(r);
    r.end();
    return blob;
  }

  private static BackupBlob readHeaderAndLayers(Fields.Reader r) throws ParameterException {
    r.magic(MAGIC);
    version(r);
    Binding binding = Binding.read(r);
    int reservedAt = r.position();
    if (r.u16("reserved") != 0) {
      throw new ParameterException(
          Kind.RESERVED, "backup blob: reserved bytes are not zero", reservedAt);
    }
    String mediumId = r.id("medium ID");
    long version = r.u32("license version");
    long mediumWrites = r.u64("medium write counter");
    long counter = r.u64("counter");
    int deviceAt = r.position();
    String deviceId;
    if (binding == Binding.MEDIUM) {
      if (r.u8("device ID length") != 0) {
        throw new ParameterException(
            Kind.INVALID_VALUE, "a medium-bound blob names no device", deviceAt);
      }
      deviceId = "";
    } else {
      deviceId = r.id("device ID");
    }
    byte[] ephemeral =
        r.raw("ephemeral public key", binding == Binding.SEALED ? Certificate.KEY_LENGTH : 0);
    byte[] layers = r.bytes32("layers", MAXIMUM_LENGTH);
    return new BackupBlob(
        binding, mediumId, version, mediumWrites, counter, deviceId, ephemeral, layers);
  }

  /**
   * The format version: a format 1 blob, from before blobs carried the medium's write counter, is
   * refused with advice, since no drive can tell whether its license state is still current.
   */
  private static void version(Fields.Reader r) throws ParameterException {
    int at = r.position();
    int version = r.u8("format version");
    if (version == 1) {
      throw new ParameterException(
          Kind.FORMAT_VERSION,
          "backup blob has format version 1, which does not carry the medium's write counter; this"
              + " secdrive reads "
              + VERSION
              + ": take a new backup",
          at);
    }
    if (version != VERSION) {
      throw new ParameterException(
          Kind.FORMAT_VERSION,
          "backup blob has format version " + version + "; this secdrive reads " + VERSION,
          at);
    }
  }

  /**
   * The encoded length of the blob that starts with {@code prefix}, or -1 when the prefix ends
   * before the layer length; lets a reader of the user area fetch exactly the blocks it needs.
   *
   * @throws ParameterException if the prefix is not the start of a blob
   */
  public static long encodedLength(byte[] prefix) throws ParameterException {
    if (prefix.length < FIXED_PREFIX) {
      return -1;
    }
    Fields.Reader r = new Fields.Reader(prefix, "backup blob");
    try {
      r.magic(MAGIC);
      version(r);
      Binding binding = Binding.read(r);
      r.u16("reserved");
      r.raw("medium ID", r.u8("medium ID length"));
      r.u32("license version");
      r.u64("medium write counter");
      r.u64("counter");
      r.raw("device ID", r.u8("device ID length"));
      r.raw("ephemeral public key", binding == Binding.SEALED ? Certificate.KEY_LENGTH : 0);
      int at = r.position();
      long layers = r.u32("layers length");
      if (layers > MAXIMUM_LENGTH) {
        throw new ParameterException(
            Kind.LENGTH, "backup blob longer than " + MAXIMUM_LENGTH + " bytes", at);
      }
      return r.position() + layers;
    } catch (ParameterException e) {
      if (e.kind() == Kind.TRUNCATED) {
        return -1;
      }
      throw e;
    }
  }
}
