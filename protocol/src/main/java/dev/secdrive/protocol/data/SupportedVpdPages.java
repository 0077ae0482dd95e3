package dev.secdrive.protocol.data;

import java.util.ArrayList;
import java.util.List;

/** Supported VPD Pages, page 00h (SPC-4 7.8.14). */
public record SupportedVpdPages(int peripheralDeviceType, List<Integer> pages) {

  public static final int PAGE_CODE = 0x00;

  public SupportedVpdPages {
    pages = List.copyOf(pages);
  }

  public byte[] encode() {
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, pages.size());
    for (int i = 0; i < pages.size(); i++) {
      out[VpdPage.HEADER_LENGTH + i] = (byte) (int) pages.get(i);
    }
    return out;
  }

  public static SupportedVpdPages decode(byte[] in) {
    int length = VpdPage.check(in, PAGE_CODE, "Supported VPD Pages");
    List<Integer> pages = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      pages.add(in[VpdPage.HEADER_LENGTH + i] & 0xFF);
    }
    return new SupportedVpdPages(in[0] & 0x1F, pages);
  }
}
