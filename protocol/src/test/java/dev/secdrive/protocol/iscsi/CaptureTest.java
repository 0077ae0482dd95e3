package dev.secdrive.protocol.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.protocol.iscsi.IscsiPdu.DataIn;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.LoginResponse;
import dev.secdrive.protocol.iscsi.IscsiPdu.R2t;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiCommand;
import dev.secdrive.protocol.iscsi.IscsiPdu.ScsiResponse;
import dev.secdrive.protocol.iscsi.Opcode.Sender;
import dev.secdrive.protocol.iscsi.PduCodec.Settings;
import dev.secdrive.protocol.testing.Hex;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * PDUs captured on the loopback between libiscsi 1.19 ({@code iscsi-inq}, {@code iscsi-test-cu})
 * and tgt 1.0.85, two implementations independent of this one (Debian 12 packages; see {@code
 * emulator/ISCSI-NOTES.md} for the set-up): each decodes and encodes back to the same bytes. The
 * login used CHAP both ways, after which tgt was configured to insist on HeaderDigest=CRC32C.
 */
class CaptureTest {

  private record Captured(String name, Sender sender, boolean headerDigest, byte[] bytes) {}

  private static List<Captured> load() throws IOException {
    try (InputStream in = CaptureTest.class.getResourceAsStream("/vectors/iscsi-captures.json")) {
      List<Captured> captured = new ArrayList<>();
      for (JsonNode node : new ObjectMapper().readTree(in)) {
        captured.add(
            new Captured(
                node.get("name").asText(),
                Sender.valueOf(node.get("sender").asText()),
                node.get("headerDigest").asBoolean(),
                Hex.parse(node.get("hex").asText())));
      }
      return captured;
    }
  }

  private static Settings settings(Captured c) {
    // Both ends declared MaxRecvDataSegmentLength 262144 in this capture.
    return new Settings(c.sender(), 262144, c.headerDigest(), false);
  }

  private static IscsiPdu decode(Captured c) throws PduException {
    return PduCodec.decode(Unpooled.wrappedBuffer(c.bytes()), settings(c));
  }

  @TestFactory
  Stream<DynamicTest> everyCapturedPduRoundTrips() throws IOException {
    return load().stream()
        .map(
            c ->
                dynamicTest(
                    c.name(),
                    () -> {
                      IscsiPdu pdu = decode(c);
                      assertEquals(c.sender(), pdu.opcode().sender());
                      assertEquals(
                          Hex.format(c.bytes()), Hex.format(PduCodec.encode(pdu, settings(c))));
                    }));
  }

  @Test
  void theCaptureHoldsTheLoginAndTheDataPhases() throws Exception {
    List<Captured> captured = load();
    List<IscsiPdu> pdus = new ArrayList<>();
    for (Captured c : captured) {
      pdus.add(decode(c));
    }
    LoginRequest first = assertInstanceOf(LoginRequest.class, pdus.get(0));
    assertEquals(Stage.SECURITY_NEGOTIATION, first.currentStage());
    assertTrue(first.transit());
    Map<String, String> keys = TextKeys.parse(first.data().toByteArray(), 8192).asMap();
    assertEquals("CHAP,None", keys.get("AuthMethod"));
    assertEquals("Normal", keys.get("SessionType"));

    LoginResponse last =
        pdus.stream()
            .filter(LoginResponse.class::isInstance)
            .map(LoginResponse.class::cast)
            .filter(r -> r.nextStage() == Stage.FULL_FEATURE_PHASE)
            .findFirst()
            .orElseThrow();
    assertEquals(LoginStatus.SUCCESS, last.status());
    assertTrue(last.tsih() != 0, "the target assigns a TSIH when login completes");
    assertEquals(
        "CRC32C", TextKeys.parse(last.data().toByteArray(), 8192).asMap().get("HeaderDigest"));

    DataIn inquiry =
        pdus.stream()
            .filter(DataIn.class::isInstance)
            .map(DataIn.class::cast)
            .findFirst()
            .orElseThrow();
    assertTrue(inquiry.hasStatus() && inquiry.finalPdu(), "tgt phase-collapses the status");
    assertEquals(0, inquiry.status());

    ScsiResponse unitAttention =
        pdus.stream()
            .filter(ScsiResponse.class::isInstance)
            .map(ScsiResponse.class::cast)
            .filter(r -> !r.sense().isEmpty())
            .findFirst()
            .orElseThrow();
    assertEquals(2, unitAttention.status(), "CHECK CONDITION");
    byte[] sense = unitAttention.sense().toByteArray();
    assertEquals(18, sense.length);
    assertArrayEquals(
        new byte[] {0x06, 0x29, 0x00},
        new byte[] {sense[2], sense[12], sense[13]},
        "UNIT ATTENTION, power on or reset (06/29/00)");

    ScsiCommand write =
        pdus.stream()
            .filter(ScsiCommand.class::isInstance)
            .map(ScsiCommand.class::cast)
            .filter(ScsiCommand::write)
            .findFirst()
            .orElseThrow();
    assertEquals(0x2A, write.cdb().toByteArray()[0] & 0xFF);
    assertEquals(512, write.data().length(), "immediate data");
    R2t r2t =
        pdus.stream().filter(R2t.class::isInstance).map(R2t.class::cast).findFirst().orElseThrow();
    assertEquals(0x2000, r2t.bufferOffset());
    assertEquals(512, r2t.desiredDataTransferLength());
    assertEquals(1, Lun.decode(r2t.lun()), "the test ran against LUN 1");
  }
}
