package dev.secdrive.emulator.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.kit.metrics.Metrics;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InstrumentsTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Instruments instruments = new Instruments(clock::get);

  private String scrape() {
    return new String(Metrics.scrape(instruments.registry()).bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aCommandIsCountedByOpcodeStatusSenseAndBytesAndTimedOnTheDrivesClock() {
    Instruments.DriveMeters drive = instruments.meters(2, "tcp://127.0.0.1:7140");
    Nexus nexus = new Nexus("/127.0.0.1:50000", "tcp://127.0.0.1:7140");
    byte[] read = new Read10(0, false, false, 2048, 0, 8, 0).encode();

    long started = instruments.now();
    clock.addAndGet(300_000); // 300 µs
    instruments.answered(
        drive,
        nexus,
        1,
        read,
        new Response(ScsiStatus.GOOD, null, 4096, -1, 0, null, -1),
        4096,
        0,
        started);
    started = instruments.now();
    clock.addAndGet(2_000_000); // 2 ms
    SenseData error =
        SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
            .withInformation(2050);
    instruments.answered(
        drive,
        nexus,
        2,
        read,
        new Response(ScsiStatus.CHECK_CONDITION, error, 0, -1, 0, "read-error lba=2050", -1),
        0,
        0,
        started);

    String text = scrape();
    String labels = "endpoint=\"tcp://127.0.0.1:7140\",lun=\"2\"";
    assertTrue(
        text.contains(
            "secdrive_commands_total{" + labels + ",opcode=\"READ(10)\",status=\"GOOD\"} 1"),
        text);
    assertTrue(
        text.contains(
            "secdrive_commands_total{"
                + labels
                + ",opcode=\"READ(10)\",status=\"CHECK_CONDITION\"} 1"),
        text);
    assertTrue(
        text.contains(
            "secdrive_command_errors_total{asc=\"11/00\","
                + labels
                + ",sense_key=\"MEDIUM_ERROR\"} 1"),
        text);
    assertTrue(
        text.contains("secdrive_data_bytes_total{direction=\"in\"," + labels + "} 4096"), text);
    assertTrue(text.contains("secdrive_faults_total{kind=\"read-error\",lun=\"2\"} 1"), text);
    // 300 µs falls in the 0.0005 s bucket, 2 ms in the 0.0025 s one.
    assertTrue(
        text.contains("secdrive_command_seconds_bucket{" + labels + ",le=\"2.5E-4\"} 0"), text);
    assertTrue(
        text.contains("secdrive_command_seconds_bucket{" + labels + ",le=\"5.0E-4\"} 1"), text);
    assertTrue(
        text.contains("secdrive_command_seconds_bucket{" + labels + ",le=\"0.0025\"} 2"), text);
    assertTrue(text.contains("secdrive_command_seconds_count{" + labels + "} 2"), text);
  }

  @Test
  void levelsArePerDriveOverTheDefault() {
    assertEquals(CommandLog.OFF, instruments.level(0));
    instruments.setDefaultLevel(CommandLog.ERRORS);
    instruments.setLevel(3, CommandLog.ALL);
    assertEquals(CommandLog.ERRORS, instruments.level(0));
    assertEquals(CommandLog.ALL, instruments.level(3));
    assertEquals(CommandLog.ALL, CommandLog.parse("all"));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> CommandLog.parse("verbose"));
    assertEquals("command log level must be off, errors or all, not 'verbose'", bad.getMessage());
  }

  @Test
  void aNameAHostChoseCannotForgeAFieldOrALine() {
    assertEquals(
        "iqn.2026-12.dev.secdrive:host", Instruments.quoted("iqn.2026-12.dev.secdrive:host"));
    assertEquals("\"TEST UNIT READY\"", Instruments.quoted("TEST UNIT READY"));
    String forged = Instruments.quoted("x status=GOOD\nlun=9 op=\"WRITE\\");
    assertEquals("\"x status=GOOD\\nlun=9 op=\\\"WRITE\\\\\"", forged);
    assertFalse(forged.contains("\n"));
    assertEquals("\"\\u001b[31m\"", Instruments.quoted("\u001b[31m"));
    assertEquals("\"\"", Instruments.quoted(""));
  }

  @Test
  void labelsNameOnlyKnownOperationCodes() {
    assertEquals("READ(10)", Instruments.opcode(new Read10(0, false, false, 0, 0, 1, 0).encode()));
    assertEquals("UNKNOWN", Instruments.opcode(new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0}));
    assertEquals("UNKNOWN", Instruments.opcode(new byte[0]));
  }
}
