package dev.secdrive.emulator.faults;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.profiles.JsonSchemas;
import dev.secdrive.protocol.cdb.Opcode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A fault script: a seed and the faults it arms, in the order the file lists them. Read from YAML
 * or JSON (JSON is YAML), checked against {@code fault-script.schema.json} and then against what
 * the schema cannot say (a known operation code, a known step, one distribution per delay), every
 * refusal naming the file and the field:
 *
 * <pre>
 * seed: 42
 * faults:
 *   - media-error: {lun: 0, lba: 2048, on: read, after: 3, times: 1}
 *   - torn-write: {lun: 0, write: 5, written: 2, then: medium-error}
 *   - power-loss: {lun: 1, write: 10}
 *   - power-loss: {lun: 1, step: "restore:secure-area-renamed"}
 *   - disconnect: {lun: 0, command: 4, after-bytes: 4096}
 *   - delay: {opcodes: ["READ(10)"], uniform-ms: [1, 5]}
 *   - line-noise: {port: /dev/ttyUSB0, ber: 1.0e-5, direction: to-host}
 * </pre>
 *
 * <p>Counts start when the script is loaded. Every random choice (a torn write's blocks, where a
 * transfer is cut, a delay, the noise) comes from a stream seeded by the seed, the fault's place in
 * the list and the LUN, so the same seed and the same commands fire the same faults.
 *
 * @param seed the seed; chosen at random when the file gives none
 * @param faults the faults, in file order
 * @param source the script as a JSON tree, seed included, as the control API shows it
 */
public record FaultScript(long seed, List<Fault> faults, JsonNode source) {

  /** The largest script read: a few thousand faults' worth. */
  public static final int MAXIMUM_BYTES = 256 << 10;

  /** The drive of a fault that names none: every drive. */
  public static final int EVERY_DRIVE = -1;

  private static final String SCHEMA = "fault-script.schema.json";
  private static final ObjectMapper YAML =
      YAMLMapper.builder(YAMLFactory.builder().build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static volatile JsonSchema schema;

  public FaultScript {
    faults = List.copyOf(faults);
  }

  /** A script that arms nothing. */
  public static FaultScript none() {
    ObjectNode source = YAML.createObjectNode();
    source.put("seed", 0);
    source.putArray("faults");
    return new FaultScript(0, List.of(), source);
  }

  /** One fault of a script. */
  public sealed interface Fault
      permits MediaError, TornWrite, PowerLossAt, Disconnect, Delay, LineNoiseOn {
    /** Its name in a script: {@code media-error}. */
    String kind();

    /** The LUN of the drive it is for, or {@link #EVERY_DRIVE}. */
    int lun();

    /** Whether it is for the drive on {@code lun}. */
    default boolean appliesTo(int drive) {
      return lun() == EVERY_DRIVE || lun() == drive;
    }
  }

  /**
   * MEDIUM ERROR on LBAs {@code lba} to {@code lba + blocks - 1}: accesses (a command that reads or
   * writes any of them) after the first {@code after} fail, {@code times} of them ({@code -1}:
   * all).
   */
  public record MediaError(int lun, long lba, long blocks, boolean write, long after, long times)
      implements Fault {
    @Override
    public String kind() {
      return "media-error";
    }
  }

  /**
   * The {@code write}th write reaches the medium for {@code written} blocks ({@code -1}: a seeded
   * number fewer than the write has), then the power goes or the write fails.
   */
  public record TornWrite(int lun, long write, long written, boolean powerLoss) implements Fault {
    @Override
    public String kind() {
      return "torn-write";
    }
  }

  /**
   * The power goes before the {@code write}th write (if not -1), or at {@code step} (if not null).
   */
  public record PowerLossAt(int lun, long write, String step) implements Fault {
    @Override
    public String kind() {
      return "power-loss";
    }
  }

  /**
   * The {@code command}th command with data-in sends {@code afterBytes} of it ({@code -1}: a seeded
   * number fewer than it has) and the connection drops.
   */
  public record Disconnect(int lun, long command, long afterBytes) implements Fault {
    @Override
    public String kind() {
      return "disconnect";
    }
  }

  /**
   * The answers of the drive's commands (those in {@code opcodes}, or all if empty) wait longer.
   */
  public record Delay(int lun, Set<Opcode> opcodes, Distribution distribution) implements Fault {
    public Delay {
      opcodes = opcodes.isEmpty() ? Set.of() : Set.copyOf(opcodes);
    }

    @Override
    public String kind() {
      return "delay";
    }

    /** Whether it delays commands of {@code opcode} (null: one the drive does not know). */
    public boolean delays(Opcode opcode) {
      return opcodes.isEmpty() || (opcode != null && opcodes.contains(opcode));
    }
  }

  /** Noise on serial port {@code port} (null: every one), in the directions given. */
  public record LineNoiseOn(String port, boolean toHost, boolean fromHost, LineNoise noise)
      implements Fault {
    @Override
    public String kind() {
      return "line-noise";
    }

    @Override
    public int lun() {
      return EVERY_DRIVE;
    }

    @Override
    public boolean appliesTo(int drive) {
      return false;
    }
  }

  /** How long a delay lasts, in nanoseconds. */
  public sealed interface Distribution {
    long sample(SplittableRandom random);
  }

  public record Fixed(long nanos) implements Distribution {
    @Override
    public long sample(SplittableRandom random) {
      return nanos;
    }
  }

  public record Uniform(long minNanos, long maxNanos) implements Distribution {
    @Override
    public long sample(SplittableRandom random) {
      return minNanos == maxNanos ? minNanos : random.nextLong(minNanos, maxNanos + 1);
    }
  }

  public record Exponential(long meanNanos) implements Distribution {
    @Override
    public long sample(SplittableRandom random) {
      return (long) (-meanNanos * Math.log(1.0 - random.nextDouble()));
    }
  }

  /** A normal distribution cut at zero: a draw below it is no delay. */
  public record Normal(long meanNanos, long sdNanos) implements Distribution {
    @Override
    public long sample(SplittableRandom random) {
      double gaussian = gaussian(random);
      return Math.max(0, Math.round(meanNanos + sdNanos * gaussian));
    }

    private static double gaussian(SplittableRandom random) {
      // Box-Muller from two uniform draws: one stream, one draw pair per sample.
      double u = 1.0 - random.nextDouble();
      double v = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }

  /**
   * The random stream of the {@code index}th fault of the script for the drive on {@code lun}: the
   * same seed, fault and drive, the same draws.
   */
  public SplittableRandom random(int index, int lun) {
    return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1)) ^ ((long) lun << 48));
  }

  // ------------------------------------------------------------------ reading

  /**
   * Reads the script in {@code file}.
   *
   * @throws FaultScriptException naming the file and what is wrong
   */
  public static FaultScript load(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAXIMUM_BYTES) {
        throw new FaultScriptException(
            "fault script " + file + ": larger than " + MAXIMUM_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new FaultScriptException("fault script " + file + " does not exist", e);
    } catch (IOException e) {
      throw new FaultScriptException("fault script " + file + " cannot be read: " + e, e);
    }
    return parse(file.toString(), bytes);
  }

  /**
   * Reads a script from its text, YAML or JSON.
   *
   * @param source names the script in messages: a file, "the request body"
   * @throws FaultScriptException naming {@code source} and what is wrong
   */
  public static FaultScript parse(String source, byte[] text) {
    String prefix = "fault script " + source + ": ";
    if (text.length > MAXIMUM_BYTES) {
      throw new FaultScriptException(prefix + "larger than " + MAXIMUM_BYTES + " bytes");
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new FaultScriptException(
          prefix + "malformed YAML" + JsonSchemas.where(e) + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new FaultScriptException(prefix + "cannot be read: " + e, e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new FaultScriptException(prefix + "the script is empty");
    }
    return parse(source, tree);
  }

  /**
   * Reads a script from its tree (a request body).
   *
   * @throws FaultScriptException naming {@code source} and what is wrong
   */
  public static FaultScript parse(String source, JsonNode tree) {
    String prefix = "fault script " + source + ": ";
    List<String> problems = JsonSchemas.problems(schema(), tree);
    if (!problems.isEmpty()) {
      throw new FaultScriptException(prefix + String.join("; ", problems));
    }
    List<Fault> faults = new ArrayList<>();
    JsonNode list = tree.get("faults");
    for (int i = 0; i < list.size(); i++) {
      var entry = list.get(i).fields().next();
      String at = "$.faults[" + i + "]." + entry.getKey();
      faults.add(fault(prefix + at, entry.getKey(), entry.getValue()));
    }
    long seed = tree.has("seed") ? tree.get("seed").asLong() : new SecureRandom().nextLong();
    ObjectNode copy = tree.deepCopy();
    copy.put("seed", seed);
    return new FaultScript(seed, faults, copy);
  }

  private static Fault fault(String at, String kind, JsonNode f) {
    int lun = f.path("lun").asInt(EVERY_DRIVE);
    switch (kind) {
      case "media-error" -> {
        return new MediaError(
            lun,
            f.get("lba").asLong(),
            f.path("blocks").asLong(1),
            f.path("on").asText("read").equals("write"),
            f.path("after").asLong(0),
            f.path("times").asLong(-1));
      }
      case "torn-write" -> {
        return new TornWrite(
            lun,
            f.get("write").asLong(),
            f.path("written").asLong(-1),
            !f.path("then").asText("power-loss").equals("medium-error"));
      }
      case "power-loss" -> {
        boolean write = f.has("write");
        boolean step = f.has("step");
        if (write == step) {
          throw new FaultScriptException(at + ": give either 'write' or 'step', not both or none");
        }
        if (step && !SecureLayer.STEPS.contains(f.get("step").asText())) {
          throw new FaultScriptException(
              at
                  + ".step: '"
                  + f.get("step").asText()
                  + "' is not a step of the drive (known: "
                  + String.join(", ", SecureLayer.STEPS)
                  + ")");
        }
        return new PowerLossAt(
            lun, write ? f.get("write").asLong() : -1, step ? f.get("step").asText() : null);
      }
      case "disconnect" -> {
        return new Disconnect(lun, f.get("command").asLong(), f.path("after-bytes").asLong(-1));
      }
      case "delay" -> {
        return new Delay(lun, opcodes(at, f.path("opcodes")), distribution(at, f));
      }
      case "line-noise" -> {
        String direction = f.path("direction").asText("both");
        return new LineNoiseOn(
            f.hasNonNull("port") ? f.get("port").asText() : null,
            !direction.equals("from-host"),
            !direction.equals("to-host"),
            new LineNoise(
                f.path("ber").asDouble(0),
                f.path("drop").asDouble(0),
                f.path("dup").asDouble(0),
                0));
      }
      default -> throw new IllegalStateException("the schema admits no fault " + kind);
    }
  }

  private static Set<Opcode> opcodes(String at, JsonNode names) {
    Set<Opcode> opcodes = EnumSet.noneOf(Opcode.class);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).asText();
      String field = at + ".opcodes[" + i + "]";
      Opcode opcode =
          Opcode.fromText(name.toUpperCase(Locale.ROOT))
              .orElseThrow(
                  () ->
                      new FaultScriptException(
                          field
                              + ": '"
                              + name
                              + "' is not an operation code secdrive knows (write it as"
                              + " REPORT SUPPORTED OPERATION CODES names it: READ(10), TEST UNIT"
                              + " READY)"));
      opcodes.add(opcode);
    }
    return opcodes;
  }

  private static Distribution distribution(String at, JsonNode f) {
    List<String> given = new ArrayList<>();
    for (String name : List.of("fixed-ms", "uniform-ms", "exponential-ms", "normal-ms")) {
      if (f.has(name)) {
        given.add(name);
      }
    }
    if (given.size() != 1) {
      throw new FaultScriptException(
          at
              + ": give one of fixed-ms, uniform-ms, exponential-ms or normal-ms"
              + (given.isEmpty() ? "" : ", not " + String.join(" and ", given)));
    }
    return switch (given.get(0)) {
      case "fixed-ms" -> new Fixed(nanos(f.get("fixed-ms")));
      case "uniform-ms" -> {
        long min = nanos(f.get("uniform-ms").get(0));
        long max = nanos(f.get("uniform-ms").get(1));
        if (min > max) {
          throw new FaultScriptException(at + ".uniform-ms: the first bound is above the second");
        }
        yield new Uniform(min, max);
      }
      case "exponential-ms" -> new Exponential(nanos(f.get("exponential-ms")));
      default ->
          new Normal(nanos(f.get("normal-ms").get("mean")), nanos(f.get("normal-ms").get("sd")));
    };
  }

  private static long nanos(JsonNode ms) {
    return Math.round(ms.asDouble() * TimeUnit.MILLISECONDS.toNanos(1));
  }

  private static JsonSchema schema() {
    JsonSchema compiled = schema;
    if (compiled == null) {
      compiled = JsonSchemas.load(FaultScript.class, SCHEMA);
      schema = compiled;
    }
    return compiled;
  }
}
