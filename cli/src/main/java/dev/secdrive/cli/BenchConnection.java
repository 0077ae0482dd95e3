package dev.secdrive.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection of a bench client: a request, its answer, the next request,
 * blocking, on a plain socket. The bench's clients run on the machine they measure, so they should
 * cost it as little as a client can: the JDK's {@link java.net.http.HttpClient} (futures, a
 * selector thread, a worker pool) took about as much CPU per request as the server's whole HTTP
 * side. Answers must carry {@code Content-Length}, as JsonServer's do.
 */
final class BenchConnection implements AutoCloseable {

  private static final int MAX_HEAD = 16 << 10;

  private final String host;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  BenchConnection(InetSocketAddress server) throws IOException {
    this.host = server.getAddress().getHostAddress() + ":" + server.getPort();
    this.socket = new Socket(server.getAddress(), server.getPort());
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream(), 16 << 10);
  }

  /** An answer: its status and body. */
  record Answer(int status, byte[] body) {}

  /** POSTs {@code body} as JSON to {@code path} with {@code Authorization: Bearer token}. */
  Answer post(String path, String token, byte[] body) throws IOException {
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\nContent-Type: application/json\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[h.length + body.length];
    System.arraycopy(h, 0, request, 0, h.length);
    System.arraycopy(body, 0, request, h.length, body.length);
    out.write(request);
    out.flush();
    return read();
  }

  private Answer read() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
      throw new IOException("not an HTTP/1.1 status line: '" + status + "'");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    int length = -1;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        throw new IOException("malformed header line: '" + header + "'");
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    if (length < 0) {
      throw new IOException("answer without Content-Length");
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new IOException("connection closed in the answer's body");
    }
    if (close) {
      socket.close();
    }
    return new Answer(code, body);
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed in the answer's head");
      }
      if (line.size() > MAX_HEAD) {
        throw new IOException("answer head longer than " + MAX_HEAD + " bytes");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
