package dev.secdrive.cli;

import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.ProvisionRequest;
import io.netty.buffer.ByteBuf;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * {@code secdrive bench --secure}: the secure layer's cost, decrypted READs of a licensed title
 * against plain READs of the same blocks, and license backup + restore round trips.
 */
final class SecureBench {

  private final BenchRounds bench;
  private final BenchReport report;
  private final PrintWriter out;
  private final int regionMib;

  SecureBench(BenchRounds bench, int regionMib) {
    this.bench = bench;
    this.report = bench.report();
    this.out = report.out();
    this.regionMib = regionMib;
  }

  /**
   * Decrypted reads (OPEN PLAYBACK, then READ(10) of the title's blocks on that connection) against
   * plain READs of the same blocks on a second connection, in the same run; then license backup to
   * the host and restore inside the drive, one after the other.
   */
  void run(Path mediaDirectory) throws Exception {
    Authority authority = Authority.create();
    try (Emulator emulator = TcpBench.startEmulator(mediaDirectory, bench, authority);
        Drive player = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0");
        Drive plain = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0")) {
      int blockSize = player.capacity().blockSize();
      plain.testUnitReady(); // takes this connection's power-on unit attention
      LicensorCredential credential =
          LicensorCredential.create("bench", authority::certify, authority.publicKey());
      long titleBytes = (long) regionMib << 20;
      long headerLba = 0;
      try (var content = new PatternStream(titleBytes)) {
        new Licensor(credential)
            .provision(
                player,
                "bench-title",
                content,
                titleBytes,
                headerLba,
                ProvisionRequest.UNLIMITED,
                Progress.NONE);
      }
      long titleBlocks = titleBytes / blockSize;
      int largeBlocks = BenchRounds.LARGE / blockSize;
      player.secure().openPlayback("bench-title", headerLba);
      // The whole title is read back and compared once, before the timed rounds: comparing inside
      // them would cost a decrypted READ a full compare and a plain one (which differs at once)
      // almost nothing, and so skew the ratio.
      int verifiedBefore = verifyTitle(player, plain, headerLba, titleBytes, blockSize);
      AtomicLong cursor = new AtomicLong();
      LongFunction<CompletableFuture<?>> decrypted =
          i ->
              player
                  .readBuffer(
                      headerLba + 1 + BenchRounds.next(cursor, largeBlocks, titleBlocks),
                      largeBlocks,
                      blockSize)
                  .thenAccept(ByteBuf::release);
      LongFunction<CompletableFuture<?>> ciphertext =
          i ->
              plain
                  .readBuffer(
                      headerLba + 1 + BenchRounds.next(cursor, largeBlocks, titleBlocks),
                      largeBlocks,
                      blockSize)
                  .thenAccept(ByteBuf::release);
      BenchRounds.Rate plain8 =
          bench.throughput(
              "READ(10) 128 KiB, plain, 8 in flight", 8, BenchRounds.LARGE, ciphertext);
      BenchRounds.Rate decrypted8 =
          bench.throughput(
              "READ(10) 128 KiB, decrypted in the drive, 8 in flight",
              8,
              BenchRounds.LARGE,
              decrypted);
      BenchRounds.Rate plain1 =
          bench.throughput(
              "READ(10) 128 KiB, plain, 1 in flight", 1, BenchRounds.LARGE, ciphertext);
      BenchRounds.Rate decrypted1 =
          bench.throughput(
              "READ(10) 128 KiB, decrypted in the drive, 1 in flight",
              1,
              BenchRounds.LARGE,
              decrypted);
      player.secure().closePlayback();
      report.line(
          "decrypted READs checked against the plaintext",
          String.format(
              "%d MiB, the whole title, before the timed rounds: identical", verifiedBefore >> 20));
      report.put("decryptedBytesVerified", verifiedBefore);

      BenchRounds.Latency roundTrips =
          bench.latency(
              "license backup to host + restore, one at a time",
              "round trips/s",
              () -> {
                player.secure().restore(player.secure().backupToHost(Binding.MEDIUM));
                return CompletableFuture.completedFuture(null);
              });
      BenchRounds.Latency bound =
          bench.latency(
              "license backup + restore, medium+device binding",
              "round trips/s",
              () -> {
                player.secure().restore(player.secure().backupToHost(Binding.MEDIUM_THEN_DEVICE));
                return CompletableFuture.completedFuture(null);
              });

      double ratio8 = decrypted8.bytesPerSecond() / plain8.bytesPerSecond();
      out.println();
      out.printf(
          "decrypted / plain READ, 128 KiB at 8 in flight: %.1f%% (target >= 80%%): %s%n",
          ratio8 * 100, ratio8 >= 0.8 ? "met" : "NOT met");
      out.printf(
          "decrypted / plain READ, 128 KiB at 1 in flight: %.1f%%%n",
          decrypted1.bytesPerSecond() / plain1.bytesPerSecond() * 100);
      out.printf(
          "backup + restore: %,.0f round trips/s (medium), %,.0f (medium+device)%n",
          roundTrips.perSecond(), bound.perSecond());
      report.put("decryptedVsPlainRatio8", BenchReport.round(ratio8));
      report.finish();
    }
  }

  /**
   * Reads the whole title once on the playback connection and compares it with the plaintext, and
   * its first blocks on the plain connection, which must differ.
   *
   * @return the number of bytes verified
   * @throws CliException naming the first LBA whose bytes are wrong
   */
  private static int verifyTitle(
      Drive player, Drive plain, long headerLba, long titleBytes, int blockSize) {
    int blocksPerRead = BenchRounds.LARGE / blockSize;
    long verified = 0;
    for (long offset = 0; offset < titleBytes; offset += BenchRounds.LARGE) {
      int length = (int) Math.min(BenchRounds.LARGE, titleBytes - offset);
      int blocks = (length + blockSize - 1) / blockSize;
      long lba = headerLba + 1 + offset / blockSize;
      byte[] got = player.read(lba, Math.min(blocks, blocksPerRead));
      byte[] want = PatternStream.bytes(offset, length);
      int mismatch = Arrays.mismatch(Arrays.copyOf(got, length), want);
      if (mismatch >= 0) {
        throw new CliException(
            String.format(
                "decrypted READ at LBA %d differs from the plaintext at title byte %d",
                lba + mismatch / blockSize, offset + mismatch));
      }
      verified += length;
    }
    byte[] first = plain.read(headerLba + 1, 1);
    if (Arrays.equals(first, PatternStream.bytes(0, first.length))) {
      throw new CliException(
          "a READ on a connection without playback returned the title's plaintext");
    }
    return (int) Math.min(verified, Integer.MAX_VALUE);
  }
}
