package dev.secdrive.protocol.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.InvalidCdbException;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of the secure layer's payloads: every decoder either returns a record or throws a
 * {@link ParameterException} whose offset points at the field that is wrong, the offset a drive
 * puts in the 05/26/00 field pointer.
 */
class SecurityPayloadTest {

  private static final byte[] X = filled(32, 0x20);
  private static final byte[] ED = filled(32, 0x40);
  private static final byte[] SIG = filled(64, 0x80);

  private static byte[] filled(int n, int from) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (from + i);
    }
    return out;
  }

  private static BackupBlob sealedBlob() {
    return new BackupBlob(Binding.SEALED, "MO-7", 3, 7, 10, "SD-0002", X, filled(44, 0));
  }

  @Test
  void everyProperPrefixOfAPayloadIsRejectedAtTheEnd() {
    byte[] full =
        new ProvisionRequest(
                filled(32, 0),
                "MO-7",
                "title-1",
                3,
                X,
                filled(48, 1),
                Certificate.unsigned(Certificate.Role.LICENSOR, "Acme", new byte[32], ED).encode(),
                SIG)
            .encode();
    for (int n = 0; n < full.length; n++) {
      byte[] prefix = Arrays.copyOf(full, n);
      ParameterException e =
          assertThrows(ParameterException.class, () -> ProvisionRequest.decode(prefix));
      assertTrue(e.getMessage().contains("ends inside"), e.getMessage());
      assertEquals(ParameterException.Kind.TRUNCATED, e.kind(), e.getMessage());
      assertTrue(e.offset() <= n, "offset " + e.offset() + " within " + n + " bytes");
    }
    byte[] longer = Arrays.copyOf(full, full.length + 1);
    ParameterException e =
        assertThrows(ParameterException.class, () -> ProvisionRequest.decode(longer));
    assertEquals(full.length, e.offset());
    assertEquals("PROVISION parameter list has 1 bytes after its last field", e.getMessage());
    assertEquals(ParameterException.Kind.TRAILING_BYTES, e.kind());
  }

  @Test
  void signedBytesAreTheEncodingWithoutTheSignature() {
    Certificate c = Certificate.unsigned(Certificate.Role.DRIVE, "SD-0001", X, ED);
    byte[] encoded = c.withSignature(SIG).encode();
    assertArrayEquals(Arrays.copyOf(encoded, encoded.length - 64), c.signedBytes());
    assertArrayEquals(c.signedBytes(), c.withSignature(SIG).signedBytes());
  }

  @Test
  void unknownCodesPointAtTheirByte() {
    ParameterException binding =
        assertThrows(
            ParameterException.class,
            () -> BackupRequest.decode(HexFormat.of().parseHex("0700" + "00".repeat(8) + "0000")));
    assertEquals(0, binding.offset());
    assertEquals("unknown binding 7", binding.getMessage());
    ParameterException target =
        assertThrows(
            ParameterException.class,
            () -> BackupRequest.decode(HexFormat.of().parseHex("0009" + "00".repeat(8) + "0000")));
    assertEquals(1, target.offset());
    ParameterException sealed =
        assertThrows(
            ParameterException.class,
            () -> BackupRequest.decode(HexFormat.of().parseHex("0300" + "00".repeat(8) + "0000")));
    assertEquals(10, sealed.offset());
    assertEquals("binding SEALED needs a recipient certificate", sealed.getMessage());
    ParameterException hostLba =
        assertThrows(
            ParameterException.class,
            () ->
                BackupRequest.decode(
                    HexFormat.of().parseHex("0000" + "80" + "00".repeat(7) + "0000")));
    assertEquals(2, hostLba.offset());
    assertEquals("LBA must be 0 for a backup to the host", hostLba.getMessage());
    ParameterException userAreaLba =
        assertThrows(
            ParameterException.class,
            () ->
                BackupRequest.decode(
                    HexFormat.of().parseHex("0001" + "80" + "00".repeat(7) + "0000")));
    assertEquals(2, userAreaLba.offset());
    assertEquals("LBA 9223372036854775808 is beyond any medium", userAreaLba.getMessage());
    ParameterException role =
        assertThrows(
            ParameterException.class,
            () -> Certificate.decode(HexFormat.of().parseHex("5344435401" + "09")));
    assertEquals(5, role.offset());
  }

  @Test
  void aNewerFormatVersionIsNamed() {
    byte[] blob = sealedBlob().encode();
    blob[4] = 3;
    ParameterException e = assertThrows(ParameterException.class, () -> BackupBlob.decode(blob));
    assertEquals("backup blob has format version 3; this secdrive reads 2", e.getMessage());
    assertEquals(4, e.offset());
    assertEquals(ParameterException.Kind.FORMAT_VERSION, e.kind());
  }

  @Test
  void aFormatOneBlobIsRefusedWithAdviceToTakeANewBackup() {
    byte[] blob = sealedBlob().encode();
    blob[4] = 1;
    for (ThrowingBlobRead read :
        List.<ThrowingBlobRead>of(BackupBlob::decode, BackupBlob::encodedLength)) {
      ParameterException e = assertThrows(ParameterException.class, () -> read.apply(blob));
      assertEquals(
          "backup blob has format version 1, which does not carry the medium's write counter;"
              + " this secdrive reads 2: take a new backup",
          e.getMessage());
      assertEquals(4, e.offset());
      assertEquals(ParameterException.Kind.FORMAT_VERSION, e.kind());
    }
  }

  private interface ThrowingBlobRead {
    Object apply(byte[] blob) throws ParameterException;
  }

  @Test
  void encodedLengthIsUnknownUntilTheLayerLengthArrives() throws ParameterException {
    byte[] blob = sealedBlob().encode();
    int header = sealedBlob().aad().length;
    for (int n = 0; n < header; n++) {
      assertEquals(-1, BackupBlob.encodedLength(Arrays.copyOf(blob, n)), "prefix " + n);
    }
    for (int n = header; n <= blob.length; n++) {
      assertEquals(blob.length, BackupBlob.encodedLength(Arrays.copyOf(blob, n)), "prefix " + n);
    }
    byte[] notABlob = Arrays.copyOf(blob, 16);
    notABlob[0] = 'X';
    assertThrows(ParameterException.class, () -> BackupBlob.encodedLength(notABlob));
  }

  @Test
  void theAadIsTheHeaderSoEveryHeaderFieldIsAuthenticated() {
    BackupBlob blob = sealedBlob();
    byte[] encoded = blob.encode();
    byte[] aad = blob.aad();
    assertArrayEquals(Arrays.copyOf(encoded, aad.length), aad);
    assertEquals(encoded.length, aad.length + blob.layers().length);
  }

  @Test
  void truncatedDataInSaysHowMuchToAllocate() {
    byte[] challenge = new Challenge(filled(32, 0)).encode();
    ParameterException e =
        assertThrows(
            ParameterException.class, () -> Challenge.decode(Arrays.copyOf(challenge, 20)));
    assertEquals("challenge truncated: 16 of 32 bytes arrived; allocate 36", e.getMessage());
    assertEquals(36, BackupData.requiredLength(Arrays.copyOf(challenge, 4)));
    assertEquals(-1, BackupData.requiredLength(new byte[3]));
  }

  @Test
  void reasonsTravelInCommandSpecificInformation() {
    for (Reason r : Reason.values()) {
      SenseData decoded = SenseData.decode(r.senseData(42).encode());
      assertEquals(r, Reason.fromSense(decoded).orElseThrow());
      assertEquals(r.code(), decoded.commandSpecific());
      assertEquals(42, decoded.information());
      assertTrue(decoded.valid());
    }
    assertEquals(AdditionalSense.AUTHENTICATION_FAILURE, Reason.STALE.sense());
    assertEquals(AdditionalSense.KEY_NOT_PRESENT, Reason.NO_LICENSE.sense());
    assertTrue(
        Reason.fromSense(SenseData.decode(Reason.STALE.senseData().withCommandSpecific(0).encode()))
            .isEmpty());
  }

  @Test
  void keyLabelsCarryVersionLabelSeparatorAndContext() {
    assertEquals(
        "01" + "6d656469756d" + "00" + "4d4f2d37",
        HexFormat.of().formatHex(KeyLabels.info(KeyLabels.MEDIUM, "MO-7")));
    assertEquals(
        "01" + HexFormat.of().formatHex("secure-area".getBytes()) + "00",
        HexFormat.of().formatHex(KeyLabels.info(KeyLabels.SECURE_AREA, new byte[0])));
  }

  @Test
  void counterBlockIsNonceAndSixteenByteIndex() {
    byte[] nonce = filled(8, 1);
    assertEquals(
        "0102030405060708" + "0000000000000003",
        HexFormat.of().formatHex(TitleHeader.counterBlock(nonce, 48)));
    assertThrows(IllegalArgumentException.class, () -> TitleHeader.counterBlock(nonce, 8));
    TitleHeader h = TitleHeader.unchecked("t", nonce, 2049);
    assertEquals(2, h.dataBlocks(2048));
    assertEquals(0, TitleHeader.unchecked("t", nonce, 0).dataBlocks(2048));
  }

  @Test
  void securityCdbsRejectReservedBytesAndDescribeTheOperation() throws InvalidCdbException {
    byte[] cdb = new SecurityProtocolOut(SecurityProtocols.SECDRIVE, 0x0105, 300).encode();
    assertEquals("SECURITY PROTOCOL OUT RESTORE", Cdbs.decode(cdb).describe());
    assertEquals(
        "SECURITY PROTOCOL IN 00h/0001h",
        new SecurityProtocolIn(SecurityProtocols.INFORMATION, 1, 100).describe());
    for (int offset : List.of(4, 5, 10)) {
      byte[] bad = cdb.clone();
      bad[offset] = 0x01;
      InvalidCdbException e = assertThrows(InvalidCdbException.class, () -> Cdbs.decode(bad));
      assertEquals(FieldPointer.cdb(offset), e.fieldPointer());
      assertEquals(InvalidCdbException.Kind.INVALID_FIELD, e.kind());
    }
  }

  @Test
  void licensorNamesMustBeUtf8AndNotBlankAndLicensorsHaveNoX25519Key() {
    byte[] valid =
        Certificate.unsigned(Certificate.Role.LICENSOR, "Acme", new byte[32], ED).encode();
    byte[] blank = valid.clone();
    System.arraycopy(new byte[] {' ', ' ', ' ', ' '}, 0, blank, 7, 4);
    ParameterException b = assertThrows(ParameterException.class, () -> Certificate.decode(blank));
    assertEquals("certificate: licensor name is blank", b.getMessage());
    assertEquals(6, b.offset());
    byte[] malformed = valid.clone();
    malformed[7] = (byte) 0xC3;
    malformed[8] = (byte) 0x28;
    ParameterException m =
        assertThrows(ParameterException.class, () -> Certificate.decode(malformed));
    assertEquals("certificate: licensor name is not UTF-8", m.getMessage());
    byte[] withKey = valid.clone();
    withKey[11] = 1;
    ParameterException k =
        assertThrows(ParameterException.class, () -> Certificate.decode(withKey));
    assertEquals(11, k.offset());
    // a central site, like a licensor, has a signing key only
    byte[] site =
        Certificate.unsigned(Certificate.Role.CENTRAL_SITE, "Acme", new byte[32], ED).encode();
    site[11] = 1;
    ParameterException s = assertThrows(ParameterException.class, () -> Certificate.decode(site));
    assertEquals(11, s.offset());
    assertEquals("a CENTRAL_SITE certificate carries no X25519 key", s.getMessage());
  }

  @Test
  void masterCatalogsNameTheirTitlesOnceAndTellTheirLength() throws ParameterException {
    byte[] nonce = filled(8, 1);
    byte[] digest = filled(32, 9);
    MasterCatalog.Entry a = new MasterCatalog.Entry("a", "A", 1, 16, 100, nonce, digest);
    MasterCatalog catalog =
        new MasterCatalog(
            List.of(a, new MasterCatalog.Entry("b", "B", 2, 20, 0, nonce, new byte[32])));
    byte[] encoded = catalog.encode();
    assertEquals(encoded.length, MasterCatalog.encodedLength(Arrays.copyOf(encoded, 9)));
    assertEquals(-1, MasterCatalog.encodedLength(Arrays.copyOf(encoded, 8)));
    byte[] padded = Arrays.copyOf(encoded, 2048);
    assertEquals(catalog.titles(), MasterCatalog.decode(padded).titles());
    assertEquals("B", MasterCatalog.decode(padded).find("b").orElseThrow().name());
    assertThrows(IllegalArgumentException.class, () -> new MasterCatalog(List.of(a, a)));
    ParameterException truncated =
        assertThrows(
            ParameterException.class, () -> MasterCatalog.decode(Arrays.copyOf(encoded, 20)));
    assertTrue(truncated.getMessage().startsWith("master catalog of "), truncated.getMessage());
  }

  @Test
  void convertWriteCarriesItsOffsetAheadOfTheData() throws ParameterException {
    java.nio.ByteBuffer list = java.nio.ByteBuffer.allocate(8 + 4096);
    list.put(ConvertWrite.header(12288)).flip().limit(8 + 4096);
    assertEquals(12288, ConvertWrite.offset(list));
    assertEquals(0, list.position(), "the position stays where it was");
    assertThrows(
        ParameterException.class, () -> ConvertWrite.offset(java.nio.ByteBuffer.allocate(7)));
    assertThrows(IllegalArgumentException.class, () -> ConvertWrite.header(-1));
  }
}
