package dev.secdrive.kit.watermark;

import dev.secdrive.kit.crypto.AesCtr;
import javax.crypto.Cipher;

/**
 * Uniform choices drawn from the watermark key: the AES-256-CTR keystream under a key derived with
 * its own label, so that the pair layout, the sync pattern, the scrambling and the interleaving are
 * independent of each other and, to anyone without the key, of the audio.
 */
final class KeyedStream {

  private final Cipher cipher;
  private final byte[] zeros = new byte[4096];
  private byte[] buffer = new byte[0];
  private int position;

  KeyedStream(WatermarkKey key, String label) {
    cipher = AesCtr.cipher(key.derive(label, 32), new byte[16]);
  }

  private int nextByte() {
    if (position == buffer.length) {
      buffer = cipher.update(zeros);
      position = 0;
    }
    return buffer[position++] & 0xFF;
  }

  /** A uniform int in [0, bound), by rejection so that no value is favoured. */
  int nextInt(int bound) {
    int mask = Integer.highestOneBit(Math.max(1, bound - 1)) * 2 - 1;
    while (true) {
      int value =
          (nextByte() | nextByte() << 8 | nextByte() << 16 | (nextByte() & 0x7F) << 24) & mask;
      if (value < bound) {
        return value;
      }
    }
  }

  /** +1 or −1, evenly. */
  int nextSign() {
    return (nextByte() & 1) == 0 ? 1 : -1;
  }

  /** Fisher–Yates. */
  void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
