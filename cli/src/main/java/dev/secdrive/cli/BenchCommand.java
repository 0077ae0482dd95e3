package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.ProvisionRequest;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive bench}: throughput and latency of the emulator and host driver over loopback TCP,
 * and raw loopback TCP measured in the same run for the ratio. Each case runs several rounds; the
 * report gives the median round.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure READ/WRITE throughput, IOPS and latency over loopback TCP, against raw TCP.")
final class BenchCommand implements Callable<Integer> {

  private static final int LARGE = 128 << 10;
  private static final int SMALL = 4 << 10;

  @Spec CommandSpec spec;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Rounds per case (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--round-seconds",
      defaultValue = "1.0",
      description = "Length of one round in seconds (default ${DEFAULT-VALUE}).")
  double roundSeconds;

  @Option(
      names = "--region-mib",
      defaultValue = "256",
      description =
          "Size of the written region that reads cycle over (default ${DEFAULT-VALUE} MiB).")
  int regionMib;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Option(
      names = "--serial",
      description =
          "Measure the serial carrier instead (socat pty pairs): share of line rate at 115200 and"
              + " 921600 baud, bit-error rates 1e-6 and 1e-5, unpaced pty throughput.")
  boolean serial;

  @Option(
      names = "--secure",
      description =
          "Measure the secure layer instead: decrypted READs of a licensed title against plain"
              + " READs of the same blocks, and backup + restore round trips.")
  boolean secure;

  @Option(
      names = "--copy",
      description =
          "Measure the software copy instead: a scheme-2 title of --region-mib MiB converted from"
              + " a CD-ROM master into an MO target inside the target drive, against a plain READ +"
              + " WRITE copy of the same bytes between the same drives.")
  boolean copy;

  private PrintWriter out;
  private final Map<String, Object> results = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || roundSeconds <= 0 || regionMib < 1) {
      throw new CliException("--rounds, --round-seconds and --region-mib must be positive");
    }
    out = spec.commandLine().getOut();
    Path media = Files.createTempDirectory("secdrive-bench-");
    try {
      if (serial) {
        new SerialBench(out, media, results).run();
        if (json) {
          Json.print(out, results);
        }
      } else if (secure) {
        runSecure(media);
      } else if (copy) {
        runCopy(media);
      } else {
        run(media);
      }
    } finally {
      try (var walk = Files.walk(media)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return 0;
  }

  private void run(Path mediaDirectory) throws Exception {
    try (Emulator emulator = startEmulator(mediaDirectory);
        Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0")) {
      int blockSize = drive.capacity().blockSize();
      long regionBlocks = (long) regionMib * (1 << 20) / blockSize;
      int largeBlocks = LARGE / blockSize;
      int smallBlocks = SMALL / blockSize;

      // Fill the region with data, so reads come from written pages, not from holes.
      byte[] pattern = new byte[LARGE];
      new SplittableRandom(1).nextBytes(pattern);
      AtomicLong cursor = new AtomicLong();
      LongFunction<CompletableFuture<?>> writeNext =
          i -> drive.writeAsync(next(cursor, largeBlocks, regionBlocks), pattern);
      for (long lba = 0; lba < regionBlocks; lba += largeBlocks) {
        drive.write(lba, pattern);
      }

      LongFunction<CompletableFuture<?>> readNext =
          i ->
              drive
                  .readBuffer(next(cursor, largeBlocks, regionBlocks), largeBlocks, blockSize)
                  .thenAccept(ByteBuf::release);
      Rate seq1 = throughput("READ(10) 128 KiB sequential, 1 in flight", 1, LARGE, readNext);
      Rate seq8 = throughput("READ(10) 128 KiB sequential, 8 in flight", 8, LARGE, readNext);
      LongFunction<CompletableFuture<?>> readCopy =
          i -> drive.readAsync(next(cursor, largeBlocks, regionBlocks), largeBlocks);
      throughput("READ(10) 128 KiB into byte[], 8 in flight", 8, LARGE, readCopy);
      throughput("WRITE(10) 128 KiB sequential, 1 in flight", 1, LARGE, writeNext);
      throughput("WRITE(10) 128 KiB sequential, 8 in flight", 8, LARGE, writeNext);

      SplittableRandom random = new SplittableRandom(7);
      long smallSlots = regionBlocks / smallBlocks;
      Latency iops =
          chainedLatency(
              "READ(10) 4 KiB random, 1 in flight, async",
              () ->
                  drive
                      .readBuffer(random.nextLong(smallSlots) * smallBlocks, smallBlocks, blockSize)
                      .thenAccept(ByteBuf::release));
      Latency blocking =
          latency(
              "READ(10) 4 KiB random, 1 in flight, blocking calls",
              () -> {
                drive.read(random.nextLong(smallSlots) * smallBlocks, smallBlocks);
                return CompletableFuture.completedFuture(null);
              });

      double rawStream = rawStream(seq8.bytes());
      double rawRoundTrips = rawRoundTrips();
      line("raw loopback TCP, 128 KiB writes one way", mbps(rawStream));
      line(
          "raw loopback TCP, 64 B request / 4 KiB reply",
          String.format("%,.0f round trips/s", rawRoundTrips));
      results.put("rawLoopbackMBps", round(rawStream / 1e6));
      results.put("rawRoundTripsPerSecond", Math.round(rawRoundTrips));

      double ratio = seq8.bytesPerSecond() / rawStream;
      out.println();
      out.printf(
          "128 KiB reads at 8 in flight: %.0f%% of raw loopback (target >= 50%%)%n", ratio * 100);
      out.printf(
          "128 KiB reads at 8 in flight: %s (target >= 1500 MB/s): %s%n",
          mbps(seq8.bytesPerSecond()), seq8.bytesPerSecond() >= 1.5e9 ? "met" : "NOT met");
      out.printf(
          "4 KiB reads at 1 in flight, async: %,.0f IOPS (target >= 15,000): %s; blocking calls %,.0f IOPS%n",
          iops.perSecond(), iops.perSecond() >= 15_000 ? "met" : "NOT met", blocking.perSecond());
      out.printf("(1 in flight at 128 KiB: %s)%n", mbps(seq1.bytesPerSecond()));
      results.put("read128kAt8VsRawRatio", round(ratio));
      if (json) {
        Json.print(out, results);
      }
      out.flush();
    }
  }

  /** A DVD-RAM drive with a blank medium, fast timing; prints the report's header. */
  private Emulator startEmulator(Path mediaDirectory) {
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    DriveProfile profile = catalog.get("dvd-ram");
    MediumType type = profile.defaultMedium();
    MediumMetadata medium =
        Media.create(
            MediumStore.open(mediaDirectory), catalog, type.type(), "BENCH", "bench", null);
    header(type);
    return Emulator.builder()
        .mediaDirectory(mediaDirectory)
        .profiles(catalog)
        .timing(TimingMode.FAST)
        .drive(new DriveConfig(0, profile.id(), "BENCH0", medium.id()))
        .start();
  }

  /**
   * Decrypted reads (OPEN PLAYBACK, then READ(10) of the title's blocks on that connection) against
   * plain READs of the same blocks on a second connection, in the same run; then license backup to
   * the host and restore inside the drive, one after the other.
   */
  private void runSecure(Path mediaDirectory) throws Exception {
    try (Emulator emulator = startEmulator(mediaDirectory);
        Drive player = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0");
        Drive plain = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0")) {
      int blockSize = player.capacity().blockSize();
      plain.testUnitReady(); // takes this connection's power-on unit attention
      LicensorCredential credential =
          LicensorCredential.create(
              "bench", emulator.authority()::certify, emulator.authority().publicKey());
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
      int largeBlocks = LARGE / blockSize;
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
                      headerLba + 1 + next(cursor, largeBlocks, titleBlocks),
                      largeBlocks,
                      blockSize)
                  .thenAccept(ByteBuf::release);
      LongFunction<CompletableFuture<?>> ciphertext =
          i ->
              plain
                  .readBuffer(
                      headerLba + 1 + next(cursor, largeBlocks, titleBlocks),
                      largeBlocks,
                      blockSize)
                  .thenAccept(ByteBuf::release);
      Rate plain8 = throughput("READ(10) 128 KiB, plain, 8 in flight", 8, LARGE, ciphertext);
      Rate decrypted8 =
          throughput("READ(10) 128 KiB, decrypted in the drive, 8 in flight", 8, LARGE, decrypted);
      Rate plain1 = throughput("READ(10) 128 KiB, plain, 1 in flight", 1, LARGE, ciphertext);
      Rate decrypted1 =
          throughput("READ(10) 128 KiB, decrypted in the drive, 1 in flight", 1, LARGE, decrypted);
      player.secure().closePlayback();
      line(
          "decrypted READs checked against the plaintext",
          String.format(
              "%d MiB, the whole title, before the timed rounds: identical", verifiedBefore >> 20));
      results.put("decryptedBytesVerified", verifiedBefore);

      Latency roundTrips =
          latency(
              "license backup to host + restore, one at a time",
              "round trips/s",
              () -> {
                player.secure().restore(player.secure().backupToHost(Binding.MEDIUM));
                return CompletableFuture.completedFuture(null);
              });
      Latency bound =
          latency(
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
      results.put("decryptedVsPlainRatio8", round(ratio8));
      if (json) {
        Json.print(out, results);
      }
      out.flush();
    }
  }

  /**
   * The software copy's second scheme (FIG. 9) against a plain copy: each round copies the whole
   * title master -> target once by CONVERT WRITE (central site request, INSTALL CONVERSION and the
   * re-encryption inside the target drive included) and once by plain READ + WRITE of the same
   * ciphertext blocks, alternately, with the same pipeline (1 MiB chunks, several in flight).
   */
  private void runCopy(Path mediaDirectory) throws Exception {
    long titleBytes = (long) regionMib << 20;
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    MediumType masterType = catalog.mediumType("cd-rom-650").orElseThrow();
    MediumType targetType = catalog.mediumType("mo-640").orElseThrow();
    if (titleBytes + (2L << 20) > targetType.blockSize() * targetType.blockCount()) {
      throw new CliException("--region-mib " + regionMib + " does not fit an mo-640 medium");
    }
    Authority authority = Authority.create();
    Path authorityFile = mediaDirectory.resolve("authority.json");
    authority.save(authorityFile);
    Path image = mediaDirectory.resolve("master.img");
    try (LocalCenter center = LocalCenter.start(mediaDirectory.resolve("center"), authority)) {
      CenterClient admin = center.admin();
      UserKey user = center.addUser("bench", "Bench");
      byte[] ka = admin.registerTitle("bench-title", "Bench title", 2, 0).key();
      try (var content = new PatternStream(titleBytes)) {
        MasterAuthoring.author(
            List.of(
                new MasterAuthoring.Title(
                    "bench-title", "Bench title", 2, ka, titleBytes, content)),
            masterType.blockSize(),
            image,
            Progress.NONE);
      }
      MediumStore store = MediumStore.open(mediaDirectory);
      Media.create(store, catalog, masterType.type(), "MASTER", "bench master", image);
      Files.delete(image);
      Media.create(store, catalog, targetType.type(), "TARGET", "bench target", null);
      out.printf(
          "secdrive bench --copy: %d cores, Java %s, --timing fast, %d MiB scheme-2 title from %s"
              + " (%d-byte blocks) to %s (%d-byte blocks), %d rounds, median round%n",
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          regionMib,
          masterType.type(),
          masterType.blockSize(),
          targetType.type(),
          targetType.blockSize(),
          rounds);
      out.printf(
          "MB = 10^6 bytes; %d MiB chunks, %d in flight%n%n",
          SoftwareCopy.CHUNK >> 20, SoftwareCopy.IN_FLIGHT);
      try (Emulator emulator =
              Emulator.builder()
                  .mediaDirectory(mediaDirectory)
                  .authority(authorityFile)
                  .profiles(catalog)
                  .timing(TimingMode.FAST)
                  .drive(new DriveConfig(0, "cdrom", "BENCH-MASTER", "MASTER"))
                  .drive(new DriveConfig(1, "mo-640", "BENCH-TARGET", "TARGET"))
                  .start();
          Drive master = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0");
          Drive target = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/1")) {
        CenterClient client = new CenterClient(center.url());
        double[] converted = new double[rounds];
        double[] plain = new double[rounds];
        // warm-up: one of each
        SoftwareCopy.convertedCopy(
            master, target, client, "bench", user, "bench-title", 0, Progress.NONE);
        SoftwareCopy.copyCiphertext(master, target, "bench-title", 1, Progress.NONE);
        for (int r = 0; r < rounds; r++) {
          long start = System.nanoTime();
          SoftwareCopy.convertedCopy(
              master, target, client, "bench", user, "bench-title", 0, Progress.NONE);
          converted[r] = titleBytes / ((System.nanoTime() - start) / 1e9);
          start = System.nanoTime();
          SoftwareCopy.copyCiphertext(master, target, "bench-title", 1, Progress.NONE);
          plain[r] = titleBytes / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(converted);
        Arrays.sort(plain);
        double convertedMedian = converted[rounds / 2];
        double plainMedian = plain[rounds / 2];
        line("plain READ + WRITE copy of the ciphertext", mbps(plainMedian));
        line("converted copy (CONVERT WRITE, scheme 2)", mbps(convertedMedian));
        results.put("plainCopyMBps", round(plainMedian / 1e6));
        results.put("convertedCopyMBps", round(convertedMedian / 1e6));
        double ratio = convertedMedian / plainMedian;
        out.println();
        out.printf(
            "converted / plain copy of %d MiB: %.1f%% (target >= 80%%): %s%n",
            regionMib, ratio * 100, ratio >= 0.8 ? "met" : "NOT met");
        results.put("convertedVsPlainCopyRatio", round(ratio));
        if (json) {
          Json.print(out, results);
        }
        out.flush();
      }
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
    int blocksPerRead = LARGE / blockSize;
    long verified = 0;
    for (long offset = 0; offset < titleBytes; offset += LARGE) {
      int length = (int) Math.min(LARGE, titleBytes - offset);
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

  /** The title's plaintext: byte {@code p} is {@code pattern[p % 4096]}, however it is read. */
  private static final class PatternStream extends java.io.InputStream {
    private static final byte[] PATTERN = new byte[4096];

    static {
      new SplittableRandom(3).nextBytes(PATTERN);
    }

    private final long length;
    private long position;

    PatternStream(long length) {
      this.length = length;
    }

    /** The plaintext bytes at {@code offset}. */
    static byte[] bytes(long offset, int length) {
      byte[] out = new byte[length];
      for (int i = 0; i < length; i++) {
        out[i] = PATTERN[(int) ((offset + i) % PATTERN.length)];
      }
      return out;
    }

    @Override
    public int read() {
      if (position == length) {
        return -1;
      }
      return PATTERN[(int) (position++ % PATTERN.length)] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position == length) {
        return -1;
      }
      int n = (int) Math.min(len, length - position);
      for (int i = 0; i < n; ) {
        int at = (int) ((position + i) % PATTERN.length);
        int k = Math.min(n - i, PATTERN.length - at);
        System.arraycopy(PATTERN, at, b, off + i, k);
        i += k;
      }
      position += n;
      return n;
    }
  }

  private void header(MediumType type) {
    out.printf(
        "secdrive bench: %d cores, Java %s, --timing fast, medium %s (%d-byte blocks), %d rounds of %.1f s, median round%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        type.type(),
        type.blockSize(),
        rounds,
        roundSeconds);
    out.printf("MB = 10^6 bytes%n%n");
  }

  private static long next(AtomicLong cursor, int blocks, long regionBlocks) {
    long slot = cursor.getAndIncrement();
    return (slot * blocks) % (regionBlocks - regionBlocks % blocks);
  }

  record Rate(double bytesPerSecond, long bytes) {}

  record Latency(double perSecond, double medianMicros, double p99Micros) {}

  /** Runs {@code depth} commands at a time for each round; returns the median round's rate. */
  private Rate throughput(
      String name, int depth, int bytesPerOp, LongFunction<CompletableFuture<?>> op)
      throws InterruptedException {
    runRound(depth, op, (long) (0.3 * 1e9)); // warm-up
    double[] rates = new double[rounds];
    long total = 0;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      long ops = runRound(depth, op, (long) (roundSeconds * 1e9));
      double seconds = (System.nanoTime() - start) / 1e9;
      rates[r] = ops * (double) bytesPerOp / seconds;
      total += ops * (long) bytesPerOp;
    }
    Arrays.sort(rates);
    double median = rates[rounds / 2];
    line(name, mbps(median));
    results.put(name, round(median / 1e6));
    return new Rate(median, total / rounds);
  }

  /** Keeps {@code depth} operations in flight until the deadline; returns how many completed. */
  private static long runRound(int depth, LongFunction<CompletableFuture<?>> op, long nanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    AtomicLong done = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(depth);
    for (int i = 0; i < depth; i++) {
      chain(op, deadline, done, failure, finished);
    }
    finished.await();
    if (failure.get() != null) {
      throw new CliException(
          "benchmark command failed: " + failure.get().getMessage(), failure.get());
    }
    return done.get();
  }

  private static void chain(
      LongFunction<CompletableFuture<?>> op,
      long deadline,
      AtomicLong done,
      AtomicReference<Throwable> failure,
      CountDownLatch finished) {
    if (System.nanoTime() >= deadline || failure.get() != null) {
      finished.countDown();
      return;
    }
    op.apply(done.get())
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                done.incrementAndGet();
              }
              chain(op, deadline, done, failure, finished);
            });
  }

  /**
   * One operation at a time as an asynchronous application issues them: the next starts in the
   * completion of the previous one, on the driver's I/O thread, with no thread hand-off between.
   */
  private Latency chainedLatency(String name, Supplier<CompletableFuture<?>> op)
      throws InterruptedException {
    chainRound(op, 300_000_000L, new ArrayList<>()); // warm-up
    double[] rates = new double[rounds];
    List<Long> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<Long> round = new ArrayList<>();
      long start = System.nanoTime();
      chainRound(op, (long) (roundSeconds * 1e9), round);
      rates[r] = round.size() / ((System.nanoTime() - start) / 1e9);
      samples.addAll(round);
    }
    return report(name, rates, samples);
  }

  private static void chainRound(Supplier<CompletableFuture<?>> op, long nanos, List<Long> samples)
      throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          long start = System.nanoTime();
          op.get()
              .whenComplete(
                  (result, error) -> {
                    long end = System.nanoTime();
                    if (error != null) {
                      failure.set(error);
                      done.countDown();
                    } else {
                      samples.add(end - start);
                      if (end < deadline) {
                        next[0].run();
                      } else {
                        done.countDown();
                      }
                    }
                  });
        };
    next[0].run();
    done.await();
    if (failure.get() != null) {
      throw new CliException(
          "benchmark command failed: " + failure.get().getMessage(), failure.get());
    }
  }

  /** One operation at a time, timing each; the median round's rate and all-round percentiles. */
  private Latency latency(String name, Supplier<CompletableFuture<?>> op) {
    return latency(name, "IOPS", op);
  }

  private Latency latency(String name, String unit, Supplier<CompletableFuture<?>> op) {
    for (long end = System.nanoTime() + 300_000_000L; System.nanoTime() < end; ) {
      op.get().join();
    }
    double[] rates = new double[rounds];
    List<Long> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      long deadline = start + (long) (roundSeconds * 1e9);
      long ops = 0;
      long now = start;
      while (now < deadline) {
        op.get().join();
        long after = System.nanoTime();
        samples.add(after - now);
        now = after;
        ops++;
      }
      rates[r] = ops / ((now - start) / 1e9);
    }
    return report(name, unit, rates, samples);
  }

  private Latency report(String name, double[] rates, List<Long> samples) {
    return report(name, "IOPS", rates, samples);
  }

  private Latency report(String name, String unit, double[] rates, List<Long> samples) {
    Arrays.sort(rates);
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    double median = sorted[sorted.length / 2] / 1e3;
    double p99 = sorted[(int) (sorted.length * 0.99)] / 1e3;
    Latency latency = new Latency(rates[rounds / 2], median, p99);
    line(
        name,
        String.format(
            "%,.0f %s, median %.0f us, p99 %.0f us", latency.perSecond(), unit, median, p99));
    results.put(
        name,
        Map.of(
            "iops",
            Math.round(latency.perSecond()),
            "medianMicros",
            round(median),
            "p99Micros",
            round(p99)));
    return latency;
  }

  /** Raw loopback TCP: one thread writes {@code bytes} in 128 KiB writes, another reads them. */
  private static double rawStream(long bytes) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      double[] rates = new double[3];
      for (int r = 0; r < rates.length; r++) {
        try (SocketChannel writer = SocketChannel.open(server.getLocalAddress());
            SocketChannel reader = server.accept()) {
          Thread sender =
              new Thread(
                  () -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(LARGE);
                    try {
                      for (long sent = 0; sent < bytes; sent += LARGE) {
                        chunk.clear();
                        while (chunk.hasRemaining()) {
                          writer.write(chunk);
                        }
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
          ByteBuffer in = ByteBuffer.allocateDirect(LARGE);
          long start = System.nanoTime();
          sender.start();
          long received = 0;
          long expected = (bytes + LARGE - 1) / LARGE * LARGE;
          while (received < expected) {
            in.clear();
            int n = reader.read(in);
            if (n < 0) {
              throw new IOException("raw stream ended early");
            }
            received += n;
          }
          rates[r] = received / ((System.nanoTime() - start) / 1e9);
          sender.join();
        }
      }
      Arrays.sort(rates);
      return rates[1];
    }
  }

  /** Raw loopback TCP ping-pong: 64-byte request, 4 KiB reply, one at a time, for 1 s. */
  private static double rawRoundTrips() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel peer = server.accept()) {
        client.socket().setTcpNoDelay(true);
        peer.socket().setTcpNoDelay(true);
        Thread responder =
            new Thread(
                () -> {
                  ByteBuffer request = ByteBuffer.allocateDirect(64);
                  ByteBuffer reply = ByteBuffer.allocateDirect(SMALL);
                  try {
                    while (true) {
                      request.clear();
                      while (request.hasRemaining()) {
                        if (peer.read(request) < 0) {
                          return;
                        }
                      }
                      reply.clear();
                      while (reply.hasRemaining()) {
                        peer.write(reply);
                      }
                    }
                  } catch (IOException e) {
                    // client closed
                  }
                });
        responder.setDaemon(true);
        responder.start();
        ByteBuffer request = ByteBuffer.allocateDirect(64);
        ByteBuffer reply = ByteBuffer.allocateDirect(SMALL);
        long trips = 0;
        long start = System.nanoTime();
        long deadline = start + 1_000_000_000L;
        long now = start;
        while (now < deadline) {
          request.clear();
          while (request.hasRemaining()) {
            client.write(request);
          }
          reply.clear();
          while (reply.hasRemaining()) {
            client.read(reply);
          }
          trips++;
          now = System.nanoTime();
        }
        return trips / ((now - start) / 1e9);
      }
    }
  }

  private void line(String name, String value) {
    out.printf("%-52s %s%n", name, value);
    out.flush();
  }

  private static String mbps(double bytesPerSecond) {
    return String.format("%,.0f MB/s", bytesPerSecond / 1e6);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
