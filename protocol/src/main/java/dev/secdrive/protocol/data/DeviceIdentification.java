package dev.secdrive.protocol.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Device Identification, VPD page 83h (SPC-4 7.8.6): a list of designation descriptors. */
public record DeviceIdentification(int peripheralDeviceType, List<Designator> designators) {

  public static final int PAGE_CODE = 0x83;

  public DeviceIdentification {
    designators = List.copyOf(designators);
  }

  /**
   * One designation descriptor.
   *
   * @param codeSet 1 binary, 2 ASCII, 3 UTF-8
   * @param association 0 logical unit, 1 target port, 2 target device
   * @param type 1 T10 vendor ID based, 2 EUI-64, 3 NAA, 8 SCSI name string
   * @param value the designator bytes
   */
  public record Designator(int codeSet, int association, int type, byte[] value) {

    public static final int CODE_SET_BINARY = 1;
    public static final int CODE_SET_ASCII = 2;
    public static final int ASSOCIATION_LOGICAL_UNIT = 0;
    public static final int TYPE_T10_VENDOR_ID = 1;
    public static final int TYPE_EUI64 = 2;
    public static final int TYPE_NAA = 3;

    /**
     * NAA 3h: a locally assigned name (SPC-4, NAA designator), in the top nibble of its 8 bytes.
     */
    public static final int NAA_LOCALLY_ASSIGNED = 3;

    public Designator {
      if (value.length > 255) {
        throw new IllegalArgumentException("designator longer than 255 bytes");
      }
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The value as text for ASCII designators, as hex otherwise. */
    public String text() {
      return codeSet == CODE_SET_ASCII
          ? Ascii.get(value, 0, value.length)
          : HexFormat.of().withUpperCase().formatHex(value);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Designator d
          && d.codeSet == codeSet
          && d.association == association
          && d.type == type
          && Arrays.equals(d.value, value);
    }

    @Override
    public int hashCode() {
      return (codeSet * 31 + association) * 31 + type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Designator[type=" + type + ", value=" + text() + "]";
    }
  }

  public byte[] encode() {
    int length = designators.stream().mapToInt(d -> 4 + d.value.length).sum();
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, length);
    int offset = VpdPage.HEADER_LENGTH;
    for (Designator d : designators) {
      out[offset] = (byte) d.codeSet;
      out[offset + 1] = (byte) (d.association << 4 | d.type);
      out[offset + 3] = (byte) d.value.length;
      System.arraycopy(d.value, 0, out, offset + 4, d.value.length);
      offset += 4 + d.value.length;
    }
    return out;
  }

  public static DeviceIdentification decode(byte[] in) {
    int length = VpdPage.check(in, PAGE_CODE, "Device Identification");
    List<Designator> designators = new ArrayList<>();
    int offset = VpdPage.HEADER_LENGTH;
    int end = VpdPage.HEADER_LENGTH + length;
    while (offset + 4 <= end) {
      int size = in[offset + 3] & 0xFF;
      if (offset + 4 + size > end) {
        throw new IllegalArgumentException("designation descriptor overruns the page");
      }
      designators.add(
          new Designator(
              in[offset] & 0x0F,
              (in[offset + 1] >>> 4) & 0x03,
              in[offset + 1] & 0x0F,
              Arrays.copyOfRange(in, offset + 4, offset + 4 + size)));
      offset += 4 + size;
    }
    return new DeviceIdentification(in[0] & 0x1F, designators);
  }
}
