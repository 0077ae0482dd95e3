package dev.secdrive.kit.http;

import java.util.Map;

/**
 * A request refused with an HTTP status and a message for the client, answered as {@code {"error":
 * message}}. The message is for the caller, so it names what was wrong with the request and never
 * the server's insides.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  public HttpError(int status, String message) {
    this(status, message, Map.of());
  }

  /** With response headers, such as {@code WWW-Authenticate} on a 401. */
  public HttpError(int status, String message, Map<String, String> headers) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + status);
    }
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, message);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
