package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Licensor;
import dev.secdrive.host.flow.LicensorCredential;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * A limited license is never played more often than its count, whatever a host does with backups,
 * damage and two drives: backup, play, erase, restore, eject and insert interleaved at random in
 * one real emulator on 127.0.0.1:0 with two drives, driven by the real host driver over TCP. Plays
 * are counted across both drives.
 */
class LicenseRollbackPropertyIT {

  private static final String MEDIUM = "MEDIUM-P";
  private static final String TITLE = "title-p";
  private static final long HEADER_LBA = 100;
  private static final int PLAYS = 2;

  /** What a host may be told; anything else is a bug. */
  private static final Set<Reason> EXPECTED =
      Set.of(Reason.STALE, Reason.NO_LICENSE, Reason.EXHAUSTED, Reason.OTHER_DRIVE);

  enum Kind {
    BACKUP,
    PLAY,
    ERASE,
    RESTORE,
    EJECT,
    INSERT
  }

  /**
   * @param lun the drive INSERT puts the medium in
   * @param binding the binding of a BACKUP
   * @param pick which backup taken so far a RESTORE sends
   */
  record Step(Kind kind, int lun, Binding binding, int pick) {}

  @Provide
  Arbitrary<List<Step>> runs() {
    // Weighted towards the moves of the attack (back up, play, erase, carry the medium to the
    // other drive, restore, play), so that a short run often tries it.
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.just(Kind.PLAY)),
                    Tuple.of(3, Arbitraries.just(Kind.BACKUP)),
                    Tuple.of(3, Arbitraries.just(Kind.RESTORE)),
                    Tuple.of(2, Arbitraries.just(Kind.ERASE)),
                    Tuple.of(2, Arbitraries.just(Kind.INSERT)),
                    Tuple.of(1, Arbitraries.just(Kind.EJECT))),
                Arbitraries.integers().between(0, 1),
                Arbitraries.frequency(
                    Tuple.of(3, Binding.MEDIUM),
                    Tuple.of(1, Binding.MEDIUM_THEN_DEVICE),
                    Tuple.of(1, Binding.DEVICE_THEN_MEDIUM)),
                Arbitraries.integers().between(0, 1 << 16))
            .as(Step::new);
    return step.list().ofMinSize(15).ofMaxSize(40);
  }

  @Property(tries = 25)
  void noLimitedLicenseIsPlayedMoreOftenThanItsCount(@ForAll("runs") List<Step> steps)
      throws IOException {
    Path root = Files.createTempDirectory("secdrive-rollback-");
    try {
      run(root, steps);
    } finally {
      try (var walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path root, List<Step> steps) {
    Path media = root.resolve("media");
    Authority authority = Authority.create();
    Rig.createMedium(MediumStore.openOrCreate(media), MEDIUM, "mo-640", null);
    try (Emulator emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(Rig.anchors(media))
            .enrol(authority)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DRIVE-P1", MEDIUM))
            .drive(new DriveConfig(1, "mo-640", "DRIVE-P2", null))
            .start()) {
      LicensorCredential licensor =
          LicensorCredential.create("Publisher", authority::certify, authority.publicKey());
      byte[] content = Rig.content(5000, steps.size());
      try (Drive drive = open(emulator, 0)) {
        new Licensor(licensor)
            .provision(
                drive,
                TITLE,
                new ByteArrayInputStream(content),
                content.length,
                HEADER_LBA,
                PLAYS,
                Progress.NONE);
      }
      Integer loaded = 0; // the drive holding the medium, or null when it is out
      List<byte[]> backups = new ArrayList<>();
      int plays = 0;
      List<String> log = new ArrayList<>();
      for (Step step : steps) {
        log.add(step + " with the medium in " + loaded);
        switch (step.kind()) {
          case EJECT -> {
            if (loaded != null) {
              emulator.remove(loaded, true);
              loaded = null;
            }
          }
          case INSERT -> {
            if (loaded != null && loaded != step.lun()) {
              emulator.remove(loaded, true);
              loaded = null;
            }
            if (loaded == null) {
              emulator.insert(step.lun(), MEDIUM);
              loaded = step.lun();
            }
          }
          case ERASE -> {
            if (loaded != null) {
              emulator.eraseSecureArea(loaded);
            }
          }
          case BACKUP, PLAY, RESTORE -> {
            if (loaded == null || step.kind() == Kind.RESTORE && backups.isEmpty()) {
              continue;
            }
            try (Drive drive = open(emulator, loaded)) {
              switch (step.kind()) {
                case BACKUP -> backups.add(drive.secure().backupToHost(step.binding()));
                case PLAY -> {
                  drive.secure().openPlayback(TITLE, HEADER_LBA);
                  plays++;
                  drive.secure().closePlayback();
                }
                default -> drive.secure().restore(backups.get(step.pick() % backups.size()));
              }
              log.add("  done");
            } catch (ScsiException e) {
              Reason reason = e.reason().orElse(null);
              assertTrue(EXPECTED.contains(reason), e.getMessage() + " after " + log);
              log.add("  refused " + reason);
            }
          }
        }
        assertTrue(
            plays <= PLAYS, "played " + plays + " times, " + PLAYS + " allowed, after " + log);
      }
    }
  }

  /** Drive {@code lun} on a new connection, its unit attentions taken. */
  private static Drive open(Emulator emulator, int lun) {
    Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/" + lun);
    drive.testUnitReady();
    return drive;
  }
}
