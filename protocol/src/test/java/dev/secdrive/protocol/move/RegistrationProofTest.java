package dev.secdrive.protocol.move;

import static dev.secdrive.protocol.move.MoveFixtures.AUTHORITY;
import static dev.secdrive.protocol.move.MoveFixtures.DISTRIBUTOR;
import static dev.secdrive.protocol.move.MoveFixtures.DISTRIBUTOR_KEY;
import static dev.secdrive.protocol.move.MoveFixtures.DRIVE_X;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.testing.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The registration proof's parameter list and record (PROTOCOL.md "Registration proof"): golden
 * vectors with the fixed keys of {@link MoveFixtures} and the drive's Ed25519 seed 61h.., the
 * lengths the drive checks, and a signature bound to every field and to its label.
 */
class RegistrationProofTest {

  static final RawKeyPair DRIVE_ED = MoveFixtures.ed(0x61);
  static final Certificate DRIVE = drive("drive-0001", DRIVE_ED);
  static final byte[] CHALLENGE = MoveFixtures.filled(24, 0x90);
  static final ProofRequest REQUEST = new ProofRequest(DISTRIBUTOR, "alice", CHALLENGE);

  static Certificate drive(String deviceId, RawKeyPair ed) {
    Certificate unsigned =
        Certificate.unsigned(Certificate.Role.DRIVE, deviceId, DRIVE_X.publicKey(), ed.publicKey());
    return unsigned.withSignature(Ed25519.sign(AUTHORITY.privateKey(), unsigned.signedBytes()));
  }

  private static void refused(MoveRecordsTest.Decoder d, byte[] in, Kind kind, int offset) {
    ParameterException e = assertThrows(ParameterException.class, () -> d.decode(in));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  private static byte[] with(byte[] in, int at, int value) {
    byte[] out = in.clone();
    out[at] = (byte) value;
    return out;
  }

  static final String SDCT_HEX =
      "5344435401040D4469737472696275746F722041"
          + "0000000000000000000000000000000000000000000000000000000000000000"
          + "E7F162A10BEC559AFEA195E4DCE84B69568D5D2CB0963EB446C0685E2B17F2F0"
          + "F35259044D4B187D18A52553461F3A2CBAA88AD868E238C0C0224D767CD1A0E7"
          + "AF884D6445FB034F910552ADC0A2B815DA2904E655BBF944BE3E67E08AD2DA09";

  static final String CHALLENGE_HEX = "18909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7";

  static final String REQUEST_HEX = "0094" + SDCT_HEX + "05616C696365" + CHALLENGE_HEX;

  static final String SIGNATURE_HEX =
      "D110DF7EC1C9A057CA81A0CD9BA8A1CE4C6D05D7D365DB64401FC5B33B49FCAD"
          + "A80D15B1DCF937D62559CDD36E4A554393FBCC1B62DD18C30DD072136E2AA701";

  static final String PROOF_HEX =
      "5344525001" + "0A6472697665" + "2D30303031" + REQUEST_HEX + SIGNATURE_HEX;

  @Test
  void proveRegistrationParameterListGoldenVector() throws ParameterException {
    assertEquals(REQUEST_HEX, Hex.format(REQUEST.encode()));
    assertEquals(REQUEST, ProofRequest.decode(Hex.parse(REQUEST_HEX)));
    assertEquals(2 + 148, REQUEST.userIdOffset());
  }

  @Test
  void registrationProofGoldenVectorRoundTripsAndVerifiesUnderTheDrivesKey() throws Exception {
    RegistrationProof proof = RegistrationProof.sign("drive-0001", REQUEST, DRIVE_ED.privateKey());
    assertEquals(PROOF_HEX, Hex.format(proof.encode()));
    RegistrationProof back = RegistrationProof.decode(Hex.parse(PROOF_HEX));
    assertEquals(proof, back);
    assertTrue(back.answers(REQUEST));
    assertTrue(back.signedBy(DRIVE));
    assertEquals(
        String.format("%08X", PROOF_HEX.length() / 2) + PROOF_HEX, Hex.format(back.dataIn()));
    assertEquals(back, RegistrationProof.fromDataIn(back.dataIn()));
    // The signature covers the label, then the record: a verifier can check it with JCA alone.
    byte[] message = RegistrationProof.LABEL.getBytes(StandardCharsets.US_ASCII);
    assertEquals(30, message.length);
    byte[] signed = Arrays.copyOf(message, message.length + back.signedBytes().length);
    System.arraycopy(back.signedBytes(), 0, signed, 30, back.signedBytes().length);
    assertTrue(Ed25519.verify(DRIVE_ED.publicKey(), signed, back.signature()));
    assertFalse(Ed25519.verify(DRIVE_ED.publicKey(), back.signedBytes(), back.signature()));
  }

  @Test
  void aProofIsSignedByItsDriveOnlyAndForItsRequestOnly() {
    RegistrationProof proof = RegistrationProof.sign("drive-0001", REQUEST, DRIVE_ED.privateKey());
    // Another drive's key, or the right key under another device ID.
    RawKeyPair other = MoveFixtures.ed(0x71);
    assertFalse(proof.signedBy(drive("drive-0001", other)));
    assertFalse(proof.signedBy(drive("drive-0002", DRIVE_ED)));
    RegistrationProof byOther = RegistrationProof.sign("drive-0001", REQUEST, other.privateKey());
    assertFalse(byOther.signedBy(DRIVE));
    // Another user, distributor or challenge: not the request, and not the signature either.
    ProofRequest forBob = new ProofRequest(DISTRIBUTOR, "bob", CHALLENGE);
    Certificate b = MoveFixtures.distributor("Distributor B", MoveFixtures.ed(0x31));
    ProofRequest atB = new ProofRequest(b, "alice", CHALLENGE);
    ProofRequest otherChallenge = new ProofRequest(DISTRIBUTOR, "alice", new byte[24]);
    for (ProofRequest r : new ProofRequest[] {forBob, atB, otherChallenge}) {
      assertFalse(proof.answers(r), r.toString());
      RegistrationProof moved =
          new RegistrationProof(
              "drive-0001", r.distributor(), r.userId(), r.challenge(), proof.signature());
      assertFalse(moved.signedBy(DRIVE), r.toString());
    }
    // A distributor certificate that is no distributor's is refused when made.
    assertThrows(IllegalArgumentException.class, () -> new ProofRequest(DRIVE, "alice", CHALLENGE));
    assertTrue(Arrays.equals(DISTRIBUTOR_KEY.publicKey(), DISTRIBUTOR.ed25519PublicKey()));
  }

  @Test
  void theDriveChecksEveryLength() {
    byte[] list = Hex.parse(REQUEST_HEX);
    int user = 2 + 148;
    int challenge = user + 1 + 5;
    // The challenge: 16..64 bytes; 15 or 65 is refused at its length byte.
    for (int n : new int[] {0, 15, 65, 255}) {
      refused(ProofRequest::decode, with(list, challenge, n), Kind.LENGTH, challenge);
    }
    assertThrows(
        IllegalArgumentException.class, () -> new ProofRequest(DISTRIBUTOR, "alice", new byte[15]));
    assertThrows(
        IllegalArgumentException.class, () -> new ProofRequest(DISTRIBUTOR, "alice", new byte[65]));
    new ProofRequest(DISTRIBUTOR, "alice", new byte[16]);
    new ProofRequest(DISTRIBUTOR, "alice", new byte[64]);
    // The user ID: 1..64 characters 20h..7Eh.
    refused(ProofRequest::decode, with(list, user, 0), Kind.INVALID_VALUE, user);
    refused(ProofRequest::decode, with(list, user + 1, 0x0A), Kind.INVALID_VALUE, user);
    refused(ProofRequest::decode, with(list, user + 1, 0x80), Kind.INVALID_VALUE, user);
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProofRequest(DISTRIBUTOR, "a".repeat(65), CHALLENGE));
    new ProofRequest(DISTRIBUTOR, "a b".repeat(21) + "c", CHALLENGE);
    // The certificate: a drive's in its place is refused at its role.
    byte[] ofDrive =
        new dev.secdrive.protocol.security.Fields.Writer()
            .bytes16(DRIVE.encode())
            .str8("alice")
            .u8(CHALLENGE.length)
            .raw(CHALLENGE)
            .toByteArray();
    refused(ProofRequest::decode, ofDrive, Kind.INVALID_VALUE, 2 + 5);
    // Framing: every prefix is truncated, a byte more is trailing.
    for (int n = 0; n < list.length; n++) {
      int cut = n;
      ParameterException e =
          assertThrows(
              ParameterException.class, () -> ProofRequest.decode(Arrays.copyOf(list, cut)));
      assertEquals(Kind.TRUNCATED, e.kind(), "prefix of " + n);
    }
    refused(
        ProofRequest::decode,
        Arrays.copyOf(list, list.length + 1),
        Kind.TRAILING_BYTES,
        list.length);
  }

  @Test
  void aProofOfAnotherFormatOrWithAFlippedBitIsRefused() throws Exception {
    byte[] proof = RegistrationProof.sign("drive-0001", REQUEST, DRIVE_ED.privateKey()).encode();
    refused(RegistrationProof::decode, with(proof, 0, 'X'), Kind.MAGIC, 0);
    refused(RegistrationProof::decode, with(proof, 4, 2), Kind.FORMAT_VERSION, 4);
    // An error inside the certificate points at its byte in the record.
    refused(RegistrationProof::decode, with(proof, 16 + 2 + 4, 9), Kind.FORMAT_VERSION, 16 + 2 + 4);
    for (int i = 0; i < proof.length * 8; i++) {
      byte[] flipped = proof.clone();
      flipped[i / 8] ^= (byte) (1 << (i % 8));
      boolean signedByDrive;
      try {
        signedByDrive = RegistrationProof.decode(flipped).signedBy(DRIVE);
      } catch (ParameterException | IllegalArgumentException e) {
        signedByDrive = false;
      }
      assertFalse(signedByDrive, "bit " + i);
    }
    assertArrayEquals(proof, RegistrationProof.decode(proof).encode());
  }
}
