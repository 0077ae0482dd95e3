package dev.secdrive.kit.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapngWriterTest {

  @TempDir Path dir;

  /** A block as read back: type, body. */
  record Block(int type, ByteBuffer body) {}

  private static List<Block> blocks(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    List<Block> blocks = new ArrayList<>();
    while (in.hasRemaining()) {
      int type = in.getInt();
      int length = in.getInt();
      assertEquals(0, length % 4, "blocks are 32-bit aligned");
      ByteBuffer body = in.slice().order(ByteOrder.LITTLE_ENDIAN);
      body.limit(length - 12);
      in.position(in.position() + length - 12);
      assertEquals(length, in.getInt(), "the trailing length repeats the leading one");
      blocks.add(new Block(type, body));
    }
    return blocks;
  }

  /** The options of a block body from {@code at}: code to value. */
  private static List<String> options(ByteBuffer body, int at) {
    List<String> options = new ArrayList<>();
    body.position(at);
    while (body.remaining() >= 4) {
      int code = body.getShort() & 0xFFFF;
      int length = body.getShort() & 0xFFFF;
      if (code == 0) {
        break;
      }
      byte[] value = new byte[length];
      body.get(value);
      body.position(body.position() + ((length + 3) & ~3) - length);
      options.add(code + "=" + new String(value, StandardCharsets.UTF_8));
    }
    return options;
  }

  @Test
  void aSectionInterfacesAndPacketsWithDirectionAndCommentReadBack() throws Exception {
    Path file = dir.resolve("t.pcapng");
    try (PcapngWriter writer =
        PcapngWriter.create(file, () -> 0x0000_0001_0000_0002L, "secdrive")) {
      assertEquals(0, writer.addInterface(PcapngWriter.LINKTYPE_USER0, "tcp://x", "frames"));
      assertEquals(1, writer.addInterface(PcapngWriter.LINKTYPE_RAW, "iscsi://y", "iSCSI"));
      writer.packet(1, true, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), null);
      writer.packet(0, false, ByteBuffer.allocate(0), "secdrive fault: read-error lba=7");
      assertEquals(2, writer.packets());
    }
    List<Block> blocks = blocks(Files.readAllBytes(file));
    assertEquals(5, blocks.size());
    Block shb = blocks.get(0);
    assertEquals(0x0A0D0D0A, shb.type());
    assertEquals(0x1A2B3C4D, shb.body().getInt(0), "byte-order magic");
    assertEquals(List.of("4=secdrive"), options(shb.body(), 16));
    Block idb = blocks.get(2);
    assertEquals(1, idb.type());
    assertEquals(PcapngWriter.LINKTYPE_RAW, idb.body().getShort(0));
    assertEquals(List.of("2=iscsi://y", "3=iSCSI"), options(idb.body(), 8));

    Block first = blocks.get(3);
    assertEquals(6, first.type());
    ByteBuffer epb = first.body();
    assertEquals(1, epb.getInt(0), "interface");
    assertEquals(1, epb.getInt(4), "timestamp high");
    assertEquals(2, epb.getInt(8), "timestamp low");
    assertEquals(5, epb.getInt(12), "captured");
    assertEquals(5, epb.getInt(16), "original");
    byte[] data = new byte[5];
    epb.position(20);
    epb.get(data);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, data);
    epb.position(28);
    assertEquals(2, epb.getShort(), "epb_flags");
    assertEquals(4, epb.getShort());
    assertEquals(1, epb.getInt(), "inbound");

    ByteBuffer marked = blocks.get(4).body();
    assertEquals(0, marked.getInt(12), "no bytes");
    marked.position(20);
    assertEquals(2, marked.getShort());
    marked.getShort();
    assertEquals(2, marked.getInt(), "outbound");
    assertEquals(List.of("1=secdrive fault: read-error lba=7"), options(marked, 28));
  }

  @Test
  void anExistingFileIsNeverOverwritten() throws Exception {
    Path file = dir.resolve("kept.pcapng");
    Files.writeString(file, "the user's");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> PcapngWriter.create(file, () -> 0, "x"));
    assertTrue(e.getMessage().startsWith("cannot write capture " + file), e.getMessage());
    assertEquals("the user's", Files.readString(file));
  }

  @Test
  void aConnectionsBytesBecomeSegmentsThatCountTheStreamInEachDirection() {
    TcpSegments tcp =
        new TcpSegments(
            new InetSocketAddress("127.0.0.1", 50000), new InetSocketAddress("127.0.0.1", 3260));
    List<ByteBuffer> out = new ArrayList<>();
    tcp.segments(true, ByteBuffer.wrap(new byte[100]), out::add);
    tcp.segments(false, ByteBuffer.wrap(new byte[TcpSegments.SEGMENT + 10]), out::add);
    tcp.segments(true, ByteBuffer.wrap(new byte[1]), out::add);
    assertEquals(4, out.size(), "the long run is cut in two");
    ByteBuffer first = out.get(0);
    assertEquals(0x45, first.get(0), "IPv4, 20-byte header");
    assertEquals(140, first.getShort(2), "total length");
    assertEquals(50000, first.getShort(20) & 0xFFFF);
    assertEquals(3260, first.getShort(22) & 0xFFFF);
    assertEquals(1, first.getInt(24), "seq");
    assertEquals(1, out.get(1).getInt(24), "the server's own seq");
    assertEquals(101, out.get(1).getInt(28), "acknowledging the client's 100 bytes");
    assertEquals(1 + TcpSegments.SEGMENT, out.get(2).getInt(24), "the second part goes on");
    assertEquals(101, out.get(3).getInt(24), "the client's next byte");
    assertEquals(1 + TcpSegments.SEGMENT + 10, out.get(3).getInt(28));
  }

  @Test
  void aCaptureIsOwnerOnly() throws Exception {
    Path file = dir.resolve("private.pcapng");
    PcapngWriter.create(file, () -> 0, "x").close();
    assertEquals(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(file));
  }
}
