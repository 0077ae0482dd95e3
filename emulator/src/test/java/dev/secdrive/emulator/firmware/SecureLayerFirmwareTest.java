package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertFieldPointer;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Harness.Result;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import dev.secdrive.protocol.sense.SenseData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protocol 00h and the CDB checks of SECURITY PROTOCOL IN / OUT, through the firmware. */
class SecureLayerFirmwareTest extends SecureLayerFixture {

  // ------------------------------------------------------------------ protocol 00h

  @Test
  void discoveryListsProtocolsAndTheCertifiedDriveCertificate() throws Exception {
    Result list = assertGood(in(h, host, 0x00, 0x0000, 64));
    assertEquals(List.of(0x00, 0xF0), SupportedSecurityProtocols.decode(list.data()).protocols());
    Certificate drive = certificate(h, host);
    assertEquals("SDDSEC0001", drive.subject());
    assertEquals(Certificate.Role.DRIVE, drive.role());
    assertTrue(authority.verify(drive, Certificate.Role.DRIVE));
    assertEquals(4, assertGood(in(h, host, 0x00, 0x0001, 4)).data().length, "allocation truncates");
  }

  @Test
  void anEmptyDriveShowsItsCertificateButNoLicenseOperation(@TempDir Path other) throws Exception {
    try (Harness empty =
        new Harness(other, "mo-640", DriveKeys.enroll("SDDEMPTY", authority), DriveNv.inMemory())) {
      Nexus n = empty.nexus();
      empty.clearUnitAttentions(n);
      assertEquals("SDDEMPTY", certificate(empty, n).subject());
      assertGood(in(empty, n, 0x00, 0x0000, 64));
      assertCheck(in(empty, n, Operation.CHALLENGE), 0x02, 0x3A, 0x00);
    }
  }

  @Test
  void cdbChecks() {
    SenseData inc =
        assertCheck(h.run(host, new SecurityProtocolIn(0xF0, 1, true, 64, 0)), 0x05, 0x24, 0x00);
    assertFieldPointer(inc, 4, 7);
    assertFieldPointer(assertCheck(in(h, host, 0xEF, 1, 64), 0x05, 0x24, 0x00), 1, -1);
    assertFieldPointer(assertCheck(in(h, host, 0xF0, 0x0101, 64), 0x05, 0x24, 0x00), 2, -1);
    assertFieldPointer(assertCheck(in(h, host, 0x00, 0x0002, 64), 0x05, 0x24, 0x00), 2, -1);
    SenseData length =
        assertCheck(
            h.run(host, new SecurityProtocolOut(0xF0, 0x0103, 4), new byte[0]), 0x05, 0x24, 0x00);
    assertFieldPointer(length, 6, -1);
    SenseData garbage =
        assertCheck(out(h, host, Operation.OPEN_PLAYBACK, new byte[] {0, 0}), 0x05, 0x26, 0x00);
    assertFalse(garbage.fieldPointer().inCdb());
  }

  @Test
  void pressedMediaHaveNoSecureArea(@TempDir Path other) {
    try (Harness mo = new Harness(other, "mo-640", TimingMode.FAST)) {
      Medium pressed = mo.create("PRESSED-1", "mo-640", BLOCK, 1000, true);
      mo.firmware.insert(pressed);
      Nexus n = mo.nexus();
      assertFieldPointer(assertCheck(in(mo, n, Operation.CHALLENGE), 0x05, 0x24, 0x00), 1, -1);
    }
  }
}
