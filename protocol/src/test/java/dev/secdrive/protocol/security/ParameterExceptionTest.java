package dev.secdrive.protocol.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Every decoder says what is wrong with a payload as a {@link Kind} and where as an offset, so that
 * the drive chooses its answer (05/26/00 with a field pointer, or refusal 0Bh) without reading the
 * message; and the records that carry another record as a field say where that field starts.
 */
class ParameterExceptionTest {

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

  private interface Decode {
    Object decode() throws ParameterException;
  }

  private static ParameterException refused(Decode decode) {
    return assertThrows(ParameterException.class, decode::decode);
  }

  private static void assertRefused(Kind kind, int offset, Decode decode) {
    ParameterException e = refused(decode);
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  private static byte[] licensorCertificate() {
    return Certificate.unsigned(Certificate.Role.LICENSOR, "Acme", new byte[32], ED)
        .withSignature(SIG)
        .encode();
  }

  private static byte[] blob() {
    return new BackupBlob(Binding.SEALED, "MO-7", 3, 7, 10, "SD-0002", X, filled(44, 0)).encode();
  }

  @Test
  void aListThatEndsInsideAFieldIsTruncatedAtThatField() {
    byte[] blob = blob();
    assertRefused(Kind.TRUNCATED, 4, () -> BackupBlob.decode(Arrays.copyOf(blob, 4)));
    assertRefused(Kind.TRUNCATED, 9, () -> BackupBlob.decode(Arrays.copyOf(blob, 10)));
    assertRefused(Kind.TRUNCATED, 0, () -> ConvertWrite.offset(ByteBuffer.allocate(7)));
    byte[] challenge = new Challenge(filled(32, 0)).encode();
    assertRefused(Kind.TRUNCATED, 0, () -> Challenge.decode(Arrays.copyOf(challenge, 20)));
  }

  @Test
  void bytesAfterTheLastFieldAreTrailingBytes() {
    byte[] blob = blob();
    assertRefused(
        Kind.TRAILING_BYTES,
        blob.length,
        () -> BackupBlob.decode(Arrays.copyOf(blob, blob.length + 1)));
  }

  @Test
  void magicVersionAndReservedBytesHaveKindsOfTheirOwn() {
    byte[] wrongMagic = blob();
    wrongMagic[0] = 'X';
    assertRefused(Kind.MAGIC, 0, () -> BackupBlob.decode(wrongMagic));
    byte[] newer = blob();
    newer[4] = 3;
    assertRefused(Kind.FORMAT_VERSION, 4, () -> BackupBlob.decode(newer));
    assertRefused(Kind.FORMAT_VERSION, 4, () -> BackupBlob.encodedLength(newer));
    byte[] certificate = licensorCertificate();
    certificate[4] = 9;
    assertRefused(Kind.FORMAT_VERSION, 4, () -> Certificate.decode(certificate));
    byte[] reserved = blob();
    reserved[7] = 1;
    assertRefused(Kind.RESERVED, 6, () -> BackupBlob.decode(reserved));
  }

  @Test
  void lengthsBeyondTheirMaximumOrDisagreeingAreLength() {
    byte[] tooLong = HexFormat.of().parseHex("00" + "00".repeat(8) + "7FFFFFFF");
    assertRefused(Kind.LENGTH, 9, () -> RestoreRequest.decode(tooLong));
    byte[] challenge = new Challenge(filled(32, 0)).encode();
    byte[] shortNonce = Arrays.copyOf(challenge, 20);
    shortNonce[3] = 16;
    assertRefused(Kind.LENGTH, 0, () -> Challenge.decode(shortNonce));
  }

  @Test
  void valuesTheFormatDoesNotAllowAreInvalidValues() {
    assertRefused(
        Kind.INVALID_VALUE,
        0,
        () -> BackupRequest.decode(HexFormat.of().parseHex("0700" + "00".repeat(8) + "0000")));
    assertRefused(
        Kind.INVALID_VALUE,
        2,
        () ->
            BackupRequest.decode(HexFormat.of().parseHex("0000" + "80" + "00".repeat(7) + "0000")));
    assertRefused(
        Kind.INVALID_VALUE,
        5,
        () -> Certificate.decode(HexFormat.of().parseHex("5344435401" + "09")));
    byte[] blank = licensorCertificate();
    System.arraycopy(new byte[] {' ', ' ', ' ', ' '}, 0, blank, 7, 4);
    assertRefused(Kind.INVALID_VALUE, 6, () -> Certificate.decode(blank));
  }

  @Test
  void withinMovesTheOffsetKeepingKindAndMessage() {
    ParameterException e = new ParameterException(Kind.MAGIC, "not a certificate", 3);
    ParameterException moved = e.within(10);
    assertEquals(Kind.MAGIC, moved.kind());
    assertEquals(13, moved.offset());
    assertEquals("not a certificate", moved.getMessage());
  }

  @Test
  void certificateDataPointsIntoTheCertificateItCarries() {
    byte[] certificate = licensorCertificate();
    byte[] data = new Fields.Writer().u16(0).bytes16(certificate).toByteArray();
    data[CertificateData.CERTIFICATE_OFFSET + 4] = 9;
    assertRefused(
        Kind.FORMAT_VERSION,
        CertificateData.CERTIFICATE_OFFSET + 4,
        () -> CertificateData.decode(data));
  }

  // ---------------------------------------------------------------- offsets of nested records

  private static void assertAt(byte[] encoded, int offset, byte[] field) {
    assertArrayEquals(field, Arrays.copyOfRange(encoded, offset, offset + field.length));
  }

  @Test
  void provisionRequestsSayWhereTheLicensorCertificateStarts() {
    byte[] certificate = licensorCertificate();
    ProvisionRequest request =
        new ProvisionRequest(
            filled(32, 0), "MO-7", "title-1", 3, X, filled(48, 1), certificate, SIG);
    assertAt(request.encode(), request.licensorCertificateOffset(), certificate);
  }

  @Test
  void conversionGrantsSayWhereTheCenterCertificateStarts() {
    byte[] certificate = licensorCertificate();
    ConversionGrant grant =
        new ConversionGrant("film", "MO-2", "SD-0001", 7, X, filled(80, 3), certificate, SIG);
    assertAt(grant.encode(), grant.centerCertificateOffset(), certificate);
    InstallConversion install = new InstallConversion(grant.encode(), 16, 5000, filled(8, 1));
    byte[] list = install.encode();
    assertAt(list, InstallConversion.GRANT_OFFSET, grant.encode());
    assertAt(list, install.plaintextLengthOffset(), new Fields.Writer().u64(5000).toByteArray());
  }

  @Test
  void backupAndResealRequestsSayWhereTheRecipientCertificateStarts() {
    byte[] certificate =
        Certificate.unsigned(Certificate.Role.DRIVE, "SD-0002", X, ED).withSignature(SIG).encode();
    BackupRequest backup =
        new BackupRequest(Binding.SEALED, BackupRequest.Target.HOST, 0, certificate);
    assertAt(backup.encode(), BackupRequest.RECIPIENT_CERTIFICATE_OFFSET, certificate);
    ResealRequest reseal = new ResealRequest(BlobSource.INLINE, 0, blob(), certificate);
    assertAt(reseal.encode(), reseal.recipientCertificateOffset(), certificate);
  }
}
