package dev.secdrive.protocol.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The scheme-1 formats that handed the terminal the title key (copy certificate 1, copy record 2)
 * are refused as other format versions, with a message that names both versions.
 */
class CopyFormatVersionsTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void aVersion1CopyCertificateIsAnotherFormatVersion() {
    // SDCC 01, then title, medium and user as version 1 had them.
    byte[] v1 = HEX.parseHex("5344434301" + "0161" + "0162" + "0163" + "00".repeat(120));
    ParameterException e = assertThrows(ParameterException.class, () -> CopyCertificate.decode(v1));
    assertEquals(ParameterException.Kind.FORMAT_VERSION, e.kind());
    assertEquals(4, e.offset());
    assertEquals("copy certificate has format version 1; this secdrive reads 2", e.getMessage());
  }

  @Test
  void aVersion2CopyRecordIsAnotherFormatVersion() {
    byte[] v2 = HEX.parseHex("5344435202" + "00".repeat(200));
    ParameterException e = assertThrows(ParameterException.class, () -> CopyRecord.decode(v2));
    assertEquals(ParameterException.Kind.FORMAT_VERSION, e.kind());
    assertEquals("copy record has format version 2; this secdrive reads 3", e.getMessage());
  }
}
