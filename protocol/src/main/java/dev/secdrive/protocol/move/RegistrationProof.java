package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.AvailableLength;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A drive's proof that it takes part in its own preregistration (S11, PROTOCOL.md "Registration
 * proof"): "SDRP" | u8 1 | str8 device ID | bytes16 distributor certificate (role 4) | str8 user ID
 * | u8 challenge length (16..64) and the challenge | 64-byte Ed25519 signature by the drive's
 * certified device key over the label {@value #LABEL} followed by every byte before it.
 *
 * <p>The drive builds these bytes itself from the typed fields of {@link ProofRequest} and its own
 * device ID, so its device key signs nothing else a host chooses (no signing oracle); the label
 * keeps the signature apart from anything else the key may ever sign. A distributor takes it with
 * the drive's certificate in {@code POST /clients}: a drive certificate is public, the proof shows
 * that the caller can use the drive, for this user, at this distributor, now.
 *
 * @param deviceId the signing drive's device ID (its certificate's subject)
 * @param distributor the certificate of the distributor it registers with
 * @param userId the user of that distributor the drive is to be a client of: 1..64 printable ASCII
 *     (20h..7Eh)
 * @param challenge the distributor's registration challenge, opaque to the drive: 16..64 bytes
 */
public record RegistrationProof(
    String deviceId, Certificate distributor, String userId, byte[] challenge, byte[] signature) {

  public static final int VERSION = 1;

  /** The domain-separation label the signature covers before the record's bytes. */
  public static final String LABEL = "secdrive registration proof v1";

  public static final int USER_ID_MAX = 64;
  public static final int CHALLENGE_MIN = 16;
  public static final int CHALLENGE_MAX = 64;
  static final String MAGIC = "SDRP";

  public RegistrationProof {
    Fields.checkId("device ID", deviceId, 255);
    if (distributor == null || distributor.role() != Certificate.Role.DISTRIBUTOR) {
      throw new IllegalArgumentException("the distributor certificate must be of role DISTRIBUTOR");
    }
    checkUserId(userId);
    challenge = checkChallenge(challenge).clone();
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  /** A user ID as the proof carries it: 1..64 characters 20h..7Eh (a distributor's user IDs). */
  public static String checkUserId(String userId) {
    if (userId == null
        || userId.isEmpty()
        || userId.length() > USER_ID_MAX
        || !userId.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new IllegalArgumentException(
          "user ID must be 1.." + USER_ID_MAX + " printable ASCII characters");
    }
    return userId;
  }

  /** A challenge as the proof carries it: 16..64 bytes. */
  public static byte[] checkChallenge(byte[] challenge) {
    if (challenge == null || challenge.length < CHALLENGE_MIN || challenge.length > CHALLENGE_MAX) {
      throw new IllegalArgumentException(
          "challenge must be "
              + CHALLENGE_MIN
              + ".."
              + CHALLENGE_MAX
              + " bytes, got "
              + (challenge == null ? 0 : challenge.length));
    }
    return challenge;
  }

  /**
   * Signs a proof as the drive {@code deviceId} with its device key {@code drivePrivateKey} (the
   * Ed25519 seed whose public key the drive's certificate carries): what the drive does for PROVE
   * REGISTRATION, and what a test or a bench does for a drive it made.
   */
  public static RegistrationProof sign(
      String deviceId, ProofRequest request, byte[] drivePrivateKey) {
    RegistrationProof unsigned =
        new RegistrationProof(
            deviceId,
            request.distributor(),
            request.userId(),
            request.challenge(),
            new byte[Certificate.SIGNATURE_LENGTH]);
    return unsigned.withSignature(Ed25519.sign(drivePrivateKey, unsigned.signedMessage()));
  }

  public RegistrationProof withSignature(byte[] signature) {
    return new RegistrationProof(deviceId, distributor, userId, challenge, signature);
  }

  /** Whether this is a proof for {@code request}: the same distributor, user and challenge. */
  public boolean answers(ProofRequest request) {
    return distributor.equals(request.distributor())
        && userId.equals(request.userId())
        && Arrays.equals(challenge, request.challenge());
  }

  /**
   * Whether the drive of {@code drive} signed it: a DRIVE certificate whose subject is this proof's
   * device ID and whose Ed25519 key verifies the signature. Whether the authority signed {@code
   * drive} is the caller's to check.
   */
  public boolean signedBy(Certificate drive) {
    return drive.role() == Certificate.Role.DRIVE
        && drive.subject().equals(deviceId)
        && Ed25519.verify(drive.ed25519PublicKey(), signedMessage(), signature);
  }

  @Override
  public byte[] challenge() {
    return challenge.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The record's bytes before the signature. */
  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(deviceId)
        .bytes16(distributor.encode())
        .str8(userId)
        .u8(challenge.length)
        .raw(challenge)
        .toByteArray();
  }

  /** What the signature is over: {@value #LABEL} (30 bytes of ASCII) ‖ {@link #signedBytes()}. */
  public byte[] signedMessage() {
    return new Fields.Writer()
        .raw(LABEL.getBytes(StandardCharsets.US_ASCII))
        .raw(signedBytes())
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static RegistrationProof decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "registration proof");
    r.magic(MAGIC);
    r.version(VERSION);
    String deviceId = r.id("device ID");
    Certificate distributor = ProofRequest.distributor(r);
    String userId = ProofRequest.userId(r, "registration proof");
    byte[] challenge = ProofRequest.challenge(r, "registration proof");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new RegistrationProof(deviceId, distributor, userId, challenge, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegistrationProof p && Arrays.equals(encode(), p.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "RegistrationProof[drive "
        + deviceId
        + " for user "
        + userId
        + " at "
        + distributor.subject()
        + ", challenge "
        + HexFormat.of().formatHex(challenge)
        + "]";
  }

  /** The REGISTRATION PROOF data-in: u32 available length ‖ the record. */
  public byte[] dataIn() {
    return AvailableLength.wrap(encode());
  }

  /** The record of a REGISTRATION PROOF data-in. */
  public static RegistrationProof fromDataIn(byte[] in) throws ParameterException {
    byte[] body = AvailableLength.unwrap(in, "registration proof data");
    try {
      return decode(body);
    } catch (ParameterException e) {
      throw e.within(AvailableLength.LENGTH);
    }
  }
}
