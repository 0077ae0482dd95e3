package dev.secdrive.kit.http;

import java.util.Objects;

/**
 * An answer that is not JSON: a {@link JsonServer.Handler} returns it to send {@code bytes} as they
 * are, with status 200 and {@code Content-Type: contentType}, e.g. a content package as {@code
 * application/octet-stream}. Errors stay JSON.
 */
public record Binary(String contentType, byte[] bytes) {

  public Binary {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(bytes, "bytes");
  }

  /** {@code bytes} as {@code application/octet-stream}. */
  public static Binary octets(byte[] bytes) {
    return new Binary("application/octet-stream", bytes);
  }
}
