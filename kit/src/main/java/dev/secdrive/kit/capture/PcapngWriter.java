package dev.secdrive.kit.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Writes a pcapng file: one section, interfaces added as they appear, and enhanced packet blocks
 * with a microsecond timestamp, the direction flag ({@code epb_flags}: inbound or outbound) and an
 * optional comment. Thread-safe; each block is written whole with one call, so a capture cut short
 * (the process killed) ends at a block boundary and stays readable.
 */
public final class PcapngWriter implements AutoCloseable {

  /** LINKTYPE_RAW: a packet is an IPv4 or IPv6 datagram, nothing below it. */
  public static final int LINKTYPE_RAW = 101;

  /** LINKTYPE_USER0: private use; secdrive frames, one per packet. */
  public static final int LINKTYPE_USER0 = 147;

  /** LINKTYPE_USER1: private use; a serial line's bytes, as they cross it. */
  public static final int LINKTYPE_USER1 = 148;

  private static final int SECTION_HEADER = 0x0A0D0D0A;
  private static final int INTERFACE_DESCRIPTION = 0x00000001;
  private static final int ENHANCED_PACKET = 0x00000006;
  private static final short OPT_END = 0;
  private static final short OPT_COMMENT = 1;
  private static final short IF_NAME = 2;
  private static final short IF_DESCRIPTION = 3;
  private static final short SHB_USERAPPL = 4;
  private static final short EPB_FLAGS = 2;
  private static final int INBOUND = 1;
  private static final int OUTBOUND = 2;
  private static final int SNAPLEN = 0; // no limit

  private final FileChannel file;
  private final LongSupplier micros;
  private int interfaces;
  private long packets;
  private boolean closed;

  private PcapngWriter(FileChannel file, LongSupplier micros, String application)
      throws IOException {
    this.file = file;
    this.micros = micros;
    ByteBuffer options = options(SHB_USERAPPL, application, null, null);
    ByteBuffer block = block(SECTION_HEADER, 16 + options.remaining());
    block.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1);
    block.put(options);
    write(block);
  }

  /**
   * Creates {@code path} (it must not exist) and writes the section header.
   *
   * @param micros the wall clock in microseconds since the epoch, which stamps each packet
   * @param application the writer, for the section's {@code shb_userappl}
   * @throws UncheckedIOException if the file exists or cannot be written
   */
  public static PcapngWriter create(Path path, LongSupplier micros, String application) {
    FileChannel file = null;
    try {
      // Owner-only: a capture holds what crossed the wire, an iSCSI login's CHAP exchange too.
      file =
          path.getFileSystem().supportedFileAttributeViews().contains("posix")
              ? FileChannel.open(
                  path,
                  java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                      java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))
              : FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new PcapngWriter(file, micros, application);
    } catch (IOException e) {
      if (file != null) {
        try {
          file.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
      throw new UncheckedIOException("cannot write capture " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds an interface; its packets carry the number returned.
   *
   * @param name {@code if_name}, e.g. {@code tcp://127.0.0.1:7140}
   * @param description {@code if_description}, e.g. what its packets hold
   */
  public synchronized int addInterface(int linkType, String name, String description) {
    if (closed) {
      throw new UncheckedIOException(new java.io.IOException("the capture is closed"));
    }
    ByteBuffer options = options(IF_NAME, name, IF_DESCRIPTION, description);
    ByteBuffer block = block(INTERFACE_DESCRIPTION, 8 + options.remaining());
    block.putShort((short) linkType).putShort((short) 0).putInt(SNAPLEN);
    block.put(options);
    write(block);
    return interfaces++;
  }

  /**
   * Writes one packet of {@code data}'s remaining bytes (not consumed).
   *
   * @param inbound whether it came to the emulator (else it left it)
   * @param comment {@code opt_comment}, e.g. the fault injected here, or null
   */
  public synchronized void packet(int iface, boolean inbound, ByteBuffer data, String comment) {
    if (closed) {
      return;
    }
    int length = data.remaining();
    ByteBuffer options = options(EPB_FLAGS, null, OPT_COMMENT, comment);
    // epb_flags is a 4-byte option: written by hand after the comment would be simpler to read,
    // but the order of options is free; flags first.
    ByteBuffer flags = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    flags.putShort(EPB_FLAGS).putShort((short) 4).putInt(inbound ? INBOUND : OUTBOUND).flip();
    int padded = (length + 3) & ~3;
    ByteBuffer block =
        block(ENHANCED_PACKET, 20 + padded + flags.remaining() + options.remaining());
    long now = micros.getAsLong();
    block.putInt(iface).putInt((int) (now >>> 32)).putInt((int) now);
    block.putInt(length).putInt(length);
    block.put(data.duplicate());
    block.position(block.position() + padded - length);
    block.put(flags).put(options);
    write(block);
    packets++;
  }

  /** Packets written so far. */
  public synchronized long packets() {
    return packets;
  }

  /** Whether a write failed or {@link #close} ran: nothing more is written. */
  public synchronized boolean closed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    try {
      file.close(); // closing a closed channel does nothing
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A block of {@code body} bytes between its type and lengths, positioned at the body. */
  private static ByteBuffer block(int type, int body) {
    int total = 12 + body;
    ByteBuffer block = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    block.putInt(type).putInt(total);
    block.putInt(total - 4, total);
    return block;
  }

  /**
   * The options {@code code1}: {@code text1} and {@code code2}: {@code text2} (each skipped when
   * its text is null; {@code EPB_FLAGS} with a null text is left to the caller) and the end.
   */
  private static ByteBuffer options(short code1, String text1, Short code2, String text2) {
    byte[] first = bytes(text1);
    byte[] second = bytes(text2);
    int length = 4 + option(first) + option(second);
    if (first == null && second == null) {
      length = 4;
    }
    ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    put(out, code1, first);
    if (code2 != null) {
      put(out, code2, second);
    }
    out.putShort(OPT_END).putShort((short) 0).flip();
    return out;
  }

  /** Longest option value written; a longer text is cut (an option's length is 16 bits). */
  static final int MAXIMUM_OPTION = 4096;

  private static int option(byte[] value) {
    return value == null ? 0 : 4 + ((value.length + 3) & ~3);
  }

  private static byte[] bytes(String text) {
    if (text == null) {
      return null;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= MAXIMUM_OPTION ? bytes : java.util.Arrays.copyOf(bytes, MAXIMUM_OPTION);
  }

  private static void put(ByteBuffer out, short code, byte[] value) {
    if (value == null) {
      return;
    }
    out.putShort(code).putShort((short) value.length).put(value);
    out.position(out.position() + ((value.length + 3) & ~3) - value.length);
  }

  private void write(ByteBuffer block) {
    block.rewind();
    try {
      while (block.hasRemaining()) {
        file.write(block);
      }
    } catch (IOException e) {
      closed = true;
      throw new UncheckedIOException("capture write failed: " + e, e);
    }
  }
}
