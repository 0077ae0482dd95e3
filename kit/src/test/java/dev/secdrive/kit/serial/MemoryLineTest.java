package dev.secdrive.kit.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The in-memory line: each end reads what the other wrote, in order, whatever the sizes. */
class MemoryLineTest {

  @Test
  void bytesArriveInOrderAcrossGrowthAndPartialReads() throws IOException {
    MemoryLine[] pair = MemoryLine.pair();
    SplittableRandom random = new SplittableRandom(3);
    byte[] sent = new byte[1 << 20];
    random.nextBytes(sent);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[7000];
    for (int offset = 0; offset < sent.length; ) {
      int n = Math.min(random.nextInt(1, 100_000), sent.length - offset);
      pair[0].write(sent, offset, n);
      offset += n;
      int available = pair[1].available();
      int read = pair[1].read(buffer, 0, Math.min(available, random.nextInt(1, buffer.length)));
      received.write(buffer, 0, read);
    }
    while (pair[1].available() > 0) {
      received.write(buffer, 0, pair[1].read(buffer, 0, buffer.length));
    }
    assertArrayEquals(sent, received.toByteArray());
    assertEquals(0, pair[0].available(), "nothing came back the other way");
  }

  @Test
  void aClosedEndRefusesToReadOrWrite() {
    MemoryLine[] pair = MemoryLine.pair();
    pair[0].close();
    assertTrue(pair[0].closed());
    assertThrows(IOException.class, () -> pair[0].available());
    assertThrows(IOException.class, () -> pair[0].write(new byte[1], 0, 1));
  }
}
