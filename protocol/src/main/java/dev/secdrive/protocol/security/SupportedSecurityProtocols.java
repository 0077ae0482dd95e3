package dev.secdrive.protocol.security;

import java.util.List;

/**
 * Protocol 00h, 0000h: the supported security protocol list (SPC-4 7.7.1.3): six reserved bytes, a
 * two-byte list length, then one byte per protocol in ascending order.
 */
public record SupportedSecurityProtocols(List<Integer> protocols) {

  private static final int HEADER_LENGTH = 8;

  public SupportedSecurityProtocols {
    protocols = List.copyOf(protocols);
    int previous = -1;
    for (int p : protocols) {
      if (p <= previous || p > 0xFF) {
        throw new IllegalArgumentException("protocols must be ascending bytes: " + protocols);
      }
      previous = p;
    }
  }

  public byte[] encode() {
    Fields.Writer out = new Fields.Writer().raw(new byte[6]).u16(protocols.size());
    protocols.forEach(out::u8);
    return out.toByteArray();
  }

  public static SupportedSecurityProtocols decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "supported security protocol list");
    r.raw("reserved bytes", 6);
    int n = r.u16("list length");
    int available = Math.min(n, in.length - HEADER_LENGTH);
    byte[] list = r.raw("protocol list", available);
    Integer[] out = new Integer[available];
    for (int i = 0; i < available; i++) {
      out[i] = list[i] & 0xFF;
    }
    return new SupportedSecurityProtocols(List.of(out));
  }
}
