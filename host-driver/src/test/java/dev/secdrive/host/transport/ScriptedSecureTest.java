package dev.secdrive.host.transport;

import static dev.secdrive.host.transport.ScriptedPeer.filled;
import static dev.secdrive.host.transport.ScriptedPeer.sense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.transport.ScriptedPeer.Command;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code Drive.secure()} against a scripted device: the SECURITY PROTOCOL IN/OUT CDBs and parameter
 * lists byte for byte as PROTOCOL.md "Secure layer" lays them out, and the device's answers and
 * refusals as the host reports them.
 */
class ScriptedSecureTest {

  private static final String LUN0 = "/0?timeout=5s";
  private static final int IN = 0xA2;
  private static final int OUT = 0xB5;
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] withLength(byte[] body) {
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  @Test
  void challengeAndCertificate() throws Exception {
    byte[] nonce = filled(32, 0x5A);
    Certificate certificate =
        Certificate.unsigned(Certificate.Role.DRIVE, "DEV-1", filled(32, 1), filled(32, 2))
            .withSignature(filled(64, 3));
    byte[] encoded = certificate.encode();
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command challenge = c.read(IN);
              assertEquals(
                  "a2f00001" + "0000" + "00000400" + "0000", HEX.formatHex(challenge.cdb()));
              assertEquals(1024, challenge.expectedDataIn());
              assertEquals(0x80, challenge.flags());
              c.good(challenge, withLength(nonce));
              Command cert = c.read(IN);
              assertEquals("a2000001" + "0000" + "00000400" + "0000", HEX.formatHex(cert.cdb()));
              c.good(
                  cert,
                  ByteBuffer.allocate(4 + encoded.length)
                      .putShort((short) 0)
                      .putShort((short) encoded.length)
                      .put(encoded)
                      .array());
              Command protocols = c.read(IN);
              assertEquals(
                  "a2000000" + "0000" + "00000400" + "0000", HEX.formatHex(protocols.cdb()));
              c.good(protocols, HEX.parseHex("000000000000000200f0"));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        assertArrayEquals(nonce, drive.secure().challenge());
        assertEquals(certificate, drive.secure().certificate());
        assertEquals(List.of(0x00, 0xF0), drive.secure().supportedProtocols());
      }
      peer.awaitScript();
    }
  }

  @Test
  void statusLargerThanTheFirstAllocationIsAskedForAgain() throws Exception {
    List<LicenseStatus.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      entries.add(new LicenseStatus.Entry(String.format("%064d", i), i));
    }
    byte[] full = new LicenseStatus(7, entries).encode();
    assertTrue(full.length > 16 * 1024, "the status must not fit the first allocation");
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command first = c.read(IN);
              assertEquals("a2f00002" + "0000" + "00004000" + "0000", HEX.formatHex(first.cdb()));
              c.good(first, Arrays.copyOf(full, 16 * 1024));
              Command second = c.read(IN);
              assertEquals(full.length, second.cdbField(6, 4), "allocation of the second try");
              assertEquals(full.length, second.expectedDataIn());
              c.good(second, full);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        LicenseStatus status = drive.secure().status();
        assertEquals(7, status.version());
        assertEquals(entries, status.entries());
      }
      peer.awaitScript();
    }
  }

  @Test
  void outOperationsSendTheirParameterLists() throws Exception {
    byte[] blob = HEX.parseHex("53444c4201000000");
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              Command open = c.read(OUT);
              assertEquals("b5f00102" + "0000" + "0000000b" + "0000", HEX.formatHex(open.cdb()));
              assertEquals(0x00, open.flags());
              assertEquals("0254310000000000000064", HEX.formatHex(open.dataOut()));
              c.good(open, new byte[0]);
              Command close = c.read(OUT);
              assertEquals("b5f00103" + "0000" + "00000000" + "0000", HEX.formatHex(close.cdb()));
              assertEquals(0, close.dataOut().length);
              c.good(close, new byte[0]);
              Command backup = c.read(OUT);
              assertEquals("b5f00104" + "0000" + "0000000c" + "0000", HEX.formatHex(backup.cdb()));
              // binding 1, target 0 (host), LBA 0, no recipient certificate
              assertEquals("010000000000000000000000", HEX.formatHex(backup.dataOut()));
              c.good(backup, new byte[0]);
              Command data = c.read(IN);
              assertEquals("a2f00003" + "0000" + "00100004" + "0000", HEX.formatHex(data.cdb()));
              c.good(data, withLength(blob));
              Command toUserArea = c.read(OUT);
              assertEquals("000100000000000004d20000", HEX.formatHex(toUserArea.dataOut()));
              c.good(toUserArea, new byte[0]);
              Command restore = c.read(OUT);
              assertEquals("b5f00105", HEX.formatHex(Arrays.copyOf(restore.cdb(), 4)));
              // source 0 (inline), LBA 0, bytes32 blob
              assertEquals(
                  "00" + "0000000000000000" + "00000008" + HEX.formatHex(blob),
                  HEX.formatHex(restore.dataOut()));
              c.good(restore, new byte[0]);
              Command fromUserArea = c.read(OUT);
              assertEquals(
                  "01" + "00000000000004d2" + "00000000", HEX.formatHex(fromUserArea.dataOut()));
              c.good(fromUserArea, new byte[0]);
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        drive.secure().openPlayback("T1", 100);
        drive.secure().closePlayback();
        assertArrayEquals(blob, drive.secure().backupToHost(Binding.MEDIUM_THEN_DEVICE));
        drive.secure().backupToUserArea(Binding.MEDIUM, 1234);
        drive.secure().restore(blob);
        drive.secure().restoreFromUserArea(1234);
      }
      peer.awaitScript();
    }
  }

  @Test
  void refusalsCarryTheirReason() throws Exception {
    byte[] stale = sense(0x5, 0x6F, 0x00, 3);
    ByteBuffer.wrap(stale).putInt(8, Reason.STALE.code());
    byte[] nothing = sense(0x5, 0x6F, 0x02);
    ByteBuffer.wrap(nothing).putInt(8, Reason.NOTHING_PENDING.code());
    try (ScriptedPeer peer =
        ScriptedPeer.start(
            c -> {
              c.acceptOpen();
              c.checkCondition(c.read(OUT), stale);
              c.checkCondition(c.read(IN), nothing);
              Command unreadable = c.read(IN);
              c.good(unreadable, HEX.parseHex("00000020abcd"));
              c.expectEof();
            })) {
      try (Drive drive = Drive.open(peer.uri(LUN0))) {
        ScsiException e =
            assertThrows(ScsiException.class, () -> drive.secure().restoreFromUserArea(9));
        assertEquals(
            "ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE"
                + " (05/6F/00): stale: older than the medium's license state (its write counter or"
                + " this drive's record) (the medium's write counter or the license version this"
                + " drive recorded: 3)"
                + " on SECURITY PROTOCOL OUT RESTORE",
            e.getMessage());
        assertEquals(Optional.of(Reason.STALE), e.reason());
        ScsiException none = assertThrows(ScsiException.class, () -> drive.secure().backupData());
        assertEquals(Optional.of(Reason.NOTHING_PENDING), none.reason());
        assertTrue(
            none.getMessage()
                .endsWith(
                    ": "
                        + Reason.NOTHING_PENDING.text()
                        + " on SECURITY"
                        + " PROTOCOL IN BACKUP DATA"),
            none.getMessage());
        DriveException bad = assertThrows(DriveException.class, () -> drive.secure().challenge());
        assertTrue(
            bad.getMessage()
                .startsWith(
                    "the drive sent unreadable challenge for SECURITY PROTOCOL" + " IN CHALLENGE"),
            bad.getMessage());
      }
      peer.awaitScript();
    }
  }
}
