package dev.secdrive.kit.capture;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One TCP connection's bytes as the segments a capture on the wire would hold: IPv4 (or IPv6) and
 * TCP headers around each run of bytes, sequence and acknowledgement numbers counting the stream in
 * each direction, so that Wireshark follows and reassembles the stream. Checksums are 0 (Wireshark
 * does not check them by default). A run longer than a segment is cut into several. Not
 * thread-safe: a connection's bytes come from its event loop.
 */
public final class TcpSegments {

  /** Payload bytes per segment: whole within IPv4's 16-bit total length. */
  static final int SEGMENT = 32 << 10;

  private static final int ACK = 0x10;
  private static final int PSH = 0x08;

  private final InetSocketAddress client;
  private final InetSocketAddress server;
  private final boolean ipv4;
  private long clientSeq = 1;
  private long serverSeq = 1;

  /**
   * @param client the host's end of the connection
   * @param server the emulator's end
   */
  public TcpSegments(InetSocketAddress client, InetSocketAddress server) {
    this.client = client;
    this.server = server;
    this.ipv4 =
        client.getAddress() instanceof Inet4Address && server.getAddress() instanceof Inet4Address;
  }

  /** Hands each segment of {@code payload}'s remaining bytes (not consumed) to {@code out}. */
  public void segments(boolean fromClient, ByteBuffer payload, Segment out) {
    ByteBuffer rest = payload.duplicate();
    if (!rest.hasRemaining()) {
      out.accept(segment(fromClient, rest, 0));
      return;
    }
    while (rest.hasRemaining()) {
      int length = Math.min(SEGMENT, rest.remaining());
      ByteBuffer part = rest.slice();
      part.limit(length);
      rest.position(rest.position() + length);
      out.accept(segment(fromClient, part, PSH));
    }
  }

  /** Takes a segment, an IP datagram. */
  @FunctionalInterface
  public interface Segment {
    void accept(ByteBuffer datagram);
  }

  private ByteBuffer segment(boolean fromClient, ByteBuffer payload, int flags) {
    InetSocketAddress from = fromClient ? client : server;
    InetSocketAddress to = fromClient ? server : client;
    int length = payload.remaining();
    int ip = ipv4 ? 20 : 40;
    ByteBuffer out = ByteBuffer.allocate(ip + 20 + length);
    if (ipv4) {
      out.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 20 + length));
      out.putShort((short) 0).putShort((short) 0x4000).put((byte) 64).put((byte) 6);
      out.putShort((short) 0).put(address4(from)).put(address4(to));
    } else {
      out.putInt(0x60000000).putShort((short) (20 + length)).put((byte) 6).put((byte) 64);
      out.put(address6(from)).put(address6(to));
    }
    long seq = fromClient ? clientSeq : serverSeq;
    long ack = fromClient ? serverSeq : clientSeq;
    out.putShort((short) from.getPort()).putShort((short) to.getPort());
    out.putInt((int) seq).putInt((int) ack);
    out.put((byte) (5 << 4)).put((byte) (ACK | flags)).putShort((short) 0xFFFF);
    out.putShort((short) 0).putShort((short) 0);
    out.put(payload.duplicate());
    if (fromClient) {
      clientSeq += length;
    } else {
      serverSeq += length;
    }
    return out.flip();
  }

  private static byte[] address4(InetSocketAddress address) {
    return address.getAddress().getAddress();
  }

  /** An IPv6 address, or an IPv4 one mapped into IPv6 when the two ends differ in family. */
  private static byte[] address6(InetSocketAddress address) {
    byte[] raw = address.getAddress().getAddress();
    if (raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }
}
