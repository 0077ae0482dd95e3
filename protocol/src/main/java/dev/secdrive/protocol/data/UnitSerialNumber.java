package dev.secdrive.protocol.data;

/** Unit Serial Number, VPD page 80h (SPC-4 7.8.15): the drive's device ID. */
public record UnitSerialNumber(int peripheralDeviceType, String serialNumber) {

  public static final int PAGE_CODE = 0x80;

  public UnitSerialNumber {
    Ascii.check("serialNumber", serialNumber, 252);
  }

  public byte[] encode() {
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, serialNumber.length());
    Ascii.put(out, VpdPage.HEADER_LENGTH, serialNumber.length(), serialNumber);
    return out;
  }

  public static UnitSerialNumber decode(byte[] in) {
    int length = VpdPage.check(in, PAGE_CODE, "Unit Serial Number");
    return new UnitSerialNumber(in[0] & 0x1F, Ascii.get(in, VpdPage.HEADER_LENGTH, length));
  }
}
