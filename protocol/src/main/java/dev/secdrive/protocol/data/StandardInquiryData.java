package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

import java.util.ArrayList;
import java.util.List;

/**
 * Standard INQUIRY data (SPC-4 6.6.2): the 36-byte form without version descriptors, the 74-byte
 * form (bytes 36-57 zero, the descriptors in bytes 58-73, additional length 69) with them.
 *
 * @param peripheralQualifier byte 0 bits 7-5: 000b connected, 011b no logical unit at this LUN
 * @param peripheralDeviceType byte 0 bits 4-0: 00h direct access, 05h CD/DVD, 07h optical memory
 * @param removable RMB, byte 1 bit 7
 * @param version byte 2: 06h claims SPC-4
 * @param vendor T10 vendor identification, 8 ASCII characters
 * @param product product identification, 16 ASCII characters
 * @param revision product revision level, 4 ASCII characters
 * @param versionDescriptors up to eight VERSION DESCRIPTORs (SPC-4 6.6.2 table 'Version descriptor
 *     values'), e.g. {@link #SPC4} and {@link #SBC3}: the standards the unit claims; none is the
 *     36-byte form
 */
public record StandardInquiryData(
    int peripheralQualifier,
    int peripheralDeviceType,
    boolean removable,
    int version,
    String vendor,
    String product,
    String revision,
    List<Integer> versionDescriptors) {

  /** The length without version descriptors. */
  public static final int LENGTH = 36;

  /** The length with version descriptors: through byte 73 (SPC-4 6.6.2). */
  public static final int LENGTH_WITH_DESCRIPTORS = 74;

  /** SAM-5 (no version claimed). */
  public static final int SAM5 = 0x00A0;

  /** SPC-4 (no version claimed). */
  public static final int SPC4 = 0x0460;

  /** SBC-3 (no version claimed). */
  public static final int SBC3 = 0x04C0;

  /** MMC-6 (no version claimed). */
  public static final int MMC6 = 0x04E0;

  private static final int MAX_DESCRIPTORS = 8;
  private static final int OFFSET_DESCRIPTORS = 58;
  public static final int VERSION_SPC4 = 0x06;
  public static final int QUALIFIER_CONNECTED = 0b000;
  public static final int QUALIFIER_NOT_SUPPORTED = 0b011;
  public static final int DEVICE_TYPE_UNKNOWN = 0x1F;

  private static final int RESPONSE_DATA_FORMAT = 2;
  private static final int HISUP = 0x10;
  private static final int RMB = 0x80;
  private static final int OFFSET_VENDOR = 8;
  private static final int OFFSET_PRODUCT = 16;
  private static final int OFFSET_REVISION = 32;

  public StandardInquiryData {
    checkUnsigned("peripheralQualifier", peripheralQualifier, 3);
    checkUnsigned("peripheralDeviceType", peripheralDeviceType, 5);
    checkUnsigned("version", version, 8);
    Ascii.check("vendor", vendor, 8);
    Ascii.check("product", product, 16);
    Ascii.check("revision", revision, 4);
    if (versionDescriptors.size() > MAX_DESCRIPTORS) {
      throw new IllegalArgumentException(
          "versionDescriptors: at most 8, got " + versionDescriptors.size());
    }
    for (int descriptor : versionDescriptors) {
      checkUnsigned("versionDescriptors", descriptor, 16);
      if (descriptor == 0) {
        throw new IllegalArgumentException("versionDescriptors: 0000h is not a descriptor");
      }
    }
    versionDescriptors = List.copyOf(versionDescriptors);
  }

  /** The 36-byte form: no version descriptors. */
  public StandardInquiryData(
      int peripheralQualifier,
      int peripheralDeviceType,
      boolean removable,
      int version,
      String vendor,
      String product,
      String revision) {
    this(
        peripheralQualifier,
        peripheralDeviceType,
        removable,
        version,
        vendor,
        product,
        revision,
        List.of());
  }

  /** The answer for a LUN with no logical unit behind it (SPC-4 6.6.2: qualifier 011b, 1Fh). */
  public static StandardInquiryData notSupported() {
    return new StandardInquiryData(
        QUALIFIER_NOT_SUPPORTED, DEVICE_TYPE_UNKNOWN, false, VERSION_SPC4, "", "", "");
  }

  public byte[] encode() {
    int length = versionDescriptors.isEmpty() ? LENGTH : LENGTH_WITH_DESCRIPTORS;
    byte[] out = new byte[length];
    out[0] = (byte) (peripheralQualifier << 5 | peripheralDeviceType);
    out[1] = (byte) (removable ? RMB : 0);
    out[2] = (byte) version;
    out[3] = (byte) (HISUP | RESPONSE_DATA_FORMAT);
    out[4] = (byte) (length - 5);
    Ascii.put(out, OFFSET_VENDOR, 8, vendor);
    Ascii.put(out, OFFSET_PRODUCT, 16, product);
    Ascii.put(out, OFFSET_REVISION, 4, revision);
    for (int i = 0; i < versionDescriptors.size(); i++) {
      int at = OFFSET_DESCRIPTORS + 2 * i;
      out[at] = (byte) (versionDescriptors.get(i) >>> 8);
      out[at + 1] = (byte) (int) versionDescriptors.get(i);
    }
    return out;
  }

  public static StandardInquiryData decode(byte[] in) {
    Ascii.requireLength("standard INQUIRY data", in, LENGTH);
    List<Integer> descriptors = new ArrayList<>();
    for (int at = OFFSET_DESCRIPTORS;
        at + 1 < Math.min(in.length, LENGTH_WITH_DESCRIPTORS);
        at += 2) {
      int descriptor = (in[at] & 0xFF) << 8 | (in[at + 1] & 0xFF);
      if (descriptor != 0) {
        descriptors.add(descriptor);
      }
    }
    return new StandardInquiryData(
        (in[0] & 0xFF) >>> 5,
        in[0] & 0x1F,
        (in[1] & RMB) != 0,
        in[2] & 0xFF,
        Ascii.get(in, OFFSET_VENDOR, 8),
        Ascii.get(in, OFFSET_PRODUCT, 16),
        Ascii.get(in, OFFSET_REVISION, 4),
        descriptors);
  }
}
