package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.protocol.cdb.Opcode;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults on demand, for testing how a host copes: LBAs that fail to read (MEDIUM ERROR 11/00) or to
 * write (0C/00), the sense's INFORMATION field naming the failing LBA; a power loss at a named step
 * of a secure-layer operation, for proving crash safety; and the drive's part of a {@link
 * FaultScript} ({@link #arm}): media errors after N accesses and N times, a torn write or a power
 * loss at the Nth write, a connection cut in the Nth data transfer, delays.
 *
 * <p>The firmware runs one command at a time and asks from inside it; the control API arms and
 * clears from another thread. Each fault that fires is logged on {@value #LOG} with the script's
 * seed, and named in the command's log line ({@link #takeFired()}).
 */
public final class Faults implements WriteSteps {

  /** The logger of fired faults. */
  public static final String LOG = "dev.secdrive.faults";

  private static final Logger log = LoggerFactory.getLogger(LOG);

  private final int lun;
  private volatile String powerLossAtStep;

  private final NavigableSet<Long> readErrors = new ConcurrentSkipListSet<>();
  private final NavigableSet<Long> writeErrors = new ConcurrentSkipListSet<>();

  /** The faults that fired in the command running now, for its log line. */
  private final List<String> fired = new ArrayList<>(2);

  /** The armed script's faults for this drive, with their counts; guarded by this. */
  private Armed armed = Armed.NONE;

  /** A drive's faults, for the drive on LUN 0 (tests). */
  public Faults() {
    this(0);
  }

  public Faults(int lun) {
    this.lun = lun;
  }

  public void addReadError(long lba) {
    readErrors.add(lba);
  }

  public void addWriteError(long lba) {
    writeErrors.add(lba);
  }

  /** Clears the LBAs and the power-loss step set by hand; a script stays armed. */
  public void clear() {
    readErrors.clear();
    writeErrors.clear();
    powerLossAtStep = null;
  }

  /**
   * Arms this drive's part of {@code script}, replacing what an earlier script armed; its counts
   * (accesses, writes, transfers) start from zero now.
   */
  public synchronized void arm(FaultScript script) {
    armed = new Armed(script, lun);
  }

  /** The script armed, or {@link FaultScript#none()}. */
  public synchronized FaultScript script() {
    return armed.script;
  }

  /**
   * Cuts the power when the drive reaches {@code step} (one of the secure layer's step names, e.g.
   * {@code restore:secure-area-renamed}); null disarms it.
   */
  public void setPowerLossAtStep(String step) {
    this.powerLossAtStep = step;
  }

  /** The power-loss step set by hand, or null. */
  public String powerLossAtStep() {
    return powerLossAtStep;
  }

  /**
   * @throws PowerLoss if a power loss is armed for {@code step}; each fires once
   */
  @Override
  public synchronized void reached(String step) {
    String manual = powerLossAtStep;
    if (manual != null && manual.equals(step)) {
      powerLossAtStep = null;
      fire("power-loss step=" + step);
      throw new PowerLoss(step);
    }
    for (Rule rule : armed.rules) {
      if (rule.fault instanceof FaultScript.PowerLossAt at
          && step.equals(at.step())
          && rule.fired == 0) {
        rule.fired++;
        fire(rule, "power-loss step=" + step);
        throw new PowerLoss(step);
      }
    }
  }

  public List<Long> readErrors() {
    return List.copyOf(readErrors);
  }

  public List<Long> writeErrors() {
    return List.copyOf(writeErrors);
  }

  /** The first failing LBA in [lba, lba + blocks), or -1; the access counts for the script. */
  public synchronized long firstReadError(long lba, long blocks) {
    return mediaError(false, lba, blocks, first(readErrors, lba, blocks));
  }

  /** The first LBA in [lba, lba + blocks) that fails to write, or -1; counted as a read is. */
  public synchronized long firstWriteError(long lba, long blocks) {
    return mediaError(true, lba, blocks, first(writeErrors, lba, blocks));
  }

  private long mediaError(boolean write, long lba, long blocks, long manual) {
    String kind = write ? "write-error" : "read-error";
    long failing = manual;
    if (manual >= 0) {
      fire(kind + " lba=" + manual);
    }
    for (Rule rule : armed.rules) {
      if (!(rule.fault instanceof FaultScript.MediaError error)
          || error.write() != write
          || error.lba() >= lba + blocks
          || error.lba() + error.blocks() <= lba) {
        continue;
      }
      rule.counted++;
      if (rule.counted <= error.after() || (error.times() >= 0 && rule.fired >= error.times())) {
        continue;
      }
      rule.fired++;
      long hit = Math.max(lba, error.lba());
      fire(
          rule,
          kind
              + " lba="
              + hit
              + " access="
              + rule.counted
              + " failure="
              + rule.fired
              + (error.times() >= 0 ? " of " + error.times() : ""));
      failing = failing < 0 ? hit : Math.min(failing, hit);
    }
    return failing;
  }

  /**
   * What happens to a write of {@code blocks} at {@code lba} reaching the medium: null if it goes
   * through, else how much of it does and what follows. Every call is a write of the script's
   * count.
   */
  public synchronized WriteFault writing(long lba, long blocks) {
    long write = ++armed.writes;
    for (Rule rule : armed.rules) {
      if (rule.fault instanceof FaultScript.PowerLossAt at && at.write() == write) {
        rule.fired++;
        String text = "power-loss write=" + write + " lba=" + lba + " blocks=" + blocks;
        fire(rule, text);
        return new WriteFault(0, true, text);
      }
      if (rule.fault instanceof FaultScript.TornWrite torn && torn.write() == write) {
        rule.fired++;
        long written = part(torn.written(), blocks, rule.random);
        String text =
            "torn-write write="
                + write
                + " lba="
                + lba
                + " written="
                + written
                + " of "
                + blocks
                + (torn.powerLoss() ? " then power-loss" : " then medium-error");
        fire(rule, text);
        return new WriteFault(written, torn.powerLoss(), text);
      }
    }
    return null;
  }

  /**
   * A write that the script tears or stops.
   *
   * @param blocks how many of its blocks reach the medium, from its first
   * @param powerLoss whether the power goes then (else the write fails with MEDIUM ERROR 0C/00)
   * @param description for the log and the power loss's message
   */
  public record WriteFault(long blocks, boolean powerLoss, String description) {}

  /**
   * How much longer than it takes the answer to {@code cdb} waits, in ns; its operation code is
   * looked up only when a delay is armed.
   */
  public synchronized long delayNanos(byte[] cdb) {
    long delay = 0;
    Opcode opcode = null;
    boolean known = false;
    for (Rule rule : armed.rules) {
      if (!(rule.fault instanceof FaultScript.Delay d)) {
        continue;
      }
      if (!known) {
        opcode = Opcode.find(cdb).orElse(null);
        known = true;
      }
      if (d.delays(opcode)) {
        long sample = d.distribution().sample(rule.random);
        rule.fired++;
        delay += sample;
        fire(rule, "delay us=" + sample / 1000);
      }
    }
    return delay;
  }

  /**
   * Where the data-in of a command with {@code dataIn} bytes of it is cut and its connection
   * dropped, or -1; each call is a transfer of the script's count.
   */
  public synchronized long cutAfter(long dataIn) {
    long transfer = ++armed.transfers;
    for (Rule rule : armed.rules) {
      if (rule.fault instanceof FaultScript.Disconnect cut && cut.command() == transfer) {
        rule.fired++;
        long after = part(cut.afterBytes(), dataIn, rule.random);
        fire(rule, "disconnect transfer=" + transfer + " after-bytes=" + after + " of " + dataIn);
        return after;
      }
    }
    return -1;
  }

  /**
   * The faults that fired since the last call ({@code read-error lba=2048}), or null; the firmware
   * takes them when a command ends, so each command's log line names its own.
   */
  public synchronized String takeFired() {
    if (fired.isEmpty()) {
      return null;
    }
    String faults = String.join("; ", fired);
    fired.clear();
    return faults;
  }

  /** How often each of the armed script's faults for this drive has fired, in script order. */
  public synchronized List<Firing> firings() {
    List<Firing> firings = new ArrayList<>();
    for (Rule rule : armed.rules) {
      firings.add(new Firing(rule.index, rule.fault.kind(), rule.fired));
    }
    return firings;
  }

  /**
   * @param index the fault's place in the script, from 0
   * @param kind its kind
   * @param fired how often it fired on this drive
   */
  public record Firing(int index, String kind, long fired) {}

  private void fire(String text) {
    fired.add(text);
    log.warn("LUN {}: fault fired: {}", lun, text);
  }

  private void fire(Rule rule, String text) {
    fired.add(text);
    log.warn(
        "LUN {}: fault fired: {} (fault {} of the script, seed {})",
        lun,
        text,
        rule.index,
        armed.script.seed());
  }

  /**
   * How much of {@code whole} a torn write or cut transfer leaves: the script's {@code given}, or
   * when it gives none (-1), a seeded draw; never the whole, so a torn write is never complete and
   * a cut transfer never reaches its status.
   */
  private static long part(long given, long whole, SplittableRandom random) {
    if (whole <= 1) {
      return 0;
    }
    return given >= 0 ? Math.min(given, whole - 1) : random.nextLong(whole);
  }

  /** The first LBA of {@code set} in [lba, lba + blocks), or -1. */
  private static long first(NavigableSet<Long> set, long lba, long blocks) {
    Long hit = set.ceiling(lba);
    return hit != null && hit < lba + blocks ? hit : -1;
  }

  /** A script's faults for one drive, and the counts they fire on. */
  private static final class Armed {
    static final Armed NONE = new Armed(FaultScript.none(), 0);

    final FaultScript script;
    final List<Rule> rules = new ArrayList<>();
    long writes;
    long transfers;

    Armed(FaultScript script, int lun) {
      this.script = script;
      List<FaultScript.Fault> faults = script.faults();
      for (int i = 0; i < faults.size(); i++) {
        if (faults.get(i).appliesTo(lun)) {
          rules.add(new Rule(i, faults.get(i), script.random(i, lun)));
        }
      }
    }
  }

  /** One fault of the script, its counts and its random stream. */
  private static final class Rule {
    final int index;
    final FaultScript.Fault fault;
    final SplittableRandom random;
    long counted;
    long fired;

    Rule(int index, FaultScript.Fault fault, SplittableRandom random) {
      this.index = index;
      this.fault = fault;
      this.random = random;
    }
  }
}
