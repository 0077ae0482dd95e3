package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

import java.util.ArrayList;
import java.util.List;

/**
 * REPORT LUNS parameter data (SPC-4 6.33.2). LUNs 0-255 use the peripheral device addressing method
 * (SAM-5 4.7.7.2): byte 0 is zero, byte 1 the LUN.
 */
public record LunList(List<Integer> luns) {

  public static final int HEADER_LENGTH = 8;
  public static final int ENTRY_LENGTH = 8;
  public static final int MAXIMUM_LUN = 255;

  public LunList {
    luns = List.copyOf(luns);
    for (int lun : luns) {
      if (lun < 0 || lun > MAXIMUM_LUN) {
        throw new IllegalArgumentException("LUN out of range: " + lun);
      }
    }
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER_LENGTH + ENTRY_LENGTH * luns.size()];
    putU32(out, 0, (long) ENTRY_LENGTH * luns.size());
    for (int i = 0; i < luns.size(); i++) {
      out[HEADER_LENGTH + ENTRY_LENGTH * i + 1] = (byte) (int) luns.get(i);
    }
    return out;
  }

  /** Decodes the list; a truncated answer yields the entries that arrived. */
  public static LunList decode(byte[] in) {
    Ascii.requireLength("LUN list", in, HEADER_LENGTH);
    long length = u32(in, 0);
    int entries = (int) Math.min(length, in.length - HEADER_LENGTH) / ENTRY_LENGTH;
    List<Integer> luns = new ArrayList<>(entries);
    for (int i = 0; i < entries; i++) {
      int offset = HEADER_LENGTH + ENTRY_LENGTH * i;
      int addressMethod = (in[offset] & 0xFF) >>> 6;
      if (addressMethod == 0b01) { // flat space addressing: 14-bit LUN
        luns.add((in[offset] & 0x3F) << 8 | (in[offset + 1] & 0xFF));
      } else {
        luns.add(in[offset + 1] & 0xFF);
      }
    }
    return new LunList(luns.stream().filter(l -> l <= MAXIMUM_LUN).toList());
  }
}
