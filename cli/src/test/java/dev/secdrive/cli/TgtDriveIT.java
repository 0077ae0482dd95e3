package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.host.transport.IscsiTransport;
import dev.secdrive.kit.tgt.Tgt;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host driver's standard commands against a standard target: a private tgt (kit {@link Tgt})
 * serving 64 MiB file LUNs over iSCSI, one open, one with one-way CHAP, one with mutual CHAP, one
 * set to CRC32C header and data digests. What DriveIT checks against the emulator that a plain disk
 * has too (identity, capacity, transfers across the command limit, many in flight, VERIFY, MODE
 * SENSE, REQUEST SENSE, REPORT LUNS, an LBA out of range) runs here; secdrive's secure commands are
 * refused as a disk without them refuses them, and the driver says so.
 */
class TgtDriveIT {

  private static final String OPEN = "iqn.2026-12.dev.secdrive:tgt-open";
  private static final String ONE_WAY = "iqn.2026-12.dev.secdrive:tgt-chap";
  private static final String MUTUAL = "iqn.2026-12.dev.secdrive:tgt-mutual";
  private static final String DIGEST = "iqn.2026-12.dev.secdrive:tgt-digest";
  private static final int BLOCKS = (64 << 20) / 512;

  @TempDir static Path directory;

  private static Tgt tgt;
  private static String open;

  @BeforeAll
  static void start() throws Exception {
    tgt = Tgt.start(directory);
    open = tgt.fileTarget(OPEN, disk("open.img"));
    tgt.fileTarget(ONE_WAY, disk("chap.img"));
    tgt.chap(2, "secdrive-host", "host-secret-16b", null, null);
    tgt.fileTarget(MUTUAL, disk("mutual.img"));
    tgt.chap(3, "secdrive-host2", "host-secret-16c", "secdrive-tgt", "target-secret-16");
    tgt.fileTarget(DIGEST, disk("digest.img"));
    tgt.parameter(4, "HeaderDigest", "CRC32C");
    tgt.parameter(4, "DataDigest", "CRC32C");
  }

  @AfterAll
  static void stop() {
    if (tgt != null) {
      tgt.close();
    }
  }

  private static Path disk(String name) throws Exception {
    Path file = directory.resolve(name);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(64 << 20);
    }
    return file;
  }

  private static String at(String iqn) {
    return tgt.portal() + "/" + iqn + "/1";
  }

  @Test
  void identityCapacityAndStateCommands() {
    try (Drive drive = Drive.open(open)) {
      assertEquals(0, drive.inquiry().peripheralDeviceType()); // a disk
      assertEquals(new Capacity(BLOCKS - 1, 512), drive.capacity());
      drive.testUnitReady();
      assertEquals(SenseKey.NO_SENSE, drive.requestSense().key());
      assertFalse(drive.writeProtected());
      assertEquals(List.of(0, 1), drive.reportLuns());
      drive.synchronizeCache();
      ScsiException range = assertThrows(ScsiException.class, () -> drive.read(BLOCKS, 1));
      assertTrue(
          range.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE), range::getMessage);
    }
  }

  @Test
  void transfersAcrossTheCommandLimitAndManyInFlight() throws Exception {
    try (Drive drive = Drive.open(open)) {
      byte[] small = IscsiDriveIT.bytes(512 * 3, 1);
      drive.write(10, small);
      assertArrayEquals(small, drive.read(10, 3));
      // 9 MiB crosses the 8 MiB transfer limit: two commands, each in R2T-solicited bursts.
      byte[] large = IscsiDriveIT.bytes(9 << 20, 2);
      drive.writeAsync(1000, large).get();
      assertArrayEquals(large, drive.readAsync(1000, (9 << 20) / 512).get());
      List<CompletableFuture<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        reads.add(drive.readAsync(1000 + i * 64L, 64));
      }
      for (int i = 0; i < 64; i++) {
        byte[] expected = new byte[64 * 512];
        System.arraycopy(large, i * 64 * 512, expected, 0, expected.length);
        assertArrayEquals(expected, reads.get(i).get());
      }
      drive.verify(10, 3);
    }
  }

  @Test
  void secdrivesSecureCommandsAreRefusedAsByADiskWithoutThem() {
    try (Drive drive = Drive.open(open)) {
      ScsiException medium = assertThrows(ScsiException.class, drive::mediumId);
      assertTrue(
          medium
              .getMessage()
              .endsWith(
                  "; the drive at " + open + " does not implement secdrive's secure command set"),
          medium::getMessage);
      assertTrue(
          medium.getMessage().startsWith("ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE"),
          medium::getMessage);
      ScsiException secure =
          assertThrows(ScsiException.class, () -> drive.secure().supportedProtocols());
      assertTrue(
          secure.getMessage().contains("does not implement secdrive's secure command set"),
          secure::getMessage);
    }
  }

  @Test
  void oneWayChap() {
    try (Drive drive =
        Drive.open(at(ONE_WAY) + "?chap_name=secdrive-host&chap_secret=host-secret-16b")) {
      assertEquals(new Capacity(BLOCKS - 1, 512), drive.capacity());
    }
    TransportException wrong =
        assertThrows(
            TransportException.class,
            () -> Drive.open(at(ONE_WAY) + "?chap_name=secdrive-host&chap_secret=wrong-secret-16"));
    assertTrue(
        wrong.getMessage().endsWith("failed: authentication failure (0201)"), wrong::getMessage);
    assertFalse(wrong.getMessage().contains("wrong-secret"));
  }

  @Test
  void mutualChapAndATargetWithTheWrongSecret() {
    String user = "?chap_name=secdrive-host2&chap_secret=host-secret-16c";
    try (Drive drive =
        Drive.open(
            at(MUTUAL)
                + user
                + "&target_chap_name=secdrive-tgt&target_chap_secret=target-secret-16")) {
      assertEquals(new Capacity(BLOCKS - 1, 512), drive.capacity());
    }
    TransportException rogue =
        assertThrows(
            TransportException.class,
            () ->
                Drive.open(
                    at(MUTUAL)
                        + user
                        + "&target_chap_name=secdrive-tgt&target_chap_secret=not-the-target-16"));
    assertEquals(
        "iSCSI login to "
            + MUTUAL
            + " at 127.0.0.1:"
            + tgt.port()
            + " failed: the target failed mutual CHAP: the target's CHAP response does not match"
            + " its secret",
        rogue.getMessage());
    TransportException silent =
        assertThrows(
            TransportException.class,
            () ->
                Drive.open(
                    at(ONE_WAY)
                        + "?chap_name=secdrive-host&chap_secret=host-secret-16b"
                        + "&target_chap_name=secdrive-tgt&target_chap_secret=target-secret-16"));
    assertTrue(
        silent.getMessage().contains("the target did not authenticate itself")
            || silent.getMessage().contains("failed: "),
        silent::getMessage);
  }

  @Test
  void digestsWhenTheTargetPrefersThem() throws Exception {
    try (Drive drive = Drive.open(at(DIGEST))) {
      IscsiTransport transport = (IscsiTransport) drive.transport();
      assertTrue(transport.parameters().headerDigest());
      assertTrue(transport.parameters().dataDigest());
      byte[] data = IscsiDriveIT.bytes(300 * 1024, 3);
      drive.write(0, data);
      assertArrayEquals(data, drive.read(0, data.length / 512));
    }
    try (Drive drive = Drive.open(at(DIGEST) + "?digest=crc32c")) {
      assertTrue(((IscsiTransport) drive.transport()).parameters().headerDigest());
      assertEquals(new Capacity(BLOCKS - 1, 512), drive.capacity());
    }
    // tgt 1.0.85 takes its setting as a preference: offered only None, it agrees to None.
    try (Drive drive = Drive.open(at(DIGEST) + "?digest=none")) {
      assertFalse(((IscsiTransport) drive.transport()).parameters().headerDigest());
      assertEquals(new Capacity(BLOCKS - 1, 512), drive.capacity());
    }
  }
}
