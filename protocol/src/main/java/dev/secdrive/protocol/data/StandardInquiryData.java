package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * Standard INQUIRY data (SPC-4 6.6.2), the 36-byte form.
 *
 * @param peripheralQualifier byte 0 bits 7-5: 000b connected, 011b no logical unit at this LUN
 * @param peripheralDeviceType byte 0 bits 4-0: 00h direct access, 05h CD/DVD, 07h optical memory
 * @param removable RMB, byte 1 bit 7
 * @param version byte 2: 06h claims SPC-4
 * @param vendor T10 vendor identification, 8 ASCII characters
 * @param product product identification, 16 ASCII characters
 * @param revision product revision level, 4 ASCII characters
 */
public record StandardInquiryData(
    int peripheralQualifier,
    int peripheralDeviceType,
    boolean removable,
    int version,
    String vendor,
    String product,
    String revision) {

  public static final int LENGTH = 36;
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
  }

  /** The answer for a LUN with no logical unit behind it (SPC-4 6.6.2: qualifier 011b, 1Fh). */
  public static StandardInquiryData notSupported() {
    return new StandardInquiryData(
        QUALIFIER_NOT_SUPPORTED, DEVICE_TYPE_UNKNOWN, false, VERSION_SPC4, "", "", "");
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    out[0] = (byte) (peripheralQualifier << 5 | peripheralDeviceType);
    out[1] = (byte) (removable ? RMB : 0);
    out[2] = (byte) version;
    out[3] = (byte) (HISUP | RESPONSE_DATA_FORMAT);
    out[4] = (byte) (LENGTH - 5);
    Ascii.put(out, OFFSET_VENDOR, 8, vendor);
    Ascii.put(out, OFFSET_PRODUCT, 16, product);
    Ascii.put(out, OFFSET_REVISION, 4, revision);
    return out;
  }

  public static StandardInquiryData decode(byte[] in) {
    Ascii.requireLength("standard INQUIRY data", in, LENGTH);
    return new StandardInquiryData(
        (in[0] & 0xFF) >>> 5,
        in[0] & 0x1F,
        (in[1] & RMB) != 0,
        in[2] & 0xFF,
        Ascii.get(in, OFFSET_VENDOR, 8),
        Ascii.get(in, OFFSET_PRODUCT, 16),
        Ascii.get(in, OFFSET_REVISION, 4));
  }
}
