package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PtyPairTest {

  @TempDir Path dir;

  @Test
  void bytesWrittenToOneEndComeOutOfTheOther() throws Exception {
    byte[] everyValue = new byte[256];
    for (int i = 0; i < 256; i++) {
      everyValue[i] = (byte) i; // CR, ^C, ^S, ^Q, DEL...: raw mode must pass them all
    }
    byte[] reversed = new byte[256];
    for (int i = 0; i < 256; i++) {
      reversed[i] = (byte) (255 - i);
    }
    try (PtyPair pair = PtyPair.create(dir, "loop");
        RandomAccessFile a = new RandomAccessFile(pair.a().toFile(), "rw");
        RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
      assertTrue(Files.isSymbolicLink(pair.a()), "a() is socat's link");
      assertTrue(
          pair.a().toRealPath().toString().startsWith("/dev/pts/"),
          pair.a().toRealPath()::toString);

      a.write(everyValue);
      assertArrayEquals(everyValue, readExactly(b, 256));
      b.write(reversed);
      assertArrayEquals(reversed, readExactly(a, 256));
      assertEquals(0, available(a), "no echo back to the writer");
      assertEquals(0, available(b), "no echo back to the writer");
    }
  }

  @Test
  void closeStopsSocatAndRemovesTheLinks() throws Exception {
    PtyPair pair = PtyPair.create(dir, "gone");
    long pid = pair.pid();
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(Files.exists(pair.a()) && Files.exists(pair.b()));

    pair.close();

    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "socat ended");
    assertFalse(pair.isAlive());
    assertFalse(Files.exists(pair.a(), LinkOption.NOFOLLOW_LINKS), "link a removed");
    assertFalse(Files.exists(pair.b(), LinkOption.NOFOLLOW_LINKS), "link b removed");
    pair.close(); // twice is harmless
  }

  @Test
  void aMissingSocatIsReportedClearly() {
    String missing = dir.resolve("no-such-socat").toString();
    CliException e = assertThrows(CliException.class, () -> PtyPair.create(dir, "none", missing));
    assertEquals(
        "socat is not installed; serial loopback needs it (apt-get install socat)", e.getMessage());
    assertFalse(Files.exists(dir.resolve("none-a"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void socatFailingToStartIsReportedWithWhatItSaid() {
    Path nowhere = dir.resolve("no-such-directory");
    CliException e = assertThrows(CliException.class, () -> PtyPair.create(nowhere, "x"));
    assertTrue(e.getMessage().startsWith("socat exited with status "), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-directory"), e.getMessage()); // socat's own words
  }

  @Test
  void staleLinksAreReplaced() throws Exception {
    Files.createSymbolicLink(dir.resolve("stale-a"), Path.of("/dev/null"));
    try (PtyPair pair = PtyPair.create(dir, "stale")) {
      assertTrue(pair.a().toRealPath().toString().startsWith("/dev/pts/"));
    }
  }

  /**
   * What a serial transport that reopens its port must know: closing an end does not end the pair,
   * and bytes sent while nobody had the other end open wait there for the next opener.
   */
  @Test
  void bytesSentWhileTheOtherEndIsClosedWaitForTheNextOpener() throws Exception {
    try (PtyPair pair = PtyPair.create(dir, "stale-data")) {
      try (RandomAccessFile a = new RandomAccessFile(pair.a().toFile(), "rw")) {
        a.write("old".getBytes(StandardCharsets.US_ASCII));
      }
      try (RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
        assertEquals("old", new String(readExactly(b, 3), StandardCharsets.US_ASCII));
        // Not a wait for socat to react to the close, but proof that it carried on after it: the
        // reopened end still reaches the other.
        try (RandomAccessFile again = new RandomAccessFile(pair.a().toFile(), "rw")) {
          again.write("new".getBytes(StandardCharsets.US_ASCII));
          assertEquals("new", new String(readExactly(b, 3), StandardCharsets.US_ASCII));
        }
      }
      assertTrue(pair.isAlive(), "socat survives an end being closed");
    }
  }

  private static int available(RandomAccessFile file) throws IOException {
    return new FileInputStream(file.getFD()).available();
  }

  /** Reads exactly {@code n} bytes within 5 s, polling so a lost byte fails instead of hanging. */
  private static byte[] readExactly(RandomAccessFile file, int n) throws Exception {
    FileInputStream in = new FileInputStream(file.getFD());
    byte[] data = new byte[n];
    int got = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (got < n) {
      if (in.available() > 0) {
        got += in.read(data, got, Math.min(n - got, in.available()));
      } else if (System.nanoTime() - deadline > 0) {
        fail("got " + got + " of " + n + " bytes in 5 s");
      } else {
        TimeUnit.MILLISECONDS.sleep(1);
      }
    }
    return data;
  }
}
