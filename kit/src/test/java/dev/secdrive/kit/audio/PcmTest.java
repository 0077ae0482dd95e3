package dev.secdrive.kit.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PcmTest {

  @Test
  void littleEndianIsRedBookOrder() {
    Pcm pcm = new Pcm(44_100, 2, new short[] {0x0102, (short) 0xFEDC, -1, 0});
    byte[] bytes = pcm.toLittleEndian();
    assertArrayEquals(
        new byte[] {0x02, 0x01, (byte) 0xDC, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, 0, 0}, bytes);
    assertEquals(pcm, Pcm.fromLittleEndian(bytes, 44_100, 2));
  }

  @Test
  void aSectorIs588StereoFrames() {
    Pcm pcm = Pcm.fromLittleEndian(new byte[Pcm.CD_SECTOR_BYTES], 44_100, 2);
    assertEquals(Pcm.CD_FRAMES_PER_SECTOR, pcm.frames());
    assertTrue(pcm.isCdAudio());
  }

  @Test
  void sliceCopiesWholeFrames() {
    Pcm pcm = new Pcm(44_100, 2, new short[] {1, 2, 3, 4, 5, 6});
    assertArrayEquals(new short[] {3, 4, 5, 6}, pcm.slice(1, 3).samples());
    assertEquals(0, pcm.slice(3, 3).frames());
    assertThrows(IndexOutOfBoundsException.class, () -> pcm.slice(2, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> pcm.slice(-1, 1));
  }

  @Test
  void refusesPartialFrames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Pcm(44_100, 2, new short[3]));
    assertEquals("3 samples are not a whole number of 2-channel frames", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Pcm.fromLittleEndian(new byte[6], 44_100, 2));
    assertThrows(IllegalArgumentException.class, () -> new Pcm(0, 2, new short[0]));
  }
}
