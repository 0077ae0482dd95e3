package dev.secdrive.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.HexFormat;

/** Hex strings for test vectors: upper case, whitespace ignored on input. */
public final class Hex {

  private static final HexFormat FORMAT = HexFormat.of().withUpperCase();

  private Hex() {}

  /** Parses hex digits, ignoring whitespace; {@code "12 00 24"} is three bytes. */
  public static byte[] parse(String hex) {
    return FORMAT.parseHex(hex.replaceAll("\\s+", ""));
  }

  public static String format(byte[] bytes) {
    return FORMAT.formatHex(bytes);
  }

  /** The readable bytes of {@code buffer}, without moving its reader index. */
  public static String format(ByteBuf buffer) {
    return format(ByteBufUtil.getBytes(buffer));
  }
}
