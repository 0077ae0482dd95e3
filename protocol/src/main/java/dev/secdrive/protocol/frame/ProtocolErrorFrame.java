package dev.secdrive.protocol.frame;

import java.nio.charset.StandardCharsets;

/**
 * The device's last word on a connection whose framing broke: why it is closing. Lets a host driver
 * under development see "bad magic 0x12345678" instead of a bare reset.
 *
 * @param message UTF-8 text, at most {@link #MAXIMUM_MESSAGE_LENGTH} bytes when encoded
 */
public record ProtocolErrorFrame(String message) implements Frame {

  public static final int MAXIMUM_MESSAGE_LENGTH = 1024;

  public ProtocolErrorFrame {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAXIMUM_MESSAGE_LENGTH) {
      message = new String(bytes, 0, MAXIMUM_MESSAGE_LENGTH - 3, StandardCharsets.UTF_8) + "...";
      // trimming may split a character; the replacement keeps it under the limit
      while (message.getBytes(StandardCharsets.UTF_8).length > MAXIMUM_MESSAGE_LENGTH) {
        message = message.substring(0, message.length() - 4) + "...";
      }
    }
  }
}
