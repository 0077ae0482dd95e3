package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.api.TransportException;
import dev.secdrive.host.transport.IscsiTransport;
import dev.secdrive.protocol.iscsi.Chap;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host driver's iSCSI initiator against secdrive's own iSCSI target: standard and secure
 * commands, transfers split across commands, many commands in flight, one-way CHAP, and the cli's
 * {@code drive iscsi://...}.
 */
class IscsiDriveIT {

  @TempDir Path media;
  @TempDir Path scratch;

  private Emulator emulator;
  private IscsiEndpoint portal;

  @BeforeEach
  void start() {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "DVD-1", "dvd-ram-4.7", null);
    portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    emulator =
        Rig.builder(media)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1"))
            .drive(new DriveConfig(1, "dvd-ram", "DEV-DVD-1", "DVD-1"))
            .endpoint(portal)
            .start();
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  private static String uri(IscsiEndpoint portal, int lun) {
    return "iscsi://127.0.0.1:"
        + portal.address().getPort()
        + "/"
        + portal.targetName()
        + "/"
        + lun;
  }

  @Test
  void standardAndSecureCommandsOverIscsi() {
    try (Drive drive = Drive.open(uri(portal, 0))) {
      assertEquals("SECDRIVE", drive.inquiry().vendor());
      assertEquals("DEV-MO-0", drive.deviceId());
      assertEquals(new Capacity(310351, 2048), drive.capacity());
      assertEquals("MO-1", drive.mediumId());
      assertEquals(List.of(0, 1), drive.reportLuns());
      assertFalse(drive.writeProtected());
      drive.testUnitReady();
      assertEquals(SenseKey.NO_SENSE, drive.requestSense().key());
      assertTrue(drive.secure().supportedProtocols().size() >= 2);
      assertTrue(drive.transport() instanceof IscsiTransport);
      assertEquals(
          "iscsi://127.0.0.1:" + portal.address().getPort() + "/" + portal.targetName() + "/0",
          drive.uri().toString());
      ScsiException range = assertThrows(ScsiException.class, () -> drive.read(310352, 1));
      assertTrue(range.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE));
    }
  }

  @Test
  void transfersAcrossTheCommandLimitAndManyInFlight() throws Exception {
    try (Drive drive = Drive.open(uri(portal, 1))) {
      byte[] small = bytes(2048 * 3, 1);
      drive.write(10, small);
      assertArrayEquals(small, drive.read(10, 3));
      // 9 MiB crosses the 8 MiB transfer limit: two commands each way, each in many PDUs.
      byte[] large = bytes(9 << 20, 2);
      drive.writeAsync(1000, large).get();
      assertArrayEquals(large, drive.readAsync(1000, (9 << 20) / 2048).get());
      List<CompletableFuture<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        reads.add(drive.readAsync(1000 + i * 16L, 16));
      }
      for (int i = 0; i < 64; i++) {
        byte[] expected = new byte[16 * 2048];
        System.arraycopy(large, i * 16 * 2048, expected, 0, expected.length);
        assertArrayEquals(expected, reads.get(i).get());
      }
      drive.verify(10, small);
    }
  }

  @Test
  void oneWayChapAgainstSecdrivesTarget(@TempDir Path chapMedia) throws Exception {
    MediumStore store = MediumStore.openOrCreate(chapMedia);
    Rig.createMedium(store, "MO-2", "mo-640", null);
    IscsiEndpoint chapPortal =
        new IscsiEndpoint(
            new InetSocketAddress("127.0.0.1", 0),
            IscsiEndpoint.DEFAULT_TARGET_NAME,
            Optional.of(Chap.Credentials.of("secdrive-host", "host-secret-16by")));
    try (Emulator chapEmulator =
        Rig.builder(chapMedia)
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DEV-MO-9", "MO-2"))
            .endpoint(chapPortal)
            .start()) {
      Path secret = scratch.resolve("chap.secret");
      Files.writeString(secret, "host-secret-16by\n");
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
      String at = uri(chapPortal, 0);
      try (Drive drive = Drive.open(at + "?chap_name=secdrive-host&chap_secret_file=" + secret)) {
        assertEquals("DEV-MO-9", drive.deviceId());
      }

      TransportException wrong =
          assertThrows(
              TransportException.class,
              () -> Drive.open(at + "?chap_name=secdrive-host&chap_secret=not-the-secret"));
      assertEquals(
          "iSCSI login to "
              + IscsiEndpoint.DEFAULT_TARGET_NAME
              + " at 127.0.0.1:"
              + chapPortal.address().getPort()
              + " failed: authentication failure (0201)",
          wrong.getMessage());
      assertFalse(wrong.getMessage().contains("not-the-secret"));

      TransportException none = assertThrows(TransportException.class, () -> Drive.open(at));
      assertTrue(
          none.getMessage().endsWith("failed: authentication failure (0201)"), none::getMessage);

      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
      IllegalArgumentException loose =
          assertThrows(
              IllegalArgumentException.class,
              () -> Drive.open(at + "?chap_name=secdrive-host&chap_secret_file=" + secret));
      assertTrue(loose.getMessage().contains(secret.toString()), loose::getMessage);
      assertFalse(loose.getMessage().contains("host-secret"), loose::getMessage);
    }
  }

  @Test
  void anUnknownTargetNameIsNotFound() {
    String at =
        "iscsi://127.0.0.1:" + portal.address().getPort() + "/iqn.2026-12.dev.secdrive:nobody/0";
    TransportException e = assertThrows(TransportException.class, () -> Drive.open(at));
    assertTrue(e.getMessage().endsWith("failed: target not found (0203)"), e::getMessage);
  }

  @Test
  void theCliDrivesAnIscsiTarget() {
    Cli inquiry = Cli.run("drive", uri(portal, 0), "inquiry");
    assertEquals(0, inquiry.exit(), inquiry::toString);
    assertTrue(inquiry.out().contains("SECDRIVE"), inquiry::toString);
    assertTrue(inquiry.out().contains("MO-640"), inquiry::toString);
  }

  static byte[] bytes(int length, int seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
