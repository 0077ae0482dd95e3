package dev.secdrive.emulator.observe;

import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.kit.metrics.Metrics;
import dev.secdrive.protocol.cdb.BlockCommand;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.InvalidCdbException;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's meters and command log, shared by every endpoint: each command that a drive
 * answers is counted by drive (LUN) and endpoint, and, at the drive's {@link CommandLog} level,
 * logged as one line of {@code key=value} pairs:
 *
 * <pre>
 * lun=0 endpoint=tcp://127.0.0.1:7140 nexus=3 initiator=/127.0.0.1:52114 tag=17 op=READ(10)
 *   lba=2048 blocks=8 status=CHECK_CONDITION sense=03/11/00 in=0 out=0 us=412
 *   fault="read-error lba=2048"
 * </pre>
 *
 * (one line in the log). The meters, in Prometheus' names:
 *
 * <ul>
 *   <li>{@code secdrive_commands_total{lun,endpoint,opcode,status}}: commands answered;
 *   <li>{@code secdrive_command_errors_total{lun,endpoint,sense_key,asc}}: CHECK CONDITIONs by
 *       sense key and ASC/ASCQ ({@code 11/00});
 *   <li>{@code secdrive_data_bytes_total{lun,endpoint,direction}}: data-in ({@code in}, to the
 *       host) and data-out ({@code out}) bytes;
 *   <li>{@code secdrive_command_seconds{lun,endpoint}}: a histogram of the time from the moment the
 *       drive takes a command until its status leaves, the drive's service time included;
 *   <li>{@code secdrive_faults_total{lun,kind}}: injected faults that fired.
 * </ul>
 *
 * Labels take values from fixed sets: a LUN, a configured endpoint, an operation code's name (an
 * unknown one is {@code UNKNOWN}), a status, a sense key; never from what a host sends. Nothing
 * here sees data bytes, keys or the secure area: a log line and a meter carry the CDB's operation
 * code, LBA and length, and the status and sense codes.
 */
public final class Instruments {

  /** The logger of the command log; lines are INFO, so a drive's level alone decides. */
  public static final String COMMAND_LOG = "dev.secdrive.commands";

  private static final Logger log = LoggerFactory.getLogger(COMMAND_LOG);

  /** Bucket bounds of the latency histogram: 50 µs to 10 s. */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
  };

  private static final int LUNS = 256;

  /** The kinds a fault's text starts with (Faults): a label takes no other. */
  private static final java.util.Set<String> FAULT_KINDS =
      java.util.Set.of(
          "read-error", "write-error", "power-loss", "torn-write", "disconnect", "delay");

  private static final Opcode[] OPCODES = Opcode.values();
  private static final ScsiStatus[] STATUSES = ScsiStatus.values();

  private final PrometheusMeterRegistry registry;
  private final LongSupplier clock;
  private final AtomicReferenceArray<CommandLog> levels = new AtomicReferenceArray<>(LUNS);
  private final Activity[] activity = new Activity[LUNS];
  private final Map<String, DriveMeters> meters = new ConcurrentHashMap<>();
  private volatile CommandLog defaultLevel = CommandLog.OFF;

  /** Instruments on the system clock. */
  public Instruments() {
    this(System::nanoTime);
  }

  /**
   * @param clock the nanosecond clock latencies are measured on, the drives' own
   */
  public Instruments(LongSupplier clock) {
    this.clock = clock;
    this.registry = Metrics.registry(clock);
    for (int lun = 0; lun < LUNS; lun++) {
      activity[lun] = new Activity();
    }
  }

  /**
   * A drive's activity over every endpoint, for the front panel: commands answered, data bytes
   * moved, and the last CHECK CONDITION's sense.
   */
  public static final class Activity {
    private final java.util.concurrent.atomic.LongAdder commands =
        new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytes =
        new java.util.concurrent.atomic.LongAdder();
    private volatile String lastSense;

    public long commands() {
      return commands.sum();
    }

    public long bytes() {
      return bytes.sum();
    }

    /** {@code MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00)}, or null. */
    public String lastSense() {
      return lastSense;
    }
  }

  /** The activity of the drive on {@code lun}. */
  public Activity activity(int lun) {
    return activity[lun];
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Now, on the clock latencies are measured on. */
  public long now() {
    return clock.getAsLong();
  }

  /** The command log level of the drive on {@code lun}. */
  public CommandLog level(int lun) {
    CommandLog level = levels.get(lun);
    return level == null ? defaultLevel : level;
  }

  /** Sets the command log level of the drive on {@code lun}. */
  public void setLevel(int lun, CommandLog level) {
    levels.set(lun, level);
  }

  /** Sets the level of every drive that has none of its own. */
  public void setDefaultLevel(CommandLog level) {
    this.defaultLevel = level;
  }

  /** The meters of the drive on {@code lun} as seen from {@code endpoint}. */
  public DriveMeters meters(int lun, String endpoint) {
    return meters.computeIfAbsent(lun + " " + endpoint, k -> new DriveMeters(lun, endpoint));
  }

  /**
   * Counts and, at the drive's level, logs one command that was answered.
   *
   * @param cdb the CDB as the host sent it
   * @param dataIn data-in bytes sent to the host
   * @param dataOut data-out bytes the host sent
   * @param started {@link #now()} when the drive took the command
   */
  public void answered(
      DriveMeters drive,
      Nexus nexus,
      int tag,
      byte[] cdb,
      Response response,
      long dataIn,
      long dataOut,
      long started) {
    long nanos = now() - started;
    drive.count(cdb, response, dataIn, dataOut, nanos);
    Activity seen = activity[drive.lun];
    seen.commands.increment();
    seen.bytes.add(dataIn + dataOut);
    if (response.sense() != null) {
      seen.lastSense = response.sense().describe();
    }
    CommandLog level = level(drive.lun);
    boolean failed = response.status() != ScsiStatus.GOOD || response.fault() != null;
    if (level == CommandLog.ALL || (level == CommandLog.ERRORS && failed)) {
      log.info(
          line(drive, nexus, tag, cdb)
              .append(" status=")
              .append(response.status().name())
              .append(sense(response.sense()))
              .append(" in=")
              .append(dataIn)
              .append(" out=")
              .append(dataOut)
              .append(" us=")
              .append(TimeUnit.NANOSECONDS.toMicros(nanos))
              .append(fault(response.fault()))
              .toString());
    }
  }

  /** A command that got no answer: an injected power loss stopped the drive while it ran. */
  public void lost(DriveMeters drive, Nexus nexus, int tag, byte[] cdb, String fault) {
    drive.fault(fault);
    if (level(drive.lun) != CommandLog.OFF) {
      log.info(line(drive, nexus, tag, cdb).append(" status=NONE").append(fault(fault)).toString());
    }
  }

  private static StringBuilder line(DriveMeters drive, Nexus nexus, int tag, byte[] cdb) {
    StringBuilder line = new StringBuilder(160);
    line.append("lun=").append(drive.lun);
    pair(line, "endpoint", drive.endpoint);
    line.append(" nexus=").append(nexus.id());
    pair(line, "initiator", nexus.initiator());
    line.append(" tag=").append(Integer.toUnsignedString(tag));
    describe(line, cdb);
    return line;
  }

  /** {@code op=READ(10) lba=2048 blocks=8}; an undecodable CDB by its first byte. */
  private static void describe(StringBuilder line, byte[] cdb) {
    try {
      Cdb decoded = Cdbs.decode(cdb);
      pair(line, "op", decoded.opcode().text());
      if (decoded instanceof BlockCommand block) {
        line.append(" lba=").append(block.lba()).append(" blocks=").append(block.blocks());
      }
    } catch (InvalidCdbException | RuntimeException e) {
      pair(line, "op", opcode(cdb));
      line.append(" cdb=").append(cdb.length == 0 ? "-" : String.format("%02x", cdb[0]));
    }
  }

  private static String sense(SenseData sense) {
    return sense == null
        ? ""
        : String.format(
            Locale.ROOT, " sense=%02X/%02X/%02X", sense.key().code(), sense.asc(), sense.ascq());
  }

  private static String fault(String fault) {
    return fault == null ? "" : " fault=" + quoted(fault);
  }

  private static void pair(StringBuilder line, String key, String value) {
    line.append(' ').append(key).append('=').append(quoted(value));
  }

  /**
   * {@code value} as a logfmt value: bare if it has no space, quote, equals sign or control
   * character, else in quotes with those escaped, so that a name a host chose cannot forge a field
   * or a line.
   */
  static String quoted(String value) {
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > ' ' && c != '"' && c != '=' && c != '\\' && c != 0x7F;
    }
    if (plain) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < ' ' || c == 0x7F) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** The operation code's name, or {@code UNKNOWN}: a label never takes a host's free text. */
  static String opcode(byte[] cdb) {
    Opcode opcode = find(cdb);
    return opcode == null ? "UNKNOWN" : opcode.text();
  }

  private static Opcode find(byte[] cdb) {
    return Opcode.find(cdb).orElse(null);
  }

  /** The meters of one drive behind one endpoint; shared by that endpoint's nexuses. */
  public final class DriveMeters {
    private final int lun;
    private final String endpoint;
    private final Timer latency;
    private final Counter dataIn;
    private final Counter dataOut;

    /** By operation code (the last row: unknown ones) and status, made on first use. */
    private final AtomicReferenceArray<Counter> commands =
        new AtomicReferenceArray<>((OPCODES.length + 1) * STATUSES.length);

    private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();

    private DriveMeters(int lun, String endpoint) {
      this.lun = lun;
      this.endpoint = endpoint;
      String unit = Integer.toString(lun);
      this.latency =
          Timer.builder("secdrive.command")
              .description("Time from the drive taking a command to its status leaving")
              .tag("lun", unit)
              .tag("endpoint", endpoint)
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
      this.dataIn = data(unit, "in");
      this.dataOut = data(unit, "out");
    }

    private Counter data(String unit, String direction) {
      return Counter.builder("secdrive.data")
          .description("Data bytes moved: in to the host, out from it")
          .baseUnit("bytes")
          .tag("lun", unit)
          .tag("endpoint", endpoint)
          .tag("direction", direction)
          .register(registry);
    }

    public int lun() {
      return lun;
    }

    void count(byte[] cdb, Response response, long in, long out, long nanos) {
      latency.record(nanos, TimeUnit.NANOSECONDS);
      if (in > 0) {
        dataIn.increment(in);
      }
      if (out > 0) {
        dataOut.increment(out);
      }
      Opcode opcode = find(cdb);
      ScsiStatus status = response.status();
      int index =
          (opcode == null ? OPCODES.length : opcode.ordinal()) * STATUSES.length + status.ordinal();
      Counter commanded = commands.get(index);
      if (commanded == null) {
        // Two nexuses racing here register the same meter: the registry hands both the one.
        commanded =
            Counter.builder("secdrive.commands")
                .description("Commands answered, by operation code and status")
                .tag("lun", Integer.toString(lun))
                .tag("endpoint", endpoint)
                .tag("opcode", opcode == null ? "UNKNOWN" : opcode.text())
                .tag("status", status.name())
                .register(registry);
        commands.set(index, commanded);
      }
      commanded.increment();
      SenseData sense = response.sense();
      if (sense != null) {
        errors
            .computeIfAbsent(
                sense.key().code() << 16 | sense.asc() << 8 | sense.ascq(),
                k ->
                    Counter.builder("secdrive.command.errors")
                        .description("CHECK CONDITIONs, by sense key and ASC/ASCQ")
                        .tag("lun", Integer.toString(lun))
                        .tag("endpoint", endpoint)
                        .tag("sense_key", sense.key().name())
                        .tag("asc", String.format("%02X/%02X", sense.asc(), sense.ascq()))
                        .register(registry))
            .increment();
      }
      fault(response.fault());
    }

    /** Counts each fault of {@code fired} ({@code read-error lba=7; delay us=120}) by its kind. */
    void fault(String fired) {
      if (fired == null) {
        return;
      }
      for (String fault : fired.split("; ")) {
        int space = fault.indexOf(' ');
        String kind = space < 0 ? fault : fault.substring(0, space);
        Counter.builder("secdrive.faults")
            .description("Injected faults that fired")
            .tag("lun", Integer.toString(lun))
            .tag("kind", FAULT_KINDS.contains(kind) ? kind : "other")
            .register(registry)
            .increment();
      }
    }
  }
}
