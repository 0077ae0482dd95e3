package dev.secdrive.protocol.move;

import static dev.secdrive.protocol.move.MoveFixtures.AUTHORITY;
import static dev.secdrive.protocol.move.MoveFixtures.CLIENT_KEY;
import static dev.secdrive.protocol.move.MoveFixtures.DISTRIBUTOR;
import static dev.secdrive.protocol.move.MoveFixtures.DRIVE_X;
import static dev.secdrive.protocol.move.MoveFixtures.KC;
import static dev.secdrive.protocol.move.MoveFixtures.KR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.testing.Hex;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MoveRecordsTest {

  interface Decoder {
    Object decode(byte[] in) throws ParameterException;
  }

  private static void refused(Decoder d, byte[] in, Kind kind, int offset) {
    ParameterException e = assertThrows(ParameterException.class, () -> d.decode(in));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  private static byte[] with(byte[] in, int at, int value) {
    byte[] out = in.clone();
    out[at] = (byte) value;
    return out;
  }

  private static byte[] append(byte[] in, int... extra) {
    byte[] out = java.util.Arrays.copyOf(in, in.length + extra.length);
    for (int i = 0; i < extra.length; i++) {
      out[in.length + i] = (byte) extra[i];
    }
    return out;
  }

  private static void everyPrefixIsTruncated(Decoder d, byte[] full) {
    for (int n = 0; n < full.length; n++) {
      byte[] prefix = java.util.Arrays.copyOf(full, n);
      ParameterException e = assertThrows(ParameterException.class, () -> d.decode(prefix));
      assertEquals(Kind.TRUNCATED, e.kind(), "prefix of " + n + ": " + e.getMessage());
    }
  }

  // Golden vectors: fixed keys (MoveFixtures), so every byte is reproducible.

  static final String CONDITIONS_HEX = "000000006553F100000000006B49D20000000003 0002 0001";

  @Test
  void useConditionsGoldenVector() throws ParameterException {
    assertEquals(
        Hex.format(Hex.parse(CONDITIONS_HEX)), Hex.format(MoveFixtures.CONDITIONS.encode()));
    assertEquals(MoveFixtures.CONDITIONS, UseConditions.decode(Hex.parse(CONDITIONS_HEX)));
  }

  static final String LICENSE_HEX =
      "53444C4901A0A1A2A3A4A5A6A7A8A9AAABACADAEAF056C69632D3106736F6E67"
          + "2D310000000500000000000000000000000000000000000000006553F1000000"
          + "00006B49D200000000030002000100945344435401040D446973747269627574"
          + "6F72204100000000000000000000000000000000000000000000000000000000"
          + "00000000E7F162A10BEC559AFEA195E4DCE84B69568D5D2CB0963EB446C0685E"
          + "2B17F2F0F35259044D4B187D18A52553461F3A2CBAA88AD868E238C0C0224D76"
          + "7CD1A0E7AF884D6445FB034F910552ADC0A2B815DA2904E655BBF944BE3E67E0"
          + "8AD2DA097CC6DA1D11D08C78D7F9CD08589F018231698E8846B1F5834C3A4A81"
          + "0CBAD87EDDD38764C6F54686361D54C9F2A7B8F7E33480FD0D7396EDF711077A"
          + "7FE33606";

  @Test
  void licenseGoldenVectorRoundTripsAndVerifies() throws ParameterException {
    License license = MoveFixtures.license(5);
    assertEquals(LICENSE_HEX, Hex.format(license.encode()));
    License back = License.decode(Hex.parse(LICENSE_HEX));
    assertEquals(license, back);
    assertTrue(back.verifies());
    assertTrue(Issuer.certifiedBy(back.issuer(), AUTHORITY.publicKey()));
    assertFalse(Issuer.certifiedBy(back.issuer(), CLIENT_KEY.publicKey()));
  }

  static final String CERTIFICATE_HEX =
      "5344434301B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF06736F6E672D3100000005"
          + "00000009012453444C4901D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF056C69632D"
          + "3106736F6E672D3100000009B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF00000000"
          + "6553F100FFFFFFFFFFFFFFFFFFFFFFFF0000000000945344435401040D446973"
          + "7472696275746F72204100000000000000000000000000000000000000000000"
          + "00000000000000000000E7F162A10BEC559AFEA195E4DCE84B69568D5D2CB096"
          + "3EB446C0685E2B17F2F0F35259044D4B187D18A52553461F3A2CBAA88AD868E2"
          + "38C0C0224D767CD1A0E7AF884D6445FB034F910552ADC0A2B815DA2904E655BB"
          + "F944BE3E67E08AD2DA09259EB4A00C36EDC96DA092B43CA9099BF395D647E753"
          + "1118B5953BAD2917FEBD98A59FC9DA201744113E2937486C15384BEA04452FBF"
          + "64AAB5505D86CBFBD30200945344435401040D4469737472696275746F722041"
          + "0000000000000000000000000000000000000000000000000000000000000000"
          + "E7F162A10BEC559AFEA195E4DCE84B69568D5D2CB0963EB446C0685E2B17F2F0"
          + "F35259044D4B187D18A52553461F3A2CBAA88AD868E238C0C0224D767CD1A0E7"
          + "AF884D6445FB034F910552ADC0A2B815DA2904E655BBF944BE3E67E08AD2DA09"
          + "6E0BEB35A56FBF9F9E78A57AC4A95695CB872A2AFF89B169A08F161D4E3AFC7A"
          + "59E6C43C6925604F3470014517DCB4C735545ECAC023DBE34E57E14740576F08";

  @Test
  void contentsCopyCertificateGoldenVectorRoundTripsAndVerifies() throws ParameterException {
    ContentsCopyCertificate c = MoveFixtures.certificate();
    assertEquals(CERTIFICATE_HEX, Hex.format(c.encode()));
    ContentsCopyCertificate back = ContentsCopyCertificate.decode(Hex.parse(CERTIFICATE_HEX));
    assertEquals(c, back);
    assertTrue(back.verifies());
    assertTrue(back.license().verifies());
    assertEquals(9, back.license().leafId());
    assertTrue(back.license().boundTo(back.serial()));
    assertFalse(MoveFixtures.license(5).boundToCertificate());
  }

  static final String SERVICE_DATA_HEX =
      "53445356010D4469737472696275746F72204108636C69656E742D610A647269"
          + "76652D303030310000000504ADC14011F82D1C56D956AA4F9D73D8858361A606"
          + "048525E0D08C638DC75DD8C7883186B800B41D5CF0429695DA9B3CC4F328EBCD"
          + "184A6E482FA578C103F06C770000003C593616AEE1509F9D1177BF2355DC4349"
          + "C529030CAC2A0DFD163274E708EEA0BF7253BF3704089D68C075A72E575F92E4"
          + "DA119E2B662DA343D98E522700945344435401040D4469737472696275746F72"
          + "2041000000000000000000000000000000000000000000000000000000000000"
          + "0000E7F162A10BEC559AFEA195E4DCE84B69568D5D2CB0963EB446C0685E2B17"
          + "F2F0F35259044D4B187D18A52553461F3A2CBAA88AD868E238C0C0224D767CD1"
          + "A0E7AF884D6445FB034F910552ADC0A2B815DA2904E655BBF944BE3E67E08AD2"
          + "DA0992A0D140A1DD359552C93B4DB79B158A86FCAA979ACE76A207E1A7C6759D"
          + "F71EBA194265373223749510D24AAFF8ABC89D1AA51772396F2874D23C1E8BDA"
          + "8A06";

  @Test
  void serviceDataGoldenVectorOpensOnlyOnItsDrive() throws Exception {
    ServiceData s = MoveFixtures.serviceData();
    assertEquals(SERVICE_DATA_HEX, Hex.format(s.encode()));
    ServiceData back = ServiceData.decode(Hex.parse(SERVICE_DATA_HEX));
    assertEquals(s, back);
    assertTrue(back.verifies());
    ServiceData.Secrets secrets = back.open(DRIVE_X.privateKey());
    assertArrayEquals(CLIENT_KEY.privateKey(), secrets.clientPrivateKey());
    assertArrayEquals(MoveFixtures.filled(12, 0x30), secrets.deviceNodeKeys());
    assertThrows(
        AuthenticationException.class, () -> back.open(MoveFixtures.EPHEMERAL.privateKey()));
  }

  @Test
  void serviceDataSecretsAreBoundToEveryByteBeforeThem() throws Exception {
    ServiceData s = MoveFixtures.serviceData();
    ServiceData otherLeaf =
        new ServiceData(
            s.distributor(),
            s.clientId(),
            s.deviceId(),
            6,
            s.depth(),
            s.clientPublicKey(),
            s.ephemeralPublicKey(),
            s.sealedSecrets(),
            s.issuer(),
            s.signature());
    assertThrows(AuthenticationException.class, () -> otherLeaf.open(DRIVE_X.privateKey()));
    assertFalse(otherLeaf.verifies());
  }

  static final String HEADER_HEX =
      "53444350010000008206736F6E672D3109617564696F2F776176056C69632D31"
          + "0D4469737472696275746F722041000000000000002810111213141516170000"
          + "000650515253545500283A463CB87408E0341C3CDF8719F6344CAB156816C073"
          + "55C5EAEBCB76C5BC86547B7AA19FB78E7299FA63E0C7D0AD06CBFFFB7FE1A89F"
          + "BD05";

  @Test
  void packageHeaderGoldenVectorUnwrapsAndChecks() throws Exception {
    ContentPackage.Header h = MoveFixtures.header();
    assertEquals(HEADER_HEX, Hex.format(h.encode()));
    ContentPackage.Header back = ContentPackage.Header.decode(Hex.parse(HEADER_HEX));
    assertEquals(h, back);
    byte[] kc = back.unwrapContentKey(KR);
    assertArrayEquals(KC, kc);
    assertTrue(back.checks(kc));
    assertFalse(back.checks(MoveFixtures.filled(32, 0)));
    assertThrows(AuthenticationException.class, () -> back.unwrapContentKey(new byte[32]));
  }

  @Test
  void packageBlocksLayHeaderDataAndMoveRecordOnBlockBoundaries() throws Exception {
    ContentPackage.Header h = MoveFixtures.header();
    int length = h.length();
    assertEquals(Hex.parse(HEADER_HEX).length, length);
    assertEquals(1, h.headerBlocks(512));
    assertEquals((length + 15) / 16, h.headerBlocks(16));
    assertEquals(1, h.dataBlocks(512));
    assertEquals(3, h.dataBlocks(16));
    assertEquals(100 + 1 + 1, h.moveRecordLba(100, 512));
    assertEquals(100 + h.headerBlocks(16) + 3, h.moveRecordLba(100, 16));
    byte[] plain = MoveFixtures.filled(40, 0);
    byte[] cipher = ContentPackage.crypt(KC, MoveFixtures.NONCE, plain);
    byte[] blocks = ContentPackage.blocks(h, cipher, 512);
    assertEquals(1024, blocks.length);
    assertEquals(h, ContentPackage.Header.decode(blocks));
    assertArrayEquals(
        plain,
        ContentPackage.crypt(
            KC, MoveFixtures.NONCE, java.util.Arrays.copyOfRange(blocks, 512, 552)));
    byte[] file = ContentPackage.file(h, cipher);
    assertEquals(h, ContentPackage.Header.decode(file));
  }

  static final String CIPHER_HEX =
      "BE409C795FCBF3CAD1A4B39DCA4FDF28F3A0A4B8B384E388F57D6D302AB44A4A" + "2B3E82D1A11023A3";

  @Test
  void contentCipherGoldenVectorIsTheTitleCipher() {
    assertEquals(
        CIPHER_HEX,
        Hex.format(ContentPackage.crypt(KC, MoveFixtures.NONCE, MoveFixtures.filled(40, 0))));
  }

  static final String MOVE_RECORD_HEX_START = "53444D5601";

  @Test
  void moveRecordRoundTripsPaddedAndRefusesNonZeroPadding() throws ParameterException {
    MoveRecord m = new MoveRecord(MoveFixtures.certificate());
    byte[] cert = MoveFixtures.certificate().encode();
    byte[] encoded = m.encode();
    assertEquals(
        MOVE_RECORD_HEX_START + String.format("%08X", cert.length) + Hex.format(cert),
        Hex.format(encoded));
    assertEquals(encoded.length, MoveRecord.length(encoded));
    byte[] blocks = m.blocks(512);
    assertEquals((encoded.length + 511) / 512 * 512, blocks.length);
    assertEquals(m.certificate(), MoveRecord.decode(blocks).certificate());
    refused(
        MoveRecord::decode, with(blocks, blocks.length - 1, 1), Kind.RESERVED, blocks.length - 1);
    refused(MoveRecord::decode, new byte[512], Kind.MAGIC, 0);
    refused(MoveRecord::decode, with(blocks, 4, 2), Kind.FORMAT_VERSION, 4);
    // An error inside the certificate points at its byte in the record.
    refused(MoveRecord::decode, with(blocks, 9 + 4, 9), Kind.FORMAT_VERSION, 9 + 4);
  }

  @Test
  void parameterListsGoldenVectors() throws ParameterException {
    MoveOut out = new MoveOut(MoveFixtures.CERTIFICATE_SERIAL, 0x1234);
    String hex = "B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF0000000000001234";
    assertEquals(hex, Hex.format(out.encode()));
    assertEquals(out, MoveOut.decode(Hex.parse(hex)));
    assertEquals("0000000000000200", Hex.format(new PackageLocation(0x200).encode()));
    assertEquals(0x200, PackageLocation.decode(Hex.parse("0000000000000200")).packageLba());
    refused(MoveOut::decode, Hex.parse(hex.substring(0, 46)), Kind.TRUNCATED, 16);
    refused(MoveOut::decode, append(Hex.parse(hex), 0), Kind.TRAILING_BYTES, 24);
    refused(PackageLocation::decode, Hex.parse("8000000000000000"), Kind.INVALID_VALUE, 0);
    refused(PackageLocation::decode, Hex.parse("00"), Kind.TRUNCATED, 0);
  }

  static final String STATUS_HEX =
      "000000AB010D4469737472696275746F72204108636C69656E742D6100000005"
          + "04ADC14011F82D1C56D956AA4F9D73D8858361A606048525E0D08C638DC75DD8"
          + "C70001056C69632D3106736F6E672D310D4469737472696275746F722041A0A1"
          + "A2A3A4A5A6A7A8A9AAABACADAEAF000000006553F100000000006B49D2000000"
          + "0003000200010001B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF06736F6E672D3100"
          + "000009000000000000020000000002";

  @Test
  void clientStatusGoldenVectorRoundTrips() throws ParameterException {
    ClientStatus status =
        new ClientStatus(
            Optional.of(
                new ClientStatus.Client("Distributor A", "client-a", 5, 4, CLIENT_KEY.publicKey())),
            List.of(
                new ClientStatus.LicenseEntry(
                    "lic-1",
                    "song-1",
                    "Distributor A",
                    MoveFixtures.LICENSE_SERIAL,
                    MoveFixtures.CONDITIONS)),
            List.of(
                new ClientStatus.HeldCertificate(
                    MoveFixtures.CERTIFICATE_SERIAL, "song-1", 9, 0x200)),
            2);
    assertEquals(STATUS_HEX, Hex.format(status.encode()));
    assertEquals(status, ClientStatus.decode(Hex.parse(STATUS_HEX)));
    assertEquals("0000000100", Hex.format(ClientStatus.unregistered().encode()));
    assertEquals(ClientStatus.unregistered(), ClientStatus.decode(Hex.parse("0000000100")));
    refused(ClientStatus::decode, Hex.parse("0000000102"), Kind.INVALID_VALUE, 0);
    refused(ClientStatus::decode, Hex.parse("00000002"), Kind.TRUNCATED, 0);
    everyPrefixIsTruncated(ClientStatus::decode, Hex.parse(STATUS_HEX));
  }

  // Malformed fields: each refused with its kind, at its offset.

  @Test
  void malformedLicenseFieldsAreRefusedAtTheirOffsets() {
    byte[] l = MoveFixtures.license(5).encode();
    everyPrefixIsTruncated(License::decode, l);
    refused(License::decode, with(l, 0, 'X'), Kind.MAGIC, 0);
    refused(License::decode, with(l, 4, 2), Kind.FORMAT_VERSION, 4);
    int licenseId = 4 + 1 + 16;
    refused(License::decode, with(l, licenseId, 0), Kind.INVALID_VALUE, licenseId);
    refused(License::decode, with(l, licenseId + 1, ' '), Kind.INVALID_VALUE, licenseId);
    int contentId = licenseId + 1 + 5;
    refused(License::decode, with(l, contentId, 65), Kind.INVALID_VALUE, contentId);
    int conditions = contentId + 1 + 6 + 4 + 16;
    refused(License::decode, with(l, conditions, 0x80), Kind.INVALID_VALUE, conditions);
    // not-after before not-before
    refused(License::decode, with(l, conditions + 8 + 4, 0), Kind.INVALID_VALUE, conditions + 8);
    int issuer = conditions + UseConditions.LENGTH + 2;
    refused(License::decode, with(l, issuer + 5, 9), Kind.INVALID_VALUE, issuer + 5);
    refused(License::decode, append(l, 0), Kind.TRAILING_BYTES, l.length);
  }

  @Test
  void malformedCertificateFieldsAreRefusedAtTheirOffsets() {
    byte[] c = MoveFixtures.certificate().encode();
    everyPrefixIsTruncated(ContentsCopyCertificate::decode, c);
    refused(ContentsCopyCertificate::decode, with(c, 3, 'X'), Kind.MAGIC, 0);
    refused(ContentsCopyCertificate::decode, with(c, 4, 0), Kind.FORMAT_VERSION, 4);
    int contentId = 4 + 1 + 16;
    refused(ContentsCopyCertificate::decode, with(c, contentId, 0), Kind.INVALID_VALUE, contentId);
    int license = contentId + 1 + 6 + 4 + 4 + 2;
    refused(ContentsCopyCertificate::decode, with(c, license, 'X'), Kind.MAGIC, license);
    refused(ContentsCopyCertificate::decode, append(c, 0), Kind.TRAILING_BYTES, c.length);
  }

  @Test
  void malformedServiceDataFieldsAreRefusedAtTheirOffsets() throws Exception {
    byte[] s = MoveFixtures.serviceData().encode();
    everyPrefixIsTruncated(ServiceData::decode, s);
    refused(ServiceData::decode, with(s, 0, 'x'), Kind.MAGIC, 0);
    refused(ServiceData::decode, with(s, 4, 7), Kind.FORMAT_VERSION, 4);
    int name = 5;
    refused(ServiceData::decode, with(s, name + 1, 0xFF), Kind.INVALID_VALUE, name + 1);
    int clientId = name + 1 + "Distributor A".length();
    int deviceId = clientId + 1 + "client-a".length();
    int leaf = deviceId + 1 + "drive-0001".length();
    int depth = leaf + 4;
    refused(ServiceData::decode, with(s, depth, 0), Kind.INVALID_VALUE, depth);
    refused(ServiceData::decode, with(s, depth, 33), Kind.INVALID_VALUE, depth);
    refused(ServiceData::decode, with(s, leaf + 3, 16), Kind.INVALID_VALUE, leaf);
    int sealed = depth + 1 + 32 + 32;
    refused(ServiceData::decode, with(s, sealed, 1), Kind.LENGTH, sealed);
    refused(ServiceData::decode, append(s, 0), Kind.TRAILING_BYTES, s.length);
  }

  @Test
  void malformedHeaderFieldsAreRefusedAtTheirOffsets() {
    byte[] h = MoveFixtures.header().encode();
    refused(ContentPackage.Header::decode, with(h, 0, 'x'), Kind.MAGIC, 0);
    refused(ContentPackage.Header::decode, with(h, 4, 2), Kind.FORMAT_VERSION, 4);
    refused(ContentPackage.Header::decode, with(h, 5, 0x7F), Kind.LENGTH, 5);
    refused(ContentPackage.Header::decode, with(h, 8, 8), Kind.LENGTH, 5);
    // A header length one beyond its fields: a trailing byte inside the declared header.
    byte[] longer = append(with(h, 8, h.length + 1), 0);
    refused(ContentPackage.Header::decode, longer, Kind.TRAILING_BYTES, h.length);
    // One short of its fields: the check is cut.
    refused(ContentPackage.Header::decode, with(h, 8, h.length - 1), Kind.TRUNCATED, h.length - 16);
    int contentId = 9;
    refused(ContentPackage.Header::decode, with(h, contentId, 0), Kind.INVALID_VALUE, contentId);
    int codec = contentId + 1 + 6;
    refused(ContentPackage.Header::decode, with(h, codec + 6, ' '), Kind.INVALID_VALUE, codec);
    int length = codec + 1 + 9 + 1 + 5 + 1 + 13;
    refused(ContentPackage.Header::decode, with(h, length, 0x80), Kind.INVALID_VALUE, length);
    int wrapped = length + 8 + 8 + 4 + 6;
    refused(ContentPackage.Header::decode, with(h, wrapped + 1, 39), Kind.LENGTH, wrapped);
    for (int n = 0; n < h.length; n++) {
      byte[] prefix = java.util.Arrays.copyOf(h, n);
      ParameterException e =
          assertThrows(ParameterException.class, () -> ContentPackage.Header.decode(prefix));
      assertEquals(Kind.TRUNCATED, e.kind(), "prefix of " + n);
    }
  }

  @Test
  void useConditionsPeriodsPlaysAndCopies() {
    UseConditions c = MoveFixtures.CONDITIONS;
    assertFalse(c.inPeriod(Instant.ofEpochSecond(1_699_999_999L)));
    assertTrue(c.inPeriod(Instant.ofEpochSecond(1_700_000_000L)));
    assertTrue(c.inPeriod(Instant.ofEpochSecond(1_800_000_000L)));
    assertFalse(c.inPeriod(Instant.ofEpochSecond(1_800_000_001L)));
    assertEquals(2, c.afterPlay().plays());
    assertEquals(0, c.afterRemovableCopy().removableCopies());
    assertThrows(IllegalStateException.class, () -> c.afterRemovableCopy().afterRemovableCopy());
    UseConditions open = new UseConditions(0, UseConditions.NO_END, UseConditions.UNLIMITED, 0, 0);
    assertTrue(open.inPeriod(Instant.MAX));
    assertEquals(open, open.afterPlay());
  }

  @Test
  void signingWithAnotherKeyThanTheIssuersIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            License.sign(
                MoveFixtures.LICENSE_SERIAL,
                "lic-1",
                "song-1",
                5,
                MoveFixtures.CONDITIONS,
                DISTRIBUTOR,
                CLIENT_KEY));
  }

  @Test
  void aFlippedBitAnywhereInASignedRecordFailsItsSignatureOrItsParse() {
    byte[] c = MoveFixtures.certificate().encode();
    for (int i = 0; i < c.length * 8; i++) {
      byte[] flipped = c.clone();
      flipped[i / 8] ^= (byte) (1 << (i % 8));
      try {
        ContentsCopyCertificate d = ContentsCopyCertificate.decode(flipped);
        boolean issuerOk = Issuer.certifiedBy(d.issuer(), AUTHORITY.publicKey());
        assertFalse(issuerOk && d.verifies(), "bit " + i + " went unnoticed");
      } catch (ParameterException expected) {
        // refused as malformed
      }
    }
  }

  @Test
  void aLicenseOfAnotherRoleIsReadButItsIssuerIsNotCertified() throws ParameterException {
    Certificate licensor =
        Certificate.unsigned(
                Certificate.Role.LICENSOR,
                "Distributor A",
                new byte[32],
                MoveFixtures.DISTRIBUTOR_KEY.publicKey())
            .withSignature(new byte[64]);
    License l =
        License.sign(
            MoveFixtures.LICENSE_SERIAL,
            "lic-1",
            "song-1",
            5,
            MoveFixtures.CONDITIONS,
            licensor,
            MoveFixtures.DISTRIBUTOR_KEY);
    License back = License.decode(l.encode());
    assertTrue(back.verifies());
    assertFalse(Issuer.certifiedBy(back.issuer(), AUTHORITY.publicKey()));
  }
}
