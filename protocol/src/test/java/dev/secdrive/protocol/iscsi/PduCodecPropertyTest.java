package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec.Settings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Any byte soup is either one valid PDU, which encodes back to the bytes it came from (reserved
 * bits aside), or a {@link PduException}; never another exception, never a read past what was
 * given.
 */
class PduCodecPropertyTest {

  @Property(tries = 2000)
  void byteSoupDecodesOrIsRefusedWithAPduException(
      @ForAll @Size(min = 0, max = 600) byte[] soup,
      @ForAll boolean fromInitiator,
      @ForAll boolean headerDigest,
      @ForAll boolean dataDigest) {
    Settings settings =
        new Settings(
            fromInitiator ? Sender.INITIATOR : Sender.TARGET, 512, headerDigest, dataDigest);
    ByteBuf in = Unpooled.wrappedBuffer(soup);
    try {
      IscsiPdu pdu = PduCodec.decode(in, settings);
      int consumed = in.readerIndex();
      assertTrue(consumed >= PduCodec.BHS_LENGTH && consumed <= soup.length);
      byte[] again = PduCodec.encode(pdu, settings);
      assertEquals(pdu, PduCodec.decode(Unpooled.wrappedBuffer(again), settings));
    } catch (PduException e) {
      assertEquals(0, in.readerIndex(), "a refused PDU is not consumed");
      assertTrue(e.offset() >= 0 && e.offset() <= Math.max(soup.length, 48), e.getMessage());
    }
  }

  /** Random headers with plausible opcodes and lengths: most of them decode. */
  @Property(tries = 2000)
  void plausibleHeadersRoundTripOrAreRefused(
      @ForAll @Size(value = 48) byte[] header, @ForAll @Size(max = 64) byte[] data) {
    header[0] &= 0x7F;
    header[4] = 0;
    header[5] = 0;
    header[6] = 0;
    header[7] = (byte) data.length;
    byte[] pdu = new byte[48 + PduCodec.padded(data.length)];
    System.arraycopy(header, 0, pdu, 0, 48);
    System.arraycopy(data, 0, pdu, 48, data.length);
    Settings settings =
        Opcode.isDefined(header[0] & 0x3F)
                && Opcode.fromCode(header[0] & 0x3F).sender() == Sender.TARGET
            ? Settings.login(Sender.TARGET)
            : Settings.login(Sender.INITIATOR);
    try {
      IscsiPdu decoded = PduCodec.decode(Unpooled.wrappedBuffer(pdu), settings);
      byte[] again = PduCodec.encode(decoded, settings);
      assertEquals(pdu.length, again.length);
      assertEquals(decoded, PduCodec.decode(Unpooled.wrappedBuffer(again), settings));
      assertArrayEquals(PduCodec.encode(decoded, settings), again, "encoding is deterministic");
    } catch (PduException expected) {
      assertTrue(expected.offset() >= 0);
    }
  }
}
