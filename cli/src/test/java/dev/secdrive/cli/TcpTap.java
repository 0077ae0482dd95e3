package dev.secdrive.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A TCP relay on 127.0.0.1:0 in front of one address that keeps every byte it forwards, in both
 * directions: what a capture of the wire between a host and a drive would show.
 */
final class TcpTap implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final List<Socket> sockets = new ArrayList<>();
  private final Thread acceptor;

  private TcpTap(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "tcp-tap-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static TcpTap in(InetSocketAddress upstream) throws IOException {
    return new TcpTap(upstream);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Everything forwarded so far, both directions interleaved by chunk. */
  byte[] captured() {
    synchronized (captured) {
      return captured.toByteArray();
    }
  }

  private void accept() {
    try {
      while (!server.isClosed()) {
        Socket host = server.accept();
        Socket device = new Socket(upstream.getAddress(), upstream.getPort());
        synchronized (sockets) {
          sockets.add(host);
          sockets.add(device);
        }
        pump(host, device);
        pump(device, host);
      }
    } catch (IOException e) {
      // closed
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                  synchronized (captured) {
                    captured.write(buffer, 0, n);
                  }
                  out.write(buffer, 0, n);
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-tap-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * How many of the 16-byte windows of {@code secret} at offsets 0, 16, 32, ... appear anywhere in
   * {@code capture}. Any run of 31 or more bytes of the secret on the wire contains one of them.
   */
  static int windowsFound(byte[] secret, byte[] capture) {
    Set<ByteBuffer> windows = new HashSet<>();
    for (int i = 0; i + 16 <= secret.length; i += 16) {
      windows.add(ByteBuffer.wrap(secret, i, 16).slice());
    }
    Set<ByteBuffer> found = new HashSet<>();
    for (int i = 0; i + 16 <= capture.length; i++) {
      ByteBuffer window = ByteBuffer.wrap(capture, i, 16).slice();
      if (windows.contains(window)) {
        found.add(window);
      }
    }
    return found.size();
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (sockets) {
      sockets.forEach(TcpTap::closeQuietly);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
