package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec.Settings;
import dev.secdrive.protocol.testing.Hex;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CRC32C examples of RFC 7143 appendix B.4, digests as the appendix prints them on the wire.
 */
class Crc32cTest {

  private static String wire(byte[] bytes) {
    int crc = Crc32c.of(bytes);
    return Hex.format(
        new byte[] {(byte) crc, (byte) (crc >>> 8), (byte) (crc >>> 16), (byte) (crc >>> 24)});
  }

  @Test
  void thirtyTwoBytesOfZeros() {
    assertEquals("AA36918A", wire(new byte[32]));
  }

  @Test
  void thirtyTwoBytesOfOnes() {
    byte[] ones = new byte[32];
    Arrays.fill(ones, (byte) 0xFF);
    assertEquals("43ABA862", wire(ones));
  }

  @Test
  void thirtyTwoIncrementingBytes() {
    byte[] bytes = new byte[32];
    for (int i = 0; i < 32; i++) {
      bytes[i] = (byte) i;
    }
    assertEquals("4E79DD46", wire(bytes));
  }

  @Test
  void thirtyTwoDecrementingBytes() {
    byte[] bytes = new byte[32];
    for (int i = 0; i < 32; i++) {
      bytes[i] = (byte) (31 - i);
    }
    assertEquals("5CDB3F11", wire(bytes));
  }

  /** The iSCSI read command of appendix B.4, with its header digest: READ(10) of 2 blocks. */
  private static final String SCSI_READ =
      "01 C0 00 00  00 00 00 00  00 00 00 00 00 00 00 00  14 00 00 00  00 00 04 00"
          + " 00 00 00 14  00 00 00 18  28 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00"
          + " 56 3A 96 D9";

  @Test
  void theScsiReadPduDecodesWithItsHeaderDigest() throws Exception {
    Settings digest = new Settings(Sender.INITIATOR, 8192, true, false);
    byte[] bytes = Hex.parse(SCSI_READ);
    ScsiCommand read = (ScsiCommand) PduCodec.decode(Unpooled.wrappedBuffer(bytes), digest);
    assertEquals(0x1400_0000, read.initiatorTaskTag());
    assertEquals(1024, read.expectedDataTransferLength());
    assertEquals(0x14, read.cmdSn());
    assertEquals(0x18, read.expStatSn());
    assertEquals(TaskAttribute.UNTAGGED, read.attribute());
    assertEquals(0x28, read.cdb().toByteArray()[0]);
    assertEquals(Hex.format(bytes), Hex.format(PduCodec.encode(read, digest)));
  }
}
