package dev.secdrive.kit.tgt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A private tgtd starts, serves a file LUN on its portal, and is gone after close. */
class TgtIT {

  @Test
  void servesAFileLunAndStops(@TempDir Path dir) throws IOException {
    Path image = dir.resolve("lun1.img");
    try (var file =
        java.nio.channels.FileChannel.open(
            image,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      file.truncate(0).position(8 * 1024 * 1024 - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
    }
    int port;
    try (Tgt tgt = Tgt.start(dir.resolve("tgt"))) {
      port = tgt.port();
      String url = tgt.fileTarget("iqn.2026-12.dev.secdrive:tgt-it", image);
      assertEquals("iscsi://127.0.0.1:" + port + "/iqn.2026-12.dev.secdrive:tgt-it/1", url);
      String shown = tgt.admin("--mode", "target", "--op", "show");
      assertTrue(shown.contains("iqn.2026-12.dev.secdrive:tgt-it"), shown);
      assertTrue(shown.contains(image.toAbsolutePath().toString()), shown);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertTrue(socket.isConnected());
      }
    }
    assertTrue(Files.exists(dir.resolve("tgt").resolve("tgtd.log")));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      throw new AssertionError("tgtd still listens on " + port);
    } catch (IOException refused) {
      // gone
    }
  }
}
