package dev.secdrive.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which connection gives way when the server is full: one whose headers are read and whose body is
 * still arriving is closed only after every idle one and every one still in its headers, so an
 * upload paused on a slow link is not lost to whoever can connect.
 */
class JsonServerEvictionTest {

  private static final int SIZE = 100 << 10;
  private JsonServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A bound on a failure only: the condition holds as soon as the server has read the bytes. */
  private static void await(BooleanSupplier condition) {
    long until = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, "condition not reached");
      Thread.onSpinWait();
    }
  }

  @Test
  void aRequestWhoseBodyIsArrivingIsNotClosedForANewcomer() throws Exception {
    server =
        JsonServer.builder("eviction", request -> Map.of("bytes", request.body().length))
            .maxConnections(2)
            .maxBody(2 * SIZE)
            .bodyBudget(2L * SIZE)
            .start(new InetSocketAddress("127.0.0.1", 0));
    int port = server.address().getPort();
    try (Socket uploading = new Socket("127.0.0.1", port)) {
      uploading.setSoTimeout(60_000);
      uploading
          .getOutputStream()
          .write(
              ("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/x\r\nContent-Length: "
                      + SIZE
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      uploading.getOutputStream().write(new byte[SIZE / 2]);
      uploading.getOutputStream().flush();
      // Its headers are read: the server charged the body to its budget.
      await(() -> server.bodyBytes() == SIZE);
      try (Socket other = new Socket("127.0.0.1", port)) {
        await(() -> server.connections() == 2);
        // Two newcomers in turn, as a peer that keeps connecting does: each closes the connection
        // quiet longest; the upload, whose last byte came before the first newcomer, goes second.
        try (Socket newcomer = new Socket("127.0.0.1", port);
            Socket again = connectedAfter(newcomer, port)) {
          // The rest of the body; the upload should be answered.
          String answer;
          try {
            uploading.getOutputStream().write(new byte[SIZE - SIZE / 2]);
            uploading.getOutputStream().flush();
            answer = read(uploading.getInputStream());
          } catch (IOException e) {
            answer = "closed: " + e;
          }
          assertTrue(
              answer.endsWith("{\"bytes\":" + SIZE + "}"),
              "an upload in progress was closed for a newcomer: " + answer);
          assertEquals(2, server.connections());
        }
      }
    }
  }

  /** A connection opened once the server answered a byte of {@code before}'s. */
  private Socket connectedAfter(Socket before, int port) throws IOException {
    // The newcomer is admitted and served: its answer's first byte is read, the connection kept.
    before
        .getOutputStream()
        .write("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    before.getOutputStream().flush();
    before.setSoTimeout(60_000);
    assertTrue(read(before.getInputStream()).startsWith("HTTP/1.1 200"));
    return new Socket("127.0.0.1", port);
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      out.write(b);
      if (out.toString(StandardCharsets.US_ASCII).endsWith("}")) {
        break;
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
