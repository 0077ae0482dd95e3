package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * GET CONFIGURATION response data (MMC-6 6.7.2): the 8-byte feature header (data length, which does
 * not count its own 4 bytes; 2 reserved bytes; the current profile) and feature descriptors (MMC-6
 * 5.3.1): feature code (2 bytes), version (byte 2 bits 5-2), PERSISTENT (bit 1), CURRENT (bit 0),
 * additional length, and the feature's data.
 */
public record Configuration(int currentProfile, List<Configuration.Feature> features) {

  public static final int HEADER_LENGTH = 8;

  /** Profile 0000h: no current profile (no medium). */
  public static final int PROFILE_NONE = 0x0000;

  /** Profile 0008h: CD-ROM, read-only CD media (MMC-6 table 80). */
  public static final int PROFILE_CD_ROM = 0x0008;

  /** Profile 0012h: DVD-RAM, rewritable DVD with random writes (MMC-6 table 80). */
  public static final int PROFILE_DVD_RAM = 0x0012;

  public static final int FEATURE_PROFILE_LIST = 0x0000;
  public static final int FEATURE_CORE = 0x0001;
  public static final int FEATURE_REMOVABLE_MEDIUM = 0x0003;
  public static final int FEATURE_RANDOM_READABLE = 0x0010;
  public static final int FEATURE_CD_READ = 0x001E;
  public static final int FEATURE_DVD_READ = 0x001F;
  public static final int FEATURE_RANDOM_WRITABLE = 0x0020;

  /** Core feature: physical interface standard 00000001h, SCSI family (MMC-6 table 95). */
  public static final long INTERFACE_SCSI = 1;

  /** Removable Medium feature: loading mechanism 001b, tray (MMC-6 table 100). */
  public static final int LOADING_TRAY = 0b001;

  /**
   * One feature descriptor.
   *
   * @param code the feature code
   * @param version 0-15
   * @param data the feature-dependent bytes, a multiple of 4
   */
  public record Feature(int code, int version, boolean persistent, boolean current, byte[] data) {

    public static final int HEADER_LENGTH = 4;

    public Feature {
      checkUnsigned("code", code, 16);
      checkUnsigned("version", version, 4);
      data = data.clone();
      if (data.length % 4 != 0 || data.length > 0xFC) {
        throw new IllegalArgumentException(
            "feature " + code + " data must be a multiple of 4 bytes, at most 252");
      }
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    public int length() {
      return HEADER_LENGTH + data.length;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Feature f
          && f.code == code
          && f.version == version
          && f.persistent == persistent
          && f.current == current
          && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(code, version, persistent, current) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return String.format(
          "Feature[%04Xh v%d%s%s %s]",
          code,
          version,
          persistent ? " persistent" : "",
          current ? " current" : "",
          HexFormat.of().formatHex(data));
    }
  }

  public Configuration {
    checkUnsigned("currentProfile", currentProfile, 16);
    features = List.copyOf(features);
  }

  /**
   * Profile List (0000h, version 0, persistent, current): one 4-byte descriptor per profile, in
   * descending profile number order, with CURRENTP set on {@code current}'s.
   *
   * @param current the current profile, or {@link #PROFILE_NONE}
   */
  public static Feature profileList(List<Integer> profiles, int current) {
    List<Integer> order = new ArrayList<>(profiles);
    order.sort(java.util.Comparator.reverseOrder());
    byte[] data = new byte[4 * order.size()];
    for (int i = 0; i < order.size(); i++) {
      putU16(data, 4 * i, order.get(i));
      data[4 * i + 2] = (byte) (order.get(i) == current ? 1 : 0); // CURRENTP
    }
    return new Feature(FEATURE_PROFILE_LIST, 0, true, true, data);
  }

  /** Core (0001h, version 2): the physical interface standard, INQ2 and DBE clear. */
  public static Feature core(long physicalInterface) {
    byte[] data = new byte[8];
    putU32(data, 0, physicalInterface);
    return new Feature(FEATURE_CORE, 2, true, true, data);
  }

  /** Removable Medium (0003h, version 0): mechanism, EJECT, PVNT JMPR, LOCK. */
  public static Feature removableMedium(
      int loadingMechanism, boolean eject, boolean preventJumper, boolean lock) {
    byte[] data = new byte[4];
    data[0] =
        (byte)
            (loadingMechanism << 5
                | (eject ? 0x08 : 0)
                | (preventJumper ? 0x04 : 0)
                | (lock ? 0x01 : 0));
    return new Feature(FEATURE_REMOVABLE_MEDIUM, 0, true, true, data);
  }

  /**
   * Random Readable (0010h, version 0): LOGICAL BLOCK SIZE, BLOCKING (blocks per readable unit), PP
   * clear (no page is changeable through MODE SELECT).
   */
  public static Feature randomReadable(boolean current, int blockSize, int blocking) {
    byte[] data = new byte[8];
    putU32(data, 0, blockSize);
    putU16(data, 4, blocking);
    return new Feature(FEATURE_RANDOM_READABLE, 0, false, current, data);
  }

  /** DVD Read (001Fh, version 2): MULTI110, DUAL-R and DUAL-RW clear (single-layer media). */
  public static Feature dvdRead(boolean current) {
    return new Feature(FEATURE_DVD_READ, 2, false, current, new byte[4]);
  }

  /**
   * Random Writable (0020h, version 1): LAST LOGICAL BLOCK ADDRESS, LOGICAL BLOCK SIZE, BLOCKING,
   * PP clear.
   */
  public static Feature randomWritable(boolean current, long lastLba, int blockSize, int blocking) {
    byte[] data = new byte[12];
    putU32(data, 0, lastLba);
    putU32(data, 4, blockSize);
    putU16(data, 8, blocking);
    return new Feature(FEATURE_RANDOM_WRITABLE, 1, false, current, data);
  }

  /** CD Read (001Eh, version 2): DAP (bit 7), C2 FLAGS (bit 1), CD-TEXT (bit 0). */
  public static Feature cdRead(boolean current, boolean dap, boolean c2Flags, boolean cdText) {
    byte[] data = new byte[4];
    data[0] = (byte) ((dap ? 0x80 : 0) | (c2Flags ? 0x02 : 0) | (cdText ? 0x01 : 0));
    return new Feature(FEATURE_CD_READ, 2, false, current, data);
  }

  public byte[] encode() {
    int length = HEADER_LENGTH;
    for (Feature f : features) {
      length += f.length();
    }
    byte[] out = new byte[length];
    putU32(out, 0, length - 4);
    putU16(out, 6, currentProfile);
    int at = HEADER_LENGTH;
    for (Feature f : features) {
      putU16(out, at, f.code());
      out[at + 2] =
          (byte) (f.version() << 2 | (f.persistent() ? 0x02 : 0) | (f.current() ? 0x01 : 0));
      out[at + 3] = (byte) f.data.length;
      System.arraycopy(f.data, 0, out, at + Feature.HEADER_LENGTH, f.data.length);
      at += f.length();
    }
    return out;
  }

  public static Configuration decode(byte[] in) {
    Toc.requireLength("feature header", in, HEADER_LENGTH);
    long end = Math.min(in.length, u32(in, 0) + 4);
    List<Feature> features = new ArrayList<>();
    int at = HEADER_LENGTH;
    while (at + Feature.HEADER_LENGTH <= end) {
      int additional = in[at + 3] & 0xFF;
      if (at + Feature.HEADER_LENGTH + additional > end) {
        break;
      }
      features.add(
          new Feature(
              u16(in, at),
              (in[at + 2] & 0x3C) >>> 2,
              (in[at + 2] & 0x02) != 0,
              (in[at + 2] & 0x01) != 0,
              Arrays.copyOfRange(
                  in, at + Feature.HEADER_LENGTH, at + Feature.HEADER_LENGTH + additional)));
      at += Feature.HEADER_LENGTH + additional;
    }
    return new Configuration(u16(in, 6), features);
  }
}
