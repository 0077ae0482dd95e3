package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.MasterAuthoring;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.SoftwareCopy;
import dev.secdrive.host.flow.UserKey;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code secdrive bench --copy}: the software copy's converted copy (scheme 2) against a plain READ
 * + WRITE copy of the same ciphertext between the same drives.
 */
final class CopyBench {

  private final BenchRounds bench;
  private final BenchReport report;
  private final PrintWriter out;
  private final int regionMib;

  CopyBench(BenchRounds bench, int regionMib) {
    this.bench = bench;
    this.report = bench.report();
    this.out = report.out();
    this.regionMib = regionMib;
  }

  /**
   * The software copy's second scheme (FIG. 9) against a plain copy: each round copies the whole
   * title master -> target once by CONVERT WRITE (central site request, INSTALL CONVERSION and the
   * re-encryption inside the target drive included) and once by plain READ + WRITE of the same
   * ciphertext blocks, alternately, with the same pipeline (1 MiB chunks, several in flight).
   */
  void run(Path mediaDirectory) throws Exception {
    long titleBytes = (long) regionMib << 20;
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    MediumType masterType = catalog.mediumType("cd-rom-650").orElseThrow();
    MediumType targetType = catalog.mediumType("mo-640").orElseThrow();
    if (titleBytes + (2L << 20) > targetType.blockSize() * targetType.blockCount()) {
      throw new CliException("--region-mib " + regionMib + " does not fit an mo-640 medium");
    }
    Authority authority = Authority.create();
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
          bench.rounds());
      out.printf(
          "MB = 10^6 bytes; %d MiB chunks, %d in flight%n%n",
          SoftwareCopy.CHUNK >> 20, SoftwareCopy.IN_FLIGHT);
      try (Emulator emulator =
              Emulator.builder()
                  .mediaDirectory(mediaDirectory)
                  .anchorDirectory(TcpBench.benchAnchors(mediaDirectory))
                  .enrol(authority)
                  .profiles(catalog)
                  .timing(TimingMode.FAST)
                  .drive(new DriveConfig(0, "cdrom", "BENCH-MASTER", "MASTER"))
                  .drive(new DriveConfig(1, "mo-640", "BENCH-TARGET", "TARGET"))
                  .start();
          Drive master = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0");
          Drive target = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/1")) {
        CenterClient client = new CenterClient(center.url());
        double[] converted = new double[bench.rounds()];
        double[] plain = new double[bench.rounds()];
        // warm-up: one of each
        SoftwareCopy.convertedCopy(
            master, target, client, "bench", user, "bench-title", 0, Progress.NONE);
        SoftwareCopy.copyCiphertext(master, target, "bench-title", 1, Progress.NONE);
        for (int r = 0; r < bench.rounds(); r++) {
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
        double convertedMedian = converted[bench.rounds() / 2];
        double plainMedian = plain[bench.rounds() / 2];
        report.line("plain READ + WRITE copy of the ciphertext", BenchReport.mbps(plainMedian));
        report.line("converted copy (CONVERT WRITE, scheme 2)", BenchReport.mbps(convertedMedian));
        report.put("plainCopyMBps", BenchReport.round(plainMedian / 1e6));
        report.put("convertedCopyMBps", BenchReport.round(convertedMedian / 1e6));
        double ratio = convertedMedian / plainMedian;
        out.println();
        out.printf(
            "converted / plain copy of %d MiB: %.1f%% (target >= 80%%): %s%n",
            regionMib, ratio * 100, ratio >= 0.8 ? "met" : "NOT met");
        report.put("convertedVsPlainCopyRatio", BenchReport.round(ratio));
        report.finish();
      }
    }
  }
}
