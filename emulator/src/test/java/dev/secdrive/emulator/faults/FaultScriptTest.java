package dev.secdrive.emulator.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.faults.FaultScript.Delay;
import dev.secdrive.emulator.faults.FaultScript.Disconnect;
import dev.secdrive.emulator.faults.FaultScript.LineNoiseOn;
import dev.secdrive.emulator.faults.FaultScript.MediaError;
import dev.secdrive.emulator.faults.FaultScript.PowerLossAt;
import dev.secdrive.emulator.faults.FaultScript.TornWrite;
import dev.secdrive.protocol.cdb.Opcode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScriptTest {

  private static FaultScript parse(String text) {
    return FaultScript.parse("test.yaml", text.getBytes(StandardCharsets.UTF_8));
  }

  private static String refusal(String text) {
    return assertThrows(FaultScriptException.class, () -> parse(text)).getMessage();
  }

  @Test
  void everyKindReadsFromYaml() {
    FaultScript script =
        parse(
            """
            seed: 42
            faults:
              - media-error: {lun: 0, lba: 2048, blocks: 4, on: write, after: 3, times: 1}
              - media-error: {lba: 7}
              - torn-write: {lun: 0, write: 5, written: 2, then: medium-error}
              - torn-write: {lun: 1, write: 1}
              - power-loss: {lun: 1, write: 10}
              - power-loss: {step: "restore:secure-area-renamed"}
              - disconnect: {lun: 0, command: 4, after-bytes: 4096}
              - delay: {opcodes: ["READ(10)", "write(10)"], uniform-ms: [1, 5]}
              - delay: {normal-ms: {mean: 2, sd: 0.5}}
              - line-noise: {port: /dev/ttyUSB0, ber: 1.0e-5, direction: to-host}
            """);
    assertEquals(42, script.seed());
    List<FaultScript.Fault> f = script.faults();
    assertEquals(new MediaError(0, 2048, 4, true, 3, 1), f.get(0));
    assertEquals(new MediaError(FaultScript.EVERY_DRIVE, 7, 1, false, 0, -1), f.get(1));
    assertEquals(new TornWrite(0, 5, 2, false), f.get(2));
    assertEquals(new TornWrite(1, 1, -1, true), f.get(3));
    assertEquals(new PowerLossAt(1, 10, null), f.get(4));
    assertEquals(new PowerLossAt(-1, -1, "restore:secure-area-renamed"), f.get(5));
    assertEquals(new Disconnect(0, 4, 4096), f.get(6));
    Delay delay = assertInstanceOf(Delay.class, f.get(7));
    assertEquals(Set.of(Opcode.READ_10, Opcode.WRITE_10), delay.opcodes());
    assertEquals(new FaultScript.Uniform(1_000_000, 5_000_000), delay.distribution());
    assertTrue(delay.delays(Opcode.READ_10));
    assertFalse(delay.delays(Opcode.INQUIRY));
    assertEquals(new FaultScript.Normal(2_000_000, 500_000), ((Delay) f.get(8)).distribution());
    LineNoiseOn noise = assertInstanceOf(LineNoiseOn.class, f.get(9));
    assertEquals("/dev/ttyUSB0", noise.port());
    assertTrue(noise.toHost());
    assertFalse(noise.fromHost());
    assertEquals(1.0e-5, noise.noise().bitErrorRate());
  }

  @Test
  void jsonIsYamlToo() {
    FaultScript script = parse("{\"seed\": 7, \"faults\": [{\"disconnect\": {\"command\": 1}}]}");
    assertEquals(List.of(new Disconnect(-1, 1, -1)), script.faults());
  }

  @Test
  void refusalsNameTheFileAndTheField() {
    assertEquals(
        "fault script test.yaml: $.faults[0].explode: property 'explode' is not defined in the"
            + " schema",
        refusal("faults:\n  - explode: {lun: 0}\n"));
    assertTrue(
        refusal("faults:\n  - media-error: {lba: -1}\n")
            .startsWith("fault script test.yaml: $.faults[0].media-error.lba: "),
        refusal("faults:\n  - media-error: {lba: -1}\n"));
    assertEquals(
        "fault script test.yaml: $.faults[0].media-error.lba: required property 'lba' not found",
        refusal("faults:\n  - media-error: {lun: 0}\n"));
    assertEquals(
        "fault script test.yaml: $.faults[0].power-loss: give either 'write' or 'step', not both"
            + " or none",
        refusal("faults:\n  - power-loss: {lun: 0}\n"));
    assertTrue(
        refusal("faults:\n  - power-loss: {step: nowhere}\n")
            .startsWith(
                "fault script test.yaml: $.faults[0].power-loss.step: 'nowhere' is not a step of"
                    + " the drive (known: provision:verified, "),
        refusal("faults:\n  - power-loss: {step: nowhere}\n"));
    assertTrue(
        refusal("faults:\n  - delay: {opcodes: [FROB], fixed-ms: 1}\n")
            .startsWith(
                "fault script test.yaml: $.faults[0].delay.opcodes[0]: 'FROB' is not an operation"
                    + " code secdrive knows"));
    assertEquals(
        "fault script test.yaml: $.faults[0].delay: give one of fixed-ms, uniform-ms,"
            + " exponential-ms or normal-ms, not fixed-ms and exponential-ms",
        refusal("faults:\n  - delay: {fixed-ms: 1, exponential-ms: 2}\n"));
    assertEquals(
        "fault script test.yaml: $.faults[0].delay.uniform-ms: the first bound is above the"
            + " second",
        refusal("faults:\n  - delay: {uniform-ms: [5, 1]}\n"));
    assertEquals(
        "fault script test.yaml: $.faults: required property 'faults' not found",
        refusal("seed: 1\n"));
    assertEquals("fault script test.yaml: the script is empty", refusal(""));
    assertTrue(
        refusal("faults:\n  - media-error: {lba: 1\n")
            .startsWith("fault script test.yaml: malformed YAML at line "),
        refusal("faults:\n  - media-error: {lba: 1\n"));
    assertTrue(
        refusal("faults: []\nfaults: []\n").contains("Duplicate field 'faults'"),
        refusal("faults: []\nfaults: []\n"));
    assertTrue(
        refusal("faults:\n  - {media-error: {lba: 1}, disconnect: {command: 1}}\n")
            .contains("$.faults[0]"),
        "one kind per fault");
  }

  @Test
  void anAliasBombAndAnOversizedScriptAreRefusedBeforeTheyCostMemory() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char previous = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 10; i++) {
        bomb.append(i == 0 ? "" : ", ").append('*').append(previous);
      }
      bomb.append("]\n");
    }
    bomb.append("faults: []\n");
    // Jackson reads an alias as the anchor's name and never expands it: ten levels of ten
    // aliases each are a few hundred bytes of tree, refused by the schema, not 10^10 nodes.
    String refused = refusal(bomb.toString());
    assertTrue(
        refused.startsWith("fault script test.yaml: $.a: property 'a' is not defined"), refused);
    byte[] large = new byte[FaultScript.MAXIMUM_BYTES + 1];
    java.util.Arrays.fill(large, (byte) ' ');
    FaultScriptException tooLarge =
        assertThrows(FaultScriptException.class, () -> FaultScript.parse("big.yaml", large));
    assertEquals(
        "fault script big.yaml: larger than " + FaultScript.MAXIMUM_BYTES + " bytes",
        tooLarge.getMessage());
  }

  @Test
  void aScriptWithoutASeedGetsOneAndShowsIt() {
    FaultScript a = parse("faults: []\n");
    FaultScript b = parse("faults: []\n");
    assertNotEquals(a.seed(), b.seed(), "chosen at random");
    assertEquals(a.seed(), a.source().get("seed").asLong(), "and shown with the script");
  }

  @Test
  void theSameSeedDrawsTheSameAndAnotherFaultOrDriveDrawsOtherwise() {
    FaultScript script = parse("seed: 99\nfaults: []\n");
    long first = script.random(0, 0).nextLong();
    assertEquals(first, parse("seed: 99\nfaults: []\n").random(0, 0).nextLong());
    assertNotEquals(first, script.random(1, 0).nextLong());
    assertNotEquals(first, script.random(0, 1).nextLong());
    assertNotEquals(first, parse("seed: 98\nfaults: []\n").random(0, 0).nextLong());
  }

  @Test
  void delaysAreDrawnFromTheirDistribution() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    assertEquals(5_000_000, new FaultScript.Fixed(5_000_000).sample(random));
    long uniformSum = 0;
    long exponentialSum = 0;
    long normalSum = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      long u = new FaultScript.Uniform(1_000_000, 3_000_000).sample(random);
      assertTrue(u >= 1_000_000 && u <= 3_000_000, "uniform within its bounds: " + u);
      uniformSum += u;
      long e = new FaultScript.Exponential(2_000_000).sample(random);
      assertTrue(e >= 0, "exponential never negative");
      exponentialSum += e;
      long g = new FaultScript.Normal(1_000_000, 2_000_000).sample(random);
      assertTrue(g >= 0, "normal cut at zero");
      normalSum += g;
    }
    assertEquals(2_000_000, uniformSum / n, 50_000, "the uniform mean");
    assertEquals(2_000_000, exponentialSum / n, 100_000, "the exponential mean");
    // A normal of mean 1 ms and sd 2 ms cut at 0: E[max(0, X)] = mu Phi(mu/sd) + sd phi(mu/sd)
    // = 1 x 0.6915 + 2 x 0.3521 = about 1.396 ms.
    assertEquals(1_396_000, normalSum / n, 60_000, "the cut normal's mean");
  }
}
