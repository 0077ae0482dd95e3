package dev.secdrive.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The latency floor a benchmark compares with: a raw loopback TCP ping-pong of a 64-byte request
 * and a 4 KiB reply between two threads of one JVM, across the machine's cores as the scheduler
 * places them, and with both threads pinned to one core (a child JVM under {@code taskset -c 0}),
 * where a wakeup needs no idle core to wake.
 */
final class PingPong {

  private PingPong() {}

  /** Prints the round trips per second of one second's ping-pong: the pinned child's answer. */
  public static void main(String[] args) throws Exception {
    System.out.println(Math.round(roundTrips()));
  }

  /**
   * The ping-pong with both threads on core 0: this class's {@link #main} in a child JVM under
   * {@code taskset -c 0}; 0 where taskset is missing or the child fails.
   */
  static double pinnedToOneCore() {
    Path taskset = Path.of("/usr/bin/taskset");
    if (!taskset.toFile().canExecute()) {
      return 0;
    }
    List<String> command = new ArrayList<>();
    command.add(taskset.toString());
    command.add("-c");
    command.add("0");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(PingPong.class.getName());
    try {
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
        child.destroyForcibly();
        return 0;
      }
      String[] lines = out.strip().split("\\R");
      return Double.parseDouble(lines[lines.length - 1].strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Raw loopback TCP ping-pong: 64-byte request, 4 KiB reply, one at a time, for 1 s. */
  static double roundTrips() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel peer = server.accept()) {
        client.socket().setTcpNoDelay(true);
        peer.socket().setTcpNoDelay(true);
        Thread responder =
            new Thread(
                () -> {
                  ByteBuffer request = ByteBuffer.allocateDirect(64);
                  ByteBuffer reply = ByteBuffer.allocateDirect(BenchRounds.SMALL);
                  try {
                    while (true) {
                      request.clear();
                      while (request.hasRemaining()) {
                        if (peer.read(request) < 0) {
                          return;
                        }
                      }
                      reply.clear();
                      while (reply.hasRemaining()) {
                        peer.write(reply);
                      }
                    }
                  } catch (IOException e) {
                    // client closed
                  }
                });
        responder.setDaemon(true);
        responder.start();
        ByteBuffer request = ByteBuffer.allocateDirect(64);
        ByteBuffer reply = ByteBuffer.allocateDirect(BenchRounds.SMALL);
        long trips = 0;
        long start = System.nanoTime();
        long deadline = start + 1_000_000_000L;
        long now = start;
        while (now < deadline) {
          request.clear();
          while (request.hasRemaining()) {
            client.write(request);
          }
          reply.clear();
          while (reply.hasRemaining()) {
            client.read(reply);
          }
          trips++;
          now = System.nanoTime();
        }
        return trips / ((now - start) / 1e9);
      }
    }
  }
}
