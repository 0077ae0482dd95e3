package dev.secdrive.host.api;

import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read16;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * How {@link Drive} splits a large READ, WRITE or VERIFY into commands of at most a chunk (the
 * smaller of {@link Drive#MAXIMUM_TRANSFER_BYTES} and the device's MAXIMUM TRANSFER LENGTH), all in
 * flight at once, and picks the 10- or 16-byte CDB for each.
 */
final class Transfers {

  /** Sends a CDB; completes with the data-in buffer (caller releases) or a DriveException. */
  @FunctionalInterface
  interface Submitter {
    CompletableFuture<ByteBuf> submit(Cdb cdb, long expectedDataIn, ByteBuf dataOut);
  }

  /** One READ command of {@code blocks} blocks. */
  @FunctionalInterface
  interface Reader {
    CompletableFuture<ByteBuf> read(long lba, int blocks, int blockSize);
  }

  private Transfers() {}

  /** Reads {@code blocks} blocks from {@code lba}, at most {@code chunk} blocks a command. */
  static CompletableFuture<byte[]> read(
      Reader reader, long lba, int blocks, int blockSize, int chunk) {
    if (chunk < 1) {
      throw new IllegalArgumentException("a chunk of " + chunk + " blocks");
    }
    byte[] result = new byte[Math.multiplyExact(blocks, blockSize)];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int done = 0; done < blocks; done += chunk) {
      int offset = done * blockSize;
      int count = Math.min(chunk, blocks - done);
      parts.add(
          reader
              .read(lba + done, count, blockSize)
              .thenAccept(
                  data -> {
                    try {
                      data.readBytes(result, offset, data.readableBytes());
                    } finally {
                      data.release();
                    }
                  }));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> result);
  }

  /** One READ(10) or READ(16); refuses an answer of another length than asked for. */
  static CompletableFuture<ByteBuf> readCommand(
      Submitter submitter, long lba, int blocks, int blockSize) {
    Cdb cdb = fits10(lba, blocks) ? new Read10(lba, blocks) : new Read16(lba, blocks);
    long expected = (long) blocks * blockSize;
    return submitter
        .submit(cdb, expected, null)
        .thenApply(
            data -> {
              if (data.readableBytes() != expected) {
                int got = data.readableBytes();
                data.release();
                throw new DriveException(
                    cdb.describe() + " returned " + got + " bytes, expected " + expected);
              }
              return data;
            });
  }

  /**
   * Sends {@code data} as data-out of as many commands as the chunk size needs, all in flight at
   * once; {@code cdbFor} makes the CDB for a chunk's LBA and block count.
   */
  static CompletableFuture<Void> sendBlocks(
      Submitter submitter,
      String what,
      long lba,
      byte[] data,
      int blockSize,
      int chunk,
      BiFunction<Long, Integer, Cdb> cdbFor) {
    if (data.length % blockSize != 0) {
      throw new IllegalArgumentException(
          what
              + " of "
              + data.length
              + " bytes is not a whole number of "
              + blockSize
              + "-byte blocks");
    }
    int blocks = data.length / blockSize;
    checkBlocks(lba, blocks);
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int done = 0; done < blocks; done += chunk) {
      int count = Math.min(chunk, blocks - done);
      parts.add(
          submitter
              .submit(
                  cdbFor.apply(lba + done, count),
                  0,
                  Unpooled.wrappedBuffer(data, done * blockSize, count * blockSize))
              .thenAccept(ByteBuf::release));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
  }

  /** Whether a 10-byte CDB can address the range: a 32-bit LBA and a 16-bit block count. */
  static boolean fits10(long lba, int blocks) {
    return blocks <= 0xFFFF && lba + blocks - 1 <= 0xFFFF_FFFFL;
  }

  static void checkBlocks(long lba, int blocks) {
    if (lba < 0 || blocks < 0) {
      throw new IllegalArgumentException(
          "negative LBA or block count: lba=" + lba + " blocks=" + blocks);
    }
  }
}
